namespace Linksmith;

/// <summary>
/// The state folder, open: the files Linksmith keeps there (the database and its companions, the
/// move journal's lock files) are created, opened, listed and removed relative to this one handle,
/// never by a path resolved again, and a link planted at one of their names is refused, never
/// followed. Every failure is a <see cref="StateDatabaseException"/> that names the file.
/// </summary>
/// <remarks>
/// A state folder may be shared (LINKSMITH_STATE_DIR in /tmp) or writable by others: whoever can
/// write there can plant <c>move-ID.lock</c> or <c>state.db-wal</c> as a link to one of the
/// user's files, for Linksmith to create, truncate or lock it. New files are therefore made with
/// <c>O_CREAT | O_EXCL | O_NOFOLLOW</c> and existing ones reopened with <c>O_NOFOLLOW</c>.
/// SQLite opens the database and its <c>-wal</c> and <c>-shm</c> by path, so
/// <see cref="PrepareDatabase"/> makes them first, as regular files Linksmith owns, where they are
/// missing. (SQLite deletes the last two when its last connection closes; a process that closes
/// between this check and the open lets SQLite create them itself.)
/// </remarks>
internal sealed class StateDirectory : IDisposable
{
    private readonly DirectoryHandle handle;

    private StateDirectory(DirectoryHandle handle) => this.handle = handle;

    /// <summary>The folder, as it was given.</summary>
    public string Path => handle.Path;

    /// <summary>Opens the state folder at <paramref name="path"/>, creating it and its parents if needed (a link there is followed, as for any folder the user names).</summary>
    /// <exception cref="StateDatabaseException">It cannot be created or opened (a file is there, no permission).</exception>
    public static StateDirectory Open(string path)
    {
        try
        {
            return new StateDirectory(DirectoryHandle.OpenOrCreate(path));
        }
        catch (LinksmithException error) when (error is not StateDatabaseException)
        {
            throw new StateDatabaseException(path, $"the state folder {error.Reason}", error);
        }
    }

    /// <summary>Opens the state folder at <paramref name="path"/> if it exists; null when it does not.</summary>
    /// <exception cref="StateDatabaseException">Something else is there, or it cannot be opened.</exception>
    public static StateDirectory? OpenExisting(string path)
    {
        try
        {
            return new StateDirectory(DirectoryHandle.Open(path));
        }
        catch (TargetNotFoundException)
        {
            return null;
        }
        catch (LinksmithException error) when (error is not StateDatabaseException)
        {
            throw new StateDatabaseException(path, $"the state folder {error.Reason}", error);
        }
    }

    /// <summary>The full path of a file in the folder, for messages and for SQLite.</summary>
    public string FullPath(string name) => handle.FullPath(name);

    /// <summary>
    /// Makes sure SQLite will open only regular files at the database's names: refuses a link (or
    /// anything else) at <paramref name="fileName"/> or its <c>-wal</c>, <c>-shm</c> and
    /// <c>-journal</c> names, and creates the first three, empty, where they are missing.
    /// </summary>
    /// <exception cref="StateDatabaseException">A name holds something other than a regular file, or a file cannot be created.</exception>
    public void PrepareDatabase(string fileName)
    {
        foreach (var (name, create) in new[] { (fileName, true), (fileName + "-wal", true), (fileName + "-shm", true), (fileName + "-journal", false) })
        {
            Guard(name, () =>
            {
                if (handle.Stat(name) is { } existing)
                {
                    RequireFile(name, existing.Kind);
                    return;
                }

                if (create)
                {
                    try
                    {
                        handle.CreateFile(name);
                    }
                    catch (LinkNameExistsException)
                    {
                        // Made since the look above: by another linksmith (fine) or planted (checked).
                        RequireFile(name, handle.Stat(name)?.Kind ?? LinkKind.File);
                    }
                }
            });
        }
    }

    /// <summary>
    /// Takes the lock on the file <paramref name="name"/>: a new file for
    /// <see cref="LockOpening.CreateNew"/>, reopened for <see cref="LockOpening.OpenExisting"/>.
    /// Null when another process holds it.
    /// </summary>
    /// <exception cref="StateDatabaseException">A link or anything but a regular file is at the name; for a new lock, anything at all; for a reopened one, nothing.</exception>
    public IDisposable? TryLock(string name, LockOpening opening) => Guard(name, () => handle.TryLock(name, opening));

    /// <summary>The names in the folder.</summary>
    public List<string> ListNames() => Guard(string.Empty, () => handle.ListNames(string.Empty));

    /// <summary>Removes the file <paramref name="name"/> (a link there is removed as a link, never followed).</summary>
    public void Remove(string name) => Guard(name, () => handle.Remove(name, LinkKind.File));

    public void Dispose() => handle.Dispose();

    private void RequireFile(string name, LinkKind kind)
    {
        if (kind != LinkKind.File)
        {
            throw new ReplaceRefusedException(FullPath(name), $"is a {kind.Describe()}");
        }
    }

    private void Guard(string name, Action action) => Guard(name, () =>
    {
        action();
        return 0;
    });

    private T Guard<T>(string name, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (LinksmithException error) when (error is not StateDatabaseException)
        {
            throw new StateDatabaseException(error.Path, Describe(name, error), error);
        }
    }

    /// <summary>What went wrong at <paramref name="name"/>, in words that fit "the state database cannot be used (…)".</summary>
    private string Describe(string name, LinksmithException error)
    {
        if (name.Length == 0 || StatOrNull(name) is not { Kind: not LinkKind.File } status)
        {
            return error switch
            {
                LinkNameExistsException => "a file Linksmith was about to create is already there",
                TargetNotFoundException => "a file Linksmith made there is gone",
                _ => error.Reason,
            };
        }

        var what = status.Kind == LinkKind.SymbolicLink ? $"a symbolic link{LinkTarget(name)}" : $"a {status.Kind.Describe()}";
        return $"{what} stands where Linksmith keeps its own file; it was not followed or changed";
    }

    private FileStatus? StatOrNull(string name)
    {
        try
        {
            return handle.Stat(name);
        }
        catch (LinksmithException)
        {
            return null;
        }
    }

    private string LinkTarget(string name)
    {
        try
        {
            return $" to '{handle.ReadLink(name)}'";
        }
        catch (LinksmithException)
        {
            return string.Empty;
        }
    }
}
