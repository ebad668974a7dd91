using System.Buffers.Binary;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;
using static X86Vm.Linux.Syscalls.PathResolution;

namespace X86Vm.Linux.Syscalls;

/// <summary>chmod, chown (recorded in VM state), utimes, truncate and statfs families.</summary>
[SyscallFamily]
static class MetadataSyscalls
{
    const long UTIME_NOW = (1L << 30) - 1, UTIME_OMIT = (1L << 30) - 2;

    /// <summary>The target of a path-or-descriptor metadata call: resolved, then checked to exist.</summary>
    static int Target(GuestProcess p, int dirfd, ulong pathAddress, int flags, bool allowEmpty, out ResolvedPath r, out OpenFile? file)
    {
        r = default;
        file = null;
        string? path = GuestIo.ReadPath(p, pathAddress, out int errno);
        if (path == null) return -errno;
        if (path.Length == 0 && allowEmpty && (flags & AT_EMPTY_PATH) != 0)
        {
            if (dirfd == AT_FDCWD) path = ".";
            else
            {
                file = p.Files.Get(dirfd);
                return file == null ? -Errno.EBADF : 0;
            }
        }
        int err = ResolveString(p, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) == 0, out r);
        if (err != 0) return err;
        // /proc/self/fd/N followed: the file the descriptor refers to (glibc's fchmodat(AT_SYMLINK_NOFOLLOW) goes this way).
        if (r.MagicFile is OpenFile magic)
        {
            if (magic.FileSystem == null) { file = magic; return 0; }
            r = new ResolvedPath(magic.FileSystem, magic.RelativePath, magic.Path);
        }
        if (r.FileSystem.Lstat(r.RelativePath, out errno) == null) return -(errno == 0 ? Errno.ENOENT : errno);
        return 0;
    }

    static long Apply(GuestProcess p, ResolvedPath r, OpenFile? file, in AttributeChange change)
    {
        if (file != null) return p.Kernel.Vfs.Watches.Then(-file.SetAttributes(change), file, FileWatches.IN_ATTRIB);
        if (r.FileSystem.ReadOnly) return -Errno.EROFS;
        return p.Kernel.Vfs.Watches.Then(-r.FileSystem.SetAttributes(r.RelativePath, change), r.FileSystem, r.RelativePath, FileWatches.IN_ATTRIB);
    }

    // ---- chmod --------------------------------------------------------------------------------------

    [Syscall(90, "s,m")]
    static long Chmod(GuestProcess p, in SyscallArgs a) => ChmodAt(p, AT_FDCWD, a.A0, (uint)a.A1, 0);

    [Syscall(268, "f,s,m")]
    static long Fchmodat(GuestProcess p, in SyscallArgs a) => ChmodAt(p, (int)a.A0, a.A1, (uint)a.A2, 0);

    [Syscall(452, "f,s,m,x")]
    static long Fchmodat2(GuestProcess p, in SyscallArgs a)
    {
        int flags = (int)a.A3;
        if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
        return ChmodAt(p, (int)a.A0, a.A1, (uint)a.A2, flags);
    }

    static long ChmodAt(GuestProcess p, int dirfd, ulong pathAddress, uint mode, int flags)
    {
        int err = Target(p, dirfd, pathAddress, flags, allowEmpty: true, out ResolvedPath r, out OpenFile? f);
        if (err != 0) return err;
        return Apply(p, r, f, new AttributeChange(Mode: mode & 0xFFF));
    }

    [Syscall(91, "d,m")]
    static long Fchmod(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null || f is PathFile) return -Errno.EBADF;
        return p.Kernel.Vfs.Watches.Then(-f.SetAttributes(new AttributeChange(Mode: (uint)a.A1 & 0xFFF)), f, FileWatches.IN_ATTRIB);
    }

    // ---- chown: recorded in VM state, never applied to the host -------------------------------------

    [Syscall(92, "s,d,d")]
    static long Chown(GuestProcess p, in SyscallArgs a) => ChownAt(p, AT_FDCWD, a.A0, (uint)a.A1, (uint)a.A2, 0);

    [Syscall(94, "s,d,d")]
    static long Lchown(GuestProcess p, in SyscallArgs a) => ChownAt(p, AT_FDCWD, a.A0, (uint)a.A1, (uint)a.A2, AT_SYMLINK_NOFOLLOW);

    [Syscall(260, "f,s,d,d,x")]
    static long Fchownat(GuestProcess p, in SyscallArgs a)
    {
        int flags = (int)a.A4;
        if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
        return ChownAt(p, (int)a.A0, a.A1, (uint)a.A2, (uint)a.A3, flags);
    }

    static long ChownAt(GuestProcess p, int dirfd, ulong pathAddress, uint uid, uint gid, int flags)
    {
        int err = Target(p, dirfd, pathAddress, flags, allowEmpty: true, out ResolvedPath r, out OpenFile? f);
        if (err != 0) return err;
        FileStatus? st = f?.Status() ?? r.FileSystem.Lstat(r.RelativePath, out _);
        return Apply(p, r, f, OwnerChange(st, uid, gid));
    }

    [Syscall(93, "d,d,d")]
    static long Fchown(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null || f is PathFile) return -Errno.EBADF;
        return p.Kernel.Vfs.Watches.Then(-f.SetAttributes(OwnerChange(f.Status(), (uint)a.A1, (uint)a.A2)), f, FileWatches.IN_ATTRIB);
    }

    /// <summary>chown(2): -1 leaves an id alone; changing a non-directory's owner clears set-user-ID (and set-group-ID when group-executable).</summary>
    static AttributeChange OwnerChange(FileStatus? st, uint uid, uint gid)
    {
        uint? u = uid == uint.MaxValue ? null : uid, g = gid == uint.MaxValue ? null : gid;
        uint? mode = null;
        if (st != null && (u != null || g != null) && st.Kind != FileKind.Directory && st.Kind != FileKind.Symlink && (st.Permissions & 0xC00) != 0)
        {
            uint m = st.Permissions & ~0x800u;
            if ((m & 0x8) != 0) m &= ~0x400u;
            if (m != st.Permissions) mode = m;
        }
        return new AttributeChange(Mode: mode, Uid: u, Gid: g);
    }

    // ---- times ----------------------------------------------------------------------------------------

    [Syscall(280, "f,s,p,x")]
    static long Utimensat(GuestProcess p, in SyscallArgs a)
    {
        int flags = (int)a.A3;
        if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
        long now = p.Kernel.Clock.RealtimeNanoseconds;
        long? atime = now, mtime = now;
        if (a.A2 != 0)
        {
            var ts = new byte[32];
            if (!p.Memory.TryRead(a.A2, ts)) return -Errno.EFAULT;
            int e = Time(ts.AsSpan(0), now, out atime);
            if (e == 0) e = Time(ts.AsSpan(16), now, out mtime);
            if (e != 0) return e;
        }
        if (a.A1 == 0) // futimens: the descriptor itself
        {
            if ((int)a.A0 == AT_FDCWD) return -Errno.EFAULT;
            OpenFile? f = p.Files.Get((int)a.A0);
            if (f == null) return -Errno.EBADF;
            if (atime == null && mtime == null) return 0;
            return p.Kernel.Vfs.Watches.Then(-f.SetAttributes(new AttributeChange(AccessNs: atime, ModifyNs: mtime)), f, FileWatches.IN_ATTRIB);
        }
        return SetTimes(p, (int)a.A0, a.A1, flags, atime, mtime);
    }

    static long SetTimes(GuestProcess p, int dirfd, ulong pathAddress, int flags, long? atime, long? mtime)
    {
        int err = Target(p, dirfd, pathAddress, flags, allowEmpty: true, out ResolvedPath r, out OpenFile? f);
        if (err != 0) return err;
        if (atime == null && mtime == null) return 0;
        return Apply(p, r, f, new AttributeChange(AccessNs: atime, ModifyNs: mtime));
    }

    static int Time(ReadOnlySpan<byte> ts, long now, out long? value)
    {
        long sec = BinaryPrimitives.ReadInt64LittleEndian(ts), nsec = BinaryPrimitives.ReadInt64LittleEndian(ts[8..]);
        value = null;
        if (nsec == UTIME_OMIT) return 0;
        if (nsec == UTIME_NOW) { value = now; return 0; }
        if (nsec is < 0 or >= 1_000_000_000) return -Errno.EINVAL;
        value = sec * 1_000_000_000L + nsec;
        return 0;
    }

    [Syscall(235, "s,p")]
    static long Utimes(GuestProcess p, in SyscallArgs a) => Futimesat(p, AT_FDCWD, a.A0, a.A1);

    [Syscall(261, "f,s,p")]
    static long FutimesatCall(GuestProcess p, in SyscallArgs a) => Futimesat(p, (int)a.A0, a.A1, a.A2);

    static long Futimesat(GuestProcess p, int dirfd, ulong pathAddress, ulong times)
    {
        long now = p.Kernel.Clock.RealtimeNanoseconds;
        long? atime = now, mtime = now;
        if (times != 0)
        {
            var tv = new byte[32];
            if (!p.Memory.TryRead(times, tv)) return -Errno.EFAULT;
            long[] v = [.. Enumerable.Range(0, 4).Select(i => BinaryPrimitives.ReadInt64LittleEndian(tv.AsSpan(i * 8)))];
            if (v[1] is < 0 or >= 1_000_000 || v[3] is < 0 or >= 1_000_000) return -Errno.EINVAL;
            atime = v[0] * 1_000_000_000L + v[1] * 1000;
            mtime = v[2] * 1_000_000_000L + v[3] * 1000;
        }
        return SetTimes(p, dirfd, pathAddress, 0, atime, mtime);
    }

    [Syscall(132, "s,p")]
    static long Utime(GuestProcess p, in SyscallArgs a)
    {
        long now = p.Kernel.Clock.RealtimeNanoseconds;
        long? atime = now, mtime = now;
        if (a.A1 != 0)
        {
            if (!GuestIo.ReadU64(p, a.A1, out ulong at) || !GuestIo.ReadU64(p, a.A1 + 8, out ulong mt)) return -Errno.EFAULT;
            atime = (long)at * 1_000_000_000L;
            mtime = (long)mt * 1_000_000_000L;
        }
        return SetTimes(p, AT_FDCWD, a.A0, 0, atime, mtime);
    }

    // ---- truncate -------------------------------------------------------------------------------------

    [Syscall(76, "s,d")]
    static long Truncate(GuestProcess p, in SyscallArgs a)
    {
        if ((long)a.A1 < 0) return -Errno.EINVAL;
        int err = Resolve(p, AT_FDCWD, a.A0, followLast: true, out ResolvedPath r, out _);
        if (err != 0) return err;
        FileStatus? st = r.FileSystem.Lstat(r.RelativePath, out int errno);
        if (st == null) return -(errno == 0 ? Errno.ENOENT : errno);
        if (st.Kind == FileKind.Directory) return -Errno.EISDIR;
        if (st.Kind != FileKind.Regular) return -Errno.EINVAL;
        if (r.FileSystem.ReadOnly) return -Errno.EROFS;
        return p.Kernel.Vfs.Watches.Then(-r.FileSystem.Truncate(r.RelativePath, (long)a.A1), r.FileSystem, r.RelativePath, FileWatches.IN_MODIFY);
    }

    [Syscall(77, "d,d")]
    static long Ftruncate(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null || f is PathFile) return -Errno.EBADF;
        if ((long)a.A1 < 0) return -Errno.EINVAL;
        FileStatus st = f.Status();
        if (st.Kind == FileKind.Directory) return -Errno.EISDIR;
        if (st.Kind != FileKind.Regular || !f.CanWrite) return -Errno.EINVAL;
        return p.Kernel.Vfs.Watches.Then(f.SetLength((long)a.A1), f, FileWatches.IN_MODIFY);
    }

    // ---- statfs ---------------------------------------------------------------------------------------

    [Syscall(137, "s,p")]
    static long Statfs(GuestProcess p, in SyscallArgs a)
    {
        int err = Resolve(p, AT_FDCWD, a.A0, followLast: true, out ResolvedPath r, out _);
        if (err != 0) return err;
        if (r.FileSystem.Lstat(r.RelativePath, out int errno) == null) return -(errno == 0 ? Errno.ENOENT : errno);
        return WriteStatfs(p, a.A1, r.FileSystem.StatFs());
    }

    [Syscall(138, "d,p")]
    static long Fstatfs(GuestProcess p, in SyscallArgs a)
    {
        OpenFile? f = p.Files.Get((int)a.A0);
        if (f == null) return -Errno.EBADF;
        const long PipefsMagic = 0x50495045;
        StatFsInfo info = f.FileSystem?.StatFs() ?? new StatFsInfo(PipefsMagic, 4096, 0, 0, 0, 0, 0);
        return WriteStatfs(p, a.A1, info);
    }

    static long WriteStatfs(GuestProcess p, ulong address, StatFsInfo s)
    {
        // struct statfs (x86-64): f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, f_fsid[2],
        // f_namelen, f_frsize, f_flags, f_spare[4]: 120 bytes.
        var b = new byte[120];
        var w = b.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(w, s.Type);
        BinaryPrimitives.WriteInt64LittleEndian(w[8..], s.BlockSize);
        BinaryPrimitives.WriteUInt64LittleEndian(w[16..], s.Blocks);
        BinaryPrimitives.WriteUInt64LittleEndian(w[24..], s.FreeBlocks);
        BinaryPrimitives.WriteUInt64LittleEndian(w[32..], s.AvailableBlocks);
        BinaryPrimitives.WriteUInt64LittleEndian(w[40..], s.Files);
        BinaryPrimitives.WriteUInt64LittleEndian(w[48..], s.FreeFiles);
        BinaryPrimitives.WriteInt64LittleEndian(w[64..], s.NameLength);
        BinaryPrimitives.WriteInt64LittleEndian(w[72..], s.BlockSize);
        BinaryPrimitives.WriteInt64LittleEndian(w[80..], s.Flags | 0x20 /* ST_VALID */);
        return p.Memory.TryWrite(address, b) ? 0 : -Errno.EFAULT;
    }
}
