using System.CommandLine;
using System.CommandLine.Completions;

namespace Linksmith.Cli.Docs;

/// <summary>An option as help shows it, for the completion scripts and the man page.</summary>
/// <param name="Names">Its name first, then its aliases that start with '-' (not mklink's "/D" or "/?").</param>
/// <param name="Description">What help says of it.</param>
/// <param name="ValueName">The value's name in help (<c>KIND</c>), or null for a flag.</param>
/// <param name="Values">The values it accepts when they are a fixed list (<c>--as</c>, <c>--outer</c>), else empty.</param>
internal sealed record OptionDoc(IReadOnlyList<string> Names, string Description, string? ValueName, IReadOnlyList<string> Values)
{
    public bool TakesValue => ValueName is not null;
}

/// <summary>An argument as help shows it.</summary>
internal sealed record ArgumentDoc(string Name, string Description, bool Many, bool Optional);

/// <summary>A command of the grammar, with everything help shows of it and its visible subcommands.</summary>
/// <param name="Path">The words that name it, "linksmith" first (<c>linksmith shell install</c>).</param>
/// <param name="Description">What help says of it.</param>
/// <param name="Options">Its options, with those it inherits (<c>--help</c>).</param>
/// <param name="Arguments">Its arguments, in order.</param>
/// <param name="Subcommands">Its visible subcommands.</param>
internal sealed record CommandDoc(
    IReadOnlyList<string> Path,
    string Description,
    IReadOnlyList<OptionDoc> Options,
    IReadOnlyList<ArgumentDoc> Arguments,
    IReadOnlyList<CommandDoc> Subcommands)
{
    public string Name => Path[^1];

    public string FullName => string.Join(' ', Path);

    /// <summary>This command and every command under it, depth first.</summary>
    public IEnumerable<CommandDoc> SelfAndDescendants() => Subcommands.SelectMany(static sub => sub.SelfAndDescendants()).Prepend(this);
}

/// <summary>
/// Reads the System.CommandLine definitions that <c>--help</c> prints from, so that completions and
/// the man page are generated from one source and cannot drift from help. Hidden commands and
/// options (such as <c>completions</c> and <c>manpage</c> themselves) are left out, as help leaves them out.
/// </summary>
internal static class Grammar
{
    public static CommandDoc Describe(Command root) => Describe(root, [root.Name], []);

    private static CommandDoc Describe(Command command, IReadOnlyList<string> path, IReadOnlyList<Option> inherited)
    {
        var own = command.Options.Where(static option => !option.Hidden).ToList();
        var options = own.Concat(inherited.Where(option => !own.Contains(option))).Select(Describe).ToList();
        var passedDown = inherited.Concat(own.Where(static option => option.Recursive)).ToList();
        return new CommandDoc(
            path,
            command.Description ?? string.Empty,
            options,
            [.. command.Arguments.Where(static argument => !argument.Hidden).Select(static argument => new ArgumentDoc(
                argument.Name,
                argument.Description ?? string.Empty,
                argument.Arity.MaximumNumberOfValues > 1,
                argument.Arity.MinimumNumberOfValues == 0))],
            [.. command.Subcommands.Where(static sub => !sub.Hidden).Select(sub => Describe(sub, [.. path, sub.Name], passedDown))]);
    }

    private static OptionDoc Describe(Option option)
    {
        var names = option.Aliases.Where(static alias => alias.StartsWith('-') && alias.Length > 1 && char.IsAsciiLetter(alias.TrimStart('-')[0]))
            .OrderByDescending(static alias => alias.StartsWith("--", StringComparison.Ordinal))
            .Prepend(option.Name)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var isFlag = option.ValueType == typeof(bool) || option.Arity.MaximumNumberOfValues == 0;
        var values = isFlag ? [] : option.GetCompletions(CompletionContext.Empty).Select(static item => item.Label).ToList();
        var valueName = isFlag ? null : option.HelpName ?? (values.Count > 0 ? string.Join('|', values) : "VALUE");
        return new OptionDoc(names, option.Description ?? string.Empty, valueName, values);
    }
}
