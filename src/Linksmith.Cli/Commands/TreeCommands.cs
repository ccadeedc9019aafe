using System.CommandLine;
using System.Globalization;

namespace Linksmith.Cli.Commands;

/// <summary><c>copy</c>, <c>mirror</c>, <c>clone</c> and <c>backup</c>: one engine, one set of options, one way of reporting.</summary>
internal static class TreeCommands
{
    public static Command Copy(CliConsole console) => Create(
        console,
        "copy",
        "Smart Copy: copy a tree, re-creating its hard-link groups and re-pointing its inner links into the copy; incremental into an existing DST",
        TreeJobKind.Copy,
        "DST");

    public static Command Mirror(CliConsole console) => Create(
        console,
        "mirror",
        "Smart Mirror: make DST equal SRC, copying what changed and deleting what SRC no longer has (never through a link)",
        TreeJobKind.Mirror,
        "DST");

    public static Command Clone(CliConsole console) => Create(
        console,
        "clone",
        "Hardlink Clone: directories re-created, every file a hard link to the original (--symbolic: a symlink, may cross volumes; --reflink: a new file sharing the original's blocks). "
            + "Into an existing DST it updates the clone: new files linked, names that are not the current link of SRC's file re-linked (a real file with other contents there is replaced), unchanged ones left alone; --delete also removes what SRC no longer has",
        TreeJobKind.Clone,
        "DST");

    public static Command Backup(CliConsole console) => Create(
        console,
        "backup",
        "DeLorean Copy: a new dated snapshot in REPO; unchanged files are hard links to the previous snapshot",
        TreeJobKind.Backup,
        "REPO");

