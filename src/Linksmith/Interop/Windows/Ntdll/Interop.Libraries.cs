namespace Linksmith.Interop;

internal static partial class Ntdll
{
    internal const string Name = "ntdll.dll";
}
