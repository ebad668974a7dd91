using X86Vm.Linux.Process;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// User and group ids, supplementary groups and capabilities (credentials(7), capabilities(7)), as kernel/sys.c and
/// kernel/capability.c apply them to the process's <see cref="Credentials"/>. -1 leaves an id unchanged; an unprivileged
/// caller may only move among its current ids.
/// </summary>
[SyscallFamily]
static class IdentitySyscalls
{
    const uint Unchanged = uint.MaxValue;
    const int NgroupsMax = 65536;

    [Syscall(102)] static long Getuid(GuestProcess p, in SyscallArgs a) => p.Credentials.Uid;
    [Syscall(104)] static long Getgid(GuestProcess p, in SyscallArgs a) => p.Credentials.Gid;
    [Syscall(107)] static long Geteuid(GuestProcess p, in SyscallArgs a) => p.Credentials.Euid;
    [Syscall(108)] static long Getegid(GuestProcess p, in SyscallArgs a) => p.Credentials.Egid;

    [Syscall(118, "p,p,p")]
    static long Getresuid(GuestProcess p, in SyscallArgs a)
    {
        Credentials c = p.Credentials;
        return GuestIo.WriteU32(p, a.A0, c.Uid) && GuestIo.WriteU32(p, a.A1, c.Euid) && GuestIo.WriteU32(p, a.A2, c.Suid) ? 0 : -Errno.EFAULT;
    }

    [Syscall(120, "p,p,p")]
    static long Getresgid(GuestProcess p, in SyscallArgs a)
    {
        Credentials c = p.Credentials;
        return GuestIo.WriteU32(p, a.A0, c.Gid) && GuestIo.WriteU32(p, a.A1, c.Egid) && GuestIo.WriteU32(p, a.A2, c.Sgid) ? 0 : -Errno.EFAULT;
    }

    /// <summary>Runs a uid change on a copy and commits it with the capability rules (commit_creds).</summary>
    static long ChangeUids(GuestProcess p, Func<Credentials, long> change)
    {
        Credentials old = p.Credentials, c = old.Clone();
        long r = change(c);
        if (r != 0) return r;
        c.AfterUidChange(old.Uid, old.Euid, old.Suid, old.Fsuid);
        p.Credentials = c;
        return 0;
    }

    static long ChangeGids(GuestProcess p, Func<Credentials, long> change)
    {
        Credentials c = p.Credentials.Clone();
        long r = change(c);
        if (r != 0) return r;
        p.Credentials = c;
        return 0;
    }

    [Syscall(105, "d")]
    static long Setuid(GuestProcess p, in SyscallArgs a)
    {
        uint uid = (uint)a.A0;
        if (uid == Unchanged) return -Errno.EINVAL;
        return ChangeUids(p, c =>
        {
            if (c.Has(Credentials.CAP_SETUID)) c.Uid = c.Suid = uid;
            else if (uid != c.Uid && uid != c.Suid) return -Errno.EPERM;
            c.Euid = c.Fsuid = uid;
            return 0;
        });
    }

    [Syscall(106, "d")]
    static long Setgid(GuestProcess p, in SyscallArgs a)
    {
        uint gid = (uint)a.A0;
        if (gid == Unchanged) return -Errno.EINVAL;
        return ChangeGids(p, c =>
        {
            if (c.Has(Credentials.CAP_SETGID)) c.Gid = c.Sgid = gid;
            else if (gid != c.Gid && gid != c.Sgid) return -Errno.EPERM;
            c.Egid = c.Fsgid = gid;
            return 0;
        });
    }

    /// <summary>setreuid/setregid: the real id may become the effective one; the effective any of the three; the saved
    /// id follows the new effective one when the real id is set or the effective one differs from the old real id.</summary>
    [Syscall(113, "d,d")]
    static long Setreuid(GuestProcess p, in SyscallArgs a)
    {
        uint ruid = (uint)a.A0, euid = (uint)a.A1;
        return ChangeUids(p, c =>
        {
            bool cap = c.Has(Credentials.CAP_SETUID);
            uint oldUid = c.Uid;
            if (ruid != Unchanged && !cap && ruid != c.Uid && ruid != c.Euid) return -Errno.EPERM;
            if (euid != Unchanged && !cap && euid != c.Uid && euid != c.Euid && euid != c.Suid) return -Errno.EPERM;
            if (ruid != Unchanged) c.Uid = ruid;
            if (euid != Unchanged) c.Euid = euid;
            if (ruid != Unchanged || (euid != Unchanged && euid != oldUid)) c.Suid = c.Euid;
            c.Fsuid = c.Euid;
            return 0;
        });
    }

