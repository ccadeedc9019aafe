using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    [LibraryImport(Name, EntryPoint = "FindNextFileNameW", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static unsafe partial bool FindNextFileName(SafeFindHandle hFindStream, ref uint StringLength, char* LinkName);
}