    private static Command Create(CliConsole console, string name, string description, TreeJobKind kind, string destinationName)
    {
        var source = new Argument<string>("SRC") { Description = "The source tree (the anchor)" };
        var destination = new Argument<string>(destinationName)
        {
            Description = kind switch
            {
                TreeJobKind.Backup => "The folder that holds the snapshots (created if missing)",
                TreeJobKind.Clone => "The root of the clone (created if missing; updated if it exists; must be a directory)",
                _ => "The root of the result (created if missing; merged into if it exists)",
            },
        };
        var outer = new Option<string>("--outer")
        {
            Description = "Links pointing outside SRC: splice (re-create them, the default), crop (leave them out), unroll (copy what they point to)",
            DefaultValueFactory = _ => "splice",
            HelpName = "crop|unroll|splice",
        };
        outer.AcceptOnlyFromAmong("crop", "unroll", "splice");
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var verbose = new Option<bool>("--verbose", "-v") { Description = "List every action (a dry run always does)" };
        var filters = new FilterOptions(
            "Only files matching GLOB (repeatable); a pattern with '/' matches the path from SRC, '**' spans folders",
            "Leave out what matches GLOB (repeatable; beats --include); in mirror, excluded entries in DST are left alone");
        var threads = CommonOptions.WholeNumber("--threads", "Threads that copy and link while the tree is walked (default: one per processor; 0: none)");
        var modifyWindow = new Option<string?>("--modify-window")
        {
            Description = "Modification times at most SECONDS apart count as equal when deciding what is unchanged (as rsync's; FAT keeps 2 s)",
            HelpName = "SECONDS",
        };
        var xattrs = new Option<bool>("--xattrs", "-X")
        {
            Description = "Also copy extended attributes: user.*, and as root trusted.*, security.* and POSIX ACLs (Windows: alternate data streams and ACLs)",
        };
        var command = new Command(name, description) { source, destination, outer };
        filters.AddTo(command);
        foreach (var option in new Option[] { threads, modifyWindow, xattrs, dryRun, json, verbose })
        {
            command.Options.Add(option);
        }

        var symbolic = new Option<bool>("--symbolic", "-s") { Description = "Make every file a symbolic link to the original instead of a hard link" };
        var delete = new Option<bool>("--delete")
        {
            Description = "Updating an existing clone: also delete from DST what SRC no longer has (links in DST removed as links, never followed; excluded entries left alone)",
        };
        var reflinkClone = new Option<bool>("--reflink") { Description = "Reflink Clone: every file a new inode sharing the original's data blocks copy-on-write (Btrfs, XFS, bcachefs); exit 3 where the file system cannot" };
        var reflink = new Option<string>("--reflink")
        {
            Description = "Share data blocks with the source (reflinks): auto (where the file system can, the default), always (exit 3 before copying where it cannot), never (write new blocks)",
            DefaultValueFactory = _ => "auto",
            HelpName = "auto|always|never",
        };
        reflink.AcceptOnlyFromAmong("auto", "always", "never");
        var retention = new RetentionOptions();
        var previous = new Option<string?>("--prev") { Description = "Compare with and link to this snapshot instead of the newest in REPO (like rsync --link-dest)", HelpName = "DIR" };
        if (kind == TreeJobKind.Clone)
        {
            command.Options.Add(symbolic);
            command.Options.Add(reflinkClone);
            command.Options.Add(delete);
        }
        else
        {
            command.Options.Add(reflink);
        }

        if (kind == TreeJobKind.Backup)
        {
            retention.AddTo(command);
            command.Options.Add(previous);
        }

        command.SetAction((parse, cancellation) =>
        {
            var reporter = new Reporter(console, parse.GetValue(json));
            if (parse.GetValue(threads) is < 0)
            {
                return Task.FromResult(reporter.Usage("--threads must be 0 or more"));
            }

            RetentionPolicy? policy = null;
            if (kind == TreeJobKind.Backup)
            {
                (policy, var retentionError) = retention.Read(parse);
                if (retentionError is not null)
                {
                    return Task.FromResult(reporter.Usage(retentionError, RetentionOptions.Hint));
                }
            }

            if (kind == TreeJobKind.Clone && parse.GetValue(symbolic) && parse.GetValue(reflinkClone))
            {
                return Task.FromResult(reporter.Usage("--symbolic and --reflink cannot be used together", "a clone is made of hard links (the default), symbolic links (--symbolic) or reflinks (--reflink)"));
            }

            if (kind == TreeJobKind.Clone && NotADirectory(parse.GetValue(destination)!) is { } what)
            {
                return Task.FromResult(reporter.Usage(
                    $"{Display.Path(parse.GetValue(destination)!)}: is a {what}, not a directory: a clone's DST is the root folder of the clone",
                    "give a folder that does not exist yet (it is created) or an existing clone to update"));
            }

            if (ParseSeconds(parse.GetValue(modifyWindow)) is not { } window)
            {
                return Task.FromResult(reporter.Usage($"--modify-window: '{parse.GetValue(modifyWindow)}' is not a number of seconds 0 or more", "e.g. --modify-window 2 for a FAT file system, 1 for a NAS that keeps whole seconds"));
            }

            if (filters.Build(parse, reporter, console.In, name) is not { } filter)
            {
                return Task.FromResult(reporter.ExitCode);
            }

            var job = new TreeJob
            {
                Filter = filter,
                ModifyWindow = window,
                KeepExtendedAttributes = parse.GetValue(xattrs),
                Parallelism = parse.GetValue(threads),
                Kind = kind != TreeJobKind.Clone ? kind
                    : parse.GetValue(symbolic) ? TreeJobKind.SymbolicClone
                    : parse.GetValue(reflinkClone) ? TreeJobKind.ReflinkClone
                    : kind,
                Reflink = kind == TreeJobKind.Clone ? ReflinkMode.Auto : ParseReflink(parse.GetValue(reflink)),
                SourcePath = parse.GetValue(source)!,
                DestinationPath = parse.GetValue(destination)!,
                Outer = parse.GetValue(outer) switch
                {
                    "crop" => OuterLinkPolicy.Crop,
                    "unroll" => OuterLinkPolicy.Unroll,
                    _ => OuterLinkPolicy.Splice,
                },
                DryRun = parse.GetValue(dryRun),
                Delete = kind == TreeJobKind.Clone && parse.GetValue(delete),
                Retention = policy,
                PreviousSnapshot = kind == TreeJobKind.Backup ? parse.GetValue(previous) : null,
                Cancellation = cancellation,
            };
            return Task.FromResult(Run(reporter, job, parse.GetValue(verbose)));
        });
        return command;
    }

