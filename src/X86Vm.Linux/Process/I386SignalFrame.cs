using System.Buffers.Binary;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Linux.Process;

/// <summary>
/// The i386 signal frames a 64-bit kernel builds for 32-bit programs (arch/x86/kernel/signal_32.c, asm/sigframe.h):
/// <code>
///   rt_sigframe (SA_SIGINFO):  pretcode, sig, pinfo, puc, compat_siginfo (128), ucontext_ia32 (116), retcode[8]
///   sigframe (otherwise):      pretcode, sig, sigcontext_32 (88), fpstate_unused (624), extramask, retcode[8]
///   fpstate above the frame:   struct _fpstate_32: the FSAVE header (112 bytes), then the 512-byte FXSAVE image
/// </code>
/// The handler starts with EAX = sig (EDX = &amp;info, ECX = &amp;uc for the rt frame), (ESP + 4) 16-byte aligned.
/// The FSAVE header carries the control and status words with every register tagged empty; sigreturn restores the
/// FPU from the FXSAVE image.
/// </summary>
public static class I386SignalFrame
{
    const int RtFrameSize = 268, RtInfo = 16, RtUcontext = 144, RtRetcode = 260;
    const int FrameSize = 732, Sigcontext = 8, Extramask = 720, Retcode = 724;
    const int UcMcontext = 20, UcSigmask = 108, SigcontextSize = 88;
    /// <summary>sizeof(struct fregs_state): the FSAVE part ahead of the FXSAVE image.</summary>
    const int FsaveHeader = 112;
    const ulong FixEflags = RFlags.AC | RFlags.OF | RFlags.DF | RFlags.TF | RFlags.SF | RFlags.ZF | RFlags.AF | RFlags.PF | RFlags.CF;

    // struct sigcontext_32: gs fs es ds (16-bit each in 32-bit slots), edi esi ebp esp ebx edx ecx eax, trapno, err,
    // eip, cs, eflags, esp_at_signal, ss, fpstate, oldmask, cr2.
    static readonly int[] Registers = [Reg.RDI, Reg.RSI, Reg.RBP, Reg.RSP, Reg.RBX, Reg.RDX, Reg.RCX, Reg.RAX];
    const int ScTrapno = 48, ScErr = 52, ScEip = 56, ScCs = 60, ScEflags = 64, ScSpAtSignal = 68, ScSs = 72, ScFpstate = 76,
        ScOldmask = 80, ScCr2 = 84;

