using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Syscalls;

/// <summary>The *at() convention (openat(2)): a relative path starts at the directory open as dirfd, or at the cwd for AT_FDCWD.</summary>
static class PathResolution
{
    public const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_SYMLINK_FOLLOW = 0x400,
        AT_EMPTY_PATH = 0x1000, AT_EACCESS = 0x200;

    /// <summary>Resolves a path syscall argument; returns 0 or a negative errno.</summary>
    public static int Resolve(GuestProcess p, int dirfd, ulong pathAddress, bool followLast, out ResolvedPath resolved, out string path)
    {
        resolved = default;
        path = GuestIo.ReadPath(p, pathAddress, out int errno) ?? "";
        if (errno != 0) return -errno;
        return ResolveString(p, dirfd, path, followLast, out resolved);
    }

    public static int ResolveString(GuestProcess p, int dirfd, string path, bool followLast, out ResolvedPath resolved)
    {
        resolved = default;
        string start = p.Cwd;
        if (path.Length > 0 && path[0] != '/' && dirfd != AT_FDCWD)
        {
            OpenFile? dir = p.Files.Get(dirfd);
            if (dir == null) return -Errno.EBADF;
            if (dir.Status().Kind != FileKind.Directory) return -Errno.ENOTDIR;
            start = dir.Path;
        }
        return p.Kernel.Vfs.Resolve(start, path, followLast, out resolved);
    }
}
