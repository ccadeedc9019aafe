namespace Linksmith;

/// <summary>What to do with a symbolic link or junction whose target lies outside the anchor.</summary>
public enum OuterLinkPolicy
{
    /// <summary>Re-create the link pointing at the same place as before (the default).</summary>
    Splice,

    /// <summary>Leave the link out, and report it.</summary>
    Crop,

    /// <summary>Copy what the link points to instead of the link; a loop is broken, not followed.</summary>
    Unroll,
}

/// <summary>The tree operations of Linksmith, all carried out by one engine.</summary>
public enum TreeJobKind
{
    /// <summary>Smart Copy: contents copied, inner links and hard-link groups re-created.</summary>
    Copy,

    /// <summary>Smart Mirror: like copy, then everything the source no longer has is deleted.</summary>
    Mirror,

    /// <summary>Hardlink Clone: directories re-created, every file a hard link to the original.</summary>
    Clone,

    /// <summary>Symbolic Clone: directories re-created, every file a symbolic link to the original.</summary>
    SymbolicClone,

    /// <summary>DeLorean Copy: a new snapshot whose unchanged files are hard links to the previous one.</summary>
    Backup,

    /// <summary>
    /// Reflink Clone: directories re-created, every file a new inode sharing the original's data
    /// blocks copy-on-write (Btrfs, XFS, bcachefs); hard-link groups and inner links as in a copy.
    /// Where the file system cannot share blocks: <see cref="ReflinksNotSupportedException"/> before anything is made.
    /// </summary>
    ReflinkClone,
}

/// <summary>What the engine did (or, in a dry run, would do) with one path.</summary>
public enum TreeActionKind
{
    /// <summary>A directory was created.</summary>
    CreateDirectory,

    /// <summary>A file's contents were copied.</summary>
    Copy,

    /// <summary>A hard link was made (a hard-link group re-created, a clone, an unchanged file in a backup).</summary>
    HardLink,

    /// <summary>A symbolic link or junction was created.</summary>
    Symlink,

    /// <summary>An outer link was left out (crop), or an entry could not be taken over.</summary>
    Skip,

    /// <summary>Something in the destination was deleted (mirror, backup pruning).</summary>
    Delete,
}

/// <summary>One thing the engine did or would do.</summary>
/// <param name="Kind">What.</param>
/// <param name="Path">The path in the destination (for a delete: what is deleted).</param>
/// <param name="Source">Where it comes from: the source file, the link target text, or null.</param>
/// <param name="Detail">Why, for skips; the kind of thing, for deletes.</param>
/// <param name="Replaces">
/// For a copy, hard link or symbolic link made where the destination already had an entry that was
/// not the current copy or link of the source's (another inode, another link text, other contents):
/// what kind of entry it replaces, atomically (made under a temporary name, then renamed over it). Null for a new name.
/// </param>
public sealed record TreeAction(TreeActionKind Kind, string Path, string? Source = null, string? Detail = null, LinkKind? Replaces = null)
{
    /// <summary>The <see cref="Detail"/> of a <see cref="TreeActionKind.Skip"/> of a device, FIFO or socket in the source, which no tree job copies (the CLI warns about each).</summary>
    public const string SpecialFileSkipped = "special file (device, FIFO or socket) not copied";
}

/// <summary>A tree job, fully described.</summary>
public sealed record TreeJob
{
    /// <summary>Which operation.</summary>
    public required TreeJobKind Kind { get; init; }

    /// <summary>The source root (the anchor).</summary>
    public required string SourcePath { get; init; }

    /// <summary>The destination root (for a backup: the repository that holds the snapshots).</summary>
    public required string DestinationPath { get; init; }

    /// <summary>
    /// For a Smart Copy: <see cref="SourcePath"/> may name one file or symbolic link instead of a
    /// directory (<c>snapshots restore REPO SNAPSHOT/FILE DEST</c>). It goes into
    /// <see cref="DestinationPath"/>, a folder (created if missing; its own mode and times left
    /// alone), under its own name, as <c>cp FILE DIR</c> and rsync place it: a file is copied
    /// (left alone when unchanged, else replaced under a temporary name), a symbolic link is
    /// re-created with the same text. The link itself is taken, never what it points to.
    /// </summary>
    public bool SourceMayBeEntry { get; init; }

