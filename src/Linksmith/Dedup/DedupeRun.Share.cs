namespace Linksmith;

// Sharing (dedupe --reflink): each duplicate's data blocks shared copy-on-write with its survivor's,
// both files held against writers (Linux: the same leases and re-checks as re-linking; Windows: open
// sharing reading only); no name, owner, mode or time changes. The file-system calls are the
// layer's (SharingPair: FIDEDUPERANGE on Linux, FSCTL_DUPLICATE_EXTENTS_TO_FILE on Windows).
internal sealed partial class DedupeRun
{
    private enum ShareOutcome
    {
        Shared,
        AlreadyShared,
        Skipped,
        KeeperRefused,
    }

    /// <summary>
    /// Before anything changes: on each volume that holds a set, asks whether two of its files can
    /// share blocks (Linux: the kernel is asked to share a zero-length range, which changes nothing;
    /// Windows: the volume's block-cloning flag), which fails where the file system has no reflinks
    /// (<see cref="ReflinksNotSupportedException"/>, ending the run).
    /// </summary>
    private void ProbeReflinks(FoundSets found)
    {
        var probed = new HashSet<ulong>();
        foreach (var set in found.Sets)
        {
            var first = FirstNameIndex(found.Members[set.Start]);
            var volume = ClassOf(files[first]).Volume;
            if (probed.Contains(volume))
            {
                continue;
            }

            var source = Locate(first);
            var destination = Locate(FirstNameIndex(found.Members[set.Start + 1]));
            try
            {
                using var pair = SharingPair.Open(source.Root, source.RelativePath, destination.Root, destination.RelativePath);
                pair.Probe();
                probed.Add(volume);
            }
            catch (ReflinksNotSupportedException)
            {
                throw;
            }
            catch (LinksmithException)
            {
                // Gone, changed or not ours: the next set on this volume answers instead (and the
                // file is reported when its turn comes).
            }
        }
    }

    /// <summary>
    /// Shares the duplicate's blocks with the survivor's (or, without <see cref="DedupeOptions.Apply"/>,
    /// works out what that would free). <paramref name="saved"/>: the duplicate's bytes that were not
    /// yet shared with the survivor at the same offsets and are now.
    /// </summary>
    private ShareOutcome Share(ref ScannedFile keeperFile, int keeper, int keeperName, int duplicate, SetOutcome outcome, out long saved)
    {
        saved = 0;
        if (RecordedShared(keeperFile, duplicate))
        {
            return ShareOutcome.AlreadyShared;
        }

        var keeperAt = Locate(keeperName);
        var duplicateName = FirstNameIndex(duplicate);
        var duplicateAt = Locate(duplicateName);
        var duplicateFile = files[duplicateName];
        try
        {
            if (!options.Apply)
            {
                using var pair = SharingPair.Open(keeperAt.Root, keeperAt.RelativePath, duplicateAt.Root, duplicateAt.RelativePath);
                if (pair.Obstacle() is { } obstacle)
                {
                    outcome.Skipped.Add(new DedupeSkip(duplicateAt.FullPath, $"{obstacle}; left alone"));
                    return ShareOutcome.Skipped;
                }

                saved = pair.NotSharedBytes(duplicateFile.Size);
                if (saved > 0)
                {
                    return ShareOutcome.Shared;
                }

                outcome.FoundShared.Add((duplicate, keeper));
                return ShareOutcome.AlreadyShared;
            }

            // A rerun (neither file was read in this run: both hashes came from the cache) mostly
            // meets pairs an earlier run shared. Where every block is shared already nothing would
            // change, so that is asked first, without the leases (two fcntl calls and a status
            // check per file): a third of a warm rerun's time on XFS.
            if (!ReadThisRun(keeper) && !ReadThisRun(duplicate) && SharesEveryBlock(keeperAt, duplicateAt, duplicateFile.Size))
            {
                outcome.FoundShared.Add((duplicate, keeper));
                return ShareOutcome.AlreadyShared;
            }

            FaultPoints.Hit(FaultPoints.DedupeBeforeReplace, keeperAt.FullPath, duplicateAt.FullPath);
            var shared = ShareLeased(ref keeperFile, keeperAt, duplicate, duplicateName, duplicateFile, duplicateAt, outcome, ref saved, out var nothingLeft);
            if (nothingLeft)
            {
                outcome.FoundShared.Add((duplicate, keeper));
            }

            return shared;
        }
        catch (LinksmithException error)
        {
            outcome.Errors.Add(error);
            return ShareOutcome.Skipped;
        }
    }

    private bool ReadThisRun(int inode) => (readThisRun[inode >> 6] & (1UL << inode)) != 0;

    /// <summary>
    /// Whether the duplicate's cache row says an earlier run found its every block shared with this
    /// survivor, as the survivor is now (same file id and ctime): neither file has been written
    /// since, so nothing would change, and nothing is opened. Writes change a file's ctime, so only
    /// what changes no ctime could have parted them (a defragmenter); <c>--no-cache</c> asks anew.
    /// On a rerun over the large benchmark tree (XFS, 50,741 such pairs) opening each pair and
    /// asking FIEMAP took 0.65 s of 1.15 s.
    /// </summary>
    private bool RecordedShared(in ScannedFile keeperFile, int duplicate) =>
        sharedWith.TryGetValue(duplicate, out var with)
        && with.IdLow == keeperFile.IdLow
        && with.IdHigh == ClassOf(keeperFile).IdHigh
        && with.ChangedTicks == keeperFile.ChangedTicks;

