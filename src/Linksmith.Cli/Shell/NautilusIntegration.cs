namespace Linksmith.Cli.Shell;

/// <summary>
/// GNOME Files (Nautilus): executable scripts in <c>~/.local/share/nautilus/scripts/</c>, shown
/// under Scripts ▸ Linksmith ▸ Pick Link Source, Scripts ▸ Linksmith ▸ Delete (never through
/// links), Scripts ▸ Linksmith ▸ Verify snapshots and Scripts ▸ Linksmith ▸ Drop As ▸ ….
/// </summary>
/// <remarks>
/// Nautilus runs a script with the selection in NAUTILUS_SCRIPT_SELECTED_FILE_PATHS (one path per
/// line), the same as URIs in NAUTILUS_SCRIPT_SELECTED_URIS, and the folder shown in
/// NAUTILUS_SCRIPT_CURRENT_URI. A path with a newline in it cannot be told apart in the path list;
/// pick lives with that, delete takes the URIs, where a newline is %0A.
/// </remarks>
internal sealed class NautilusIntegration : FileManagerIntegration
{
    public override string Name => "nautilus";

    public override string Location => Display.Path(Folder);

    /// <summary>The "Linksmith" submenu of Nautilus's Scripts menu.</summary>
    public static string Folder => Path.Combine(XdgDirectories.DataHome, "nautilus", "scripts", "Linksmith");

    private static string DropFolder => Path.Combine(Folder, MenuEntries.DropMenuLabel);

    private static string PickScript => Path.Combine(Folder, MenuEntries.PickLabel);

    private static string DeleteScript => Path.Combine(Folder, MenuEntries.DeleteLabel);

    private static string VerifyScript => Path.Combine(Folder, MenuEntries.VerifyLabel);

    public override bool IsPresent() => IsOnPath("nautilus");

    public override void Install(ShellCommandLine command, ShellChanges changes)
    {
        Uninstall(new ShellChanges(changes.DryRun), onlyStale: true);
        changes.WriteFile(PickScript, PickScriptText(command), executable: true);
        changes.WriteFile(DeleteScript, DeleteScriptText(command), executable: true);
        changes.WriteFile(VerifyScript, VerifyScriptText(command), executable: true);
        foreach (var entry in MenuEntries.LinuxDropKinds)
        {
            changes.WriteFile(Path.Combine(DropFolder, entry.Label), DropScriptText(command, entry.Kind), executable: true);
        }
    }

    public override void Uninstall(ShellChanges changes) => Uninstall(changes, onlyStale: false);

    public override IReadOnlyList<string> InstalledEntries() => OurScripts().ToList();

    private static void Uninstall(ShellChanges changes, bool onlyStale)
    {
        var current = new HashSet<string>(MenuEntries.LinuxDropKinds.Select(entry => Path.Combine(DropFolder, entry.Label))) { PickScript, DeleteScript, VerifyScript };
        foreach (var script in OurScripts())
        {
            if (!onlyStale || !current.Contains(script))
            {
                changes.DeleteFile(script);
            }
        }

        if (!onlyStale)
        {
            changes.DeleteEmptyDirectories(DropFolder, upTo: Path.Combine(XdgDirectories.DataHome, "nautilus"));
        }
    }

    /// <summary>Linksmith's scripts: those that carry the marker, so a user's own script in the folder stays.</summary>
    private static IEnumerable<string> OurScripts()
    {
        foreach (var folder in new[] { Folder, DropFolder })
        {
            if (!Directory.Exists(folder))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
            {
                if (IsOurs(file))
                {
                    yield return file;
                }
            }
        }
    }

    private static bool IsOurs(string file)
    {
        try
        {
            using var reader = new StreamReader(file);
            reader.ReadLine();
            return reader.ReadLine()?.Contains(MenuEntries.Marker, StringComparison.Ordinal) == true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    internal static string PickScriptText(ShellCommandLine command) => $$"""
        #!/bin/sh
        # {{MenuEntries.Marker}}
        # Nautilus lists the selection in NAUTILUS_SCRIPT_SELECTED_FILE_PATHS, one path per line:
        # split on newlines only, and expand no wildcards in the names.
        IFS='
        '
        set -f
        exec {{command.ForPosixShell()}} pick --notify -- $NAUTILUS_SCRIPT_SELECTED_FILE_PATHS

        """;

    internal static string DeleteScriptText(ShellCommandLine command) => $$"""
        #!/bin/sh
        # {{MenuEntries.Marker}}
        # The selection as NAUTILUS_SCRIPT_SELECTED_URIS, one file:// URI per line, which linksmith
        # decodes: a newline in a name is %0A there, while in the path list it would split the name
        # into two paths, and a delete must never be handed a path nobody selected. Split on
        # newlines only, and expand no wildcards.
        IFS='
        '
        set -f
        exec {{command.ForPosixShell()}} delete --notify -- $NAUTILUS_SCRIPT_SELECTED_URIS

        """;

    internal static string VerifyScriptText(ShellCommandLine command) => $$"""
        #!/bin/sh
        # {{MenuEntries.Marker}}
        # Verify the snapshots in the selected folder (the backup repository); with nothing
        # selected, in the folder shown, whose file:// URI linksmith decodes itself.
        first=$(printf '%s\n' "$NAUTILUS_SCRIPT_SELECTED_FILE_PATHS" | head -n 1)
        if [ -z "$first" ]; then
          repository=$NAUTILUS_SCRIPT_CURRENT_URI
        else
          repository=$first
        fi
        exec {{command.ForPosixShell()}} snapshots verify --notify -- "$repository"

        """;

    internal static string DropScriptText(ShellCommandLine command, string kind) => $$"""
        #!/bin/sh
        # {{MenuEntries.Marker}}
        # Drop into the selected folder (a selected file: into its folder); with nothing selected,
        # into the folder shown, whose file:// URI linksmith decodes itself.
        first=$(printf '%s\n' "$NAUTILUS_SCRIPT_SELECTED_FILE_PATHS" | head -n 1)
        if [ -z "$first" ]; then
          destination=$NAUTILUS_SCRIPT_CURRENT_URI
        elif [ -d "$first" ]; then
          destination=$first
        else
          destination=$(dirname -- "$first")
        fi
        exec {{command.ForPosixShell()}} drop --notify --as {{kind}} -- "$destination"

        """;
}
