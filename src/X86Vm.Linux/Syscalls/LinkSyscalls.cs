using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;
using static X86Vm.Linux.Syscalls.PathResolution;

namespace X86Vm.Linux.Syscalls;

/// <summary>unlink, link, symlink and rename: operations on names. Across mounts they fail with EXDEV.</summary>
[SyscallFamily]
static class LinkSyscalls
{
    [Syscall(87, "s")]
    static long Unlink(GuestProcess p, in SyscallArgs a) => UnlinkAt(p, AT_FDCWD, a.A0);

    [Syscall(263, "f,s,x")]
    static long Unlinkat(GuestProcess p, in SyscallArgs a)
    {
        int flags = (int)a.A2;
        if ((flags & ~AT_REMOVEDIR) != 0) return -Errno.EINVAL;
        return (flags & AT_REMOVEDIR) != 0 ? DirectorySyscalls.RmdirAt(p, (int)a.A0, a.A1) : UnlinkAt(p, (int)a.A0, a.A1);
    }

    static long UnlinkAt(GuestProcess p, int dirfd, ulong pathAddress)
    {
        string? path = GuestIo.ReadPath(p, pathAddress, out int errno);
        if (path == null) return -errno;
        bool slash = path.Length > 1 && path.EndsWith('/');
        int err = ResolveString(p, dirfd, slash ? path.TrimEnd('/') : path, followLast: false, out ResolvedPath r);
        if (err != 0) return err;
        FileStatus? st = r.FileSystem.Lstat(r.RelativePath, out errno);
        if (st == null) return -(errno == 0 ? Errno.ENOENT : errno);
        if (slash && st.Kind != FileKind.Directory) return -Errno.ENOTDIR; // "name/" names a directory; a symlink is not followed
        if (st.Kind == FileKind.Directory) return -Errno.EISDIR;
        if (r.FileSystem.ReadOnly) return -Errno.EROFS;
        long removed = -r.FileSystem.Remove(r.RelativePath, directory: false);
        if (removed == 0) p.Kernel.Vfs.Watches.Deleted(r.FileSystem, r.RelativePath, st);
        return removed;
    }

    [Syscall(86, "s,s")]
    static long Link(GuestProcess p, in SyscallArgs a) => LinkAt(p, AT_FDCWD, a.A0, AT_FDCWD, a.A1, 0);

    [Syscall(265, "f,s,f,s,x")]
    static long Linkat(GuestProcess p, in SyscallArgs a) => LinkAt(p, (int)a.A0, a.A1, (int)a.A2, a.A3, (int)a.A4);