    [Syscall(114, "d,d")]
    static long Setregid(GuestProcess p, in SyscallArgs a)
    {
        uint rgid = (uint)a.A0, egid = (uint)a.A1;
        return ChangeGids(p, c =>
        {
            bool cap = c.Has(Credentials.CAP_SETGID);
            uint oldGid = c.Gid;
            if (rgid != Unchanged && !cap && rgid != c.Gid && rgid != c.Egid) return -Errno.EPERM;
            if (egid != Unchanged && !cap && egid != c.Gid && egid != c.Egid && egid != c.Sgid) return -Errno.EPERM;
            if (rgid != Unchanged) c.Gid = rgid;
            if (egid != Unchanged) c.Egid = egid;
            if (rgid != Unchanged || (egid != Unchanged && egid != oldGid)) c.Sgid = c.Egid;
            c.Fsgid = c.Egid;
            return 0;
        });
    }

    /// <summary>setresuid/setresgid: without the capability, each new id must be one of the current three.</summary>
    [Syscall(117, "d,d,d")]
    static long Setresuid(GuestProcess p, in SyscallArgs a)
    {
        uint r = (uint)a.A0, e = (uint)a.A1, s = (uint)a.A2;
        return ChangeUids(p, c =>
        {
            bool Allowed(uint id) => id == Unchanged || id == c.Uid || id == c.Euid || id == c.Suid;
            if (!c.Has(Credentials.CAP_SETUID) && !(Allowed(r) && Allowed(e) && Allowed(s))) return -Errno.EPERM;
            if (r != Unchanged) c.Uid = r;
            if (e != Unchanged) c.Euid = e;
            if (s != Unchanged) c.Suid = s;
            c.Fsuid = c.Euid;
            return 0;
        });
    }

    [Syscall(119, "d,d,d")]
    static long Setresgid(GuestProcess p, in SyscallArgs a)
    {
        uint r = (uint)a.A0, e = (uint)a.A1, s = (uint)a.A2;
        return ChangeGids(p, c =>
        {
            bool Allowed(uint id) => id == Unchanged || id == c.Gid || id == c.Egid || id == c.Sgid;
            if (!c.Has(Credentials.CAP_SETGID) && !(Allowed(r) && Allowed(e) && Allowed(s))) return -Errno.EPERM;
            if (r != Unchanged) c.Gid = r;
            if (e != Unchanged) c.Egid = e;
            if (s != Unchanged) c.Sgid = s;
            c.Fsgid = c.Egid;
            return 0;
        });
    }

    /// <summary>setfsuid/setfsgid always return the previous id; the change happens only when allowed (setfsuid(2)).</summary>
    [Syscall(122, "d")]
    static long Setfsuid(GuestProcess p, in SyscallArgs a)
    {
        uint id = (uint)a.A0, old = p.Credentials.Fsuid;
        ChangeUids(p, c =>
        {
            if (id == Unchanged) return 1;
            if (id != c.Uid && id != c.Euid && id != c.Suid && id != c.Fsuid && !c.Has(Credentials.CAP_SETUID)) return 1;
            c.Fsuid = id;
            return 0;
        });
        return old;
    }

    [Syscall(123, "d")]
    static long Setfsgid(GuestProcess p, in SyscallArgs a)
    {
        uint id = (uint)a.A0, old = p.Credentials.Fsgid;
        ChangeGids(p, c =>
        {
            if (id == Unchanged) return 1;
            if (id != c.Gid && id != c.Egid && id != c.Sgid && id != c.Fsgid && !c.Has(Credentials.CAP_SETGID)) return 1;
            c.Fsgid = id;
            return 0;
        });
        return old;
    }

    [Syscall(115, "d,p")]
    static long Getgroups(GuestProcess p, in SyscallArgs a)
    {
        uint[] groups = p.Credentials.Groups;
        int size = (int)a.A0;
        if (size < 0) return -Errno.EINVAL;
        if (size == 0) return groups.Length;
        if (size < groups.Length) return -Errno.EINVAL;
        var bytes = new byte[groups.Length * 4];
        Buffer.BlockCopy(groups, 0, bytes, 0, bytes.Length);
        return p.Memory.TryWrite(a.A1, bytes) ? groups.Length : -Errno.EFAULT;
    }

