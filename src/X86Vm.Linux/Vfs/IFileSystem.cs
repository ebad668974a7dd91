namespace X86Vm.Linux.Vfs;

/// <summary>
/// A mounted file system. Paths given to it are already resolved by <see cref="VirtualFileSystem"/>:
/// relative to the mount root, normalised, without ".." and with every symlink before the last
/// component expanded — so a backend can never be asked for something outside itself.
/// Mutating operations return 0 or a positive errno; the defaults suit a read-only file system.
/// </summary>
public interface IFileSystem
{
    bool ReadOnly { get; }

    /// <summary>The type shown in /proc/mounts and reported by statfs (f_type).</summary>
    string TypeName => "none";
    long Magic => 0;

    /// <summary>lstat: metadata of the entry itself (a symlink is not followed). Negative errno on failure.</summary>
    FileStatus? Lstat(string relativePath, out int errno);

    /// <summary>The target of a symlink, or null when it is not one.</summary>
    string? ReadLink(string relativePath);

    /// <summary>Opens an existing or new file; returns null and sets errno on failure.</summary>
    OpenFile? Open(string relativePath, string guestPath, int flags, uint mode, out int errno);

    /// <summary>mkdir; <paramref name="mode"/> has the umask applied already.</summary>
    int MakeDirectory(string relativePath, uint mode) => Errno.EROFS;

    /// <summary>mknod for regular files and FIFOs.</summary>
    int MakeNode(string relativePath, FileKind kind, uint mode) => Errno.EROFS;

    /// <summary>The extended attributes of a file (created when <paramref name="forWriting"/>), or null with errno:
    /// EOPNOTSUPP unless the file system keeps them.</summary>
    ExtendedAttributes? Xattrs(string relativePath, bool forWriting, out int errno)
    {
        errno = Errno.EOPNOTSUPP;
        return null;
    }

    /// <summary>
    /// mknod of a character or block device (root only, mknod(2)): only file systems held in the VM make one, as an
    /// inert node (stat shows its device number; opening it is ENXIO). Host directories refuse with EPERM: x86vm never
    /// creates host device nodes.
    /// </summary>
    int MakeDevice(string relativePath, FileKind kind, uint mode, ulong device) => ReadOnly ? Errno.EROFS : Errno.EPERM;

    /// <summary>unlink (<paramref name="directory"/> false) or rmdir.</summary>
    int Remove(string relativePath, bool directory) => Errno.EROFS;

    /// <summary>rename within this file system; <paramref name="flags"/> are renameat2's RENAME_NOREPLACE / RENAME_EXCHANGE.</summary>
    int Rename(string from, string to, uint flags) => Errno.EROFS;

    int Link(string existing, string newPath) => Errno.EROFS;

    int Symlink(string target, string relativePath) => Errno.EROFS;

    /// <summary>chmod, chown (recorded in VM state, never applied to the host) and utimensat on the entry itself.</summary>
    int SetAttributes(string relativePath, in AttributeChange change) => Errno.EROFS;

    int Truncate(string relativePath, long length) => Errno.EROFS;

    /// <summary>statfs numbers for this mount.</summary>
    StatFsInfo StatFs() => new(Magic, 4096, 0, 0, 0, 0, 0);
}

/// <summary>What chmod/chown/utimensat change: null leaves a field alone. Times are nanoseconds since the epoch.</summary>
public readonly record struct AttributeChange(uint? Mode = null, uint? Uid = null, uint? Gid = null, long? AccessNs = null, long? ModifyNs = null);

/// <summary>struct statfs, independent of a layout.</summary>
public readonly record struct StatFsInfo(long Type, long BlockSize, ulong Blocks, ulong FreeBlocks, ulong AvailableBlocks, ulong Files, ulong FreeFiles)
{
    public long NameLength { get; init; } = 255;
    public long Flags { get; init; }
}
