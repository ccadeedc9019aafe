using Linksmith.Interop;

namespace Linksmith;

public static partial class TreeSize
{
    /// <summary>One file's extent map, read once and added to every tally the file counts in.</summary>
    private sealed class FileExtentMap
    {
        /// <summary>Physical byte ranges [start, end) the file system flags shared.</summary>
        public List<(long Start, long End)> Shared { get; } = [];

        /// <summary>Physical byte ranges [start, end) no other file uses.</summary>
        public List<(long Start, long End)> Exclusive { get; } = [];

        /// <summary>Bytes in extents without a place of their own on the device (inline in metadata, not yet allocated): exclusive.</summary>
        public long UnplacedBytes { get; set; }

        /// <summary>The file's allocation, when its file system has no extent map.</summary>
        public long UnknownBytes { get; set; }

        public void Clear()
        {
            Shared.Clear();
            Exclusive.Clear();
            UnplacedBytes = 0;
            UnknownBytes = 0;
        }
    }

    /// <summary>
    /// The extents of a tally's files as physical ranges, so an extent that several files of the
    /// tree use (reflinked copies, hard links) counts once: ranges are merged when the figures are made.
    /// </summary>
    private sealed class SharedExtents
    {
        private readonly List<(long Start, long End)> shared = [];
        private readonly List<(long Start, long End)> exclusive = [];
        private long otherBytes;
        private long unplacedBytes;
        private long unknownBytes;

        public long SharedBytes => UnionLength(shared);

        public long ExclusiveBytes => UnionLength(exclusive) + unplacedBytes + otherBytes;

        public long UnknownBytes => unknownBytes;

        public void Add(FileExtentMap map)
        {
            shared.AddRange(map.Shared);
            exclusive.AddRange(map.Exclusive);
        }

        /// <summary>A file with one name: its unplaced and unknown bytes count at once (a hard-linked file's count once, at the end).</summary>
        public void AddUnplaced(long unplaced, long unknown)
        {
            unplacedBytes += unplaced;
            unknownBytes += unknown;
        }

        public void AddOther(long allocatedBytes) => otherBytes += allocatedBytes;

        public void AddUp(SharedExtents other)
        {
            shared.AddRange(other.shared);
            exclusive.AddRange(other.exclusive);
            otherBytes += other.otherBytes;
            unplacedBytes += other.unplacedBytes;
            unknownBytes += other.unknownBytes;
        }

        private static long UnionLength(List<(long Start, long End)> ranges)
        {
            var sorted = ranges.ToArray();
            Array.Sort(sorted);
            long total = 0, start = 0, end = 0;
            var open = false;
            foreach (var range in sorted)
            {
                if (open && range.Start <= end)
                {
                    end = Math.Max(end, range.End);
                    continue;
                }

                total += end - start;
                (start, end, open) = (range.Start, range.End, true);
            }

            return total + (end - start);
        }
    }

    /// <summary>
    /// Reads the extent maps of one worker's files, each opened beneath the tree's root without
    /// following a link and checked to be the file the walk listed.
    /// </summary>
    private sealed class ExtentReader
    {
        private readonly UnixDirectoryHandle root;
        private readonly FileExtentMap map = new();
        private readonly List<LinksmithException> errors = [];
        private readonly Action<long, long, long, uint> place;

        public ExtentReader(UnixDirectoryHandle root)
        {
            this.root = root;
            place = Place;
        }

        /// <summary>Files whose extent map could not be read; their allocation is counted as unknown.</summary>
        public IReadOnlyList<LinksmithException> Errors => errors;

        /// <summary>The map of entry <paramref name="index"/> (reused: read it before the next call); null for anything but a regular file.</summary>
        public FileExtentMap? Read(DirectoryListing listing, int index)
        {
            ref readonly var status = ref listing.Status(index);
            if (status.Kind != LinkKind.File)
            {
                return null;
            }

            map.Clear();
            if (status.AllocatedBytes == 0)
            {
                return map;
            }

            var relative = listing.RelativePath(index);
            try
            {
                using var file = root.OpenFileForRead(relative);
                if (UnixDirectoryHandle.StatDescriptor(file.Fd, root.FullPath(relative)).Identity != status.Identity)
                {
                    // Replaced since it was listed: what the listing counted is not what is there now.
                    map.UnknownBytes = status.AllocatedBytes;
                    return map;
                }

                var known = FileExtents.VisitPlaced(file.Fd, root.FullPath(relative), place);
                if (!known)
                {
                    map.Clear();
                    map.UnknownBytes = status.AllocatedBytes;
                }
            }
            catch (LinksmithException error)
            {
                errors.Add(error);
                map.Clear();
                map.UnknownBytes = status.AllocatedBytes;
            }

            return map;
        }

        private void Place(long logical, long physical, long length, uint flags)
        {
            // Inline data lives in metadata, delayed allocation has no block yet: neither has a physical place to share.
            if ((flags & (Libc.FIEMAP_EXTENT_DATA_INLINE | Libc.FIEMAP_EXTENT_UNKNOWN | Libc.FIEMAP_EXTENT_DELALLOC)) != 0)
            {
                map.UnplacedBytes += length;
            }
            else if ((flags & Libc.FIEMAP_EXTENT_SHARED) != 0)
            {
                map.Shared.Add((physical, physical + length));
            }
            else
            {
                map.Exclusive.Add((physical, physical + length));
            }
        }
    }
}
