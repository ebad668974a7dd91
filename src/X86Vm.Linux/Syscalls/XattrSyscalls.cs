using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;
using static X86Vm.Linux.Syscalls.PathResolution;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// Extended attributes (getxattr(2), setxattr(2), listxattr(2), removexattr(2)) in their path, l- (no final symlink)
/// and f- (descriptor) forms. Names need a namespace: user., trusted. (CAP_SYS_ADMIN) and security.; system. (ACLs)
/// is EOPNOTSUPP; user. attributes exist only on regular files and directories (EPERM elsewhere).
/// </summary>
[SyscallFamily]
static class XattrSyscalls
{
    const int NameMax = 255, SizeMax = 65536, CAP_SYS_ADMIN = 21;

    /// <summary>The attributes of a path (followLast: the path forms) or a descriptor (path null).</summary>
    static long Target(GuestProcess p, ulong pathOrFd, bool isFd, bool followLast, bool forWriting, out ExtendedAttributes? set, out FileStatus? st)
    {
        set = null;
        st = null;
        int errno;
        if (isFd)
        {
            OpenFile? f = p.Files.Get((int)pathOrFd);
            if (f == null || f is PathFile) return -Errno.EBADF;
            st = f.Status();
            set = f.Xattrs(forWriting, out errno);
            return set == null ? -errno : 0;
        }
        int err = Resolve(p, AT_FDCWD, pathOrFd, followLast, out ResolvedPath r, out _);
        if (err != 0) return err;
        if (r.MagicFile is OpenFile magic)
        {
            st = magic.Status();
            set = magic.Xattrs(forWriting, out errno);
            return set == null ? -errno : 0;
        }
        st = r.FileSystem.Lstat(r.RelativePath, out errno);
        if (st == null) return -(errno == 0 ? Errno.ENOENT : errno);
        if (forWriting && r.FileSystem.ReadOnly) return -Errno.EROFS;
        set = r.FileSystem.Xattrs(r.RelativePath, forWriting, out errno);
        return set == null ? -errno : 0;
    }

    /// <summary>The name argument: 1..255 bytes (ERANGE) in a known namespace (EOPNOTSUPP).</summary>
    static long Name(GuestProcess p, ulong address, out string name)
    {
        name = "";
        byte[]? raw = p.Memory.TryReadCString(address, NameMax + 1);
        if (raw == null) return p.Memory.TryReadCString(address, 1 << 16) != null ? -Errno.ERANGE : -Errno.EFAULT;
        if (raw.Length == 0) return -Errno.ERANGE;
        name = GuestNames.FromBytes(raw);
        if (!name.StartsWith("user.", StringComparison.Ordinal) && !name.StartsWith("trusted.", StringComparison.Ordinal) &&
            !name.StartsWith("security.", StringComparison.Ordinal)) return -Errno.EOPNOTSUPP;
        return 0;
    }

    /// <summary>xattr_permission: trusted. needs CAP_SYS_ADMIN; user. only on regular files and directories, with the
    /// file's read (get) or write (set, remove) permission.</summary>
    static long Permission(GuestProcess p, string name, FileStatus st, bool write)
    {
        if (name.StartsWith("trusted.", StringComparison.Ordinal) && !p.Credentials.Has(CAP_SYS_ADMIN)) return write ? -Errno.EPERM : -Errno.ENODATA;
        if (name.StartsWith("user.", StringComparison.Ordinal))
        {
            if (st.Kind is not (FileKind.Regular or FileKind.Directory)) return write ? -Errno.EPERM : -Errno.ENODATA;
            if (!p.Credentials.MayAccess(st, write ? 2 : 4)) return -Errno.EACCES;
        }
        return 0;
    }

    static long Set(GuestProcess p, in SyscallArgs a, bool isFd, bool follow)
    {
        int flags = (int)a.A4;
        if ((flags & ~(ExtendedAttributes.XATTR_CREATE | ExtendedAttributes.XATTR_REPLACE)) != 0) return -Errno.EINVAL;
        long e = Name(p, a.A1, out string name);
        if (e != 0) return e;
        if (a.A3 > SizeMax) return -Errno.E2BIG;
        var value = new byte[a.A3];
        if (value.Length > 0 && !p.Memory.TryRead(a.A2, value)) return -Errno.EFAULT;
        e = Target(p, a.A0, isFd, follow, forWriting: true, out ExtendedAttributes? set, out FileStatus? st);
        if (e != 0) return e;
        e = Permission(p, name, st!, write: true);
        return e != 0 ? e : -set!.Set(name, value, flags);
    }

