using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// Memory syscalls: mmap, munmap, mprotect, mremap, msync, madvise, brk (mmap(2), brk(2)).
///
/// MAP_SHARED maps an object's own pages (<see cref="Mapping.Source"/>): an in-memory file's content pages, a host
/// file's page cache (written back on msync, munmap, close and exit — see HostDirectoryFileSystem), or anonymous
/// shared memory, which fork shares with the child whether or not it was touched before.
/// </summary>
[SyscallFamily]
static class MemorySyscalls
{
    const int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_SHARED_VALIDATE = 3, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_GROWSDOWN = 0x100,
        MAP_NORESERVE = 0x4000, MAP_FIXED_NOREPLACE = 0x100000;
    const int MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2;
    const int MADV_DONTNEED = 4, MADV_FREE = 8;

    /// <summary>Top of the area where mmap places mappings, below the stack and its guard gap (mm/util.c mmap_base).</summary>
    public const ulong MmapTop = 0x7ffff7fff000;
    const ulong MmapBottom = 0x10000; // vm.mmap_min_addr

    /// <summary>Where mmap without a usable hint puts <paramref name="size"/> bytes: the highest free gap below
    /// <see cref="MmapTop"/> and above the heap's growth room (also used by the ELF loader for the interpreter).</summary>
    internal static ulong? FindMmapArea(GuestProcess p, ulong size) =>
        p.Memory.Mappings.FindFreeTopDown(size, Math.Max(MmapBottom, p.Brk + (64UL << 20)), TopOf(p));

    /// <summary>The top of the mmap area for the process's ABI (a 32-bit program's mappings stay below 4 GiB).</summary>
    internal static ulong TopOf(GuestProcess p) => p.Abi == ProcessAbi.I386 ? ProcessAbis.I386MmapTop : MmapTop;

    static bool PageAligned(ulong a) => (a & Page.OffsetMask) == 0;

    /// <summary>
    /// Linux's heuristic overcommit refuses a single request for more memory than the machine has; here the machine is
    /// the VM's memory limit. Only memory that would be committed counts (private writable without MAP_NORESERVE, or
    /// shared anonymous): reservations and file mappings do not. Touching pages is what the limit really bounds.
    /// </summary>
    static bool BeyondMemory(GuestProcess p, ulong bytes) => bytes > (ulong)p.Memory.Account.LimitBytes;

