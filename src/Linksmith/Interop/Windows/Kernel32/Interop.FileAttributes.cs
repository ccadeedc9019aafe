namespace Linksmith.Interop;

internal static partial class Kernel32
{
    // File attribute constants (winnt.h).
    internal const uint FILE_ATTRIBUTE_READONLY = 0x00000001;
    internal const uint FILE_ATTRIBUTE_DIRECTORY = 0x00000010;
    internal const uint FILE_ATTRIBUTE_DEVICE = 0x00000040;
    internal const uint FILE_ATTRIBUTE_NORMAL = 0x00000080;
    internal const uint FILE_ATTRIBUTE_SPARSE_FILE = 0x00000200;
    internal const uint FILE_ATTRIBUTE_REPARSE_POINT = 0x00000400;
    internal const uint FILE_ATTRIBUTE_COMPRESSED = 0x00000800;

    // Reparse tags (winnt.h); both are Microsoft tags and name surrogates.
    internal const uint IO_REPARSE_TAG_MOUNT_POINT = 0xA0000003;
    internal const uint IO_REPARSE_TAG_SYMLINK = 0xA000000C;
}