    public static bool Setup(GuestThread t, SigInfo info, SignalAction action, ulong oldMask)
    {
        CpuCore c = t.Cpu;
        bool rt = action.Has(SignalAction.SA_SIGINFO);
        ulong interruptedSp = (uint)c.Rsp;
        ulong sp = interruptedSp;
        bool onAltStack = false;
        if (action.Has(SignalAction.SA_ONSTACK) && AltStack.Flags(t, sp) == 0)
        {
            sp = t.AltStackBase + t.AltStackSize;
            onAltStack = true;
        }
        // fpu__alloc_mathframe for an ia32 frame: FSAVE header + FXSAVE image + FP_XSTATE_MAGIC2, 64-byte aligned.
        ulong fpstate = (sp - FsaveHeader - SignalFpu.FxSaveSize - 4) & ~63UL;
        int size = rt ? RtFrameSize : FrameSize;
        ulong frame = ((fpstate - (ulong)size + 4) & ~15UL) - 4;
        if (onAltStack && !AltStack.Contains(t, frame)) return false;

        var f = new byte[size];
        ulong retcode = frame + (ulong)(rt ? RtRetcode : Retcode);
        W32(f, 0, action.Has(SignalAction.SA_RESTORER) ? (uint)action.Restorer : (uint)retcode);
        W32(f, 4, (uint)info.Signo);
        Span<byte> sc;
        if (rt)
        {
            W32(f, 8, (uint)(frame + RtInfo));
            W32(f, 12, (uint)(frame + RtUcontext));
            SigInfoLayout.Of(t.Process, info).CopyTo(f.AsSpan(RtInfo));
            Span<byte> uc = f.AsSpan(RtUcontext);
            W32(uc, 8, (uint)t.AltStackBase);
            W32(uc, 12, (uint)AltStack.Flags(t, interruptedSp));
            W32(uc, 16, (uint)t.AltStackSize);
            BinaryPrimitives.WriteUInt64LittleEndian(uc[UcSigmask..], oldMask);
            sc = uc.Slice(UcMcontext, SigcontextSize);
            // movl $__NR_rt_sigreturn, %eax; int $0x80
            ((ReadOnlySpan<byte>)[0xB8, 173, 0, 0, 0, 0xCD, 0x80, 0]).CopyTo(f.AsSpan(RtRetcode));
        }
        else
        {
            sc = f.AsSpan(Sigcontext, SigcontextSize);
            W32(f, Extramask, (uint)(oldMask >> 32));
            // popl %eax; movl $__NR_sigreturn, %eax; int $0x80
            ((ReadOnlySpan<byte>)[0x58, 0xB8, 119, 0, 0, 0, 0xCD, 0x80]).CopyTo(f.AsSpan(Retcode));
        }
        W32(sc, 0, c.Selectors[Segments.GS]);
        W32(sc, 4, c.Selectors[Segments.FS]);
        W32(sc, 8, c.Selectors[Segments.ES]);
        W32(sc, 12, c.Selectors[Segments.DS]);
        for (int i = 0; i < Registers.Length; i++) W32(sc, 16 + 4 * i, (uint)c.R(Registers[i]));
        W32(sc, ScTrapno, (uint)info.Trapno);
        W32(sc, ScErr, (uint)info.Err);
        W32(sc, ScEip, (uint)c.Rip);
        W32(sc, ScCs, c.Selectors[Segments.CS]);
        W32(sc, ScEflags, (uint)c.Rflags);
        W32(sc, ScSpAtSignal, (uint)c.Rsp);
        W32(sc, ScSs, c.Selectors[Segments.SS]);
        W32(sc, ScFpstate, (uint)fpstate);
        W32(sc, ScOldmask, (uint)oldMask);
        W32(sc, ScCr2, (uint)info.Cr2);

        var fp = new byte[FsaveHeader + SignalFpu.FxSaveSize + 4];
        SignalFpu.Save(c, fp.AsSpan(FsaveHeader));
        W32(fp, 0, 0xFFFF0000u | c.Fpu.Control);
        W32(fp, 4, 0xFFFF0000u | c.Fpu.StatusWord);
        W32(fp, 8, 0xFFFFFFFFu); // every register empty in the FSAVE view; the FXSAVE image holds the real state
        W32(fp, 108, c.Fpu.StatusWord); // status; magic 0 = X86_FXSR_MAGIC: the FXSAVE image follows
        var memory = t.Process.Memory;
        if (!memory.TryWrite(fpstate, fp) || !memory.TryWrite(frame, f)) return false;

        if ((t.AltStackFlags & AltStack.SS_AUTODISARM) != 0) AltStack.Reset(t);
        c.R(Reg.RAX) = (uint)info.Signo;
        c.R(Reg.RDX) = rt ? frame + RtInfo : 0;
        c.R(Reg.RCX) = rt ? frame + RtUcontext : 0;
        c.Rsp = frame;
        c.Rip = (uint)action.Handler;
        c.Rflags = c.Rflags & ~(RFlags.DF | RFlags.TF);
        c.Selectors[Segments.DS] = c.Selectors[Segments.ES] = c.Selectors[Segments.SS] = Segments.UserData;
        SignalFpu.ResetForHandler(c);
        return true;
    }

    /// <summary>
    /// sigreturn (the frame's pretcode and sig were popped: frame = ESP - 8) or rt_sigreturn (pretcode popped: ESP - 4).
    /// False on a frame that cannot be read or restored (Linux forces SIGSEGV).
    /// </summary>
    public static bool Restore(GuestThread t, bool rt)
    {
        CpuCore c = t.Cpu;
        ulong frame = (uint)c.Rsp - (rt ? 4UL : 8UL);
        var memory = t.Process.Memory;
        var f = new byte[rt ? RtFrameSize : FrameSize];
        if (!memory.TryRead(frame, f)) return false;
        ReadOnlySpan<byte> sc = f.AsSpan(rt ? RtUcontext + UcMcontext : Sigcontext, SigcontextSize);
        ulong mask = rt ? BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan(RtUcontext + UcSigmask))
            : R32(sc, ScOldmask) | (ulong)R32(f, Extramask) << 32;
        uint fpstate = R32(sc, ScFpstate);
        var fx = new byte[SignalFpu.FxSaveSize];
        if (fpstate != 0 && !memory.TryRead(fpstate + (ulong)FsaveHeader, fx)) return false;
        try
        {
            c.LoadSegment(Segments.GS, (ushort)R32(sc, 0));
            c.LoadSegment(Segments.FS, (ushort)R32(sc, 4));
        }
        catch (GuestFault) { return false; }

        t.SignalMask = mask & ~SignalNumbers.Unblockable;
        for (int i = 0; i < Registers.Length; i++) c.R(Registers[i]) = R32(sc, 16 + 4 * i);
        c.Rip = R32(sc, ScEip);
        c.Rflags = (c.Rflags & ~FixEflags) | (R32(sc, ScEflags) & FixEflags);
        if (fpstate == 0) SignalFpu.ResetForHandler(c);
        else SignalFpu.Restore(c, fx);
        if (rt)
        {
            ReadOnlySpan<byte> uc = f.AsSpan(RtUcontext);
            AltStack.Set(t, R32(uc, 8), (int)R32(uc, 12), R32(uc, 16), c.Rsp);
        }
        return true;
    }

    static void W32(Span<byte> b, int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(b[offset..], value);
    static uint R32(ReadOnlySpan<byte> b, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(b[offset..]);
}
