using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// System V shared memory (shmget(2), shmat(2), shmctl(2)): segments are VM state (<see cref="SharedMemorySegments"/>);
/// an attachment is a shared mapping of the segment's memory, so fork shares it and writes are seen by every attacher.
/// </summary>
[SyscallFamily]
static class ShmSyscalls
{
    const int IPC_PRIVATE = 0, IPC_CREAT = 0x200, IPC_EXCL = 0x400, IPC_RMID = 0, IPC_SET = 1, IPC_STAT = 2, IPC_INFO = 3,
        SHM_LOCK = 11, SHM_UNLOCK = 12, SHM_STAT = 13, SHM_INFO = 14, SHM_STAT_ANY = 15, IPC_64 = 0x100;
    const int SHM_RDONLY = 0x1000, SHM_RND = 0x2000, SHM_REMAP = 0x4000, SHM_EXEC = 0x8000, SHM_HUGETLB = 0x800;
    const ulong ShmMax = 0xFFFFFFFFFEFFFFFFUL, ShmMin = 1;

    static long Now(GuestProcess p) => p.Kernel.Clock.RealtimeNanoseconds / 1_000_000_000;

    /// <summary>ipcperms: the owner's, group's or others' bits of the mode (or CAP_IPC_OWNER, 15).</summary>
    static bool Allowed(GuestProcess p, SharedMemorySegment s, int want)
    {
        Credentials c = p.Credentials;
        if (c.Has(15)) return true;
        uint mode = s.Mode;
        uint granted = c.Euid == s.Uid || c.Euid == s.CreatorUid ? mode >> 6 : c.InGroup(s.Gid) || c.InGroup(s.CreatorGid) ? mode >> 3 : mode;
        return ((uint)want & ~granted & 7) == 0;
    }

    [Syscall(29, "d,u,x")]
    static long Shmget(GuestProcess p, in SyscallArgs a)
    {
        int key = (int)a.A0, flags = (int)a.A2;
        ulong size = a.A1;
        SharedMemorySegments all = p.Kernel.SharedMemory;
        all.Collect(p.Kernel);
        if (key != IPC_PRIVATE && all.ById.Values.FirstOrDefault(s => s.Key == key && !s.Removed) is { } existing)
        {
            if ((flags & IPC_CREAT) != 0 && (flags & IPC_EXCL) != 0) return -Errno.EEXIST;
            if (size > existing.Size) return -Errno.EINVAL;
            int want = (flags >> 6 & 4) | (flags >> 6 & 2); // the requested owner bits, as ipcperms checks shmflg
            if (!Allowed(p, existing, want & 6)) return -Errno.EACCES;
            return existing.Id;
        }
        if (key != IPC_PRIVATE && (flags & IPC_CREAT) == 0) return -Errno.ENOENT;
        if (size < ShmMin || size > ShmMax) return -Errno.EINVAL;
        if ((flags & SHM_HUGETLB) != 0) return -Errno.EINVAL;
        if (size > (ulong)p.Memory.Account.LimitBytes) return -Errno.ENOMEM;
        Credentials c = p.Credentials;
        var segment = new SharedMemorySegment
        {
            Id = all.NextId(), Key = key, Size = size, Mode = (uint)flags & 0x1FF, Uid = c.Euid, Gid = c.Egid,
            CreatorUid = c.Euid, CreatorGid = c.Egid, CreatorPid = p.Pid, ChangeTime = Now(p),
            Memory = new AnonymousSharedMemory(p.Memory.Account),
        };
        segment.Memory.Attach(); // held by the registry until IPC_RMID and the last detach
        all.ById[segment.Id] = segment;
        return segment.Id;
    }

    [Syscall(30, "d,p,x")]
    static long Shmat(GuestProcess p, in SyscallArgs a)
    {
        int id = (int)a.A0, flags = (int)a.A2;
        ulong addr = a.A1;
        if (!p.Kernel.SharedMemory.ById.TryGetValue(id, out SharedMemorySegment? s) || (s.Removed && SharedMemorySegments.Attachments(p.Kernel, s) == 0))
            return -Errno.EINVAL;
        if (addr != 0)
        {
            if ((flags & SHM_RND) != 0) addr &= ~0xFFFUL;
            else if ((addr & 0xFFF) != 0) return -Errno.EINVAL;
        }
        else if ((flags & SHM_REMAP) != 0) return -Errno.EINVAL;
        bool readOnly = (flags & SHM_RDONLY) != 0;
        if (!Allowed(p, s, readOnly ? 4 : 6)) return -Errno.EACCES;
        ulong size = AddressSpace.PageAlignUp(s.Size);
        ulong start;
        if (addr == 0)
        {
            ulong? free = MemorySyscalls.FindMmapArea(p, size);
            if (free == null) return -Errno.ENOMEM;
            start = free.Value;
        }
        else
        {
            if (addr + size > AddressSpace.UserTop || addr + size < addr) return -Errno.EINVAL;
            if ((flags & SHM_REMAP) == 0 && p.Memory.Mappings.Isolate(addr, addr + size).Count > 0) return -Errno.EINVAL;
            start = addr;
            p.Memory.Unmap(start, size);
        }
        var prot = Protection.Read | (readOnly ? 0 : Protection.Write) | ((flags & SHM_EXEC) != 0 ? Protection.Execute : 0);
        p.Memory.Map(start, size, prot, MappingFlags.Shared | (readOnly ? MappingFlags.NoWrite : 0), $"/SYSV{s.Key:x8} (deleted)", 0, s.Memory);
        s.AttachTime = Now(p);
        s.LastPid = p.Pid;
        return (long)start;
    }

