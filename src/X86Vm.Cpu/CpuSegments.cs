using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu;

public sealed partial class Cpu
{
    /// <summary>ES, CS, SS, DS, FS, GS as the guest reads them (MOV r/m, Sreg; PUSH Sreg; signal frames).</summary>
    public SegmentSelectors Selectors;

    /// <summary>This thread's TLS entries of the GDT (set_thread_area, clone's CLONE_SETTLS in 32-bit programs).</summary>
    public TlsDescriptors Tls;

    /// <summary>Sets the selectors a new program starts with: __USER_CS/__USER_DS in 64-bit mode, __USER32_CS/__USER_DS in 32-bit mode.</summary>
    public void ResetSegments(int bitness)
    {
        Selectors = default;
        Selectors[Segments.CS] = bitness == 32 ? Segments.User32Code : Segments.User64Code;
        Selectors[Segments.SS] = Segments.UserData;
        if (bitness == 32) Selectors[Segments.DS] = Selectors[Segments.ES] = Segments.UserData;
        for (int i = 0; i < Segments.TlsEntries; i++) Tls[i] = SegmentDescriptor.Empty;
        SegBase = default;
    }

    /// <summary>
    /// Loads segment register <paramref name="sreg"/> (MOV/POP Sreg, LDS…; SDM Vol. 3 §3.4.3) in 32-bit mode: a null selector
    /// into DS/ES/FS/GS, the flat user code and data segments, or one of the thread's TLS entries. FS and GS take the
    /// descriptor's base; the flat segments have base 0. Anything else (the LDT, absent entries, null SS) is #GP.
    /// </summary>
    public void LoadSegment(int sreg, ushort selector)
    {
        int index = selector >> 3;
        bool ldt = (selector & 4) != 0;
        ulong segmentBase;
        if (index == 0 && !ldt)
        {
            if (sreg == Segments.SS || sreg == Segments.CS) throw GuestFault.GeneralProtection("null stack segment");
            segmentBase = 0;
        }
        else if (!ldt && (selector | 3) is Segments.UserData or Segments.User32Code)
            segmentBase = 0;
        else if (!ldt && index >= Segments.TlsFirstEntry && index < Segments.TlsFirstEntry + Segments.TlsEntries
                 && Tls[index - Segments.TlsFirstEntry].Present && sreg is not (Segments.SS or Segments.CS))
            segmentBase = Tls[index - Segments.TlsFirstEntry].Base;
        else
            throw new GuestFault(Signals.SIGSEGV, Signals.SI_KERNEL, 0, $"segment selector 0x{selector:x}") { Vector = 13, ErrorCode = (ulong)(selector & ~3) };
        Selectors[sreg] = selector;
        if (sreg == Segments.FS) FsBase = segmentBase;
        else if (sreg == Segments.GS) GsBase = segmentBase;
    }

    /// <summary>
    /// After set_thread_area changed a TLS entry: a segment register already holding its selector keeps the old base
    /// until reloaded on hardware, but Linux reloads the thread's TLS into the CPU on return (load_TLS), so FS/GS see it.
    /// </summary>
    public void RefreshSegmentBases()
    {
        foreach (int sreg in (ReadOnlySpan<int>)[Segments.FS, Segments.GS])
        {
            int index = Selectors[sreg] >> 3;
            if ((Selectors[sreg] & 4) == 0 && index >= Segments.TlsFirstEntry && index < Segments.TlsFirstEntry + Segments.TlsEntries)
            {
                ulong b = Tls[index - Segments.TlsFirstEntry].Base;
                if (sreg == Segments.FS) FsBase = b; else GsBase = b;
            }
        }
    }
}
