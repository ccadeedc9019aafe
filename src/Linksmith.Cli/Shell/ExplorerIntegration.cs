using System.Runtime.Versioning;
using Microsoft.Win32;

namespace Linksmith.Cli.Shell;

/// <summary>
/// Windows Explorer: static verbs under <c>HKCU\Software\Classes</c> (no elevation, this user
/// only) — "Pick Link Source" and "Delete (never through links)" on files (<c>*</c>) and folders
/// (<c>Directory</c>), and a cascading "Drop As" menu and "Verify snapshots" on folders and on
/// the folder background (<c>Directory\Background</c>).
/// </summary>
/// <remarks>
/// The cascade is the <c>SubCommands</c> form: an empty <c>SubCommands</c> value and the entries
/// under the verb's own <c>shell</c> key (Windows 7 and later), which keeps every entry inside the
/// verb's key so uninstall is one <c>DeleteSubKeyTree</c> per verb. <c>MultiSelectModel=Player</c>
/// lets "Pick Link Source" and "Delete" appear however many items are selected; Explorer then
/// starts the command once per item, which is why picks are kept in a database that many
/// processes can write (and why a delete of several items reports once per item).
/// </remarks>
internal sealed class ExplorerIntegration(string classesKeyPath = ExplorerIntegration.ClassesKeyPath) : FileManagerIntegration
{
    /// <summary>Where per-user file associations live, under HKEY_CURRENT_USER.</summary>
    public const string ClassesKeyPath = @"Software\Classes";

    public const string PickVerb = "Linksmith.Pick";

    public const string DeleteVerb = "Linksmith.Delete";

    public const string DropVerb = "Linksmith.DropAs";

    public const string VerifyVerb = "Linksmith.VerifySnapshots";

    public override string Name => "explorer";

    public override string Location => $@"HKEY_CURRENT_USER\{classesKeyPath}";

    /// <summary>
    /// Every verb key Linksmith writes, relative to the classes key, with its verb and the
    /// placeholder its command passes.
    /// </summary>
    public static IReadOnlyList<(string Key, string Verb, string Placeholder)> VerbKeys { get; } =
    [
        ($@"*\shell\{PickVerb}", PickVerb, "%1"),
        ($@"Directory\shell\{PickVerb}", PickVerb, "%1"),
        // Never on the background: that would delete the folder shown.
        ($@"*\shell\{DeleteVerb}", DeleteVerb, "%1"),
        ($@"Directory\shell\{DeleteVerb}", DeleteVerb, "%1"),
        // %1 is the selected folder; on the background %V is the folder shown.
        ($@"Directory\shell\{DropVerb}", DropVerb, "%1"),
        ($@"Directory\Background\shell\{DropVerb}", DropVerb, "%V"),
        // A backup repository: the selected folder, or the folder shown.
        ($@"Directory\shell\{VerifyVerb}", VerifyVerb, "%1"),
        ($@"Directory\Background\shell\{VerifyVerb}", VerifyVerb, "%V"),
    ];

    public override bool IsPresent() => OperatingSystem.IsWindows();

    public override void Install(ShellCommandLine command, ShellChanges changes)
    {
        if (!OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Explorer integration is for Windows");
        }

        foreach (var (key, verb, placeholder) in VerbKeys)
        {
            if (!changes.DryRun)
            {
                using var classes = Registry.CurrentUser.CreateSubKey(classesKeyPath);
                classes.DeleteSubKeyTree(key, throwOnMissingSubKey: false);
                WriteVerb(classes, key, verb, placeholder, command);
            }

            changes.Note($@"wrote {Location}\{key}", $@"would write {Location}\{key}");
        }
    }

    public override void Uninstall(ShellChanges changes)
    {
        if (!OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var key in InstalledEntries())
        {
            if (!changes.DryRun)
            {
                using var classes = Registry.CurrentUser.OpenSubKey(classesKeyPath, writable: true);
                classes?.DeleteSubKeyTree(key[(Location.Length + 1)..], throwOnMissingSubKey: false);
            }

            changes.Note($"removed {key}", $"would remove {key}");
        }
    }

    public override IReadOnlyList<string> InstalledEntries()
    {
        if (!OperatingSystem.IsWindows())
        {
            return [];
        }

        using var classes = Registry.CurrentUser.OpenSubKey(classesKeyPath);
        var found = new List<string>();
        foreach (var (key, _, _) in VerbKeys)
        {
            using var verb = classes?.OpenSubKey(key);
            if (verb is not null)
            {
                found.Add($@"{Location}\{key}");
            }
        }

        return found;
    }

    [SupportedOSPlatform("windows")]
    private static void WriteVerb(RegistryKey classes, string key, string verbName, string placeholder, ShellCommandLine command)
    {
        using var verb = classes.CreateSubKey(key);
        verb.SetValue("Icon", command.Program);
        if (verbName is PickVerb or DeleteVerb)
        {
            var (label, subcommand) = verbName == PickVerb ? (MenuEntries.PickLabel, "pick") : (MenuEntries.DeleteLabel, "delete");
            verb.SetValue("MUIVerb", label);
            verb.SetValue("MultiSelectModel", "Player");
            using var itemCommand = verb.CreateSubKey("command");
            itemCommand.SetValue(string.Empty, $"{command.ForWindows()} {subcommand} --notify -- \"{placeholder}\"");
            return;
        }

        if (verbName == VerifyVerb)
        {
            verb.SetValue("MUIVerb", MenuEntries.VerifyLabel);
            using var verifyCommand = verb.CreateSubKey("command");
            verifyCommand.SetValue(string.Empty, $"{command.ForWindows()} snapshots verify --notify -- \"{placeholder}\"");
            return;
        }

        verb.SetValue("MUIVerb", MenuEntries.DropMenuLabel);
        verb.SetValue("SubCommands", string.Empty);
        var order = 1;
        foreach (var entry in MenuEntries.AllDropKinds)
        {
            // Explorer sorts the entries by key name: a number in front keeps the menu's order.
            using var item = verb.CreateSubKey($@"shell\{order++:00}-{entry.Kind}");
            item.SetValue("MUIVerb", entry.Label);
            using var itemCommand = item.CreateSubKey("command");
            itemCommand.SetValue(string.Empty, $"{command.ForWindows()} drop --notify --as {entry.Kind} -- \"{placeholder}\"");
        }
    }
}
