using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Syscalls;

/// <summary>memfd_create(2) and the file seals of fcntl(2) (F_ADD_SEALS, F_GET_SEALS).</summary>
[SyscallFamily]
static class MemfdSyscalls
{
    const int MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2, MFD_HUGETLB = 4, MFD_NOEXEC_SEAL = 8, MFD_EXEC = 0x10;
    const int MfdAllFlags = MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC;
    const int NameMax = 255 - 6; // MFD_NAME_MAX_LEN: NAME_MAX minus "memfd:"
    public const int F_ADD_SEALS = 1033, F_GET_SEALS = 1034;

    [Syscall(319, "s,x", Partial = "MFD_HUGETLB is refused (EINVAL)")]
    static long MemfdCreate(GuestProcess p, in SyscallArgs a)
    {
        int flags = (int)a.A1;
        if ((flags & ~MfdAllFlags) != 0 || (flags & MFD_HUGETLB) != 0) return -Errno.EINVAL;
        if ((flags & MFD_EXEC) != 0 && (flags & MFD_NOEXEC_SEAL) != 0) return -Errno.EINVAL;
        byte[]? raw = p.Memory.TryReadCString(a.A0, NameMax + 1);
        if (raw == null) return p.Memory.TryReadCString(a.A0, 1 << 16) != null ? -Errno.EINVAL : -Errno.EFAULT;
        string name = Vfs.GuestNames.FromBytes(raw);
        MemoryFileSystem shm = p.Kernel.MemfdMount;
        OpenFile f = shm.CreateMemfd(name, allowSealing: (flags & (MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL)) != 0,
            noExec: (flags & MFD_NOEXEC_SEAL) != 0);
        int fd = p.Files.Add(f, (flags & MFD_CLOEXEC) != 0);
        if (fd < 0) f.Release();
        return fd;
    }

    /// <summary>fcntl F_ADD_SEALS / F_GET_SEALS (memfd_fcntl): the descriptor must be writable to add seals.</summary>
    internal static long Seals(GuestProcess p, OpenFile f, int cmd, ulong arg)
    {
        var sealable = f as ISealableFile;
        if (cmd == F_GET_SEALS) return sealable?.Seals ?? -Errno.EINVAL;
        if (!f.CanWrite) return -Errno.EPERM;
        if ((arg & ~(ulong)Seal.All) != 0) return -Errno.EINVAL;
        if (sealable == null) return -Errno.EINVAL;
        return sealable.AddSeals((int)arg, content => WritablyMapped(p.Kernel, content));
    }

    /// <summary>mapping_writably_mapped: some process maps the content shared with the right to write (VM_SHARED | VM_MAYWRITE).</summary>
    static bool WritablyMapped(Kernel k, IPageSource content) =>
        k.Processes.Where(x => !x.Exited).Select(x => x.Memory).Distinct()
            .Any(m => m.Mappings.All.Any(v => v.Source == content && (v.Flags & MappingFlags.NoWrite) == 0));
}