    /// <summary>
    /// Whether the duplicate's every block is already the survivor's at the same offsets; false
    /// when that cannot be told (gone, changed, refused): the leased path then finds and reports why.
    /// </summary>
    private static bool SharesEveryBlock(RootedName keeperAt, RootedName duplicateAt, long size)
    {
        try
        {
            using var pair = SharingPair.Open(keeperAt.Root, keeperAt.RelativePath, duplicateAt.Root, duplicateAt.RelativePath);
            return pair.NotSharedBytes(size) == 0;
        }
        catch (LinksmithException)
        {
            return false;
        }
    }

    /// <summary>Shares the pair with both files held. <paramref name="nothingLeft"/>: the duplicate's every block is the survivor's now.</summary>
    private ShareOutcome ShareLeased(ref ScannedFile keeperFile, RootedName keeperAt, int duplicate, int duplicateName, ScannedFile duplicateFile, RootedName duplicateAt, SetOutcome outcome, ref long saved, out bool nothingLeft)
    {
        nothingLeft = false;
        using var keeperHeld = HoldAndCheck(keeperAt, keeperFile, forWriting: false, outcome, out var keeperRefusal);
        if (keeperHeld is null)
        {
            outcome.Skipped.Add(new DedupeSkip(keeperAt.FullPath, $"{keeperRefusal}; its duplicates were left alone"));
            return ShareOutcome.KeeperRefused;
        }

        using var duplicateHeld = HoldAndCheck(duplicateAt, duplicateFile, forWriting: true, outcome, out var refusal);
        if (duplicateHeld is null)
        {
            outcome.Skipped.Add(new DedupeSkip(duplicateAt.FullPath, $"{refusal}; left alone"));
            return ShareOutcome.Skipped;
        }

        using var pair = SharingPair.Of(keeperHeld, duplicateHeld);
        if (pair.Obstacle() is { } obstacle)
        {
            outcome.Skipped.Add(new DedupeSkip(duplicateAt.FullPath, $"{obstacle}; left alone"));
            return ShareOutcome.Skipped;
        }

        var notShared = pair.NotSharedBytes(duplicateFile.Size);
        if (notShared == 0)
        {
            nothingLeft = true;
            return ShareOutcome.AlreadyShared;
        }

        var keeperBefore = keeperHeld.Status();
        var duplicateBefore = duplicateHeld.Status();
        ShareResult result;
        try
        {
            result = pair.Share(duplicateFile.Size);
        }
        catch (LinksmithException)
        {
            // Refused part-way (Windows: after ranges were compared, or cloned): the times go back
            // all the same, and the refusal is what is reported.
            TryKeepTimes(keeperHeld, keeperBefore);
            TryKeepTimes(duplicateHeld, duplicateBefore);
            throw;
        }

        // Comparing reads both files, which may move their access times (and some file systems
        // move a destination's mtime, Windows its change time): put them back as they were.
        var keeperAfter = KeepTimes(keeperHeld, keeperBefore);
        var duplicateAfter = KeepTimes(duplicateHeld, duplicateBefore);
        var left = pair.NotSharedBytes(duplicateFile.Size);
        saved = Math.Max(0, notShared - left);
        nothingLeft = left == 0 && result != ShareResult.Differs;

        // Their contents are what was read: the new ctimes become the baseline (for the rest of the
        // set, and for the hash cache).
        if (IsUnchanged(keeperAfter, keeperFile))
        {
            keeperFile.ChangedTicks = ScannedFile.Ticks(keeperAfter.ChangeTime);
        }

        if (IsUnchanged(duplicateAfter, duplicateFile) && ScannedFile.Ticks(duplicateAfter.ChangeTime) != duplicateFile.ChangedTicks)
        {
            outcome.Relinked.Add((duplicate, duplicateFile.ChangedTicks));
            duplicateFile.ChangedTicks = ScannedFile.Ticks(duplicateAfter.ChangeTime);
            files[duplicateName] = duplicateFile;
        }

        if (result == ShareResult.Differs)
        {
            var comparer = OperatingSystem.IsWindows() ? "compared while neither could be written" : "the kernel compared them";
            outcome.Skipped.Add(new DedupeSkip(duplicateAt.FullPath, $"its bytes differ from {keeperAt.FullPath}'s now ({comparer}); left alone"));
            return ShareOutcome.Skipped;
        }

        return ShareOutcome.Shared;
    }

    private bool IsUnchanged(in FileStatus status, in ScannedFile expected) =>
        status.Kind == LinkKind.File && status.Size == expected.Size && ScannedFile.Ticks(status.ModifiedTime) == expected.ModifiedTicks && IsFile(status, expected);

    /// <summary>
    /// The held file's status now, its access and modification times (Windows: and its change time)
    /// first set back to <paramref name="before"/>'s if they moved.
    /// </summary>
    private static FileStatus KeepTimes(HeldFile held, in FileStatus before)
    {
        var now = held.Status();
        if (now.ModifiedTime == before.ModifiedTime && now.AccessTime == before.AccessTime
            && (!held.RestoresChangeTime || now.ChangeTime == before.ChangeTime))
        {
            return now;
        }

        held.RestoreTimes(before);
        return held.Status();
    }

    private static void TryKeepTimes(HeldFile held, in FileStatus before)
    {
        try
        {
            KeepTimes(held, before);
        }
        catch (LinksmithException)
        {
            // The failure being reported is the one that matters.
        }
    }
}
