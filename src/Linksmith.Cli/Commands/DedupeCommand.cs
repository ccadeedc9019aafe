using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Linksmith.Cli.Commands;

/// <summary><c>dedupe DIR...</c>: find identical files; with <c>--apply</c> replace duplicates by hard links.</summary>
internal static class DedupeCommand
{
    public static Command Create(CliConsole console)
    {
        var roots = new Argument<string[]>("DIR") { Arity = ArgumentArity.OneOrMore, Description = "Directories to search (earlier ones win ties for which name survives)" };
        var apply = new Option<bool>("--apply") { Description = "Replace duplicates by hard links, or with --reflink share their blocks (without it: only report, change nothing)" };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Change nothing (the default); with --apply, list each name that would be linked (DUP -> KEEP)" };
        var minSize = new Option<string?>("--min-size") { Description = "Smallest file size to consider, bytes with optional K, M or G (default 1: empty files are never merged)", HelpName = "N" };
        var maxSize = new Option<string?>("--max-size") { Description = "Largest file size to consider, bytes with optional K, M or G", HelpName = "N" };
        var filters = new FilterOptions(
            "Consider only files matching GLOB (or inside folders matching it); --exclude wins",
            "Leave out paths matching GLOB (a pattern with '/' matches the path under DIR, '**' spans folders; without '/' a name at any depth)");
        var reference = new Option<string[]>("--reference") { Description = "Also search DIR, but never change its files; a file there survives over its duplicates (repeatable)", HelpName = "DIR", AllowMultipleArgumentsPerToken = false };
        var reflink = new Option<bool>("--reflink") { Description = "Share the duplicates' data blocks copy-on-write instead of hard-linking them: separate files keep their inode, names, owner, mode and times (Linux: Btrfs, XFS, bcachefs; Windows: ReFS, Dev Drive)" };
        var ignoreMetadata = new Option<bool>("--ignore-metadata") { Description = "Merge files even when owner, group or permissions (Windows: read-only) differ" };
        var cache = new Option<bool>("--cache") { Description = "Remember hashes in the state database and reuse them (the default)" };
        var noCache = new Option<bool>("--no-cache") { Description = "Neither use nor update remembered hashes" };
        var threads = CommonOptions.WholeNumber("--threads", "Files read, and files replaced, at once (default: one reader per processor, at most 4, and 8 replacing)");
        var json = CommonOptions.Json();
        var command = new Command("dedupe", "Find identical files; with --apply replace duplicates by hard links to one survivor")
        {
            roots, apply, dryRun, reflink, reference, minSize, maxSize,
        };
        filters.AddTo(command);
        foreach (var option in new Option[] { ignoreMetadata, cache, noCache, threads, json })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellation) => Task.FromResult(Act(parse, cancellation)));
        return command;

        int Act(ParseResult parse, CancellationToken cancellation)
        {
            var reporter = new Reporter(console, parse.GetValue(json));
            if (parse.GetValue(cache) && parse.GetValue(noCache))
            {
                return reporter.Usage("--cache and --no-cache cannot be used together", "choose one; the cache is used by default");
            }

            if (!TryParseSize(parse.GetValue(minSize), 1, out var min))
            {
                return reporter.Usage($"--min-size: '{parse.GetValue(minSize)}' is not a size", "write bytes as a number with an optional K, M or G suffix, e.g. 4K or 10M");
            }

            if (!TryParseSize(parse.GetValue(maxSize), long.MaxValue, out var max))
            {
                return reporter.Usage($"--max-size: '{parse.GetValue(maxSize)}' is not a size", "write bytes as a number with an optional K, M or G suffix, e.g. 4K or 10M");
            }

            if (parse.GetValue(threads) is < 0)
            {
                return reporter.Usage("--threads must be 1 or more");
            }

            if (filters.Build(parse, reporter, console.In, "dedupe") is not { } filter)
            {
                return reporter.ExitCode;
            }

            var options = new DedupeOptions
            {
                Roots = parse.GetValue(roots)!,
                // --apply --dry-run plans the replacements and makes none of them.
                Apply = parse.GetValue(apply) && !parse.GetValue(dryRun),
                MinSize = Math.Max(1, min),
                MaxSize = max,
                Filter = filter,
                Reflink = parse.GetValue(reflink),
                ReferenceDirectories = parse.GetValue(reference) ?? [],
                IgnoreMetadata = parse.GetValue(ignoreMetadata),
                UseCache = !parse.GetValue(noCache),
                Threads = parse.GetValue(threads) ?? 0,
                Progress = new DedupeProgress(),
            };
            return Run(reporter, options, planned: parse.GetValue(apply) && parse.GetValue(dryRun), cancellation);
        }
    }

    /// <summary>Bytes with an optional K, M or G suffix (powers of 1024); <paramref name="fallback"/> when absent.</summary>
    internal static bool TryParseSize(string? text, long fallback, out long bytes)
    {
        bytes = fallback;
        if (text is null)
        {
            return true;
        }

        var trimmed = text.Trim();
        var shift = 0;
        if (trimmed.Length > 1)
        {
            shift = char.ToUpperInvariant(trimmed[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, _ => 0 };
            if (shift > 0)
            {
                trimmed = trimmed[..^1];
            }
        }

        if (!long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > (long.MaxValue >> shift))
        {
            return false;
        }

        bytes = number << shift;
        return true;
    }

    /// <summary>What a stopped dedupe finished.</summary>
    private static string Interrupted(DedupeOptions options)
    {
        if (!options.Apply)
        {
            return "interrupted; nothing was changed";
        }

        var progress = options.Progress!;
        return progress.Phase is DedupePhase.Linking or DedupePhase.Done
            ? string.Create(CultureInfo.InvariantCulture, $"interrupted after dealing with {progress.SetsResolved:N0} of {progress.SetsToResolve:N0} sets of identical files; every replacement made so far is complete, the other duplicates are untouched")
            : "interrupted before any duplicate was replaced; nothing was changed";
    }

    // planned: --apply --dry-run, one "would link DUP -> KEEP" line per name.
    private static int Run(Reporter reporter, DedupeOptions options, bool planned, CancellationToken cancellation)
    {
        using var progress = ProgressLine.Start(reporter.Console);
        progress?.Poll(Status(options.Progress!));
        DedupeResult result;
        try
        {
            result = Deduplicator.Run(options, cancellation);
        }
        catch (LinksmithException error)
        {
            progress?.Dispose();
            reporter.Fail(error);
            return reporter.ExitCode;
        }
        catch (OperationCanceledException)
        {
            // Each replacement is atomic: the one under way was finished, and the run stopped there.
            progress?.Dispose();
            reporter.Notice(Interrupted(options));
            return ExitCodes.Interrupted;
        }

        progress?.Dispose();
        if (result.Statistics.CacheProblem is { } problem)
        {
            reporter.Notice($"warning: hash cache not used: {problem}");
        }

        foreach (var error in result.Errors)
        {
            reporter.Fail(error);
        }

        if (reporter.Json)
        {
            WriteJson(reporter, result, options.UseCache, options.Reflink);
        }
        else
        {
            WriteText(reporter, result, planned, options.Reflink);
        }


        return reporter.ExitCode;
    }

    /// <summary>What the progress line says: the phase and its counts, read from the job's counters.</summary>
    private static Func<string> Status(DedupeProgress progress)
    {
        var clock = Stopwatch.StartNew();
        return () =>
        {
            var seconds = Math.Max(0.001, clock.Elapsed.TotalSeconds);
            return progress.Phase switch
            {
                DedupePhase.Scanning => string.Create(CultureInfo.InvariantCulture, $"dedupe: scanning, {progress.FilesSeen:N0} files"),
                DedupePhase.Linking => string.Create(CultureInfo.InvariantCulture, $"dedupe: linking duplicates, {progress.SetsResolved:N0}/{progress.SetsToResolve:N0} sets of identical files"),
                _ => string.Create(CultureInfo.InvariantCulture, $"dedupe: {progress.Phase.ToString().ToLowerInvariant()}, {progress.CandidatesChecked:N0}/{progress.Candidates:N0} candidates checked, {progress.FilesRead:N0} files read, {HumanSize.Format(progress.BytesRead)}, {HumanSize.Format((long)(progress.BytesRead / seconds))}/s"),
            };
        };
    }

    private static void WriteText(Reporter reporter, DedupeResult result, bool planned, bool reflink)
    {
        var verb = (result.Applied, reflink) switch
        {
            (true, false) => "linked",
            (false, false) => "would link",
            (true, true) => "shared",
            (false, true) => "would share",
        };
        // The groups' lines are made a chunk at a time on a pool thread while this one writes out
        // the chunk before: making each path and checking it for characters to escape was most of
        // a big report's cost (6 MB, 62,000 lines for the large benchmark tree). Two builders take
        // turns; the duplicates are counted on the way (each pass over the groups makes their
        // paths again).
        const int ChunkGroups = 256;
        var groups = result.Groups;
        StringBuilder[] builders = [new(), new()];
        var files = 0;
        var next = groups.Count > 0 ? Task.Run(() => Lines(0)) : null;
        for (var first = 0; next is not null; first += ChunkGroups)
        {
            var (lines, chunkFiles) = next.Result;
            var following = first + ChunkGroups;
            next = following < groups.Count ? Task.Run(() => Lines(following)) : null;
            reporter.Lines(lines);
            files += chunkFiles;
        }

        (StringBuilder Lines, int Files) Lines(int from)
        {
            var lines = builders[from / ChunkGroups % 2].Clear();
            var chunkFiles = 0;
            for (var g = from; g < Math.Min(from + ChunkGroups, groups.Count); g++)
            {
                var group = groups[g];
                chunkFiles += group.DuplicateFiles;
                if (planned)
                {
                    var keep = Display.Path(group.Keep);
                    foreach (var duplicate in group.Duplicates)
                    {
                        lines.Append(verb).Append(' ').Append(Display.Path(duplicate)).Append(" -> ").AppendLine(keep);
                    }

                    continue;
                }

                lines.AppendLine(reflink
                    ? $"{verb} the blocks of {Display.Count(group.Duplicates.Count, "name")} with {Display.Path(group.Keep)} ({HumanSize.Format(group.Size)} each):"
                    : $"{verb} {Display.Count(group.Duplicates.Count, "name")} to {Display.Path(group.Keep)} ({HumanSize.Format(group.Size)} each):");
                foreach (var duplicate in group.Duplicates)
                {
                    lines.Append("  ").AppendLine(Display.Path(duplicate));
                }
            }

            return (lines, chunkFiles);
        }

        foreach (var skip in result.Skipped)
        {
            reporter.Notice($"skipped {Display.Path(skip.Path)}: {skip.Reason}");
        }

        var statistics = result.Statistics;
        var summary = $"{Display.Count(result.Groups.Count, "group")} of identical files, {Display.Count(files, "duplicate")}; {HumanSize.Format(result.SavedBytes)} {(result.Applied ? "freed" : "would be freed")}"
            + $" ({Display.Count(statistics.FilesScanned, "file")} scanned, {Display.Count(statistics.FilesRead, "file")} read, {HumanSize.Format(statistics.BytesRead)} hashed, {statistics.CacheHits} hashes remembered)";
        reporter.Line(summary);
        if (!result.Applied && files > 0)
        {
            reporter.Line(planned ? "nothing was changed (--dry-run)"
                : reflink ? "nothing was changed; add --apply to share the duplicates' blocks"
                : "nothing was changed; add --apply to replace the duplicates by hard links");
        }
    }

    private static void WriteJson(Reporter reporter, DedupeResult result, bool cacheAsked, bool reflink) =>
        JsonOutput.Write(reporter.Console.Out, writer =>
        {
            writer.WriteStartObject();
            writer.WriteBoolean("applied", result.Applied);
            writer.WriteString("mode", reflink ? "reflink" : "hardlink");
            writer.WriteStartArray("groups");
            foreach (var group in result.Groups)
            {
                writer.WriteStartObject();
                writer.WriteNumber("size", group.Size);
                writer.WritePath("keep", group.Keep);
                writer.WriteStartArray("duplicates");
                foreach (var duplicate in group.Duplicates)
                {
                    writer.WritePathValue(duplicate);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.FlushIfLarge();
            }

            writer.WriteEndArray();
            writer.WriteNumber("savedBytes", result.SavedBytes);
            writer.WriteStartArray("skipped");
            foreach (var skip in result.Skipped)
            {
                writer.WriteStartObject();
                writer.WritePath("path", skip.Path);
                writer.WriteString("reason", skip.Reason);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteErrors(reporter.Errors);
            var statistics = result.Statistics;
            writer.WriteStartObject("statistics");
            writer.WriteNumber("filesScanned", statistics.FilesScanned);
            writer.WriteNumber("candidates", statistics.Candidates);
            writer.WriteNumber("filesRead", statistics.FilesRead);
            writer.WriteNumber("bytesRead", statistics.BytesRead);
            writer.WriteNumber("cacheHits", statistics.CacheHits);
            writer.WriteBoolean("cacheUsed", cacheAsked && statistics.CacheProblem is null);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
}