    static long LinkAt(GuestProcess p, int olddirfd, ulong oldAddress, int newdirfd, ulong newAddress, int flags)
    {
        if ((flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
        string? oldPath = GuestIo.ReadPath(p, oldAddress, out int errno);
        if (oldPath == null) return -errno;
        OpenFile? emptyPathFile = null;
        ResolvedPath from = default;
        if (oldPath.Length == 0 && (flags & AT_EMPTY_PATH) != 0)
        {
            emptyPathFile = p.Files.Get(olddirfd);
            if (emptyPathFile == null) return -Errno.EBADF;
        }
        else
        {
            int err = ResolveString(p, olddirfd, oldPath, (flags & AT_SYMLINK_FOLLOW) != 0, out from);
            if (err != 0) return err;
            FileStatus? st = from.FileSystem.Lstat(from.RelativePath, out errno);
            if (st == null) return -(errno == 0 ? Errno.ENOENT : errno);
        }
        int e2 = Resolve(p, newdirfd, newAddress, followLast: false, out ResolvedPath to, out _);
        if (e2 != 0) return e2;
        if (to.EndsWithDot || to.RelativePath.Length == 0 || to.FileSystem.Lstat(to.RelativePath, out _) != null) return -Errno.EEXIST;
        if (to.FileSystem.ReadOnly) return -Errno.EROFS;
        if (emptyPathFile != null)
        {
            if (emptyPathFile.FileSystem != to.FileSystem) return -Errno.EXDEV;
            if (to.FileSystem is MemoryFileSystem mfs) return -mfs.LinkOpen(emptyPathFile, to.RelativePath);
            if (emptyPathFile.Status().Kind == FileKind.Directory) return -Errno.EPERM;
            return -to.FileSystem.Link(emptyPathFile.RelativePath, to.RelativePath);
        }
        if (from.FileSystem != to.FileSystem) return -Errno.EXDEV;
        FileStatus? source = from.FileSystem.Lstat(from.RelativePath, out _);
        if (source?.Kind == FileKind.Directory) return -Errno.EPERM; // after EEXIST, as Linux
        long linked = -to.FileSystem.Link(from.RelativePath, to.RelativePath);
        if (linked == 0 && source != null) p.Kernel.Vfs.Watches.Linked(to.FileSystem, to.RelativePath, source);
        return linked;
    }

    [Syscall(88, "s,s")]
    static long Symlink(GuestProcess p, in SyscallArgs a) => SymlinkAt(p, a.A0, AT_FDCWD, a.A1);

    [Syscall(266, "s,f,s")]
    static long Symlinkat(GuestProcess p, in SyscallArgs a) => SymlinkAt(p, a.A0, (int)a.A1, a.A2);

    static long SymlinkAt(GuestProcess p, ulong targetAddress, int newdirfd, ulong linkAddress)
    {
        string? target = GuestIo.ReadPath(p, targetAddress, out int errno);
        if (target == null) return -errno;
        if (target.Length == 0) return -Errno.ENOENT;
        int err = Resolve(p, newdirfd, linkAddress, followLast: false, out ResolvedPath r, out _);
        if (err != 0) return err;
        if (r.EndsWithDot || r.RelativePath.Length == 0 || r.FileSystem.Lstat(r.RelativePath, out _) != null) return -Errno.EEXIST;
        if (r.FileSystem.ReadOnly) return -Errno.EROFS;
        long made = -r.FileSystem.Symlink(target, r.RelativePath);
        if (made == 0) p.Kernel.Vfs.Watches.OnName(r.FileSystem, r.RelativePath, directory: false, FileWatches.IN_CREATE);
        return made;
    }

    const uint RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2, RENAME_WHITEOUT = 4;

    [Syscall(82, "s,s")]
    static long Rename(GuestProcess p, in SyscallArgs a) => RenameAt(p, AT_FDCWD, a.A0, AT_FDCWD, a.A1, 0);

    [Syscall(264, "f,s,f,s")]
    static long Renameat(GuestProcess p, in SyscallArgs a) => RenameAt(p, (int)a.A0, a.A1, (int)a.A2, a.A3, 0);

    [Syscall(316, "f,s,f,s,x")]
    static long Renameat2(GuestProcess p, in SyscallArgs a) => RenameAt(p, (int)a.A0, a.A1, (int)a.A2, a.A3, (uint)a.A4);

    static long RenameAt(GuestProcess p, int olddirfd, ulong oldAddress, int newdirfd, ulong newAddress, uint flags)
    {
        if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) != 0) return -Errno.EINVAL;
        if ((flags & RENAME_NOREPLACE) != 0 && (flags & RENAME_EXCHANGE) != 0) return -Errno.EINVAL;
        if ((flags & RENAME_WHITEOUT) != 0) return -Errno.EINVAL; // needs a file system with whiteouts of its own
        int err = Resolve(p, olddirfd, oldAddress, followLast: false, out ResolvedPath from, out _);
        if (err != 0) return err;
        err = Resolve(p, newdirfd, newAddress, followLast: false, out ResolvedPath to, out _);
        if (err != 0) return err;
        if (from.FileSystem != to.FileSystem) return -Errno.EXDEV;
        if (from.EndsWithDot || from.RelativePath.Length == 0) return -Errno.EBUSY;
        if (to.EndsWithDot || to.RelativePath.Length == 0) return (flags & RENAME_NOREPLACE) != 0 ? -Errno.EEXIST : -Errno.EBUSY;
        FileStatus? st = from.FileSystem.Lstat(from.RelativePath, out int errno);
        if (st == null) return -(errno == 0 ? Errno.ENOENT : errno);
        if (from.FileSystem.ReadOnly) return -Errno.EROFS;
        if (DirectorySyscalls.IsMountPoint(p, from.GuestPath) || DirectorySyscalls.IsMountPoint(p, to.GuestPath)) return -Errno.EBUSY;
        if (from.TrailingSlash && st.Kind != FileKind.Directory) return -Errno.ENOTDIR;
        FileStatus? replaced = to.FileSystem.Lstat(to.RelativePath, out _);
        long renamed = -from.FileSystem.Rename(from.RelativePath, to.RelativePath, flags);
        if (renamed == 0) p.Kernel.Vfs.Watches.Moved(from.FileSystem, from.RelativePath, to.RelativePath, st, replaced, (flags & RENAME_EXCHANGE) != 0);
        return renamed;
    }
}