    [Syscall(9, "p,u,P,M,d,x", Partial = "private file mappings are copied when mapped (later writes to the file do not show through them)")]
    static long Mmap(GuestProcess p, in SyscallArgs a)
    {
        ulong addr = a.A0, length = a.A1;
        var prot = (Protection)(a.A2 & 7);
        int flags = (int)a.A3, fd = (int)a.A4;
        ulong offset = a.A5;
        int type = flags & 3;
        bool shared = type is MAP_SHARED or MAP_SHARED_VALIDATE;
        if (length == 0 || !PageAligned(offset) || type == 0) return -Errno.EINVAL;
        ulong size = AddressSpace.PageAlignUp(length);
        if (size == 0 || size > AddressSpace.UserTop) return -Errno.ENOMEM;

        OpenFile? file = null;
        IPageSource? source = null;
        var mflags = (flags & MAP_GROWSDOWN) != 0 ? MappingFlags.GrowsDown : MappingFlags.None;
        if ((flags & MAP_ANONYMOUS) == 0)
        {
            file = p.Files.Get(fd);
            if (file == null || file is PathFile) return -Errno.EBADF;
            FileStatus st = file.Status();
            if (st.Kind != FileKind.Regular && st.Kind != FileKind.CharDevice) return -Errno.ENODEV;
            if (!file.CanRead) return -Errno.EACCES;
            bool writable = (prot & Protection.Write) != 0;
            if (shared && writable && !file.CanWrite) return -Errno.EACCES;
            if (shared)
            {
                if (file is IMappableFile mappable)
                {
                    source = mappable.MapShared(writable, out int errno);
                    if (source == null) return -errno;
                    if (!file.CanWrite || (file as ISealableFile)?.Seals is int seals && seals > 0 && (seals & (Seal.Write | Seal.FutureWrite)) != 0)
                        mflags |= MappingFlags.NoWrite; // no VM_MAYWRITE: mprotect cannot make it writable
                }
                else if (st.Kind == FileKind.CharDevice && st.RDevice == Host.HostStat.MakeDev(1, 5))
                    source = new AnonymousSharedMemory(p.Memory.Account); // /dev/zero: shared anonymous memory
                else if (writable) return -Errno.ENODEV;
            }
        }
        else if (shared) source = new AnonymousSharedMemory(p.Memory.Account);

        bool committed = shared ? file == null || source is AnonymousSharedMemory
            : (prot & Protection.Write) != 0 && (flags & MAP_NORESERVE) == 0;
        if (committed && BeyondMemory(p, size)) return -Errno.ENOMEM;

        ulong start;
        if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0)
        {
            if (!PageAligned(addr)) return -Errno.EINVAL;
            if (addr + size > AddressSpace.UserTop || addr + size < addr) return -Errno.ENOMEM;
            if ((flags & MAP_FIXED) == 0 && p.Memory.Mappings.Isolate(addr, addr + size).Count > 0) return -Errno.EEXIST;
            start = addr;
            WriteBack(p.Memory, start, start + size); // what MAP_FIXED replaces is unmapped
        }
        else
        {
            ulong hint = AddressSpace.PageAlignDown(addr);
            if (hint >= MmapBottom && hint + size <= TopOf(p) && hint + size > hint &&
                p.Memory.Mappings.FindFreeTopDown(size, hint, hint + size) == hint)
                start = hint;
            else
            {
                ulong? free = FindMmapArea(p, size);
                if (free == null) return -Errno.ENOMEM;
                start = free.Value;
            }
        }
        string name = file?.Path ?? "";
        if (shared && file == null) mflags |= MappingFlags.Shared;
        p.Memory.Map(start, size, prot, mflags, name, source != null && file == null ? 0 : offset, source);
        if (file != null && source == null)
        {
            // A private file mapping starts as a copy of the file (read now, not on first touch). The bytes
            // past the end of the file — the tail of the last partial page and any later pages — read as zero.
            // (Linux raises SIGBUS on access to pages wholly beyond EOF, as x86vm does for shared mappings; ld.so
            // never touches them: it maps each segment's file part and covers bss with anonymous memory.)
            // MAP_DENYWRITE and MAP_EXECUTABLE are ignored, as Linux does.
            // Copied in chunks, so a huge file costs the host one chunk at a time (and the guest its memory limit);
            // a private mapping of /dev/zero is plain anonymous memory.
            FileStatus st = file.Status();
            ulong wanted = size;
            if (st.Kind == FileKind.Regular)
                wanted = st.Size <= offset ? 0 : Math.Min(size, st.Size - offset);
            else if (st.RDevice == Host.HostStat.MakeDev(1, 5))
                wanted = 0;
            for (ulong done = 0; done < wanted;)
            {
                var content = new byte[(int)Math.Min(wanted - done, IoWait.Chunk)];
                long n = file.ReadForMapping(content, (long)(offset + done));
                if (n <= 0) break;
                p.Memory.Poke(start + done, content.AsSpan(0, (int)n));
                done += (ulong)n;
                if (n < content.Length) break;
            }
        }
        return (long)start;
    }

    /// <summary>The mappings overlapping [start, end), without splitting any.</summary>
    static IEnumerable<Mapping> Overlapping(AddressSpace memory, ulong start, ulong end) =>
        memory.Mappings.All.Where(m => m.Start < end && m.End > start);

    /// <summary>Host page caches mapped in [start, end) write back what was written through their mappings.</summary>
    static void WriteBack(AddressSpace memory, ulong start, ulong end)
    {
        foreach (IWriteBackSource wb in Overlapping(memory, start, end).Select(m => m.Source).OfType<IWriteBackSource>().Distinct().ToList())
            wb.WriteBack();
    }

    /// <summary>
    /// A process is done with an address space (exit, execve): shared file mappings are written back and every page is
    /// let go. Not while another process still runs in it (a vfork child and its parent share one).
    /// </summary>
    internal static void ReleaseAddressSpace(GuestProcess p, AddressSpace memory)
    {
        if (p.Kernel.Processes.Any(o => o != p && !o.Exited && o.Memory == memory)) return;
        WriteBack(memory, 0, ulong.MaxValue);
        memory.Release();
    }

    [Syscall(11, "p,u")]
    static long Munmap(GuestProcess p, in SyscallArgs a)
    {
        if (!PageAligned(a.A0) || a.A1 == 0 || a.A0 + a.A1 > AddressSpace.UserTop) return -Errno.EINVAL;
        WriteBack(p.Memory, a.A0, AddressSpace.PageAlignUp(a.A0 + a.A1));
        p.Memory.Unmap(a.A0, a.A1);
        return 0;
    }

    /// <summary>
    /// msync(2): MS_SYNC and MS_ASYNC write a host file's dirty pages back (in-memory files need nothing). Unmapped
    /// parts of the range give ENOMEM after the mapped parts were synced, as Linux does.
    /// </summary>
    [Syscall(26, "p,u,x")]
    static long Msync(GuestProcess p, in SyscallArgs a)
    {
        const int MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;
        ulong start = a.A0;
        int flags = (int)a.A2;
        if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) != 0 || !PageAligned(start) ||
            ((flags & MS_ASYNC) != 0 && (flags & MS_SYNC) != 0)) return -Errno.EINVAL;
        ulong end = start + AddressSpace.PageAlignUp(a.A1);
        if (end < start) return -Errno.ENOMEM;
        if (end == start) return 0;
        bool unmapped = false;
        ulong at = start;
        foreach (Mapping m in Overlapping(p.Memory, start, end).ToList())
        {
            if (m.Start > at)
            {
                if (flags == MS_ASYNC) return -Errno.ENOMEM;
                unmapped = true;
            }
            if ((flags & (MS_SYNC | MS_ASYNC)) != 0 && m.Source is IWriteBackSource wb) wb.WriteBack();
            at = m.End;
        }
        return unmapped || at < end ? -Errno.ENOMEM : 0;
    }

    [Syscall(10, "p,u,P")]
    static long Mprotect(GuestProcess p, in SyscallArgs a)
    {
        if (!PageAligned(a.A0) || (a.A2 & ~7UL & ~0x3000000UL) != 0) return -Errno.EINVAL;
        if ((a.A2 & 0x3000000UL) == 0x3000000UL) return -Errno.EINVAL; // PROT_GROWSDOWN and PROT_GROWSUP together
        if (a.A1 == 0) return 0;
        // do_mprotect_pkey: the page-aligned length must not wrap past the end of the address space.
        ulong length = (a.A1 + 0xFFF) & ~0xFFFUL;
        if (length == 0 || a.A0 + length <= a.A0) return -Errno.ENOMEM;
        ulong end = a.A0 + length;
        if (!p.Memory.Mappings.IsFullyMapped(a.A0, end)) return -Errno.ENOMEM;
        if ((a.A2 & (ulong)Protection.Write) != 0 && Overlapping(p.Memory, a.A0, end).Any(m => (m.Flags & MappingFlags.NoWrite) != 0))
            return -Errno.EACCES;
        return p.Memory.Protect(a.A0, a.A1, (Protection)(a.A2 & 7)) ? 0 : -Errno.ENOMEM;
    }

    [Syscall(25, "p,u,u,x,p")]
    static long Mremap(GuestProcess p, in SyscallArgs a)
    {
        ulong old = a.A0, oldSize = AddressSpace.PageAlignUp(a.A1), newSize = AddressSpace.PageAlignUp(a.A2);
        int flags = (int)a.A3;
        if (!PageAligned(old) || newSize == 0 || (flags & ~3) != 0 || ((flags & MREMAP_FIXED) != 0 && (flags & MREMAP_MAYMOVE) == 0))
            return -Errno.EINVAL;
        Mapping? m = p.Memory.Mappings.Find(old);
        if (m == null || old + oldSize > m.End) return -Errno.EFAULT;
        // A shared mapping keeps mapping its object: the grown or moved range maps the same pages, nothing is copied.
        ulong sourceOffset = m.FileOffset + (m.Source != null ? old - m.Start : 0);
        bool fixedTarget = (flags & MREMAP_FIXED) != 0;
        // MREMAP_FIXED moves the mapping even when it does not grow (mremap(2)); the target must not overlap the source.
        if (fixedTarget && (!PageAligned(a.A4) || a.A4 < old + oldSize && old < a.A4 + newSize)) return -Errno.EINVAL;
        if (newSize <= oldSize && !fixedTarget)
        {
            if (newSize < oldSize)
            {
                WriteBack(p.Memory, old + newSize, old + oldSize);
                p.Memory.Unmap(old + newSize, oldSize - newSize);
            }
            return (long)old;
        }
        // Grow in place when the following range is free: the mapping itself gets longer (one VMA, as Linux's would
        // merge), its new pages materialise lazily — zero, or the next pages of its shared object.
        bool committed = m.Source is AnonymousSharedMemory || (m.Source == null && (m.Protection & Protection.Write) != 0);
        if (newSize > oldSize && committed && BeyondMemory(p, newSize - oldSize)) return -Errno.ENOMEM;
        if (old + oldSize == m.End && (flags & MREMAP_FIXED) == 0 &&
            p.Memory.Mappings.FindFreeTopDown(newSize - oldSize, old + oldSize, old + newSize) == old + oldSize)
        {
            m.End = old + newSize;
            return (long)old;
        }
        if ((flags & MREMAP_MAYMOVE) == 0) return -Errno.ENOMEM;
        ulong target;
        if ((flags & MREMAP_FIXED) != 0) target = a.A4;
        else
        {
            ulong? free = p.Memory.Mappings.FindFreeTopDown(newSize, MmapBottom, TopOf(p));
            if (free == null) return -Errno.ENOMEM;
            target = free.Value;
        }
        Protection prot = m.Protection;
        if (m.Source != null)
        {
            WriteBack(p.Memory, old, old + oldSize);
            p.Memory.Map(target, newSize, prot, m.Flags, m.Name, sourceOffset, m.Source);
            p.Memory.Unmap(old, oldSize);
            return (long)target;
        }
        // Private memory moves its pages (Linux moves the page tables): nothing is copied or materialised.
        p.Memory.Map(target, newSize, prot, m.Flags, m.Name);
        p.Memory.MovePages(old, target, Math.Min(oldSize, newSize));
        p.Memory.Unmap(old, oldSize);
        return (long)target;
    }

    [Syscall(28, "p,u,d", Partial = "only MADV_DONTNEED/MADV_FREE act (pages read back as zero); other advice is accepted and ignored")]
    static long Madvise(GuestProcess p, in SyscallArgs a)
    {
        if (!PageAligned(a.A0)) return -Errno.EINVAL;
        if ((int)a.A2 is MADV_DONTNEED or MADV_FREE)
        {
            // Private anonymous pages read back as zero after MADV_DONTNEED: drop and remap them lazily.
            ulong end = AddressSpace.PageAlignUp(a.A0 + a.A1);
            foreach (Mapping m in p.Memory.Mappings.Isolate(a.A0, end).ToList())
                if ((m.Flags & MappingFlags.Shared) == 0 && m.Name.Length == 0 || m.Name.StartsWith('['))
                    p.Memory.Map(m.Start, m.End - m.Start, m.Protection, m.Flags, m.Name, m.FileOffset);
        }
        return 0;
    }

    [Syscall(12, "p")]
    static long Brk(GuestProcess p, in SyscallArgs a)
    {
        ulong requested = a.A0;
        if (requested < p.BrkStart) return (long)p.Brk;
        ulong oldTop = AddressSpace.PageAlignUp(p.Brk), newTop = AddressSpace.PageAlignUp(requested);
        if (newTop > oldTop)
        {
            if (p.Memory.Mappings.Isolate(oldTop, newTop).Count > 0) return (long)p.Brk; // would overlap: fail like Linux
            if (BeyondMemory(p, newTop - oldTop)) return (long)p.Brk;
            p.Memory.Map(oldTop, newTop - oldTop, Protection.ReadWrite, MappingFlags.None, "[heap]");
        }
        else if (newTop < oldTop) p.Memory.Unmap(newTop, oldTop - newTop);
        p.Brk = requested;
        return (long)requested;
    }
}
