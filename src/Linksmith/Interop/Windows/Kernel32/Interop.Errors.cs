namespace Linksmith.Interop;

internal static partial class Kernel32
{
    // System error codes (winerror.h), as GetLastError returns them.
    internal const int ERROR_SUCCESS = 0;
    internal const int ERROR_INVALID_FUNCTION = 1;
    internal const int ERROR_FILE_NOT_FOUND = 2;
    internal const int ERROR_PATH_NOT_FOUND = 3;
    internal const int ERROR_ACCESS_DENIED = 5;
    internal const int ERROR_INVALID_HANDLE = 6;
    internal const int ERROR_INVALID_DRIVE = 15;
    internal const int ERROR_NOT_SAME_DEVICE = 17;
    internal const int ERROR_NO_MORE_FILES = 18;
    internal const int ERROR_WRITE_PROTECT = 19;
    internal const int ERROR_NOT_READY = 21;
    internal const int ERROR_SHARING_VIOLATION = 32;
    internal const int ERROR_HANDLE_EOF = 38;
    internal const int ERROR_NOT_SUPPORTED = 50;
    internal const int ERROR_BAD_NETPATH = 53;
    internal const int ERROR_NETWORK_ACCESS_DENIED = 65;
    internal const int ERROR_BAD_NET_NAME = 67;
    internal const int ERROR_FILE_EXISTS = 80;
    internal const int ERROR_INVALID_PARAMETER = 87;
    internal const int ERROR_BUFFER_OVERFLOW = 111;
    internal const int ERROR_CALL_NOT_IMPLEMENTED = 120;
    internal const int ERROR_INSUFFICIENT_BUFFER = 122;
    internal const int ERROR_INVALID_NAME = 123;
    internal const int ERROR_DIR_NOT_EMPTY = 145;
    internal const int ERROR_BAD_PATHNAME = 161;
    internal const int ERROR_ALREADY_EXISTS = 183;
    internal const int ERROR_FILENAME_EXCED_RANGE = 206;
    internal const int ERROR_MORE_DATA = 234;
    internal const int ERROR_DIRECTORY = 267;
    internal const int ERROR_TOO_MANY_LINKS = 1142;
    internal const int ERROR_NETWORK_UNREACHABLE = 1231;
    internal const int ERROR_PRIVILEGE_NOT_HELD = 1314;
    internal const int ERROR_SYMLINK_NOT_SUPPORTED = 1464;
    internal const int ERROR_CANT_RESOLVE_FILENAME = 1921;
    internal const int ERROR_NOT_A_REPARSE_POINT = 4390;
    internal const int ERROR_INVALID_REPARSE_DATA = 4392;
    internal const int ERROR_REPARSE_TAG_INVALID = 4393;
    internal const int ERROR_REPARSE_ATTRIBUTE_CONFLICT = 4394;
}
