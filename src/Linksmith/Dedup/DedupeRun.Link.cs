using System.Runtime.InteropServices;

namespace Linksmith;

// Linking: a survivor per set, each duplicate re-checked and replaced by a hard link to it.
internal sealed partial class DedupeRun
{
    /// <summary>The order in which files of a set are preferred as the survivor.</summary>
    private int SurvivorFirst(int x, int y)
    {
        ref readonly var a = ref FirstName(x);
        ref readonly var b = ref FirstName(y);
        var c = options.ReferenceDirectories.Count == 0 ? 0 : IsReference(y).CompareTo(IsReference(x));
        if (c != 0)
        {
            return c;
        }

        c = b.LinkCount.CompareTo(a.LinkCount);
        if (c == 0) { c = a.ModifiedTicks.CompareTo(b.ModifiedTicks); }
        return c == 0 ? WalkOrder(order[inodes[x].Start], order[inodes[y].Start]) : c;
    }

    /// <summary>Whether a name of the file lies in a reference directory (then it is never changed).</summary>
    private bool IsReference(int inode)
    {
        foreach (var name in order.AsSpan(inodes[inode].Start, inodes[inode].Count))
        {
            if (directoryIsReference[files[name].Directory])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Picks the survivor of one set of identical files and re-links (or reports) the others.</summary>
    private void Resolve(Span<int> set, SetOutcome outcome)
    {
        // Taken at the set's first replacement, held until its last (see HoldSurvivor).
        HeldSurvivor? survivor = null;
        try
        {
            Resolve(set, outcome, ref survivor);
        }
        finally
        {
            survivor?.Dispose();
        }
    }

    private void Resolve(Span<int> set, SetOutcome outcome, ref HeldSurvivor? survivor)
    {
        // A reference file, then most links, then oldest mtime, then first in argument order.
        set.Sort(SurvivorFirst);
        var keeper = set[0];
        if (options.ReferenceDirectories.Count > 0 && IsReference(set[^1]))
        {
            // Every file of the set is in a reference directory: none may change.
            return;
        }

        var keeperFile = FirstName(keeper);
        var keeperName = order[inodes[keeper].Start];
        var duplicates = new List<int>();
        var duplicateFiles = 0;
        var linkedAny = false;

        void Flush()
        {
            if (duplicates.Count > 0)
            {
                outcome.AddGroup(keeperFile.Size, keeperName, CollectionsMarshal.AsSpan(duplicates), duplicateFiles);
            }

            if (linkedAny)
            {
                // Its record takes the new ctime and link count (no other set holds this file).
                outcome.Relinked.Add((keeper, files[keeperName].ChangedTicks));
                files[keeperName] = keeperFile;
            }

            duplicates.Clear();
            duplicateFiles = 0;
            linkedAny = false;
        }

        for (var rank = 1; rank < set.Length; rank++)
        {
            var duplicate = set[rank];
            var inode = inodes[duplicate];
            ref readonly var file = ref FirstName(duplicate);
            var nameFiles = order.AsSpan(inode.Start, inode.Count);
            if (options.ReferenceDirectories.Count > 0 && IsReference(duplicate))
            {
                // Compared, never changed: it stays as it is, beside the survivor.
                continue;
            }

            if (options.Reflink)
            {
                // Sharing blocks changes no name: hard-link groups and names outside the roots do not matter.
                switch (Share(ref keeperFile, keeper, keeperName, duplicate, outcome, out var saved))
                {
                    case ShareOutcome.Shared:
                        duplicates.AddRange(nameFiles);
                        duplicateFiles++;
                        linkedAny = options.Apply;
                        break;
                    case ShareOutcome.KeeperRefused:
                        Flush();
                        return;
                }

                // Bytes the kernel shared before it found a difference are freed too.
                outcome.SavedBytes += saved;
                continue;
            }

            if (file.LinkCount != inode.Count || file.LinkCount == ushort.MaxValue)
            {
                outcome.Skipped.Add(new DedupeSkip(PathOf(nameFiles[0]), file.LinkCount == ushort.MaxValue
                    ? $"has {ushort.MaxValue} names or more, too many to be sure all were found; left alone"
                    : file.LinkCount > inode.Count
                    ? $"has {file.LinkCount} names, {file.LinkCount - inode.Count} of them outside the directories searched; re-linking only some would split its hard-link group and free nothing"
                    : "was seen under more names than it has (directories given twice through a link?); left alone"));
                continue;
            }

            if (!options.Apply)
            {
                duplicates.AddRange(nameFiles);
                duplicateFiles++;
                outcome.SavedBytes += file.Size;
                continue;
            }

            var names = new List<RootedName>(inode.Count);
            foreach (var nameFile in nameFiles)
            {
                names.Add(Locate(nameFile));
            }

            var keeperAt = survivor?.At ?? Locate(keeperName);
            FaultPoints.Hit(FaultPoints.DedupeBeforeReplace, new MessagePath(keeperAt.Root, keeperAt.RelativePath), new MessagePath(names[0].Root, names[0].RelativePath));
            switch (Replace(ref survivor, keeperAt, ref keeperFile, names, file, outcome))
            {
                case ReplaceOutcome.Replaced:
                    duplicates.AddRange(nameFiles);
                    duplicateFiles++;
                    linkedAny = true;
                    outcome.Gone.Add(duplicate);
                    outcome.SavedBytes += file.Size;
                    break;
                case ReplaceOutcome.KeeperRefused:
                    // Replace said why (changed since it was read, open for writing elsewhere, …).
                    Flush();
                    return;
                case ReplaceOutcome.KeeperFull:
                    // The survivor has as many names as its file system allows: this duplicate
                    // survives for the rest of the set instead (the set is split, not merged wrongly).
                    Flush();
                    survivor?.Dispose();
                    survivor = null;
                    keeper = duplicate;
                    keeperFile = file;
                    keeperName = nameFiles[0];
                    break;
                case ReplaceOutcome.Skipped:
                    break;
            }
        }

        Flush();
    }

    private enum ReplaceOutcome
    {
        Replaced,
        Skipped,
        KeeperRefused,
        KeeperFull,
    }

    /// <summary>
    /// Re-links every name of one duplicate file to the survivor, each atomically, while both files
    /// are leased (see <see cref="LeaseAndCheck"/>): neither may have changed since it was read, neither may
    /// be open for writing elsewhere, and a writer that opens either meanwhile waits until the
    /// leases are released. Every name is reached through its folder, opened afresh below its root
    /// without following a link (<see cref="TryInFolder"/>): a folder swapped for a link since the
    /// walk fails with <see cref="TreeChangedException"/> (reported; the duplicate is left alone), so
    /// nothing outside the roots is re-linked.
    /// </summary>
    /// <remarks>
    /// <para>The survivor is held from the set's first replacement to its last
    /// (<paramref name="survivor"/>: taken by <see cref="HoldSurvivor"/>, checked again before each
    /// further duplicate by <see cref="Recheck"/>), so a set of many costs one open and lease of it;
    /// it is released (null) when it may take no more names.</para>
    /// <para>Each name is swapped with a new link to the survivor made beside it
    /// (<c>RENAME_EXCHANGE</c>), so the duplicate stays reachable under the temporary name until
    /// every name is done. A writer's open waits for the lease only after it has looked up the
    /// name: one that looked it up before the swap would go on, once the lease is released, to write
    /// into the duplicate, and that write would be lost once the duplicate's last name is gone. So
    /// the lease is asked again before the swaps and after them (<see cref="ReadLease.WriterArrived"/>);
    /// if a writer came, the duplicate is left alone with its writer (its names swapped back); if
    /// none did, the lease is released and the temporary names removed. Asking before the swaps
    /// too spares most put-backs, and with them the case of a second writer that opened the name
    /// after the swap and whose write goes to the survivor when the names are swapped back.</para>
    /// <para>Where the file system cannot swap names (EINVAL), each name is renamed over as before,
    /// right after checking that no writer came.</para>
    /// </remarks>
    private ReplaceOutcome Replace(ref HeldSurvivor? survivor, RootedName keeperAt, ref ScannedFile keeper, List<RootedName> names, in ScannedFile duplicate, SetOutcome outcome)
    {
        var keeperRefusal = survivor is null ? HoldSurvivor(keeperAt, keeper, outcome, out survivor) : Recheck(survivor, keeper, outcome);
        if (keeperRefusal is not null)
        {
            survivor?.Dispose();
            survivor = null;
            outcome.Skipped.Add(new DedupeSkip(keeperAt.FullPath, $"{keeperRefusal}; its duplicates were left alone"));
            return ReplaceOutcome.KeeperRefused;
        }

        var folders = new List<DirectoryHandle>(1);
        try
        {
            return ReplaceHeld(survivor!, ref keeper, names, duplicate, folders, outcome);
        }
        finally
        {
            foreach (var folder in folders)
            {
                folder.Dispose();
            }
        }
    }

    /// <summary>
    /// <see cref="Replace"/> once the survivor is held: <paramref name="names"/> are re-named in their
    /// folders, which are opened into <paramref name="folders"/> (for the caller to close).
    /// </summary>
    private ReplaceOutcome ReplaceHeld(HeldSurvivor survivor, ref ScannedFile keeper, List<RootedName> names, in ScannedFile duplicate, List<DirectoryHandle> folders, SetOutcome outcome)
    {
        string? refusal = null;
        var refused = names[0];
        for (var i = 0; refusal is null && i < names.Count; i++)
        {
            if (TryInFolder(names[i], outcome, out var inFolder, out var folder))
            {
                names[i] = inFolder;
                if (folder is not null)
                {
                    folders.Add(folder);
                }
            }
            else
            {
                (refusal, refused) = (ChangedSinceRead, names[i]);
            }
        }

        using var duplicateLease = refusal is null ? LeaseAndCheck(names[0], duplicate, outcome, out refusal) : null;
        for (var i = 1; refusal is null && i < names.Count; i++)
        {
            if (!StillMatches(names[i], duplicate, outcome))
            {
                (refusal, refused) = (ChangedSinceRead, names[i]);
            }
        }

        if (refusal is not null)
        {
            outcome.Skipped.Add(new DedupeSkip(refused.FullPath, $"{refusal}; left alone"));
            return ReplaceOutcome.Skipped;
        }

        // The names done so far, each with the temporary name that holds the duplicate now (null:
        // renamed over, where the file system cannot swap).
        var done = new List<(RootedName Name, string? Holder)>(names.Count);
        var writerCame = false;
        try
        {
            // A writer that opened the duplicate since the lease was taken: leave it before any name changes.
            if (duplicateLease?.WriterArrived() == true)
            {
                outcome.Skipped.Add(new DedupeSkip(names[0].FullPath, $"{WriterCame}; left alone"));
                return ReplaceOutcome.Skipped;
            }

            foreach (var name in names)
            {
                if (!SwapWithLinkTo(name, survivor, keeper, duplicate, duplicateLease, out var holder))
                {
                    writerCame = true;
                    break;
                }

                done.Add((name, holder));
            }

            FaultPoints.Hit(FaultPoints.DedupeLeased, new MessagePath(survivor.At.Root, survivor.At.RelativePath), new MessagePath(names[0].Root, names[0].RelativePath));
            writerCame = writerCame || (done.Count > 0 && done[^1].Holder is not null && duplicateLease?.WriterArrived() == true);
        }
        catch (HardLinkLimitException) when (done.Count == 0)
        {
            return ReplaceOutcome.KeeperFull;
        }
        catch (LinksmithException error)
        {
            outcome.Errors.Add(error);
            PutBack(done, names, duplicate, outcome);
            return ReplaceOutcome.Skipped;
        }

        if (writerCame)
        {
            PutBack(done, names, duplicate, outcome);
            outcome.Skipped.Add(new DedupeSkip(names[0].FullPath, $"{WriterCame}; put back and left alone"));
            return ReplaceOutcome.Skipped;
        }

        // Linking changed the survivor's ctime (its link count changed). Take the new ctime as the
        // baseline only if size and mtime are what was read: a writer in between would have moved mtime.
        if ((survivor.Lease is null ? StatOrNull(survivor.At) : survivor.Lease.Status()) is { } status && status.Kind == LinkKind.File && status.Size == keeper.Size
            && ScannedFile.Ticks(status.ModifiedTime) == keeper.ModifiedTicks && IsFile(status, keeper))
        {
            keeper.ChangedTicks = ScannedFile.Ticks(status.ChangeTime);
            keeper.LinkCount = ScannedFile.CountOf(status.LinkCount);
        }

        // The duplicate's lease ends before its last names go: no writer can reach it through its
        // names any more. The survivor's lasts for the set's next duplicate, which first lets go of a
        // writer that came to it meanwhile (Recheck). The duplicate stays open while its last names
        // go and is closed on another thread (closer): its blocks are freed there, which on a file
        // system that discards freed blocks waits for the device.
        duplicateLease?.Release();
        foreach (var (name, holder) in done)
        {
            if (holder is not null)
            {
                try
                {
                    name.Root.Remove(holder, LinkKind.File);
                }
                catch (LinksmithException error)
                {
                    outcome.Errors.Add(error);
                }
            }
        }

        if (duplicateLease is not null && closer is not null)
        {
            closer.Close(duplicateLease.HandOver());
        }

        return ReplaceOutcome.Replaced;
    }

    private const string ChangedSinceRead = "changed since it was read";

    private const string OpenForWriting = "open for writing elsewhere";

    private const string WriterCame = "was opened for writing while it was being replaced";

    /// <summary>
    /// The survivor of a set while it takes the duplicates' names: its name below its root, and on
    /// Linux its read lease, held from the set's first replacement to its last. The new names are
    /// given to the file the lease holds open where the kernel allows (<see cref="LinkBeside"/>),
    /// else by its name.
    /// </summary>
    private sealed class HeldSurvivor(RootedName at, ReadLease? lease) : IDisposable
    {
        /// <summary>The survivor's name.</summary>
        public RootedName At => at;

        /// <summary>Its read lease (null off Linux, where it is checked by name).</summary>
        public ReadLease? Lease => lease;

        public void Dispose() => lease?.Dispose();
    }

    /// <summary>
    /// Takes hold of the survivor at the set's first replacement: the file leased and checked
    /// (<see cref="LeaseAndCheck"/>). Null when it is held (<paramref name="survivor"/>); else why it
    /// cannot be.
    /// </summary>
    private string? HoldSurvivor(RootedName keeperAt, in ScannedFile keeper, SetOutcome outcome, out HeldSurvivor? survivor)
    {
        var lease = LeaseAndCheck(keeperAt, keeper, outcome, out var refusal);
        survivor = refusal is null ? new HeldSurvivor(keeperAt, lease) : null;
        return refusal;
    }

    /// <summary>
    /// Whether the survivor, held since an earlier replacement of its set, may take another name: no
    /// writer has come to it since (its lease is asked again, as for a duplicate), and it is still
    /// the file that was read, with the change time its last new name gave it. Null when it may;
    /// else why not (the caller then lets it go, and a writer waiting for it goes on).
    /// </summary>
    /// <remarks>
    /// A writer that comes to the survivor waits for its lease: so at most for one replacement, since
    /// the next one asks first.
    /// </remarks>
    private string? Recheck(HeldSurvivor survivor, in ScannedFile keeper, SetOutcome outcome)
    {
        if (survivor.Lease is null)
        {
            return StillMatches(survivor.At, keeper, outcome) ? null : ChangedSinceRead;
        }

        try
        {
            if (survivor.Lease.WriterArrived())
            {
                return OpenForWriting;
            }

            return survivor.Lease.Status() is { Kind: LinkKind.File } status && keeper.Matches(status, ClassOf(keeper)) ? null : ChangedSinceRead;
        }
        catch (LinksmithException error)
        {
            outcome.Errors.Add(error);
            return ChangedSinceRead;
        }
    }

    /// <summary>
    /// <paramref name="name"/> as a name in its own folder (<paramref name="inFolder"/>), which is
    /// opened afresh below its root without following a link (<paramref name="folder"/>, for the
    /// caller to close; Linux only, elsewhere the name stays as it is): the calls that replace it are
    /// then made relative to that folder, one name looked up each. A folder swapped for a link since
    /// the walk is refused here, whatever descriptors of it were opened before: false, with the
    /// error (<see cref="TreeChangedException"/>, naming the folder) added to the outcome, or none
    /// when the folder is gone.
    /// </summary>
    private static bool TryInFolder(RootedName name, SetOutcome outcome, out RootedName inFolder, out DirectoryHandle? folder)
    {
        inFolder = name;
        folder = null;
        var cut = name.RelativePath.LastIndexOf('/');
        if (cut < 0 || name.Root is not UnixDirectoryHandle)
        {
            return true;
        }

        try
        {
            folder = name.Root.OpenDirectory(name.RelativePath[..cut]);
        }
        catch (TargetNotFoundException)
        {
            return false;
        }
        catch (LinksmithException error)
        {
            outcome.Errors.Add(error);
            return false;
        }

        inFolder = new RootedName(folder, name.RelativePath[(cut + 1)..]);
        return true;
    }

    /// <summary>
    /// Leases the file at <paramref name="name"/> and checks, on the leased descriptor, that it is
    /// still <paramref name="expected"/> (see <see cref="HoldAndCheck"/>). Null with a reason for the
    /// user when it cannot be replaced now; null without one where there are no leases (Windows:
    /// checked by name only).
    /// </summary>
    /// <remarks>
    /// Windows has no leases. The equivalent would be an oplock that breaks when another process
    /// opens the file for writing (a read-handle oplock, <c>FSCTL_REQUEST_OPLOCK</c>), whose breaker
    /// waits until it is acknowledged; or opening both files without <c>FILE_SHARE_WRITE</c>, which
    /// fails while a writer has the file open and makes a writer's open fail (not wait) during the
    /// replacement, as sharing blocks does (<see cref="HoldAndCheck"/>), but which without
    /// <c>FILE_SHARE_DELETE</c> would also refuse the rename over the duplicate's names. Neither is
    /// done yet: Windows re-checks by name.
    /// </remarks>
    private ReadLease? LeaseAndCheck(RootedName name, in ScannedFile expected, SetOutcome outcome, out string? refusal)
    {
        if (name.Root is not UnixDirectoryHandle)
        {
            refusal = StillMatches(name, expected, outcome) ? null : ChangedSinceRead;
            return null;
        }

        return (ReadLease?)HoldAndCheck(name, expected, forWriting: false, outcome, out refusal);
    }

    /// <summary>
    /// Holds the file at <paramref name="name"/> against writers (<see cref="HeldFile.TryHold"/>:
    /// Linux a read lease, Windows a handle that shares reading only) and checks, on the held file,
    /// that it is still <paramref name="expected"/>. Null, with a reason for the user, when it cannot
    /// be changed now.
    /// </summary>
    /// <remarks>
    /// A file that is not the user's (EACCES: leases need its owner or <c>CAP_LEASE</c>, which root
    /// has) and a file on a file system without leases (EINVAL: NFS, some FUSE ones,
    /// <c>fs.leases-enable = 0</c>) are skipped, not changed unguarded: a write made there meanwhile
    /// could be lost. On Windows a file that another handle may write to is skipped likewise.
    /// </remarks>
    private HeldFile? HoldAndCheck(RootedName name, in ScannedFile expected, bool forWriting, SetOutcome outcome, out string? refusal)
    {
        HeldFile? held;
        LeaseRefusal why;
        try
        {
            held = HeldFile.TryHold(name.Root, name.RelativePath, forWriting, out why);
        }
        catch (TargetNotFoundException)
        {
            refusal = ChangedSinceRead;
            return null;
        }
        catch (LinksmithException error)
        {
            outcome.Errors.Add(error is TreeChangedException changed ? Culprit(name, changed) : error);
            refusal = ChangedSinceRead;
            return null;
        }

        if (held is null)
        {
            refusal = why switch
            {
                LeaseRefusal.OpenForWriting => OpenForWriting,
                LeaseRefusal.NotOwner => "is not yours, and guarding it against writers while it is replaced needs its owner or root (CAP_LEASE)",
                LeaseRefusal.Unsupported => "its file system has no file leases (NFS, some FUSE ones, or fs.leases-enable = 0), so a write made while it was replaced could be lost",
                LeaseRefusal.InUse => "open in another program that may write to it or keeps others out",
                _ => ChangedSinceRead,
            };
            return null;
        }

        try
        {
            if (held.Status() is { Kind: LinkKind.File } status && expected.Matches(status, ClassOf(expected)))
            {
                refusal = null;
                return held;
            }
        }
        catch (LinksmithException error)
        {
            outcome.Errors.Add(error);
        }

        held.Dispose();
        refusal = ChangedSinceRead;
        return null;
    }

    /// <summary>
    /// The open of a whole path names the file when a link stands anywhere on the way; looking up
    /// its folder alone names the folder that is a link now, when it is one.
    /// </summary>
    private static TreeChangedException Culprit(RootedName name, TreeChangedException changed)
    {
        try
        {
            _ = name.Root.Stat(name.RelativePath);
            return changed;
        }
        catch (TreeChangedException folder)
        {
            return folder;
        }
        catch (LinksmithException)
        {
            return changed;
        }
    }

    /// <summary>
    /// Replaces <paramref name="name"/> by a new name of the held <paramref name="survivor"/>, which is
    /// <paramref name="expected"/> (see <see cref="LinkBeside"/>). With a lease, the names are
    /// swapped: <paramref name="holder"/> is then the temporary name that holds what was at
    /// <paramref name="name"/>, checked to be the duplicate (else swapped back, and
    /// <see cref="TreeChangedException"/>). Where the file system cannot swap, the link is renamed
    /// over the name (<paramref name="holder"/> null) right after checking that no writer came;
    /// false when one did (nothing changed).
    /// </summary>
    private bool SwapWithLinkTo(RootedName name, HeldSurvivor survivor, ScannedFile expected, in ScannedFile duplicate, ReadLease? lease, out string? holder)
    {
        if (lease is null || name.Root is not UnixDirectoryHandle root)
        {
            holder = null;
            ReplaceWithLinkTo(name, survivor.At, survivor.Lease, expected);
            return true;
        }

        holder = null;
        var temporary = DirectoryHandle.TemporaryName(name.RelativePath);
        LinkBeside(root, temporary, survivor.At, survivor.Lease, expected);
        bool swapped;
        try
        {
            swapped = root.TryExchange(temporary, name.RelativePath);
        }
        catch
        {
            TryRemove(root, temporary);
            throw;
        }

        if (!swapped)
        {
            // No RENAME_EXCHANGE here: check, then rename over, as before leases.
            if (lease.WriterArrived())
            {
                TryRemove(root, temporary);
                return false;
            }

            try
            {
                root.Rename(temporary, name.RelativePath, replace: true);
            }
            catch
            {
                TryRemove(root, temporary);
                throw;
            }

            return true;
        }

        if (StatOrNull(new RootedName(root, temporary)) is { Kind: LinkKind.File } swappedOut && IsFile(swappedOut, duplicate))
        {
            holder = temporary;
            return true;
        }

        // Something else had been put at the name: it goes back, and nothing is removed.
        _ = root.TryExchange(temporary, name.RelativePath);
        TryRemove(root, temporary);
        throw new TreeChangedException(name.FullPath, "is no longer the file that was read; it was left alone");
    }

    /// <summary>
    /// Replaces <paramref name="name"/> atomically by a new name of the file at
    /// <paramref name="existing"/> (or that <paramref name="held"/> holds), which must still be
    /// <paramref name="expected"/> (see <see cref="LinkBeside"/>). Used where there are no leases,
    /// and to put names back.
    /// </summary>
    private void ReplaceWithLinkTo(RootedName name, RootedName existing, ReadLease? held, ScannedFile expected)
    {
        var root = name.Root;
        root.Replace(name.RelativePath, temporary => LinkBeside(root, temporary, existing, held, expected));
    }

    /// <summary>
    /// Makes <paramref name="temporary"/> below <paramref name="root"/> a new name of the file that
    /// <paramref name="held"/> holds open, checked to be <paramref name="expected"/> when it was
    /// taken, where the kernel links an open file; else of the file at <paramref name="existing"/>,
    /// checked under its new name to be <paramref name="expected"/> (linkat does not follow a link,
    /// so a name swapped since the re-check would otherwise be linked as whatever it now holds); if
    /// it is another file, it is removed again and nothing has changed.
    /// </summary>
    private void LinkBeside(DirectoryHandle root, string temporary, RootedName existing, ReadLease? held, in ScannedFile expected)
    {
        if (held is not null && root is UnixDirectoryHandle unixRoot && unixRoot.TryHardLink(temporary, held))
        {
            return;
        }

        root.HardLink(temporary, existing.Root, existing.RelativePath);
        if (StatOrNull(new RootedName(root, temporary)) is { Kind: LinkKind.File } linked && IsFile(linked, expected))
        {
            return;
        }

        root.Remove(temporary, LinkKind.File);
        throw new TreeChangedException(existing.FullPath, "is no longer the file that was read; nothing was linked to it");
    }

    /// <summary>
    /// Undoes the names done so far: a swapped name is swapped back with the temporary name that
    /// holds the duplicate (which then holds the link to the survivor, and is removed); a name
    /// renamed over is pointed back at the duplicate through a name that still holds it.
    /// </summary>
    private void PutBack(List<(RootedName Name, string? Holder)> done, List<RootedName> names, in ScannedFile duplicate, SetOutcome outcome)
    {
        var renamedOver = new List<RootedName>();
        foreach (var (name, holder) in done)
        {
            if (holder is null)
            {
                renamedOver.Add(name);
                continue;
            }

            try
            {
                if (((UnixDirectoryHandle)name.Root).TryExchange(holder, name.RelativePath))
                {
                    name.Root.Remove(holder, LinkKind.File);
                }
            }
            catch (LinksmithException error)
            {
                outcome.Errors.Add(error);
            }
        }

        if (renamedOver.Count > 0 && done.Count < names.Count)
        {
            RollBack(renamedOver, names[done.Count], duplicate, outcome);
        }
    }

    private static void TryRemove(DirectoryHandle root, string temporary)
    {
        try
        {
            root.Remove(temporary, LinkKind.File);
        }
        catch (LinksmithException)
        {
            // The original failure is the one to report.
        }
    }

    /// <summary>
    /// A duplicate's names were re-linked only in part: point them back at the duplicate, through a
    /// name that still holds it, so its hard-link group stays whole.
    /// </summary>
    private void RollBack(List<RootedName> relinked, RootedName holder, in ScannedFile duplicate, SetOutcome outcome)
    {
        foreach (var name in relinked)
        {
            try
            {
                ReplaceWithLinkTo(name, holder, held: null, duplicate);
            }
            catch (LinksmithException error)
            {
                outcome.Errors.Add(error);
            }
        }
    }

    private bool StillMatches(RootedName name, in ScannedFile expected, SetOutcome outcome)
    {
        try
        {
            return name.Root.Stat(name.RelativePath) is { Kind: LinkKind.File } status && expected.Matches(status, ClassOf(expected));
        }
        catch (LinksmithException error)
        {
            outcome.Errors.Add(error);
            return false;
        }
    }

    /// <summary>What is at a name now (lstat below its root); null when nothing is, or it cannot be reached without following a link.</summary>
    private static FileStatus? StatOrNull(RootedName name)
    {
        try
        {
            return name.Root.Stat(name.RelativePath);
        }
        catch (LinksmithException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="status"/> is of the file <paramref name="expected"/> (same volume and file id; its ctime and link count may have moved).</summary>
    private bool IsFile(in FileStatus status, in ScannedFile expected) =>
        status.Identity.Volume == ClassOf(expected).Volume
        && (ulong)status.Identity.FileId == expected.IdLow
        && (ulong)(status.Identity.FileId >> 64) == ClassOf(expected).IdHigh;

    /// <summary>The duplicates found sharing every block with their survivor, with the survivor's id and ctime now, for the cache.</summary>
    private IEnumerable<(ScannedFile File, FileClass Class, SharedWith With)> FoundSharedRecords()
    {
        foreach (var (duplicate, keeper) in foundShared)
        {
            ref readonly var keeperFile = ref FirstName(keeper);
            yield return (FirstName(duplicate), ClassOf(FirstName(duplicate)), new SharedWith(keeperFile.IdLow, ClassOf(keeperFile).IdHigh, keeperFile.ChangedTicks));
        }
    }

    /// <summary>Survivors that gained names: their records (with the new ctime) and the ctime they were read with.</summary>
    private IEnumerable<(ScannedFile File, FileClass Class, long ReadChangedTicks)> RelinkedSurvivors()
    {
        foreach (var (inode, readChangedTicks) in relinked)
        {
            yield return (FirstName(inode), ClassOf(FirstName(inode)), readChangedTicks);
        }
    }
}
