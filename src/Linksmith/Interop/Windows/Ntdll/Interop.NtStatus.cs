namespace Linksmith.Interop;

internal static partial class Ntdll
{
    // NTSTATUS values (ntstatus.h), as the Nt* calls return them. Negative: an error.
    internal const int STATUS_SUCCESS = 0;
    internal const int STATUS_STOPPED_ON_SYMLINK = unchecked((int)0x8000002D);
    internal const int STATUS_BUFFER_OVERFLOW = unchecked((int)0x80000005);
    internal const int STATUS_NO_MORE_FILES = unchecked((int)0x80000006);
    internal const int STATUS_NOT_IMPLEMENTED = unchecked((int)0xC0000002);
    internal const int STATUS_INVALID_INFO_CLASS = unchecked((int)0xC0000003);
    internal const int STATUS_INFO_LENGTH_MISMATCH = unchecked((int)0xC0000004);
    internal const int STATUS_INVALID_PARAMETER = unchecked((int)0xC000000D);
    internal const int STATUS_NO_SUCH_FILE = unchecked((int)0xC000000F);
    internal const int STATUS_INVALID_DEVICE_REQUEST = unchecked((int)0xC0000010);
    internal const int STATUS_ACCESS_DENIED = unchecked((int)0xC0000022);
    internal const int STATUS_BUFFER_TOO_SMALL = unchecked((int)0xC0000023);
    internal const int STATUS_OBJECT_NAME_INVALID = unchecked((int)0xC0000033);
    internal const int STATUS_OBJECT_NAME_NOT_FOUND = unchecked((int)0xC0000034);
    internal const int STATUS_OBJECT_NAME_COLLISION = unchecked((int)0xC0000035);
    internal const int STATUS_OBJECT_PATH_NOT_FOUND = unchecked((int)0xC000003A);
    internal const int STATUS_SHARING_VIOLATION = unchecked((int)0xC0000043);
    internal const int STATUS_INVALID_OWNER = unchecked((int)0xC000005A);
    internal const int STATUS_PRIVILEGE_NOT_HELD = unchecked((int)0xC0000061);
    internal const int STATUS_INVALID_SECURITY_DESCR = unchecked((int)0xC0000079);
    internal const int STATUS_FILE_IS_A_DIRECTORY = unchecked((int)0xC00000BA);
    internal const int STATUS_NOT_SUPPORTED = unchecked((int)0xC00000BB);
    internal const int STATUS_NOT_SAME_DEVICE = unchecked((int)0xC00000D4);
    internal const int STATUS_DISK_FULL = unchecked((int)0xC000007F);
    internal const int STATUS_DIRECTORY_NOT_EMPTY = unchecked((int)0xC0000101);
    internal const int STATUS_NOT_A_DIRECTORY = unchecked((int)0xC0000103);
    internal const int STATUS_CANNOT_DELETE = unchecked((int)0xC0000121);
    internal const int STATUS_NOT_A_REPARSE_POINT = unchecked((int)0xC0000275);
    internal const int STATUS_REPARSE_POINT_ENCOUNTERED = unchecked((int)0xC000050B);
}