    /// <summary>setgroups(2): CAP_SETGID; the list is kept sorted, as groups_sort does.</summary>
    [Syscall(116, "d,p")]
    static long Setgroups(GuestProcess p, in SyscallArgs a)
    {
        int size = (int)a.A0;
        if (size < 0 || size > NgroupsMax) return -Errno.EINVAL;
        if (!p.Credentials.Has(Credentials.CAP_SETGID)) return -Errno.EPERM;
        var bytes = new byte[size * 4];
        if (size > 0 && !p.Memory.TryRead(a.A1, bytes)) return -Errno.EFAULT;
        var groups = new uint[size];
        Buffer.BlockCopy(bytes, 0, groups, 0, bytes.Length);
        Array.Sort(groups);
        return ChangeGids(p, c => { c.Groups = groups; return 0; });
    }

    const uint CapabilityV1 = 0x19980330, CapabilityV2 = 0x20071026, CapabilityV3 = 0x20080522;

    /// <summary>Checks the header's version (cap_validate_magic): an unknown one is answered with the preferred version
    /// and EINVAL. Returns the number of 32-bit words per set, or a negated errno.</summary>
    static long Version(GuestProcess p, ulong header, out int pid)
    {
        pid = 0;
        var h = new byte[8];
        if (!p.Memory.TryRead(header, h)) return -Errno.EFAULT;
        uint version = BitConverter.ToUInt32(h, 0);
        pid = BitConverter.ToInt32(h, 4);
        if (version is CapabilityV2 or CapabilityV3) return 2;
        if (version == CapabilityV1) return 1;
        return GuestIo.WriteU32(p, header, CapabilityV3) ? -Errno.EINVAL : -Errno.EFAULT;
    }

    [Syscall(125, "p,p")]
    static long Capget(GuestProcess p, in SyscallArgs a)
    {
        long words = Version(p, a.A0, out int pid);
        if (a.A1 == 0 && words is >= 0 or -Errno.EINVAL) return 0; // probing the version (the header says the preferred one)
        if (words < 0) return words;
        if (pid < 0) return -Errno.EINVAL;
        GuestProcess? target = pid == 0 ? p : p.Kernel.FindProcess(pid);
        if (target == null || target.Exited) return -Errno.ESRCH;
        Credentials c = target.Credentials;
        var data = new byte[words * 12];
        for (int i = 0; i < words; i++)
        {
            BitConverter.TryWriteBytes(data.AsSpan(i * 12), (uint)(c.Effective >> (32 * i)));
            BitConverter.TryWriteBytes(data.AsSpan(i * 12 + 4), (uint)(c.Permitted >> (32 * i)));
            BitConverter.TryWriteBytes(data.AsSpan(i * 12 + 8), (uint)(c.Inheritable >> (32 * i)));
        }
        return p.Memory.TryWrite(a.A1, data) ? 0 : -Errno.EFAULT;
    }

    /// <summary>capset(2): only the caller's own sets; permitted may only shrink, effective stays within permitted,
    /// inheritable within the old inheritable and permitted sets (and the bounding set without CAP_SETPCAP).</summary>
    [Syscall(126, "p,p")]
    static long Capset(GuestProcess p, in SyscallArgs a)
    {
        long words = Version(p, a.A0, out int pid);
        if (words < 0) return words;
        if (pid != 0 && pid != p.Pid) return -Errno.EPERM;
        var data = new byte[words * 12];
        if (!p.Memory.TryRead(a.A1, data)) return -Errno.EFAULT;
        ulong effective = 0, permitted = 0, inheritable = 0;
        for (int i = 0; i < words; i++)
        {
            effective |= (ulong)BitConverter.ToUInt32(data, i * 12) << (32 * i);
            permitted |= (ulong)BitConverter.ToUInt32(data, i * 12 + 4) << (32 * i);
            inheritable |= (ulong)BitConverter.ToUInt32(data, i * 12 + 8) << (32 * i);
        }
        ulong valid = Credentials.AllCapabilities;
        effective &= valid; permitted &= valid; inheritable &= valid;
        Credentials old = p.Credentials;
        if ((permitted & ~old.Permitted) != 0 || (effective & ~permitted) != 0) return -Errno.EPERM;
        ulong allowedInheritable = old.Inheritable | (old.Has(Credentials.CAP_SETPCAP) ? old.Bounding : old.Permitted);
        if ((inheritable & ~allowedInheritable) != 0 || (inheritable & ~(old.Inheritable | old.Bounding)) != 0) return -Errno.EPERM;
        Credentials c = old.Clone();
        c.Effective = effective;
        c.Permitted = permitted;
        c.Inheritable = inheritable;
        p.Credentials = c;
        return 0;
    }
}
