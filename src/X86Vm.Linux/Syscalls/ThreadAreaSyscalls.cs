using System.Buffers.Binary;
using X86Vm.Cpu.State;
using X86Vm.Linux.Process;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// set_thread_area and get_thread_area (arch/x86/kernel/tls.c): the three per-thread TLS entries of the GDT, described
/// by struct user_desc { entry_number, base_addr, limit, flags bit-field }, which 32-bit programs load into %gs.
/// </summary>
static class ThreadAreaSyscalls
{
    const uint AllocateEntry = uint.MaxValue;
    /// <summary>The user_desc flag bits x86vm keeps (seg_32bit … useable); lm is meaningless for a 32-bit segment.</summary>
    const uint FlagBits = 0x7F;

    /// <summary>
    /// do_set_thread_area: entry_number -1 picks the first free TLS entry and writes its number back; an "empty" or all-zero
    /// description clears the entry. A segment register holding the entry's selector takes the new base at once (load_TLS).
    /// </summary>
    internal static long Set(GuestProcess p, CpuCore cpu, ulong address)
    {
        var info = new byte[16];
        if (!p.Memory.TryRead(address, info)) return -Errno.EFAULT;
        uint entry = BinaryPrimitives.ReadUInt32LittleEndian(info);
        var desc = new SegmentDescriptor(BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan(4)),
            BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan(8)), BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan(12)) & FlagBits);
        if (entry == AllocateEntry)
        {
            int free = -1;
            for (int i = 0; i < Segments.TlsEntries && free < 0; i++) if (!cpu.Tls[i].Present) free = i;
            if (free < 0) return -Errno.ESRCH;
            entry = (uint)(Segments.TlsFirstEntry + free);
            if (!GuestIo.WriteU32(p, address, entry)) return -Errno.EFAULT;
        }
        if (entry < Segments.TlsFirstEntry || entry >= Segments.TlsFirstEntry + Segments.TlsEntries) return -Errno.EINVAL;
        bool clear = desc == SegmentDescriptor.Empty || desc == default;
        cpu.Tls[(int)entry - Segments.TlsFirstEntry] = clear ? SegmentDescriptor.Empty : desc;
        cpu.RefreshSegmentBases();
        return 0;
    }

    /// <summary>do_get_thread_area: the entry named by entry_number, as fill_user_desc describes it.</summary>
    internal static long Get(GuestProcess p, CpuCore cpu, ulong address)
    {
        if (!GuestIo.ReadU32(p, address, out uint entry)) return -Errno.EFAULT;
        if (entry < Segments.TlsFirstEntry || entry >= Segments.TlsFirstEntry + Segments.TlsEntries) return -Errno.EINVAL;
        SegmentDescriptor d = cpu.Tls[(int)entry - Segments.TlsFirstEntry];
        var info = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(info, entry);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(4), d.Base);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(8), d.Limit);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(12), d.Flags);
        return p.Memory.TryWrite(address, info) ? 0 : -Errno.EFAULT;
    }
}
