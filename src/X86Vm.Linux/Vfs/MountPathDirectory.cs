using System.Text;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// A directory on the way to a mount point that the file system below lacks: /tmp/a while /tmp/a/b is
/// mounted and /tmp is the guest's private tmpfs, or a path the host root does not have. On Linux a mount
/// point's parents always exist, so <see cref="VirtualFileSystem"/> supplies them: read-only directories
/// holding nothing but the way on (getdents adds it, as for every mount point). Device, type and statfs are
/// those of the file system below, times those of its root.
/// </summary>
public sealed class MountPathDirectory(IFileSystem below, string directoryPath) : IFileSystem
{
    public bool ReadOnly => true;
    public string TypeName => below.TypeName;
    public long Magic => below.Magic;
    public StatFsInfo StatFs() => below.StatFs();

    /// <summary>
    /// The inode of the directory at <paramref name="guestPath"/>: FNV-1a of its bytes, so stat and getdents
    /// agree and every run sees the same number; bit 62 keeps it clear of the backends' counters.
    /// </summary>
    public static ulong InodeOf(string guestPath)
    {
        ulong h = 0xcbf29ce484222325;
        foreach (byte b in GuestNames.ToBytes(guestPath)) h = (h ^ b) * 0x100000001b3;
        return (h & 0x3FFF_FFFF_FFFF_FFFF) | 0x4000_0000_0000_0000;
    }

    public FileStatus? Lstat(string relativePath, out int errno)
    {
        if (relativePath.Length > 0)
        {
            errno = Errno.ENOENT;
            return null;
        }
        errno = 0;
        FileStatus? root = below.Lstat("", out _);
        return new FileStatus
        {
            Kind = FileKind.Directory, Permissions = 0x1ED /* 0755 */, Inode = InodeOf(directoryPath), Device = root?.Device ?? 0,
            Links = 2, AccessNs = root?.AccessNs ?? 0, ModifyNs = root?.ModifyNs ?? 0, ChangeNs = root?.ChangeNs ?? 0,
            BirthNs = root?.BirthNs ?? 0,
        };
    }

    public string? ReadLink(string relativePath) => null;

    public OpenFile? Open(string relativePath, string guestPath, int flags, uint mode, out int errno)
    {
        FileStatus? st = Lstat(relativePath, out errno);
        bool create = (flags & OpenFlags.Create) != 0;
        if (st == null)
        {
            if (create) errno = Errno.EROFS; // nothing can be made beside the way to the mount
            return null;
        }
        if (create && (flags & OpenFlags.Exclusive) != 0)
        {
            errno = Errno.EEXIST;
            return null;
        }
        if ((flags & OpenFlags.TmpFile) == OpenFlags.TmpFile)
        {
            errno = Errno.EROFS;
            return null;
        }
        if (create || (flags & OpenFlags.AccessMode) != OpenFlags.ReadOnly)
        {
            errno = Errno.EISDIR;
            return null;
        }
        DirectoryEntry[] entries = [new(".", st.Inode, FileKind.Directory), new("..", st.Inode, FileKind.Directory)];
        return new SyntheticDirectory(entries, st) { Path = guestPath, StatusFlags = flags };
    }
}
