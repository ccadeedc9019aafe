namespace Linksmith;

// Sharing (dedupe --reflink): each duplicate's data blocks shared copy-on-write with its survivor's,
// under the same leases and re-checks as re-linking; no name, owner, mode or time changes.
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
    /// Before anything changes: on each volume that holds a set, asks the kernel to share a
    /// zero-length range between two of its files, which changes nothing and fails where the file
    /// system has no reflinks (<see cref="ReflinksNotSupportedException"/>, ending the run).
    /// </summary>
    private void ProbeReflinks()
    {
        var probed = new HashSet<ulong>();
        foreach (var set in sets)
        {
            var first = FirstNameIndex(setMembers[set.Start]);
            var volume = ClassOf(files[first]).Volume;
            if (probed.Contains(volume))
            {
                continue;
            }

            var source = Locate(first);
            var destination = Locate(FirstNameIndex(setMembers[set.Start + 1]));
            try
            {
                using var sourceFd = ((UnixDirectoryHandle)source.Root).OpenFileForRead(source.RelativePath);
                using var destinationFd = ((UnixDirectoryHandle)destination.Root).OpenFileForRead(destination.RelativePath);
                FileSharing.Probe(sourceFd.Fd, destinationFd.Fd, destination.FullPath);
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
    private ShareOutcome Share(ref ScannedFile keeperFile, int keeperName, int duplicate, SetOutcome outcome, out long saved)
    {
        saved = 0;
        var keeperAt = Locate(keeperName);
        var duplicateName = FirstNameIndex(duplicate);
        var duplicateAt = Locate(duplicateName);
        var duplicateFile = files[duplicateName];
        try
        {
            if (!options.Apply)
            {
                using var keeperFd = ((UnixDirectoryHandle)keeperAt.Root).OpenFileForRead(keeperAt.RelativePath);
                using var duplicateFd = ((UnixDirectoryHandle)duplicateAt.Root).OpenFileForRead(duplicateAt.RelativePath);
                saved = FileSharing.BytesNotSharedWith(duplicateFd.Fd, duplicateAt.FullPath, keeperFd.Fd, keeperAt.FullPath, duplicateFile.Size);
                return saved > 0 ? ShareOutcome.Shared : ShareOutcome.AlreadyShared;
            }

            FaultPoints.Hit(FaultPoints.DedupeBeforeReplace, keeperAt.FullPath, duplicateAt.FullPath);
            return ShareLeased(ref keeperFile, keeperAt, duplicate, duplicateName, duplicateFile, duplicateAt, outcome, ref saved);
        }
        catch (LinksmithException error)
        {
            outcome.Errors.Add(error);
            return ShareOutcome.Skipped;
        }
    }

    private ShareOutcome ShareLeased(ref ScannedFile keeperFile, RootedName keeperAt, int duplicate, int duplicateName, ScannedFile duplicateFile, RootedName duplicateAt, SetOutcome outcome, ref long saved)
    {
        using var keeperLease = LeaseAndCheck(keeperAt, keeperFile, outcome, out var keeperRefusal);
        if (keeperRefusal is not null)
        {
            outcome.Skipped.Add(new DedupeSkip(keeperAt.FullPath, $"{keeperRefusal}; its duplicates were left alone"));
            return ShareOutcome.KeeperRefused;
        }

        using var duplicateLease = LeaseAndCheck(duplicateAt, duplicateFile, outcome, out var refusal);
        if (refusal is not null)
        {
            outcome.Skipped.Add(new DedupeSkip(duplicateAt.FullPath, $"{refusal}; left alone"));
            return ShareOutcome.Skipped;
        }

        if (keeperLease is null || duplicateLease is null)
        {
            throw new ReflinksNotSupportedException(duplicateAt.FullPath);
        }

        var notShared = FileSharing.BytesNotSharedWith(duplicateLease.Fd, duplicateAt.FullPath, keeperLease.Fd, keeperAt.FullPath, duplicateFile.Size);
        if (notShared == 0)
        {
            return ShareOutcome.AlreadyShared;
        }

        var keeperBefore = keeperLease.Status();
        var duplicateBefore = duplicateLease.Status();
        var result = FileSharing.Share(keeperLease.Fd, duplicateLease.Fd, duplicateFile.Size, duplicateAt.FullPath);

        // The kernel compares by reading both files, which may move their access times (and some
        // file systems move a destination's mtime): put them back as they were.
        var keeperAfter = KeepTimes(keeperLease, keeperBefore, keeperAt);
        var duplicateAfter = KeepTimes(duplicateLease, duplicateBefore, duplicateAt);
        saved = Math.Max(0, notShared - FileSharing.BytesNotSharedWith(duplicateLease.Fd, duplicateAt.FullPath, keeperLease.Fd, keeperAt.FullPath, duplicateFile.Size));

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
            outcome.Skipped.Add(new DedupeSkip(duplicateAt.FullPath, $"its bytes differ from {keeperAt.FullPath}'s now (the kernel compared them); left alone"));
            return ShareOutcome.Skipped;
        }

        return ShareOutcome.Shared;
    }

    private bool IsUnchanged(in FileStatus status, in ScannedFile expected) =>
        status.Kind == LinkKind.File && status.Size == expected.Size && ScannedFile.Ticks(status.ModifiedTime) == expected.ModifiedTicks && IsFile(status, expected);

    /// <summary>The leased file's status now, its access and modification times first set back to <paramref name="before"/>'s if they moved.</summary>
    private static FileStatus KeepTimes(ReadLease lease, in FileStatus before, RootedName name)
    {
        var now = lease.Status();
        if (now.ModifiedTime == before.ModifiedTime && now.AccessTime == before.AccessTime)
        {
            return now;
        }

        FileSharing.RestoreTimes(lease.Fd, before, name.FullPath);
        return lease.Status();
    }
}
