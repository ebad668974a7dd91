using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;
using static X86Vm.Linux.Process.IpcObject;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// System V shared memory (shmget(2), shmat(2), shmctl(2)): segments are VM state (<see cref="SharedMemorySegments"/>);
/// an attachment is a shared mapping of the segment's memory, so fork shares it and writes are seen by every attacher.
/// </summary>
[SyscallFamily]
static class ShmSyscalls
{
    const int SHM_LOCK = 11, SHM_UNLOCK = 12, SHM_STAT = 13, SHM_INFO = 14, SHM_STAT_ANY = 15;
    const int SHM_RDONLY = 0x1000, SHM_RND = 0x2000, SHM_REMAP = 0x4000, SHM_EXEC = 0x8000, SHM_HUGETLB = 0x800;
    const ulong ShmMax = 0xFFFFFFFFFEFFFFFFUL, ShmMin = 1;
    const int ShmMni = 4096;

    [Syscall(29, "d,u,x")]
    static long Shmget(GuestProcess p, in SyscallArgs a)
    {
        int key = (int)a.A0, flags = (int)a.A2;
        ulong size = a.A1;
        SharedMemorySegments all = p.Kernel.SharedMemory;
        all.Collect(p.Kernel);
        if (all.Registry.ByKey(key) is { } existing)
        {
            if ((flags & IPC_CREAT) != 0 && (flags & IPC_EXCL) != 0) return -Errno.EEXIST;
            if (!existing.Allowed(p, flags)) return -Errno.EACCES;
            if (size > existing.Size) return -Errno.EINVAL;
            return existing.Id;
        }
        if (key != IPC_PRIVATE && (flags & IPC_CREAT) == 0) return -Errno.ENOENT;
        if (size < ShmMin || size > ShmMax) return -Errno.EINVAL;
        if ((flags & SHM_HUGETLB) != 0) return -Errno.EINVAL;
        if (all.ById.Count >= ShmMni) return -Errno.ENOSPC;
        if (size > (ulong)p.Memory.Account.LimitBytes) return -Errno.ENOMEM;
        var segment = all.Registry.Add(new SharedMemorySegment(p, key, flags, size, new AnonymousSharedMemory(p.Memory.Account)));
        if (segment == null) return -Errno.ENOSPC;
        segment.Memory.Attach(); // held by the registry until IPC_RMID and the last detach
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
        if (!s.Allowed(p, readOnly ? S_IRUGO : S_IRUGO | S_IWUGO)) return -Errno.EACCES;
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
        s.AttachTime = IpcObject.Now(p);
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
        s.DetachTime = IpcObject.Now(p);
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
                BitConverter.TryWriteBytes(info.AsSpan(16), (ulong)ShmMni);  // shmmni
                BitConverter.TryWriteBytes(info.AsSpan(24), 4096UL);         // shmseg
                BitConverter.TryWriteBytes(info.AsSpan(32), ShmMax);         // shmall
            }
            else BitConverter.TryWriteBytes(info.AsSpan(0), all.ById.Count); // used_ids
            if (!p.Memory.TryWrite(a.A2, info)) return -Errno.EFAULT;
            return Math.Max(0, all.Registry.MaxIndex);
        }
        int errno = Errno.EINVAL;
        SharedMemorySegment? s = cmd is SHM_STAT or SHM_STAT_ANY ? all.Registry.AtIndex(id) : all.Registry.Lookup(id, out errno);
        if (s == null) return -errno;
        bool owner = s.IsOwner(p);
        switch (cmd)
        {
            case IPC_STAT or SHM_STAT or SHM_STAT_ANY:
            {
                if (cmd != SHM_STAT_ANY && !s.Allowed(p, S_IRUGO)) return -Errno.EACCES;
                var ds = new byte[112];
                s.WritePerm(ds);
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
                var ds = new byte[IpcObject.PermSize];
                if (!p.Memory.TryRead(a.A2, ds)) return -Errno.EFAULT;
                if (!owner) return -Errno.EPERM;
                s.SetPerm(p, ds);
                return 0;
            }
            case IPC_RMID:
                if (!owner) return -Errno.EPERM;
                s.Removed = true;
                s.ChangeTime = IpcObject.Now(p);
                all.Collect(p.Kernel);
                return 0;
            case SHM_LOCK or SHM_UNLOCK:
                return owner ? 0 : -Errno.EPERM;
            default:
                return -Errno.EINVAL;
        }
    }
}
