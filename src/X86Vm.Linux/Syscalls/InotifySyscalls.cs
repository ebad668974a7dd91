using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;
using static X86Vm.Linux.Vfs.FileWatches;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// inotify(7): inotify_init/inotify_init1, inotify_add_watch and inotify_rm_watch. Watches are on files of the VM's
/// view (file system and inode); the events come from the VM's own changes through <see cref="FileWatches"/>.
/// Limits as Linux's defaults: 128 instances and 8192 watches per user (max_user_instances, max_user_watches).
/// </summary>
[SyscallFamily]
static class InotifySyscalls
{
    const int IN_CLOEXEC = OpenFlags.CloseOnExec, IN_NONBLOCK = OpenFlags.NonBlock;
    const uint IN_ONLYDIR = 0x1000000, IN_DONT_FOLLOW = 0x2000000, IN_EXCL_UNLINK = 0x4000000, IN_MASK_CREATE = 0x10000000,
        IN_MASK_ADD = 0x20000000, IN_UNMOUNT = 0x2000;
    const uint AllBits = IN_ALL_EVENTS | IN_UNMOUNT | InotifyFile.IN_Q_OVERFLOW | InotifyFile.IN_IGNORED | IN_ONLYDIR |
        IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | IN_ISDIR | IN_ONESHOT;
    public const int MaxInstances = 128, MaxWatches = 8192;

    [Syscall(253)]
    static long InotifyInit(GuestProcess p, in SyscallArgs a) => Create(p, 0);

    [Syscall(294, "x")]
    static long InotifyInit1(GuestProcess p, in SyscallArgs a) =>
        ((int)a.A0 & ~(IN_CLOEXEC | IN_NONBLOCK)) != 0 ? -Errno.EINVAL : Create(p, (int)a.A0);

    static long Create(GuestProcess p, int flags)
    {
        int instances = p.Kernel.Processes.Where(x => !x.Exited && x.Credentials.Uid == p.Credentials.Uid)
            .SelectMany(x => x.Files.All.Select(e => e.File)).OfType<InotifyFile>().Distinct().Count();
        if (instances >= MaxInstances) return -Errno.EMFILE;
        var f = new InotifyFile(p.Kernel, flags) { Owner = p.Credentials.Uid };
        int fd = p.Files.Add(f, (flags & IN_CLOEXEC) != 0);
        if (fd < 0) f.Release();
        return fd;
    }

    [Syscall(254, "d,s,x", Partial = "events from the VM's own changes only; none for getdents, xattr changes or writes through shared mappings")]
    static long InotifyAddWatch(GuestProcess p, in SyscallArgs a)
    {
        uint mask = (uint)a.A2;
        if ((mask & IN_MASK_ADD) != 0 && (mask & IN_MASK_CREATE) != 0) return -Errno.EINVAL;
        if ((mask & AllBits) == 0) return -Errno.EINVAL;
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null) return -Errno.EBADF;
        if (f is not InotifyFile instance) return -Errno.EINVAL;
        string? path = GuestIo.ReadPath(p, a.A1, out int errno);
        if (path == null) return -errno;
        int err = PathResolution.ResolveString(p, PathResolution.AT_FDCWD, path, (mask & IN_DONT_FOLLOW) == 0, out ResolvedPath r);
        if (err != 0) return err;
        FileStatus? st = r.FileSystem.Lstat(r.RelativePath, out errno);
        if (st == null) return -(errno == 0 ? Errno.ENOENT : errno);
        if ((mask & IN_ONLYDIR) != 0 && st.Kind != FileKind.Directory) return -Errno.ENOTDIR;
        if (!p.Credentials.MayAccess(st, 4)) return -Errno.EACCES;
        FileWatches watches = p.Kernel.Vfs.Watches;
        uint wanted = mask & (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK);
        if (watches.All.FirstOrDefault(w => w.Instance == instance && w.FileSystem == r.FileSystem && w.Inode == st.Inode) is { } existing)
        {
            if ((mask & IN_MASK_CREATE) != 0) return -Errno.EEXIST;
            existing.Mask = (mask & IN_MASK_ADD) != 0 ? existing.Mask | wanted : wanted;
            return existing.Wd;
        }
        if (watches.All.Count(w => w.Instance.Owner == p.Credentials.Uid) >= MaxWatches) return -Errno.ENOSPC;
        var watch = new FileWatch(instance, instance.NextWd++, r.FileSystem, st.Inode, wanted);
        watches.All.Add(watch);
        return watch.Wd;
    }

    [Syscall(255, "d,d")]
    static long InotifyRmWatch(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null) return -Errno.EBADF;
        if (f is not InotifyFile instance) return -Errno.EINVAL;
        FileWatches watches = p.Kernel.Vfs.Watches;
        int wd = (int)a.A1;
        FileWatch? w = watches.All.FirstOrDefault(x => x.Instance == instance && x.Wd == wd);
        if (w == null) return -Errno.EINVAL;
        watches.Remove(w);
        return 0;
    }
}
