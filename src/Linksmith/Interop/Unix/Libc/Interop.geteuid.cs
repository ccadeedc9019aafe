using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "geteuid")]
    internal static partial uint geteuid();
}