    /// <summary>
    /// Copy, mirror, Reflink Clone (Linux): a destination that does not exist yet is made under a
    /// hidden name and renamed into place when the job ends, so that it is there whole or not at
    /// all and its files need no temporary name each (see DirectoryHandle.Unpublished).
    /// False where the caller keeps a half-made copy in place on purpose (move's work folder, which
    /// is hidden already and which <c>--resume</c> completes after a crash).
    /// </summary>
    public bool HideUntilDone { get; init; } = true;

    /// <summary>What to do with links that point outside the source.</summary>
    public OuterLinkPolicy Outer { get; init; } = OuterLinkPolicy.Splice;

    /// <summary>Which entries take part (<c>--include</c>/<c>--exclude</c>); null for all.</summary>
    public PathFilter? Filter { get; init; }

    /// <summary>Only report what would be done.</summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// Modification times that differ by at most this much count as equal wherever the job decides
    /// whether a file is unchanged (an incremental copy or mirror, a backup's link-or-copy), as
    /// rsync's <c>--modify-window</c>: FAT keeps times to 2 s, some NAS to 1 s. Zero (the default): equal to the nanosecond.
    /// </summary>
    public TimeSpan ModifyWindow { get; init; }

    /// <summary>
    /// Carry extended attributes over (<c>--xattrs</c>): <c>user.*</c>; as root also
    /// <c>trusted.*</c>, <c>security.*</c> and the POSIX ACLs (<c>system.posix_acl_access</c>,
    /// <c>system.posix_acl_default</c>), onto every file and directory the job makes from a source
    /// one (a hard link shares its file's attributes already; symbolic links get none). On
    /// Windows: the named alternate data streams and the DACL (with its protection from
    /// inheritance; owner and group with SeRestorePrivilege, the SACL with SeSecurityPrivilege).
    /// A file counts as unchanged only when its attributes are equal too. Elsewhere (neither Linux
    /// nor Windows) the job throws <see cref="ExtendedAttributesNotSupportedException"/> before it starts.
    /// </summary>
    public bool KeepExtendedAttributes { get; init; }

    /// <summary>Called, from any thread but one call at a time, for each attribute a destination's file system could not store; the job goes on.</summary>
    public Action<AttributeWarning>? OnWarning { get; init; }

    /// <summary>
    /// For a clone (hard-link, symbolic or reflink) into an existing destination: also delete what
    /// the source no longer has, as a mirror always does (links in the destination are removed as
    /// links, never followed; excluded entries are left alone). Ignored by the other kinds.
    /// </summary>
    public bool Delete { get; init; }

    /// <summary>
    /// For copied files (copy, mirror, backup): whether they share the source's data blocks.
    /// <see cref="ReflinkMode.Always"/> is checked before anything is copied. A Reflink Clone is always <see cref="ReflinkMode.Always"/>.
    /// </summary>
    public ReflinkMode Reflink { get; init; } = ReflinkMode.Auto;

    /// <summary>
    /// For a backup: the snapshot to compare with and link to, instead of the newest one in the
    /// repository (like rsync's --link-dest).
    /// </summary>
    public string? PreviousSnapshot { get; init; }

    /// <summary>For a backup: how many snapshots to keep (the oldest beyond it are deleted); null keeps all.</summary>
    public int? Keep { get; init; }

    /// <summary>For a backup: the retention rules applied once the new snapshot is complete (with <see cref="Keep"/> as its <see cref="RetentionPolicy.Last"/>); null keeps all.</summary>
    public RetentionPolicy? Retention { get; init; }

    /// <summary><see cref="Retention"/> and <see cref="Keep"/> together.</summary>
    internal RetentionPolicy? EffectiveRetention =>
        Keep is null ? Retention : (Retention ?? new RetentionPolicy()) with { Last = Keep };