    /// <summary>The value of <c>--modify-window SECONDS</c>: zero when absent; null when it is no number, negative, or beyond a century.</summary>
    internal static TimeSpan? ParseSeconds(string? text)
    {
        if (text is null)
        {
            return TimeSpan.Zero;
        }

        return double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds <= 100 * 365.25 * 86400
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }

    /// <summary>
    /// What a clone's DST is when it is neither missing nor a directory (a link to a directory
    /// counts as one: an explicit argument is followed once); null when it will do.
    /// </summary>
    private static string? NotADirectory(string destination)
    {
        var info = Link.Inspect(Path.GetFullPath(destination));
        return info.Kind switch
        {
            LinkKind.Missing or LinkKind.Directory => null,
            LinkKind.SymbolicLink or LinkKind.Junction when info.TargetIsDirectory && !info.IsDangling => null,
            LinkKind.SymbolicLink when info.IsDangling => "dangling symbolic link",
            var other => other.Describe(),
        };
    }

    /// <summary>The value of <c>--reflink auto|always|never</c> (already checked against those three).</summary>
    internal static ReflinkMode ParseReflink(string? value) => value switch
    {
        "always" => ReflinkMode.Always,
        "never" => ReflinkMode.Never,
        _ => ReflinkMode.Auto,
    };

    /// <summary>The name <c>--reflink</c> takes for <paramref name="mode"/>.</summary>
    internal static string ReflinkName(ReflinkMode mode) => mode switch
    {
        ReflinkMode.Always => "always",
        ReflinkMode.Never => "never",
        _ => "auto",
    };

    internal static int Run(Reporter reporter, TreeJob job, bool verbose)
    {
        var actions = new List<TreeAction>();
        using var progress = job.DryRun ? null : ProgressLine.Start(reporter.Console);
        progress?.MeasureInBackground(job.SourcePath, job.Filter ?? PathFilter.All, job.Cancellation);
        job = job with
        {
            // Only a dry run or --verbose shows actions: otherwise none is built (one a file).
            OnAction = !job.DryRun && !verbose ? null : action =>
            {
                if (reporter.Json && job.DryRun)
                {
                    actions.Add(action);
                }
                else if (job.DryRun || verbose)
                {
                    progress?.Clear();
                    reporter.Line(Describe(action, job.DryRun, job.Kind is TreeJobKind.Clone or TreeJobKind.SymbolicClone or TreeJobKind.ReflinkClone));
                }
            },
            OnSkip = action =>
            {
                if (action.Detail == TreeAction.SpecialFileSkipped)
                {
                    progress?.Clear();
                    reporter.Warn(action.Source ?? action.Path, TreeAction.SpecialFileSkipped);
                }
            },
            OnError = error =>
            {
                progress?.Clear();
                reporter.Fail(error);
            },
            OnWarning = warning =>
            {
                progress?.Clear();
                reporter.Warn(warning);
            },
            OnProgress = progress is null ? null : progress.Show,
        };

        TreeSummary summary;
        try
        {
            summary = TreeOperations.Run(job);
        }
        catch (LinksmithException error)
        {
            progress?.Clear();
            reporter.Fail(error);
            if (error is CrossVolumeHardLinkException && job.Kind == TreeJobKind.Clone)
            {
                reporter.Console.Error.WriteLine("hint: use `linksmith clone --symbolic`, whose symbolic links can cross volumes, or `linksmith copy`");
            }

            return reporter.ExitCode;
        }
        catch (OperationCanceledException interrupted)
        {
            progress?.Clear();
            var finished = interrupted is TreeJobInterruptedException { Summary: var done } ? Finished(done) : string.Empty;
            reporter.Notice(job.Kind == TreeJobKind.Backup
                ? $"interrupted{finished}; the unfinished snapshot keeps its .partial- name and never looks complete (the next backup removes it)"
                : $"interrupted{finished}; what was done so far stays in place, and running the same command again continues incrementally");
            return ExitCodes.Interrupted;
        }

        progress?.Clear();
        if (reporter.Json)
        {
            WriteJson(reporter, job, summary, actions);
        }
        else
        {
            WriteTable(reporter, job, summary);
        }

        return reporter.ExitCode;
    }