    [Syscall(67, "p")]
    static long Shmdt(GuestProcess p, in SyscallArgs a)
    {
        ulong addr = a.A0;
        if ((addr & 0xFFF) != 0) return -Errno.EINVAL;
        Mapping? m = p.Memory.Mappings.All.FirstOrDefault(x => x.Start == addr && x.FileOffset == 0);
        SharedMemorySegment? s = m == null ? null : p.Kernel.SharedMemory.ById.Values.FirstOrDefault(x => x.Memory == m.Source);
        if (s == null) return -Errno.EINVAL;
        ulong size = AddressSpace.PageAlignUp(s.Size);
        foreach (Mapping piece in p.Memory.Mappings.All.Where(x => x.Source == s.Memory && x.Start >= addr && x.End <= addr + size).ToList())
            p.Memory.Unmap(piece.Start, piece.End - piece.Start);
        s.DetachTime = Now(p);
        s.LastPid = p.Pid;
        p.Kernel.SharedMemory.Collect(p.Kernel);
        return 0;
    }

    [Syscall(31, "d,d,p")]
    static long Shmctl(GuestProcess p, in SyscallArgs a)
    {
        int id = (int)a.A0, cmd = (int)a.A1 & ~IPC_64;
        SharedMemorySegments all = p.Kernel.SharedMemory;
        all.Collect(p.Kernel);
        if (cmd is IPC_INFO or SHM_INFO)
        {
            var info = new byte[cmd == IPC_INFO ? 80 : 48];
            if (cmd == IPC_INFO)
            {
                BitConverter.TryWriteBytes(info.AsSpan(0), ShmMax);          // shmmax
                BitConverter.TryWriteBytes(info.AsSpan(8), ShmMin);          // shmmin
                BitConverter.TryWriteBytes(info.AsSpan(16), 4096UL);         // shmmni
                BitConverter.TryWriteBytes(info.AsSpan(24), 4096UL);         // shmseg
                BitConverter.TryWriteBytes(info.AsSpan(32), ShmMax);         // shmall
            }
            else BitConverter.TryWriteBytes(info.AsSpan(0), all.ById.Count); // used_ids
            if (!p.Memory.TryWrite(a.A2, info)) return -Errno.EFAULT;
            return all.ById.Count == 0 ? 0 : all.ById.Keys.Max() % 32768;
        }
        if (!all.ById.TryGetValue(id, out SharedMemorySegment? s)) return -Errno.EINVAL;
        Credentials c = p.Credentials;
        bool owner = c.Euid == s.Uid || c.Euid == s.CreatorUid || c.Has(21);
        switch (cmd)
        {
            case IPC_STAT or SHM_STAT or SHM_STAT_ANY:
            {
                if (cmd != SHM_STAT_ANY && !Allowed(p, s, 4)) return -Errno.EACCES;
                var ds = new byte[112];
                BitConverter.TryWriteBytes(ds.AsSpan(0), s.Removed ? IPC_PRIVATE : s.Key);
                BitConverter.TryWriteBytes(ds.AsSpan(4), s.Uid);
                BitConverter.TryWriteBytes(ds.AsSpan(8), s.Gid);
                BitConverter.TryWriteBytes(ds.AsSpan(12), s.CreatorUid);
                BitConverter.TryWriteBytes(ds.AsSpan(16), s.CreatorGid);
                BitConverter.TryWriteBytes(ds.AsSpan(20), s.Mode | (s.Removed ? 0x200u : 0)); // SHM_DEST
                BitConverter.TryWriteBytes(ds.AsSpan(24), (ushort)(s.Id / 32768));
                BitConverter.TryWriteBytes(ds.AsSpan(48), s.Size);
                BitConverter.TryWriteBytes(ds.AsSpan(56), s.AttachTime);
                BitConverter.TryWriteBytes(ds.AsSpan(64), s.DetachTime);
                BitConverter.TryWriteBytes(ds.AsSpan(72), s.ChangeTime);
                BitConverter.TryWriteBytes(ds.AsSpan(80), s.CreatorPid);
                BitConverter.TryWriteBytes(ds.AsSpan(84), s.LastPid);
                BitConverter.TryWriteBytes(ds.AsSpan(88), (ulong)SharedMemorySegments.Attachments(p.Kernel, s));
                if (!p.Memory.TryWrite(a.A2, ds)) return -Errno.EFAULT;
                return cmd == IPC_STAT ? 0 : s.Id;
            }
            case IPC_SET:
            {
                var ds = new byte[24];
                if (!p.Memory.TryRead(a.A2, ds)) return -Errno.EFAULT;
                if (!owner) return -Errno.EPERM;
                s.Uid = BitConverter.ToUInt32(ds, 4);
                s.Gid = BitConverter.ToUInt32(ds, 8);
                s.Mode = s.Mode & ~0x1FFu | BitConverter.ToUInt32(ds, 20) & 0x1FF;
                s.ChangeTime = Now(p);
                return 0;
            }
            case IPC_RMID:
                if (!owner) return -Errno.EPERM;
                s.Removed = true;
                s.ChangeTime = Now(p);
                all.Collect(p.Kernel);
                return 0;
            case SHM_LOCK or SHM_UNLOCK:
                return owner ? 0 : -Errno.EPERM;
            default:
                return -Errno.EINVAL;
        }
    }
}
