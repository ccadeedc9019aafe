namespace Linksmith;

/// <summary>Whether a copy shares the original's data blocks (a reflink) or writes new ones.</summary>
public enum ReflinkMode
{
    /// <summary>
    /// Share blocks where source and destination are on one file system that can (Btrfs, XFS,
    /// bcachefs: FICLONE), else copy the bytes (copy_file_range, read/write). The default.
    /// </summary>
    Auto,

    /// <summary>
    /// Share blocks or fail: <see cref="ReflinksNotSupportedException"/> (checked before anything
    /// is copied) where the file system cannot or source and destination are on different ones.
    /// </summary>
    Always,

    /// <summary>Always write new blocks (read and write; not even copy_file_range, which may share them).</summary>
    Never,
}
