namespace Linksmith;

/// <summary>
/// The directories of a dedupe run that hold scanned files, each known by its index: the root it
/// was walked from and its path below that root's, kept in a <see cref="NameStore"/> (one byte a
/// char for Latin-1 paths), not as a string of the whole path. On the large preset (10,001
/// directories, 84 chars on average: about 1.9 MB as strings) this lowered dedupe's peak memory by
/// 1.2–2.0 MB.
/// Paths are made whole only when asked for, joined with a file's name.
/// </summary>
internal sealed class DirectoryPaths
{
    // A stored length meaning: the path is not below its root's (or too long for the store), kept whole in `whole`.
    private const ushort Whole = ushort.MaxValue;

    private readonly NameStore store = new();
    private readonly List<(int Root, int Start, ushort Length)> entries = [];
    private readonly List<string> roots = [];
    private readonly Dictionary<int, string> whole = [];
    private char[] left = [];
    private char[] right = [];

    public int Count => entries.Count;

    /// <summary>Adds a root, numbered in the order added: the path of the directory its directories' paths start with (a file root: its folder).</summary>
    public void AddRoot(string path) => roots.Add(path);

    /// <summary>The index of the root <paramref name="directory"/> was walked from.</summary>
    public int RootOf(int directory) => entries[directory].Root;

    /// <summary>Adds the directory at the full <paramref name="path"/>, walked from root <paramref name="root"/>; returns its index.</summary>
    public int Add(int root, string path)
    {
        var rootPath = roots[root];
        var below = BelowRoot(path, rootPath);
        if (below >= 0 && path.Length - below < NameStore.MaxLength)
        {
            var start = store.Add(path.AsSpan(below), out var length);
            entries.Add((root, start, length));
        }
        else
        {
            whole[entries.Count] = path;
            entries.Add((root, 0, Whole));
        }

        return entries.Count - 1;
    }

    /// <summary>
    /// The path of the name stored at <paramref name="nameStart"/> in <paramref name="names"/> in
    /// <paramref name="directory"/>: the full path, or (<paramref name="belowRoot"/>) the path below
    /// the directory's root, as the file-system layer takes it with the root's handle.
    /// </summary>
    public string Join(int directory, bool belowRoot, NameStore names, int nameStart, ushort nameLength)
    {
        var parts = PartsOf(directory, belowRoot);
        var nameSeparator = parts.Length == 0 || System.IO.Path.EndsInDirectorySeparator(parts.Head) && parts.Stored == 0 ? 0 : 1;
        return string.Create(parts.Length + nameSeparator + NameStore.LengthOf(nameLength), (this, parts, nameSeparator, names, nameStart, nameLength), static (path, state) =>
        {
            var at = state.Item1.Write(state.parts, path);
            if (state.nameSeparator == 1)
            {
                path[at++] = System.IO.Path.DirectorySeparatorChar;
            }

            state.names.CopyTo(state.nameStart, state.nameLength, path[at..]);
        });
    }

    /// <summary>
    /// The order a sequential walk meets two directories in (roots in the order added, then depth
    /// first with names in ordinal order): the order of their paths when the separator sorts
    /// before every other character.
    /// </summary>
    public int CompareInWalkOrder(int a, int b)
    {
        var c = entries[a].Root.CompareTo(entries[b].Root);
        if (c != 0)
        {
            return c;
        }

        var x = FullPath(a, ref left);
        var y = FullPath(b, ref right);
        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            if (x[i] != y[i])
            {
                return x[i] == System.IO.Path.DirectorySeparatorChar ? -1 : y[i] == System.IO.Path.DirectorySeparatorChar ? 1 : x[i].CompareTo(y[i]);
            }
        }

        return x.Length.CompareTo(y.Length);
    }

    /// <summary>Where <paramref name="path"/>'s part below <paramref name="root"/> starts; −1 when it does not lie below it as a string.</summary>
    private static int BelowRoot(string path, string root)
    {
        if (path.Length == root.Length)
        {
            return path == root ? path.Length : -1;
        }

        var separator = System.IO.Path.EndsInDirectorySeparator(root) ? 0 : 1;
        return path.StartsWith(root, StringComparison.Ordinal) && (separator == 0 || path[root.Length] == System.IO.Path.DirectorySeparatorChar)
            ? root.Length + separator
            : -1;
    }

    /// <summary>A directory's full path, made in <paramref name="buffer"/> (grown as needed).</summary>
    private ReadOnlySpan<char> FullPath(int directory, ref char[] buffer)
    {
        var parts = PartsOf(directory, belowRoot: false);
        if (parts.Stored == 0)
        {
            return parts.Head;
        }

        if (buffer.Length < parts.Length)
        {
            buffer = new char[Math.Max(parts.Length, 256)];
        }

        return buffer.AsSpan(0, Write(parts, buffer));
    }

    /// <summary>
    /// How a directory's path is made: <see cref="Parts.Head"/> (its root's path, empty below the
    /// root, or the whole path where it is not kept in the store), then where both are there a
    /// separator, then the part kept in the store.
    /// </summary>
    private Parts PartsOf(int directory, bool belowRoot)
    {
        var (root, start, length) = entries[directory];
        if (length != Whole)
        {
            var head = belowRoot ? "" : roots[root];
            var stored = NameStore.LengthOf(length);
            var separator = head.Length > 0 && stored > 0 && !System.IO.Path.EndsInDirectorySeparator(head) ? 1 : 0;
            return new Parts(head, separator, start, length, stored);
        }

        var path = whole[directory];
        if (belowRoot)
        {
            // Not below the root's path as a string (never expected): what follows the root's length.
            var rootLength = roots[root].Length;
            path = path.Length <= rootLength ? "" : path[(System.IO.Path.EndsInDirectorySeparator(roots[root]) ? rootLength : rootLength + 1)..];
        }

        return new Parts(path, 0, 0, 0, 0);
    }

    /// <summary>Writes a directory's path at the start of <paramref name="destination"/>; returns its length.</summary>
    private int Write(in Parts parts, Span<char> destination)
    {
        parts.Head.CopyTo(destination);
        var at = parts.Head.Length;
        if (parts.Separator == 1)
        {
            destination[at++] = System.IO.Path.DirectorySeparatorChar;
        }

        if (parts.Stored > 0)
        {
            store.CopyTo(parts.Start, parts.StoredLength, destination[at..]);
            at += parts.Stored;
        }

        return at;
    }

    private readonly record struct Parts(string Head, int Separator, int Start, ushort StoredLength, int Stored)
    {
        public int Length => Head.Length + Separator + Stored;
    }
}
