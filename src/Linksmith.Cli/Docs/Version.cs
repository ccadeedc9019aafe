using System.Reflection;

namespace Linksmith.Cli.Docs;

/// <summary>The version <c>--version</c> prints (Directory.Build.props' Version), without the commit suffix.</summary>
internal static class Version
{
    public static string Text { get; } = Read();

    private static string Read()
    {
        var informational = typeof(Version).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }
}
