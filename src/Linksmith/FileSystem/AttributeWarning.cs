namespace Linksmith;

/// <summary>
/// An extended attribute (or POSIX ACL) that could not be carried over because the destination's
/// file system cannot store it (no extended attributes there, no such namespace, or a value larger
/// than it takes). The file itself was copied; the job goes on.
/// </summary>
/// <param name="Path">The file in the destination that lacks the attribute.</param>
/// <param name="Attribute">The attribute's name, e.g. <c>user.comment</c> or <c>system.posix_acl_access</c>.</param>
/// <param name="Reason">Why the file system refused it.</param>
public sealed record AttributeWarning(string Path, string Attribute, string Reason);

/// <summary>Extended attributes to carry over with a copy (<c>--xattrs</c>), and where to report those the destination cannot store.</summary>
/// <param name="OnNotStored">Called, on any thread, for each attribute the destination's file system refused; the copy goes on.</param>
internal sealed record AttributeCopy(Action<AttributeWarning>? OnNotStored);