    /// <summary>What an interrupted job finished, as " after copying 3 files (12 KB), …" (each part only when it did some).</summary>
    private static string Finished(TreeSummary summary)
    {
        var parts = new List<string>();
        if (summary.Copied > 0)
        {
            parts.Add($"copying {Display.Count(summary.Copied, "file")} ({HumanSize.Format(summary.Bytes)})");
        }

        if (summary.Linked > 0)
        {
            parts.Add($"making {Display.Count(summary.Linked, "hard link")}");
        }

        if (summary.Symlinked > 0)
        {
            parts.Add($"making {Display.Count(summary.Symlinked, "symbolic link")}");
        }

        if (summary.Deleted > 0)
        {
            parts.Add(summary.Deleted == 1 ? "deleting 1 entry" : string.Create(CultureInfo.InvariantCulture, $"deleting {summary.Deleted:N0} entries"));
        }

        return parts.Count == 0 ? " before it had copied, linked or deleted anything" : " after " + string.Join(", ", parts);
    }

    private static string Describe(TreeAction action, bool dryRun, bool clone)
    {
        var prefix = dryRun ? "would " : string.Empty;
        var path = Display.Path(action.Path);
        if (clone && action.Replaces is { } replaced)
        {
            // Updating a clone: a name that was not the current link or copy is made anew, renamed over it.
            var what = action.Kind switch
            {
                TreeActionKind.HardLink => "hard-link",
                TreeActionKind.Symlink => "symlink",
                TreeActionKind.Copy when action.Detail == "reflink" => "reflink",
                _ => "copy",
            };
            var arrow = action.Kind == TreeActionKind.HardLink ? "=>" : "->";
            var from = action.Kind == TreeActionKind.Symlink ? action.Source! : Display.Path(action.Source!);
            return $"{prefix}relink ({what}) {path} {arrow} {from}, replacing the {replaced.Describe()} there";
        }

        return action.Kind switch
        {
            TreeActionKind.CreateDirectory => $"{prefix}create directory {path}",
            TreeActionKind.Copy when action.Detail == "reflink" => $"{prefix}reflink {Display.Path(action.Source!)} -> {path}",
            TreeActionKind.Copy => $"{prefix}copy {Display.Path(action.Source!)} -> {path}",
            TreeActionKind.HardLink => $"{prefix}hard-link {path} => {Display.Path(action.Source!)}",
            TreeActionKind.Symlink => $"{prefix}create symlink {path} -> {Display.Path(action.Source!)}",
            TreeActionKind.Delete => $"{prefix}delete {action.Detail} {path}",
            _ => $"{prefix}skip {Display.Path(action.Source ?? action.Path)}: {action.Detail}",
        };
    }

