using System.Runtime.CompilerServices;

namespace X86Vm.Cpu.State;

/// <summary>The six segment selectors in encoding order (SDM Vol. 1 §3.4.2): ES, CS, SS, DS, FS, GS.</summary>
[InlineArray(6)]
public struct SegmentSelectors
{
    ushort _element;
}

/// <summary>
/// One user-settable GDT descriptor as Linux describes it (struct user_desc, arch/x86/include/uapi/asm/ldt.h): base,
/// limit and the flag bits (seg_32bit, contents, read_exec_only, limit_in_pages, seg_not_present, useable, lm).
/// An entry whose <see cref="Flags"/> has <see cref="NotPresent"/> set (or that was never set) is empty.
/// </summary>
public record struct SegmentDescriptor(uint Base, uint Limit, uint Flags)
{
    public const uint Seg32Bit = 1, ReadExecOnly = 1 << 3, LimitInPages = 1 << 4, NotPresent = 1 << 5, Useable = 1 << 6;

    /// <summary>The empty entry (what clearing a TLS slot leaves, and what get_thread_area reports for it).</summary>
    public static SegmentDescriptor Empty => new(0, 0, ReadExecOnly | NotPresent);

    public readonly bool Present => (Flags & NotPresent) == 0 && (Base | Limit | Flags) != 0;
}

/// <summary>The three per-thread TLS entries of the GDT (Linux's thread_struct.tls_array), GDT entries 12–14.</summary>
[InlineArray(Segments.TlsEntries)]
public struct TlsDescriptors
{
    SegmentDescriptor _element;
}

/// <summary>The selectors and GDT layout a 64-bit Linux kernel gives user code (arch/x86/include/asm/segment.h).</summary>
public static class Segments
{
    public const int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;

    /// <summary>GDT_ENTRY_TLS_MIN on x86-64 kernels (32-bit programs on a 64-bit kernel see these numbers).</summary>
    public const int TlsFirstEntry = 12, TlsEntries = 3;

    /// <summary>__USER32_CS, __USER_DS, __USER_CS (RPL 3).</summary>
    public const ushort User32Code = 0x23, UserData = 0x2B, User64Code = 0x33;

    /// <summary>The selector of GDT entry <paramref name="entry"/> at privilege 3.</summary>
    public static ushort Selector(int entry) => (ushort)(entry * 8 + 3);
}
