using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    // winioctl.h: CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 41/42, METHOD_BUFFERED, FILE_SPECIAL_ACCESS / FILE_ANY_ACCESS).
    internal const uint FSCTL_SET_REPARSE_POINT = 0x000900A4;
    internal const uint FSCTL_GET_REPARSE_POINT = 0x000900A8;

    [LibraryImport(Name, EntryPoint = "DeviceIoControl", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static unsafe partial bool DeviceIoControl(
        SafeFileHandle hDevice,
        uint dwIoControlCode,
        void* lpInBuffer,
        uint nInBufferSize,
        void* lpOutBuffer,
        uint nOutBufferSize,
        out uint lpBytesReturned,
        IntPtr lpOverlapped);
}
