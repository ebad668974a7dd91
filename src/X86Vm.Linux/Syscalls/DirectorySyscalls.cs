using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;
using static X86Vm.Linux.Syscalls.PathResolution;

namespace X86Vm.Linux.Syscalls;

/// <summary>mkdir, rmdir and mknod (regular files and FIFOs), with Linux's errno order: existence before EROFS.</summary>
[SyscallFamily]
static class DirectorySyscalls
{
    [Syscall(83, "s,m")]
    static long Mkdir(GuestProcess p, in SyscallArgs a) => MkdirAt(p, AT_FDCWD, a.A0, (uint)a.A1);

    [Syscall(258, "f,s,m")]
    static long Mkdirat(GuestProcess p, in SyscallArgs a) => MkdirAt(p, (int)a.A0, a.A1, (uint)a.A2);

    static long MkdirAt(GuestProcess p, int dirfd, ulong pathAddress, uint mode)
    {
        int err = Resolve(p, dirfd, pathAddress, followLast: false, out ResolvedPath r, out _);
        if (err != 0) return err;
        if (r.EndsWithDot || r.RelativePath.Length == 0 || r.FileSystem.Lstat(r.RelativePath, out _) != null) return -Errno.EEXIST;
        if (r.FileSystem.ReadOnly) return -Errno.EROFS;
        long made = -r.FileSystem.MakeDirectory(r.RelativePath, mode & 0x3FF /* 01777 */ & ~p.Umask);
        if (made == 0) p.Kernel.Vfs.Watches.OnName(r.FileSystem, r.RelativePath, directory: true, FileWatches.IN_CREATE);
        return made;
    }

    [Syscall(84, "s")]
    static long Rmdir(GuestProcess p, in SyscallArgs a) => RmdirAt(p, AT_FDCWD, a.A0);

    internal static long RmdirAt(GuestProcess p, int dirfd, ulong pathAddress)
    {
        int err = Resolve(p, dirfd, pathAddress, followLast: false, out ResolvedPath r, out string path);
        if (err != 0) return err;
        if (r.EndsWithDot)
        {
            string trimmed = path.TrimEnd('/');
            return trimmed == "." || trimmed.EndsWith("/.", StringComparison.Ordinal) ? -Errno.EINVAL : -Errno.ENOTEMPTY;
        }
        FileStatus? st = r.FileSystem.Lstat(r.RelativePath, out int errno);
        if (st == null) return -(errno == 0 ? Errno.ENOENT : errno);
        if (st.Kind != FileKind.Directory) return -Errno.ENOTDIR;
        if (r.RelativePath.Length == 0 || IsMountPoint(p, r.GuestPath)) return -Errno.EBUSY;
        if (r.FileSystem.ReadOnly) return -Errno.EROFS;
        long removed = -r.FileSystem.Remove(r.RelativePath, directory: true);
        if (removed == 0) p.Kernel.Vfs.Watches.Deleted(r.FileSystem, r.RelativePath, st);
        return removed;
    }

    /// <summary>A directory something is mounted on (or the root of a mount) cannot be removed or renamed.</summary>
    internal static bool IsMountPoint(GuestProcess p, string guestPath)
    {
        foreach (var (at, _) in p.Kernel.Vfs.Mounts)
            if (at == guestPath) return true;
        return false;
    }

    [Syscall(133, "s,m,x")]
    static long Mknod(GuestProcess p, in SyscallArgs a) => MknodAt(p, AT_FDCWD, a.A0, (uint)a.A1, a.A2);

    [Syscall(259, "f,s,m,x")]
    static long Mknodat(GuestProcess p, in SyscallArgs a) => MknodAt(p, (int)a.A0, a.A1, (uint)a.A2, a.A3);

    static long MknodAt(GuestProcess p, int dirfd, ulong pathAddress, uint mode, ulong device)
    {
        FileKind kind = (FileKind)(mode & 0xF000);
        if (kind == 0) kind = FileKind.Regular;
        if (kind is FileKind.Directory or FileKind.Symlink or not (FileKind.Regular or FileKind.Fifo or FileKind.CharDevice or FileKind.BlockDevice or FileKind.Socket))
            return -Errno.EINVAL;
        int err = Resolve(p, dirfd, pathAddress, followLast: false, out ResolvedPath r, out _);
        if (err != 0) return err;
        if (r.EndsWithDot || r.RelativePath.Length == 0 || r.FileSystem.Lstat(r.RelativePath, out _) != null) return -Errno.EEXIST;
        if (r.FileSystem.ReadOnly) return -Errno.EROFS;
        long made = kind is FileKind.CharDevice or FileKind.BlockDevice
            ? -r.FileSystem.MakeDevice(r.RelativePath, kind, mode & 0xFFF & ~p.Umask, device)
            : -r.FileSystem.MakeNode(r.RelativePath, kind, mode & 0xFFF & ~p.Umask);
        if (made == 0) p.Kernel.Vfs.Watches.OnName(r.FileSystem, r.RelativePath, directory: false, FileWatches.IN_CREATE);
        return made;
    }
}
