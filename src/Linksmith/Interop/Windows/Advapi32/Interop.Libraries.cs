namespace Linksmith.Interop;

internal static partial class Advapi32
{
    internal const string Name = "advapi32.dll";
}
