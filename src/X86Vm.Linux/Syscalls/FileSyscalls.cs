using System.Buffers.Binary;
using System.Text;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;
using static X86Vm.Linux.Syscalls.PathResolution;

namespace X86Vm.Linux.Syscalls;

/// <summary>File syscalls: open/close, read/write and their vector and positional forms, stat, seek, links, cwd, ioctl, fcntl.</summary>
[SyscallFamily]
static class FileSyscalls
{
    const int MaxIo = 0x7ffff000; // Linux caps one read/write at this (read(2) NOTES)

    static long WithFile(GuestProcess p, ulong fd, Func<OpenFile, long> action)
    {
        OpenFile? f = p.Files.Get((int)fd);
        return f == null ? -Errno.EBADF : action(f);
    }

    [Syscall(0, "d,r,u")]
    static long Read(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null || !f.CanRead || f is PathFile) return -Errno.EBADF;
        if (f.Status().Kind == FileKind.Directory) return -Errno.EISDIR;
        if (!GuestIo.AccessOk(a.A1, a.A2)) return -Errno.EFAULT;
        return IoWait.ReadInto(p, f, a.A1, (long)Math.Min(a.A2, MaxIo), (buffer, _) => f.Read(buffer), mayWait: true);
    }

    [Syscall(1, "d,w2,u")]
    static long Write(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null || !f.CanWrite) return -Errno.EBADF;
        if (!GuestIo.AccessOk(a.A1, a.A2)) return -Errno.EFAULT;
        return IoWait.WriteAll(p, f, a.A1, (long)Math.Min(a.A2, MaxIo), f.Write, n => IoWait.Complete(p, f, n, PollEvents.Out));
    }

    [Syscall(17, "d,r,u,d")]
    static long Pread64(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null || !f.CanRead) return -Errno.EBADF;
        if ((long)a.A3 < 0) return -Errno.EINVAL;
        if (!GuestIo.AccessOk(a.A1, a.A2)) return -Errno.EFAULT;
        long position = (long)a.A3;
        return IoWait.ReadInto(p, f, a.A1, (long)Math.Min(a.A2, MaxIo), (buffer, done) => f.ReadAt(buffer, position + done), mayWait: false);
    }

    [Syscall(18, "d,w2,u,d")]
    static long Pwrite64(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null || !f.CanWrite) return -Errno.EBADF;
        if ((long)a.A3 < 0) return -Errno.EINVAL;
        if (!GuestIo.AccessOk(a.A1, a.A2)) return -Errno.EFAULT;
        long position = (long)a.A3;
        long length = (long)Math.Min(a.A2, MaxIo), done = 0;
        // In chunks: a short positional write ends the call with the count, like write(2).
        while (true)
        {
            var buffer = new byte[(int)Math.Min(length - done, IoWait.Chunk)];
            int fetched = GuestIo.ReadPrefix(p, a.A1 + (ulong)done, buffer);
            if (fetched == 0) return done > 0 ? done : -Errno.EFAULT;
            long n = f.WriteAt(buffer.AsSpan(0, fetched), position + done);
            if (n <= 0) return done > 0 ? done : n;
            done += n;
            if (done == length || n < buffer.Length) return done;
        }
    }

    [Syscall(19, "d,p,u")]
    internal static long Readv(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null || !f.CanRead) return -Errno.EBADF;
        var iov = GuestIo.ReadCheckedIovec(p, a.A1, a.A2, out long iovError);
        if (iov == null) return iovError;
        long total = 0;
        foreach (var (b, len) in iov)
        {
            if (len == 0) continue;
            var buffer = new byte[Math.Min(len, IoWait.Chunk)]; // a longer segment gets a short read
            // Only the first segment may wait; once data has arrived, a read that would block ends the call.
            long n = f.Read(buffer);
            if (n == OpenFile.WouldBlock && total > 0) break;
            n = IoWait.Complete(p, f, n, PollEvents.In);
            if (n < 0) return total > 0 ? total : n;
            if (n == 0) break;
            if (!p.Memory.TryWrite(b, buffer.AsSpan(0, (int)n))) return total > 0 ? total : -Errno.EFAULT;
            total += n;
            if ((ulong)n < len) break; // short read: stop like the kernel does
        }
        return total;
    }

    [Syscall(20, "d,p,u")]
    internal static long Writev(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null || !f.CanWrite) return -Errno.EBADF;
        var iov = GuestIo.ReadCheckedIovec(p, a.A1, a.A2, out long iovError);
        if (iov == null) return iovError;
        // Gather first so that the data reaches the file in one write, as the kernel does for one writev. At most
        // MaxGather bytes are gathered (a longer request is a short write), so the host never copies gigabytes.
        const int MaxGather = 16 * IoWait.Chunk;
        var data = new List<byte>();
        foreach (var (b, len) in iov)
        {
            var chunk = new byte[Math.Min(len, (ulong)(MaxGather - data.Count))];
            int got = GuestIo.ReadPrefix(p, b, chunk);
            data.AddRange(chunk.AsSpan(0, got).ToArray());
            if (got < chunk.Length) { if (data.Count == 0) return -Errno.EFAULT; break; } // up to a bad address, as Linux
            if (data.Count == MaxGather) break;
        }
        return data.Count == 0 ? 0 : IoWait.WriteAll(p, f, data.ToArray(), f.Write, n => IoWait.Complete(p, f, n, PollEvents.Out));
    }

    [Syscall(2, "s,o,m")]
    static long Open(GuestProcess p, in SyscallArgs a) => OpenAt(p, AT_FDCWD, a.A0, (int)a.A1, (uint)a.A2);

    [Syscall(257, "f,s,o,m")]
    static long Openat(GuestProcess p, in SyscallArgs a) => OpenAt(p, (int)a.A0, a.A1, (int)a.A2, (uint)a.A3);

    [Syscall(85, "s,m")]
    static long Creat(GuestProcess p, in SyscallArgs a) =>
        OpenAt(p, AT_FDCWD, a.A0, OpenFlags.Create | OpenFlags.WriteOnly | OpenFlags.Truncate, (uint)a.A1);

    internal static long OpenAt(GuestProcess p, int dirfd, ulong pathAddress, int flags, uint mode)
    {
        bool tmpfile = (flags & OpenFlags.TmpFile) == OpenFlags.TmpFile;
        bool create = (flags & OpenFlags.Create) != 0;
        int access = flags & OpenFlags.AccessMode;
        if ((flags & OpenFlags.Path) != 0)
            flags &= OpenFlags.Path | OpenFlags.Directory | OpenFlags.NoFollow | OpenFlags.CloseOnExec;
        else if (create && (flags & OpenFlags.Directory) != 0 && !tmpfile) return -Errno.EINVAL; // Linux ≥ 6.4
        else if (tmpfile && (access == OpenFlags.ReadOnly || create)) return -Errno.EINVAL;
        bool follow = (flags & OpenFlags.NoFollow) == 0;
        int err = Resolve(p, dirfd, pathAddress, follow, out ResolvedPath r, out string path);
        if (err != 0) return err;
        bool cloexec = (flags & OpenFlags.CloseOnExec) != 0;
        if (r.MagicFile is OpenFile magic)
        {
            // /proc/self/fd/N: reopen what the descriptor refers to (the same inode, its path, or the same stream).
            if (magic is IReopenableFile reopenable && (flags & OpenFlags.Path) == 0)
            {
                OpenFile? again = reopenable.Reopen(flags, out int rerr);
                if (again != null)
                {
                    int nfd = p.Files.Add(again, cloexec);
                    if (nfd < 0) again.Release();
                    return nfd;
                }
                if (rerr != 0) return -rerr;
            }
            if (magic.FileSystem == null) return p.Files.Add(magic, cloexec);
            r = new ResolvedPath(magic.FileSystem, magic.RelativePath, magic.Path);
        }
        FileStatus? st = r.FileSystem.Lstat(r.RelativePath, out int lerr);
        flags &= ~OpenFlags.CloseOnExec;
        if ((flags & OpenFlags.Path) != 0)
        {
            if (st == null) return -(lerr == 0 ? Errno.ENOENT : lerr);
            if ((flags & OpenFlags.Directory) != 0 && st.Kind != FileKind.Directory) return -Errno.ENOTDIR;
            var pf = new PathFile(r.FileSystem, r.RelativePath, st) { Path = r.GuestPath, StatusFlags = flags, FileSystem = r.FileSystem, RelativePath = r.RelativePath };
            return p.Files.Add(pf, cloexec);
        }
        if (st?.Kind == FileKind.Symlink) return -Errno.ELOOP; // O_NOFOLLOW on a symlink
        if (st == null)
        {
            if (lerr != 0 && lerr != Errno.ENOENT) return -lerr;
            if (!create || tmpfile) return -Errno.ENOENT;
            if (r.TrailingSlash || r.EndsWithDot) return -Errno.EISDIR;
        }
        if (st != null)
        {
            // may_open: read and/or write permission for the file-system ids (O_TRUNC needs write).
            int want = (access is OpenFlags.ReadOnly or OpenFlags.ReadWrite ? 4 : 0) |
                (access is OpenFlags.WriteOnly or OpenFlags.ReadWrite || (flags & OpenFlags.Truncate) != 0 ? 2 : 0);
            if (want != 0 && !p.Credentials.MayAccess(st, want)) return -Errno.EACCES;
        }
        if (st?.Kind == FileKind.Fifo)
        {
            if (create && (flags & OpenFlags.Exclusive) != 0) return -Errno.EEXIST;
            PipeEnd? end = p.Kernel.Vfs.Fifos.Open(p.Kernel, st, r.GuestPath, flags, out int ferr, out FifoOpenWait? wait);
            if (wait != null) return p.Kernel.Block(wait);
            if (end == null) return -ferr;
            int pfd = p.Files.Add(end, cloexec);
            if (pfd < 0) end.Release();
            return pfd;
        }
        uint effectiveMode = create || tmpfile ? mode & 0xFFF & ~p.Umask : 0;
        OpenFile? f = r.FileSystem.Open(r.RelativePath, r.GuestPath, flags, effectiveMode, out int errno);
        if (f == null) return -errno;
        f.FileSystem = r.FileSystem;
        f.RelativePath = r.RelativePath;
        Credentials creds = p.Credentials;
        if ((st == null || tmpfile) && (creds.Fsuid != 0 || creds.Fsgid != 0))
            f.SetAttributes(new AttributeChange(Uid: creds.Fsuid, Gid: creds.Fsgid)); // a new file belongs to its creator
        int fd = p.Files.Add(f, cloexec);
        if (fd < 0) f.Release();
        else p.Kernel.Vfs.Watches.Opened(f, created: st == null && !tmpfile, truncated: st?.Kind == FileKind.Regular && (flags & OpenFlags.Truncate) != 0);
        return fd;
    }

    /// <summary>
    /// Before a descriptor goes away: POSIX record locks of the process on that file are dropped (any close
    /// does that), and when it was the last descriptor of the description, its OFD and flock locks too.
    /// </summary>
    internal static void BeforeClose(GuestProcess p, int fd)
    {
        OpenFile? f = p.Files.Get(fd);
        if (f == null) return;
        f.Flush(p);
        if (f.References == 1) p.Kernel.Vfs.Watches.OnFile(f, f.CanWrite ? FileWatches.IN_CLOSE_WRITE : FileWatches.IN_CLOSE_NOWRITE);
        FileLocks locks = p.Kernel.Vfs.Locks;
        if (locks.IsEmpty) return;
        locks.ReleaseProcessLocks(f, p);
        if (f.References == 1) locks.ReleaseDescription(f); // the last descriptor in any process
    }

    [Syscall(3, "d")]
    static long Close(GuestProcess p, in SyscallArgs a)
    {
        BeforeClose(p, (int)a.A0);
        return p.Files.Close((int)a.A0) ? 0 : -Errno.EBADF;
    }

    /// <summary>close_range(2): closes (or, with CLOSE_RANGE_CLOEXEC, marks close-on-exec) every descriptor in [first, last].</summary>
    [Syscall(436, "u,u,x")]
    static long CloseRange(GuestProcess p, in SyscallArgs a)
    {
        const uint CLOSE_RANGE_UNSHARE = 2, CLOSE_RANGE_CLOEXEC = 4;
        uint first = (uint)a.A0, last = (uint)a.A1, flags = (uint)a.A2;
        if ((flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) != 0 || first > last) return -Errno.EINVAL;
        foreach (var (fd, _) in p.Files.All.Where(e => (uint)e.Fd >= first && (uint)e.Fd <= last).ToList())
        {
            if ((flags & CLOSE_RANGE_CLOEXEC) != 0) p.Files.SetCloseOnExec(fd, true);
            else
            {
                BeforeClose(p, fd);
                p.Files.Close(fd);
            }
        }
        return 0;
    }

    [Syscall(8, "d,d,d")]
    static long Lseek(GuestProcess p, in SyscallArgs a)
    {
        long offset = (long)a.A1;
        int whence = (int)a.A2;
        return WithFile(p, a.A0, f => f.Seek(offset, whence));
    }

    [Syscall(5, "d,p")]
    static long Fstat(GuestProcess p, in SyscallArgs a)
    {
        ulong buf = a.A1;
        return WithFile(p, a.A0, f => p.Memory.TryWrite(buf, StatLayout.Stat(p, f.Status())) ? 0 : -Errno.EFAULT);
    }

    [Syscall(4, "s,p")]
    static long Stat(GuestProcess p, in SyscallArgs a) => StatAt(p, AT_FDCWD, a.A0, a.A1, 0, statx: false);

    [Syscall(6, "s,p")]
    static long Lstat(GuestProcess p, in SyscallArgs a) => StatAt(p, AT_FDCWD, a.A0, a.A1, AT_SYMLINK_NOFOLLOW, statx: false);

    [Syscall(262, "f,s,p,x")]
    static long Newfstatat(GuestProcess p, in SyscallArgs a) => StatAt(p, (int)a.A0, a.A1, a.A2, (int)a.A3, statx: false);

    [Syscall(332, "f,s,x,x,p")]
    static long Statx(GuestProcess p, in SyscallArgs a) => StatAt(p, (int)a.A0, a.A1, a.A4, (int)a.A2, statx: true);

    static long StatAt(GuestProcess p, int dirfd, ulong pathAddress, ulong buf, int flags, bool statx)
    {
        FileStatus? st;
        string? path = GuestIo.ReadPath(p, pathAddress, out int errno);
        if (path == null) return -errno;
        if (path.Length == 0 && (flags & AT_EMPTY_PATH) != 0)
        {
            OpenFile? f = dirfd == AT_FDCWD ? null : p.Files.Get(dirfd);
            if (f == null && dirfd != AT_FDCWD) return -Errno.EBADF;
            if (f == null)
            {
                int e = p.Kernel.Vfs.Resolve(p.Cwd, ".", true, out ResolvedPath cwd);
                if (e != 0) return e;
                st = cwd.FileSystem.Lstat(cwd.RelativePath, out errno);
            }
            else st = f.Status();
        }
        else
        {
            int err = ResolveString(p, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) == 0, out ResolvedPath r);
            if (err != 0) return err;
            st = r.MagicFile?.Status() ?? r.FileSystem.Lstat(r.RelativePath, out errno);
        }
        if (st == null) return -(errno == 0 ? Errno.ENOENT : errno);
        return p.Memory.TryWrite(buf, statx ? StatLayout.Statx(st) : StatLayout.Stat(p, st)) ? 0 : -Errno.EFAULT;
    }

    [Syscall(21, "s,d")]
    static long Access(GuestProcess p, in SyscallArgs a) => AccessAt(p, AT_FDCWD, a.A0, (int)a.A1, 0);

    [Syscall(269, "f,s,d")]
    static long Faccessat(GuestProcess p, in SyscallArgs a) => AccessAt(p, (int)a.A0, a.A1, (int)a.A2, 0);

    [Syscall(439, "f,s,d,x")]
    static long Faccessat2(GuestProcess p, in SyscallArgs a) => AccessAt(p, (int)a.A0, a.A1, (int)a.A2, (int)a.A3);

    /// <summary>access(2): existence, W_OK on read-only mounts, and the permission bits for the caller's ids.</summary>
    static long AccessAt(GuestProcess p, int dirfd, ulong pathAddress, int mode, int flags)
    {
        if ((mode & ~7) != 0) return -Errno.EINVAL;
        int err = Resolve(p, dirfd, pathAddress, (flags & AT_SYMLINK_NOFOLLOW) == 0, out ResolvedPath r, out _);
        if (err != 0) return err;
        FileStatus? st = r.FileSystem.Lstat(r.RelativePath, out int errno);
        if (st == null) return -(errno == 0 ? Errno.ENOENT : errno);
        if ((mode & 2) != 0 && r.FileSystem.ReadOnly && st.Kind is FileKind.Regular or FileKind.Directory or FileKind.Symlink)
            return -Errno.EROFS;
        // access(2) checks with the real ids unless faccessat2's AT_EACCESS asks for the effective (file-system) ones.
        if (mode != 0 && !p.Credentials.MayAccess(st, mode, realIds: (flags & AT_EACCESS) == 0)) return -Errno.EACCES;
        return 0;
    }

    [Syscall(89, "s,p,u")]
    static long Readlink(GuestProcess p, in SyscallArgs a) => ReadlinkAt(p, AT_FDCWD, a.A0, a.A1, a.A2);

    [Syscall(267, "f,s,p,u")]
    static long Readlinkat(GuestProcess p, in SyscallArgs a) => ReadlinkAt(p, (int)a.A0, a.A1, a.A2, a.A3);

    static long ReadlinkAt(GuestProcess p, int dirfd, ulong pathAddress, ulong buf, ulong size)
    {
        if ((long)size <= 0) return -Errno.EINVAL;
        int err = Resolve(p, dirfd, pathAddress, followLast: false, out ResolvedPath r, out _);
        if (err != 0) return err;
        FileStatus? st = r.FileSystem.Lstat(r.RelativePath, out int errno);
        if (st == null) return -(errno == 0 ? Errno.ENOENT : errno);
        if (st.Kind != FileKind.Symlink) return -Errno.EINVAL;
        // A /proc link without a target (a zombie's exe or cwd) is ENOENT, as proc_pid_readlink reports.
        string? target = r.FileSystem.ReadLink(r.RelativePath);
        if (target == null) return -Errno.ENOENT;
        return GuestIo.WriteTruncated(p, buf, size, target);
    }

    [Syscall(79, "p,u")]
    static long Getcwd(GuestProcess p, in SyscallArgs a)
    {
        byte[] cwd = GuestNames.ToBytes(p.Cwd + "\0");
        if ((ulong)cwd.Length > a.A1) return -Errno.ERANGE;
        return p.Memory.TryWrite(a.A0, cwd) ? cwd.Length : -Errno.EFAULT;
    }

    [Syscall(80, "s")]
    static long Chdir(GuestProcess p, in SyscallArgs a)
    {
        int err = Resolve(p, AT_FDCWD, a.A0, true, out ResolvedPath r, out _);
        if (err != 0) return err;
        return ChangeDirectory(p, r);
    }

    [Syscall(81, "d")]
    static long Fchdir(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null) return -Errno.EBADF;
        int err = p.Kernel.Vfs.Resolve("/", f.Path, true, out ResolvedPath r);
        return err != 0 ? err : ChangeDirectory(p, r);
    }

    static long ChangeDirectory(GuestProcess p, ResolvedPath r)
    {
        FileStatus? st = r.FileSystem.Lstat(r.RelativePath, out int errno);
        if (st == null) return -(errno == 0 ? Errno.ENOENT : errno);
        if (st.Kind != FileKind.Directory) return -Errno.ENOTDIR;
        p.Cwd = r.GuestPath;
        return 0;
    }

    [Syscall(16, "d,x,x")]
    static long Ioctl(GuestProcess p, in SyscallArgs a)
    {
        const uint FIOCLEX = 0x5451, FIONCLEX = 0x5450, FIONREAD = 0x541B, FIONBIO = 0x5421, FIOASYNC = 0x5452;
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null) return -Errno.EBADF;
        switch ((uint)a.A1)
        {
            case FIOCLEX: p.Files.SetCloseOnExec((int)a.A0, true); return 0;
            case FIONREAD when f.Status() is { Kind: FileKind.Regular } st:
                return GuestIo.WriteU32(p, a.A2, (uint)Math.Clamp((long)st.Size - f.Offset, 0, int.MaxValue)) ? 0 : -Errno.EFAULT;
            case FIONCLEX: p.Files.SetCloseOnExec((int)a.A0, false); return 0;
            // FIONBIO and FIOASYNC work on every file, like F_SETFL (ioctl_list(2), fs/ioctl.c); an O_PATH
            // descriptor is EBADF for every ioctl. Rust's std sets FIONBIO on the pipes of a child's output.
            case FIONBIO or FIOASYNC when f is not PathFile:
            {
                var value = new byte[4];
                if (!p.Memory.TryRead(a.A2, value)) return -Errno.EFAULT;
                int bit = (uint)a.A1 == FIONBIO ? OpenFlags.NonBlock : OpenFlags.Async;
                f.StatusFlags = BitConverter.ToInt32(value) != 0 ? f.StatusFlags | bit : f.StatusFlags & ~bit;
                return 0;
            }
            default: return f.Ioctl(p, (uint)a.A1, a.A2);
        }
    }

    [Syscall(72, "d,d,x")]
    static long Fcntl(GuestProcess p, in SyscallArgs a)
    {
        const int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030;
        int fd = (int)a.A0;
        OpenFile? f = p.Files.Get(fd);
        if (f == null) return -Errno.EBADF;
        switch ((int)a.A1)
        {
            case F_DUPFD:
            case F_DUPFD_CLOEXEC:
                if ((int)a.A2 < 0 || (int)a.A2 >= p.Files.MaxDescriptors) return -Errno.EINVAL;
                return p.Files.Add(f, (int)a.A1 == F_DUPFD_CLOEXEC, (int)a.A2);
            case F_GETFD: return p.Files.GetCloseOnExec(fd) ? 1 : 0;
            case F_SETFD: p.Files.SetCloseOnExec(fd, (a.A2 & 1) != 0); return 0;
            case F_GETFL: return f.StatusFlags | OpenFlags.LargeFile;
            case F_SETFL:
                const int changeable = OpenFlags.Append | OpenFlags.NonBlock | OpenFlags.Async | OpenFlags.Direct | OpenFlags.NoAtime;
                f.StatusFlags = (f.StatusFlags & ~changeable) | ((int)a.A2 & changeable);
                return 0;
            case F_GETLK or F_SETLK or F_SETLKW or F_OFD_GETLK or F_OFD_SETLK or F_OFD_SETLKW:
                return LockSyscalls.RecordLock(p, f, (int)a.A1, a.A2);
            case MemfdSyscalls.F_ADD_SEALS or MemfdSyscalls.F_GET_SEALS:
                return MemfdSyscalls.Seals(p, f, (int)a.A1, a.A2);
            default: return -Errno.EINVAL;
        }
    }

    public const int F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7, F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38;

    [Syscall(32, "d")]
    static long Dup(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = p.Files.Get((int)a.A0);
        return f == null ? -Errno.EBADF : p.Files.Add(f);
    }

    [Syscall(33, "d,d")]
    static long Dup2(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null) return -Errno.EBADF;
        if ((int)a.A1 < 0 || (int)a.A1 >= p.Files.MaxDescriptors) return -Errno.EBADF;
        if ((int)a.A0 == (int)a.A1) return (int)a.A1;
        BeforeClose(p, (int)a.A1);
        p.Files.Set((int)a.A1, f, false);
        return (int)a.A1;
    }

    [Syscall(292, "d,d,o")]
    static long Dup3(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null) return -Errno.EBADF;
        if ((int)a.A0 == (int)a.A1 || (a.A2 & ~(ulong)OpenFlags.CloseOnExec) != 0) return -Errno.EINVAL;
        if ((int)a.A1 < 0 || (int)a.A1 >= p.Files.MaxDescriptors) return -Errno.EBADF;
        BeforeClose(p, (int)a.A1);
        p.Files.Set((int)a.A1, f, (a.A2 & OpenFlags.CloseOnExec) != 0);
        return (int)a.A1;
    }

    [Syscall(217, "d,p,u")]
    static long Getdents64(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null) return -Errno.EBADF;
        if (f is PathFile) return -Errno.EBADF;
        // The listing is taken at the first read or after a rewind, so offsets stay stable while the
        // directory changes; the offset counts entries already returned.
        if (f.Offset == 0 || f.DirectorySnapshot == null)
        {
            IReadOnlyList<DirectoryEntry>? list = f.ListDirectory();
            f.DirectorySnapshot = list == null ? null : p.Kernel.Vfs.WithMountPoints(f.Path, list);
        }
        IReadOnlyList<DirectoryEntry>? entries = f.DirectorySnapshot;
        if (entries == null) return -Errno.ENOTDIR;
        var output = new List<byte>();
        long index = f.Offset;
        while (index < entries.Count)
        {
            DirectoryEntry e = entries[(int)index];
            byte[] name = GuestNames.ToBytes(e.Name);
            int reclen = (19 + name.Length + 1 + 7) & ~7;
            if ((ulong)(output.Count + reclen) > a.A2) break;
            var rec = new byte[reclen];
            BinaryPrimitives.WriteUInt64LittleEndian(rec, e.Inode);
            BinaryPrimitives.WriteInt64LittleEndian(rec.AsSpan(8), index + 1);
            BinaryPrimitives.WriteUInt16LittleEndian(rec.AsSpan(16), (ushort)reclen);
            rec[18] = (byte)((uint)e.Kind >> 12);
            name.CopyTo(rec, 19);
            output.AddRange(rec);
            index++;
        }
        if (output.Count == 0 && index < entries.Count) return -Errno.EINVAL; // buffer too small
        if (!p.Memory.TryWrite(a.A1, output.ToArray())) return -Errno.EFAULT;
        f.Offset = index;
        return output.Count;
    }

    [Syscall(95, "m")]
    static long Umask(GuestProcess p, in SyscallArgs a)
    {
        uint old = p.Umask;
        p.Umask = (uint)a.A0 & 0x1FF;
        return old;
    }
}