    /// <summary>
    /// Threads that copy and link files while the walk goes on; null for one per processor, 0 to
    /// do everything on the calling thread.
    /// </summary>
    public int? Parallelism { get; init; }

    /// <summary>Called for every action, in order (dry run: for every action that would be taken).</summary>
    public Action<TreeAction>? OnAction { get; init; }

    /// <summary>
    /// Called for every entry left out (a special file, a cropped outer link, a loop broken while
    /// unrolling), also when <see cref="OnAction"/> is null: skips are few, and worth a warning.
    /// </summary>
    public Action<TreeAction>? OnSkip { get; init; }

    /// <summary>Called for every failed entry; the job goes on.</summary>
    public Action<LinksmithException>? OnError { get; init; }

    /// <summary>Called now and then with the running totals.</summary>
    public Action<TreeSummary>? OnProgress { get; init; }

    /// <summary>Checked between entries; cancelling stops the job, leaving finished entries in place.</summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>What a tree job did.</summary>
public sealed class TreeSummary
{
    /// <summary>Files whose contents were copied.</summary>
    public long Copied { get; set; }

    /// <summary>Hard links made.</summary>
    public long Linked { get; set; }

    /// <summary>
    /// For a backup: files new by their path linked to a file of the previous snapshot with the
    /// same size, modification time, mode, owner and contents (renamed or moved since), found by
    /// those contents; counted in <see cref="Linked"/> too, and no byte of theirs is in
    /// <see cref="Bytes"/>. A hard-link group counts once at most: one with a name unchanged since
    /// the previous snapshot is linked through that name, its renamed names only in
    /// <see cref="Linked"/>. Empty files are never matched by contents.
    /// </summary>
    public long Renamed { get; set; }

    /// <summary>Symbolic links and junctions made.</summary>
    public long Symlinked { get; set; }

    /// <summary>Directories created.</summary>
    public long Directories { get; set; }

    /// <summary>Entries left alone: unchanged in an incremental run, or cropped.</summary>
    public long Skipped { get; set; }

    /// <summary>
    /// Entries of an existing destination that were replaced because they were not the current
    /// link or copy of the source's file (another inode for a hard link, another text for a
    /// symbolic link, another size or modification time for a copy); also counted in
    /// <see cref="Copied"/>, <see cref="Linked"/> or <see cref="Symlinked"/>.
    /// </summary>
    public long Relinked { get; set; }

    /// <summary>Entries of an existing destination that were already right and were left alone; also counted in <see cref="Skipped"/>.</summary>
    public long Unchanged { get; set; }

    /// <summary>Entries deleted from the destination.</summary>
    public long Deleted { get; set; }

    /// <summary>Bytes of file contents copied.</summary>
    public long Bytes { get; set; }

    /// <summary>Regular files handled so far (copied, linked, or found unchanged).</summary>
    public long Files { get; set; }

    /// <summary>Entries that failed.</summary>
    public long Errors { get; set; }

    /// <summary>For a backup: the snapshot created.</summary>
    public string? SnapshotPath { get; set; }

    /// <summary>For a backup: the snapshots its retention rules removed (in a dry run: would remove), oldest first.</summary>
    public List<string> Pruned { get; } = [];

    /// <summary>Outer links left out under <see cref="OuterLinkPolicy.Crop"/>, and loops broken while unrolling.</summary>
    public List<string> Cropped { get; } = [];
}

/// <summary>
/// A tree job stopped by its <see cref="TreeJob.Cancellation"/>, between entries: every entry it
/// placed is complete under its real name, no temporary name of its is left, and
/// <see cref="Summary"/> counts what it finished (nothing it had only planned). For a backup the
/// unfinished snapshot keeps its <c>.partial-</c> name; the next backup removes it.
/// </summary>
public sealed class TreeJobInterruptedException(TreeSummary summary, CancellationToken cancellation)
    : OperationCanceledException("The tree job was cancelled; what it finished stays in place.", cancellation)
{
    /// <summary>What the job finished before it stopped.</summary>
    public TreeSummary Summary { get; } = summary;
}
