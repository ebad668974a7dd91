using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Syscalls;

/// <summary>Memory syscalls: mmap, munmap, mprotect, mremap, madvise, brk (mmap(2), brk(2)).</summary>
[SyscallFamily]
static class MemorySyscalls
{
    const int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_GROWSDOWN = 0x100,
        MAP_FIXED_NOREPLACE = 0x100000;
    const int MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2;
    const int MADV_DONTNEED = 4, MADV_FREE = 8;

    /// <summary>Top of the area where mmap places mappings, below the stack and its guard gap (mm/util.c mmap_base).</summary>
    public const ulong MmapTop = 0x7ffff7fff000;
    const ulong MmapBottom = 0x10000; // vm.mmap_min_addr

    /// <summary>Where mmap without a usable hint puts <paramref name="size"/> bytes: the highest free gap below
    /// <see cref="MmapTop"/> and above the heap's growth room (also used by the ELF loader for the interpreter).</summary>
    internal static ulong? FindMmapArea(GuestProcess p, ulong size) =>
        p.Memory.Mappings.FindFreeTopDown(size, Math.Max(MmapBottom, p.Brk + (64UL << 20)), MmapTop);

    static bool PageAligned(ulong a) => (a & Page.OffsetMask) == 0;

    [Syscall(9, "p,u,P,M,d,x", Partial = "writable MAP_SHARED file mappings return ENODEV; private file mappings are copied at map time")]
    static long Mmap(GuestProcess p, in SyscallArgs a)
    {
        ulong addr = a.A0, length = a.A1;
        var prot = (Protection)(a.A2 & 7);
        int flags = (int)a.A3, fd = (int)a.A4;
        ulong offset = a.A5;
        int type = flags & 3;
        if (length == 0 || !PageAligned(offset) || type is not (MAP_SHARED or MAP_PRIVATE or 3)) return -Errno.EINVAL;
        ulong size = AddressSpace.PageAlignUp(length);
        if (size == 0 || size > AddressSpace.UserTop) return -Errno.ENOMEM;

        OpenFile? file = null;
        if ((flags & MAP_ANONYMOUS) == 0)
        {
            file = p.Files.Get(fd);
            if (file == null) return -Errno.EBADF;
            if (file.Status().Kind != FileKind.Regular && file.Status().Kind != FileKind.CharDevice) return -Errno.ENODEV;
            if (!file.CanRead) return -Errno.EACCES;
            if (type == MAP_SHARED && (prot & Protection.Write) != 0 && !file.CanWrite) return -Errno.EACCES;
            if (type == MAP_SHARED && (prot & Protection.Write) != 0)
                return -Errno.ENODEV; // writable shared file mappings arrive with MAP_SHARED support
        }

        ulong start;
        if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0)
        {
            if (!PageAligned(addr)) return -Errno.EINVAL;
            if (addr + size > AddressSpace.UserTop || addr + size < addr) return -Errno.ENOMEM;
            if ((flags & MAP_FIXED) == 0 && p.Memory.Mappings.Isolate(addr, addr + size).Count > 0) return -Errno.EEXIST;
            start = addr;
        }
        else
        {
            ulong hint = AddressSpace.PageAlignDown(addr);
            if (hint >= MmapBottom && hint + size <= MmapTop && hint + size > hint &&
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
        var mflags = (type == MAP_SHARED && file == null ? MappingFlags.Shared : MappingFlags.None) |
                     ((flags & MAP_GROWSDOWN) != 0 ? MappingFlags.GrowsDown : MappingFlags.None);
        p.Memory.Map(start, size, prot, mflags, name, offset);
        if (file != null)
        {
            // A private file mapping starts as a copy of the file (read now, not on first touch). The bytes
            // past the end of the file — the tail of the last partial page and any later pages — read as zero.
            // (Linux raises SIGBUS on access to pages wholly beyond EOF; x86vm gives zeros there. ld.so never
            // touches them: it maps each segment's file part and covers bss with anonymous memory.)
            // MAP_DENYWRITE and MAP_EXECUTABLE are ignored, as Linux does.
            FileStatus st = file.Status();
            ulong wanted = size;
            if (st.Kind == FileKind.Regular)
                wanted = st.Size <= offset ? 0 : Math.Min(size, st.Size - offset);
            if (wanted > 0)
            {
                var content = new byte[wanted];
                long n = file.ReadForMapping(content, (long)offset);
                if (n > 0) p.Memory.Poke(start, content.AsSpan(0, (int)n));
            }
        }
        return (long)start;
    }

    [Syscall(11, "p,u")]
    static long Munmap(GuestProcess p, in SyscallArgs a)
    {
        if (!PageAligned(a.A0) || a.A1 == 0 || a.A0 + a.A1 > AddressSpace.UserTop) return -Errno.EINVAL;
        p.Memory.Unmap(a.A0, a.A1);
        return 0;
    }

    [Syscall(10, "p,u,P")]
    static long Mprotect(GuestProcess p, in SyscallArgs a)
    {
        if (!PageAligned(a.A0) || (a.A2 & ~7UL & ~0x3000000UL) != 0) return -Errno.EINVAL;
        if (a.A1 == 0) return 0;
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
        if (newSize <= oldSize)
        {
            if (newSize < oldSize) p.Memory.Unmap(old + newSize, oldSize - newSize);
            return (long)old;
        }
        // Grow in place when the following range is free.
        if (p.Memory.Mappings.FindFreeTopDown(newSize - oldSize, old + oldSize, old + newSize) == old + oldSize && (flags & MREMAP_FIXED) == 0)
        {
            p.Memory.Map(old + oldSize, newSize - oldSize, m.Protection, m.Flags, m.Name);
            return (long)old;
        }
        if ((flags & MREMAP_MAYMOVE) == 0) return -Errno.ENOMEM;
        ulong target;
        if ((flags & MREMAP_FIXED) != 0) target = a.A4;
        else
        {
            ulong? free = p.Memory.Mappings.FindFreeTopDown(newSize, MmapBottom, MmapTop);
            if (free == null) return -Errno.ENOMEM;
            target = free.Value;
        }
        var content = new byte[oldSize];
        Protection prot = m.Protection;
        p.Memory.Protect(old, oldSize, prot | Protection.Read);
        p.Memory.TryRead(old, content); // readable: made so just above
        p.Memory.Map(target, newSize, prot, m.Flags, m.Name);
        p.Memory.Poke(target, content);
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
            p.Memory.Map(oldTop, newTop - oldTop, Protection.ReadWrite, MappingFlags.None, "[heap]");
        }
        else if (newTop < oldTop) p.Memory.Unmap(newTop, oldTop - newTop);
        p.Brk = requested;
        return (long)requested;
    }
}