    static long Get(GuestProcess p, in SyscallArgs a, bool isFd, bool follow)
    {
        long e = Name(p, a.A1, out string name);
        if (e != 0) return e;
        e = Target(p, a.A0, isFd, follow, forWriting: false, out ExtendedAttributes? set, out FileStatus? st);
        if (e != 0) return e;
        e = Permission(p, name, st!, write: false);
        if (e != 0) return e;
        int err = set!.Get(name, out byte[] value);
        if (err != 0) return -err;
        if (a.A3 == 0) return value.Length;
        if (a.A3 < (ulong)value.Length) return -Errno.ERANGE;
        return p.Memory.TryWrite(a.A2, value) ? value.Length : -Errno.EFAULT;
    }

    static long List(GuestProcess p, in SyscallArgs a, bool isFd, bool follow)
    {
        long e = Target(p, a.A0, isFd, follow, forWriting: false, out ExtendedAttributes? set, out FileStatus? _);
        if (e != 0) return e;
        bool admin = p.Credentials.Has(CAP_SYS_ADMIN);
        var bytes = new List<byte>();
        foreach (string name in set!.Names)
            if (admin || !name.StartsWith("trusted.", StringComparison.Ordinal)) { bytes.AddRange(GuestNames.ToBytes(name)); bytes.Add(0); }
        if (a.A2 == 0) return bytes.Count;
        if (a.A2 < (ulong)bytes.Count) return -Errno.ERANGE;
        return p.Memory.TryWrite(a.A1, bytes.ToArray()) ? bytes.Count : -Errno.EFAULT;
    }

    static long Remove(GuestProcess p, in SyscallArgs a, bool isFd, bool follow)
    {
        long e = Name(p, a.A1, out string name);
        if (e != 0) return e;
        e = Target(p, a.A0, isFd, follow, forWriting: true, out ExtendedAttributes? set, out FileStatus? st);
        if (e != 0) return e;
        e = Permission(p, name, st!, write: true);
        return e != 0 ? e : -set!.Remove(name);
    }

    [Syscall(188, "s,s,p,u,x")] static long Setxattr(GuestProcess p, in SyscallArgs a) => Set(p, a, false, true);
    [Syscall(189, "s,s,p,u,x")] static long Lsetxattr(GuestProcess p, in SyscallArgs a) => Set(p, a, false, false);
    [Syscall(190, "d,s,p,u,x")] static long Fsetxattr(GuestProcess p, in SyscallArgs a) => Set(p, a, true, true);
    [Syscall(191, "s,s,p,u")] static long Getxattr(GuestProcess p, in SyscallArgs a) => Get(p, a, false, true);
    [Syscall(192, "s,s,p,u")] static long Lgetxattr(GuestProcess p, in SyscallArgs a) => Get(p, a, false, false);
    [Syscall(193, "d,s,p,u")] static long Fgetxattr(GuestProcess p, in SyscallArgs a) => Get(p, a, true, true);
    [Syscall(194, "s,p,u")] static long Listxattr(GuestProcess p, in SyscallArgs a) => List(p, a, false, true);
    [Syscall(195, "s,p,u")] static long Llistxattr(GuestProcess p, in SyscallArgs a) => List(p, a, false, false);
    [Syscall(196, "d,p,u")] static long Flistxattr(GuestProcess p, in SyscallArgs a) => List(p, a, true, true);
    [Syscall(197, "s,s")] static long Removexattr(GuestProcess p, in SyscallArgs a) => Remove(p, a, false, true);
    [Syscall(198, "s,s")] static long Lremovexattr(GuestProcess p, in SyscallArgs a) => Remove(p, a, false, false);
    [Syscall(199, "d,s")] static long Fremovexattr(GuestProcess p, in SyscallArgs a) => Remove(p, a, true, true);
}
