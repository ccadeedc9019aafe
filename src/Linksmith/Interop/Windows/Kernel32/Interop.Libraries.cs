namespace Linksmith.Interop;

internal static partial class Kernel32
{
    internal const string Name = "kernel32.dll";
}