    private static void WriteTable(Reporter reporter, TreeJob job, TreeSummary summary)
    {
        if (job.DryRun)
        {
            reporter.Line(string.Empty);
            reporter.Line("dry run: nothing was changed; the job would do this:");
        }

        if (summary.SnapshotPath is { } snapshot)
        {
            reporter.Line($"snapshot    {Display.Path(snapshot)}{(job.DryRun ? " (not created: dry run)" : string.Empty)}");
        }

        reporter.Line($"copied      {summary.Copied,10:N0} files ({HumanSize.Format(summary.Bytes)})");
        reporter.Line($"linked      {summary.Linked,10:N0} hard links");
        if (job.Kind == TreeJobKind.Backup)
        {
            reporter.Line($"renamed     {summary.Renamed,10:N0} of them: new paths found by contents in the previous snapshot (nothing copied)");
        }

        reporter.Line($"symlinked   {summary.Symlinked,10:N0} links");
        reporter.Line($"directories {summary.Directories,10:N0} created");
        reporter.Line($"skipped     {summary.Skipped,10:N0} (unchanged or left out)");
        if (job.Kind is TreeJobKind.Clone or TreeJobKind.SymbolicClone or TreeJobKind.ReflinkClone)
        {
            reporter.Line($"relinked    {summary.Relinked,10:N0} (names that were not the current link, made anew; counted above too)");
            reporter.Line($"unchanged   {summary.Unchanged,10:N0}");
        }

        reporter.Line($"deleted     {summary.Deleted,10:N0}");
        reporter.Line($"errors      {summary.Errors,10:N0}");
        foreach (var pruned in summary.Pruned)
        {
            reporter.Line($"{(job.DryRun ? "would prune" : "pruned     ")} {Display.Path(pruned)}");
        }
        foreach (var cropped in summary.Cropped)
        {
            reporter.Line($"left out    {Display.Path(cropped)}");
        }
    }

    private static void WriteJson(Reporter reporter, TreeJob job, TreeSummary summary, List<TreeAction> actions) =>
        JsonOutput.Write(reporter.Console.Out, writer =>
        {
            writer.WriteStartObject();
            writer.WriteBoolean("dryRun", job.DryRun);
            writer.WriteNumber("copied", summary.Copied);
            writer.WriteNumber("linked", summary.Linked);
            if (job.Kind == TreeJobKind.Backup)
            {
                writer.WriteNumber("renamed", summary.Renamed);
            }

            writer.WriteNumber("symlinked", summary.Symlinked);
            writer.WriteNumber("directories", summary.Directories);
            writer.WriteNumber("skipped", summary.Skipped);
            writer.WriteNumber("relinked", summary.Relinked);
            writer.WriteNumber("unchanged", summary.Unchanged);
            writer.WriteNumber("deleted", summary.Deleted);
            writer.WriteNumber("bytes", summary.Bytes);
            if (job.Kind is TreeJobKind.Copy or TreeJobKind.Mirror or TreeJobKind.Backup or TreeJobKind.ReflinkClone)
            {
                writer.WriteString("reflink", ReflinkName(job.Kind == TreeJobKind.ReflinkClone ? ReflinkMode.Always : job.Reflink));
            }

            if (summary.SnapshotPath is not null)
            {
                writer.WritePath("snapshot", summary.SnapshotPath);
            }

            if (job.Kind == TreeJobKind.Backup)
            {
                writer.WriteStartArray("pruned");
                foreach (var pruned in summary.Pruned)
                {
                    writer.WritePathValue(pruned);
                }

                writer.WriteEndArray();
            }

            writer.WriteStartArray("cropped");
            foreach (var cropped in summary.Cropped)
            {
                writer.WritePathValue(cropped);
            }

            writer.WriteEndArray();
            if (job.DryRun)
            {
                writer.WriteStartArray("plan");
                foreach (var action in actions)
                {
                    writer.WriteStartObject();
                    writer.WriteString("action", action.Kind switch
                    {
                        TreeActionKind.CreateDirectory => "createDirectory",
                        TreeActionKind.Copy => "copy",
                        TreeActionKind.HardLink => "hardlink",
                        TreeActionKind.Symlink => "symlink",
                        TreeActionKind.Delete => "delete",
                        _ => "skip",
                    });
                    writer.WritePath("path", action.Path);
                    writer.WritePath("source", action.Source);
                    writer.WriteString("detail", action.Detail);
                    if (action.Replaces is { } replaced)
                    {
                        writer.WriteString("replaces", replaced.ToJsonName());
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteWarnings(reporter.Warnings);
            writer.WriteErrors(reporter.Errors);
            writer.WriteEndObject();
        });
}
