using System.Buffers.Binary;
using X86Vm.Cpu.State;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Linux.Process;

/// <summary>
/// The x86-64 rt_sigframe (arch/x86/kernel/signal_64.c, uapi asm/sigcontext.h, asm/ucontext.h):
/// <code>
///   frame + 0    pretcode        sa_restorer: the handler's return address
///   frame + 8    struct ucontext uc_flags, uc_link, uc_stack (24), uc_mcontext (struct sigcontext, 256), uc_sigmask
///   frame + 312  struct siginfo  128 bytes (written only with SA_SIGINFO, as Linux does)
///   …            fpstate         512-byte FXSAVE image (836-byte XSAVE area from v3), 64-byte aligned, above the frame
/// </code>
/// At handler entry RSP = frame, so (RSP + 8) is 16-byte aligned, as after a CALL.
/// </summary>
public static class SignalFrame
{
    public const int FrameSize = 440;
    public const int UcontextOffset = 8, McontextOffset = UcontextOffset + 40, SigmaskOffset = UcontextOffset + 296,
        InfoOffset = 312;
    const int RedZone = 128;
    const ulong UC_SIGCONTEXT_SS = 2, UC_STRICT_RESTORE_SS = 4;
    const ushort UserCs = 0x33, UserSs = 0x2b;

    /// <summary>EFLAGS bits sigreturn takes from the frame (FIX_EFLAGS; RF is not modelled).</summary>
    const ulong FixEflags = RFlags.AC | RFlags.OF | RFlags.DF | RFlags.TF | RFlags.SF | RFlags.ZF | RFlags.AF | RFlags.PF | RFlags.CF;

    // struct sigcontext: r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags (8 bytes each), then
    // cs, gs, fs, ss (2 bytes each), err, trapno, oldmask, cr2, fpstate, reserved1[8].
    static readonly int[] SigcontextRegisters =
        [Reg.R8, Reg.R9, Reg.R10, Reg.R11, Reg.R12, Reg.R13, Reg.R14, Reg.R15, Reg.RDI, Reg.RSI, Reg.RBP, Reg.RBX, Reg.RDX, Reg.RAX, Reg.RCX, Reg.RSP];
    const int ScRip = 128, ScEflags = 136, ScCs = 144, ScSs = 150, ScErr = 152, ScTrapno = 160, ScOldmask = 168,
        ScCr2 = 176, ScFpstate = 184;

    /// <summary>
    /// Builds the frame for <paramref name="info"/> on the thread's stack (or its alternate stack) and points the CPU
    /// at the handler. False when the frame cannot be written (Linux then forces SIGSEGV); the CPU is untouched then.
    /// </summary>
    public static bool Setup(GuestThread t, SigInfo info, SignalAction action, ulong oldMask)
    {
        if (t.Process.Abi == ProcessAbi.I386) return I386SignalFrame.Setup(t, info, action, oldMask);
        CpuCore c = t.Cpu;
        ulong interruptedSp = c.Rsp;
        ulong sp = interruptedSp - RedZone;
        bool onAltStack = false;
        if (action.Has(SignalAction.SA_ONSTACK) && AltStack.Flags(t, sp) == 0)
        {
            sp = t.AltStackBase + t.AltStackSize;
            onAltStack = true;
        }
        ulong fpstate = (sp - (ulong)SignalFpu.Size(c)) & ~63UL;
        ulong frame = ((fpstate - FrameSize) & ~15UL) - 8;
        // A frame that does not fit on the alternate stack fails (get_sigframe's "onsigstack && !on_sig_stack" check).
        if (onAltStack && !AltStack.Contains(t, frame)) return false;
        if (!action.Has(SignalAction.SA_RESTORER)) return false; // x86-64 has no vDSO fallback for the return trampoline

        var buf = new byte[FrameSize];
        Span<byte> f = buf;
        BinaryPrimitives.WriteUInt64LittleEndian(f, action.Restorer);
        Span<byte> uc = f[UcontextOffset..];
        BinaryPrimitives.WriteUInt64LittleEndian(uc, UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | (SignalFpu.UsesXsave(c) ? SignalFpu.UC_FP_XSTATE : 0));
        BinaryPrimitives.WriteUInt64LittleEndian(uc[8..], 0); // uc_link
        BinaryPrimitives.WriteUInt64LittleEndian(uc[16..], t.AltStackBase);
        BinaryPrimitives.WriteInt32LittleEndian(uc[24..], AltStack.Flags(t, interruptedSp));
        BinaryPrimitives.WriteUInt64LittleEndian(uc[32..], t.AltStackSize);
        Span<byte> sc = f[McontextOffset..];
        for (int i = 0; i < SigcontextRegisters.Length; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(sc[(i * 8)..], c.R(SigcontextRegisters[i]));
        BinaryPrimitives.WriteUInt64LittleEndian(sc[ScRip..], c.Rip);
        BinaryPrimitives.WriteUInt64LittleEndian(sc[ScEflags..], c.Rflags);
        BinaryPrimitives.WriteUInt16LittleEndian(sc[ScCs..], UserCs);
        BinaryPrimitives.WriteUInt16LittleEndian(sc[ScSs..], UserSs);
        BinaryPrimitives.WriteUInt64LittleEndian(sc[ScErr..], info.Err);
        BinaryPrimitives.WriteUInt64LittleEndian(sc[ScTrapno..], info.Trapno);
        BinaryPrimitives.WriteUInt64LittleEndian(sc[ScOldmask..], oldMask);
        BinaryPrimitives.WriteUInt64LittleEndian(sc[ScCr2..], info.Cr2);
        BinaryPrimitives.WriteUInt64LittleEndian(sc[ScFpstate..], fpstate);
        BinaryPrimitives.WriteUInt64LittleEndian(f[SigmaskOffset..], oldMask);
        info.Bytes.CopyTo(f[InfoOffset..]);

        var fx = new byte[SignalFpu.Size(c)];
        SignalFpu.Save(c, fx);
        var memory = t.Process.Memory;
        bool withInfo = action.Has(SignalAction.SA_SIGINFO);
        if (!memory.TryWrite(fpstate, fx) || !memory.TryWrite(frame, withInfo ? f : f[..InfoOffset])) return false;

        if ((t.AltStackFlags & AltStack.SS_AUTODISARM) != 0) AltStack.Reset(t);
        c.R(Reg.RDI) = (ulong)info.Signo;
        c.R(Reg.RSI) = frame + InfoOffset;
        c.R(Reg.RDX) = frame + UcontextOffset;
        c.R(Reg.RAX) = 0;
        c.Rsp = frame;
        c.Rip = action.Handler;
        c.Rflags = c.Rflags & ~(RFlags.DF | RFlags.TF);
        SignalFpu.ResetForHandler(c); // fpu__clear_user_states: the handler starts with a clean FPU
        return true;
    }

    /// <summary>
    /// rt_sigreturn: restores registers, flags, the signal mask, the FPU state and the alternate stack from the frame
    /// whose pretcode the handler's RET popped (frame = RSP - 8). False on a bad frame (Linux forces SIGSEGV).
    /// </summary>
    public static bool Restore(GuestThread t)
    {
        CpuCore c = t.Cpu;
        ulong frame = c.Rsp - 8;
        var buf = new byte[InfoOffset];
        var memory = t.Process.Memory;
        if (!memory.TryRead(frame, buf)) return false;
        ReadOnlySpan<byte> f = buf;
        ReadOnlySpan<byte> sc = f[McontextOffset..];
        ulong fpstate = BinaryPrimitives.ReadUInt64LittleEndian(sc[ScFpstate..]);
        var fx = new byte[SignalFpu.Size(c)];
        if (fpstate != 0 && !memory.TryRead(fpstate, fx)) return false;

        t.SignalMask = BinaryPrimitives.ReadUInt64LittleEndian(f[SigmaskOffset..]) & ~SignalNumbers.Unblockable;
        for (int i = 0; i < SigcontextRegisters.Length; i++)
            c.R(SigcontextRegisters[i]) = BinaryPrimitives.ReadUInt64LittleEndian(sc[(i * 8)..]);
        c.Rip = BinaryPrimitives.ReadUInt64LittleEndian(sc[ScRip..]);
        ulong flags = BinaryPrimitives.ReadUInt64LittleEndian(sc[ScEflags..]);
        c.Rflags = (c.Rflags & ~FixEflags) | (flags & FixEflags);
        if (fpstate == 0) SignalFpu.ResetForHandler(c);
        else SignalFpu.Restore(c, fx);

        // uc_stack: sigaltstack with the saved settings; errors other than EFAULT are ignored (restore_altstack).
        ReadOnlySpan<byte> uc = f[UcontextOffset..];
        AltStack.Set(t, BinaryPrimitives.ReadUInt64LittleEndian(uc[16..]), BinaryPrimitives.ReadInt32LittleEndian(uc[24..]),
            BinaryPrimitives.ReadUInt64LittleEndian(uc[32..]), c.Rsp);
        return true;
    }
}

/// <summary>
/// The FPU part of a signal frame: the 512-byte FXSAVE area (Intel SDM Vol. 1 §10.5.1), or on a CPU with XSAVE (v3 and up)
/// the XSAVE area Linux writes (arch/x86/kernel/fpu/signal.c): the standard-format image of every XCR0 component, the
/// software bytes in the legacy area's reserved tail (struct _fpx_sw_bytes: FP_XSTATE_MAGIC1, extended size, xfeatures,
/// xstate size) and FP_XSTATE_MAGIC2 after the image; uc_flags gets UC_FP_XSTATE. Written and read with the CPU's own
/// FXSAVE/XSAVE image code so frames and the instructions always agree.
/// </summary>
public static class SignalFpu
{
    public const int FxSaveSize = 512;
    public const ulong UC_FP_XSTATE = 1;
    const uint Magic1 = 0x46505853, Magic2 = 0x46505845;
    const int SwBytes = 464, XstateSize = CpuCore.XsaveAreaSize, ExtendedSize = XstateSize + 4;

    public static bool UsesXsave(CpuCore c) => c.Code.Level >= X86Vm.Cpu.Instructions.CpuLevel.V3;

    /// <summary>Bytes of the frame's FPU area.</summary>
    public static int Size(CpuCore c) => UsesXsave(c) ? ExtendedSize : FxSaveSize;

    public static void Save(CpuCore c, Span<byte> fx)
    {
        fx.Clear();
        if (!UsesXsave(c) || fx.Length < ExtendedSize) // the i386 frame keeps an FXSAVE area
        {
            c.SaveFxsave(fx);
            return;
        }
        ulong xcr0 = X86Vm.Cpu.Instructions.CpuidTable.Xcr0(c.Code.Level);
        c.SaveXsave(fx[..XstateSize], xcr0, X86Vm.Cpu.XsaveForm.Standard, rexW: true);
        BinaryPrimitives.WriteUInt32LittleEndian(fx[SwBytes..], Magic1);
        BinaryPrimitives.WriteUInt32LittleEndian(fx[(SwBytes + 4)..], ExtendedSize);
        BinaryPrimitives.WriteUInt64LittleEndian(fx[(SwBytes + 8)..], xcr0);
        BinaryPrimitives.WriteUInt32LittleEndian(fx[(SwBytes + 16)..], XstateSize);
        BinaryPrimitives.WriteUInt32LittleEndian(fx[XstateSize..], Magic2);
    }

    /// <summary>
    /// Restores the FPU state from a frame. An XSAVE frame (both magics present) is restored with XRSTOR semantics for the
    /// features it names (the header sanitised as Linux does); otherwise the FXSAVE part is loaded and the rest (YMM upper
    /// halves) goes to its initial state.
    /// </summary>
    public static void Restore(CpuCore c, ReadOnlySpan<byte> fx)
    {
        // Reserved MXCSR bits would make FXRSTOR fault; the kernel masks them with the feature mask.
        Span<byte> image = stackalloc byte[Math.Max(FxSaveSize, XstateSize)];
        image.Clear();
        fx[..Math.Min(fx.Length, image.Length)].CopyTo(image);
        uint mxcsr = BinaryPrimitives.ReadUInt32LittleEndian(image[24..]) & CpuCore.MxcsrMask;
        BinaryPrimitives.WriteUInt32LittleEndian(image[24..], mxcsr);
        if (UsesXsave(c) && fx.Length >= ExtendedSize && BinaryPrimitives.ReadUInt32LittleEndian(fx[SwBytes..]) == Magic1
            && BinaryPrimitives.ReadUInt32LittleEndian(fx[XstateSize..]) == Magic2)
        {
            ulong xcr0 = X86Vm.Cpu.Instructions.CpuidTable.Xcr0(c.Code.Level);
            ulong features = BinaryPrimitives.ReadUInt64LittleEndian(fx[(SwBytes + 8)..]) & xcr0;
            ulong xstateBv = BinaryPrimitives.ReadUInt64LittleEndian(image[512..]) & features;
            image[512..576].Clear(); // the kernel sanitises the header
            BinaryPrimitives.WriteUInt64LittleEndian(image[512..], xstateBv);
            c.LoadXsave(image[..XstateSize], xcr0, xcr0, rexW: true);
            return;
        }
        c.LoadFxsave(image[..CpuCore.FxsaveImageSize]);
        c.YmmHigh = default;
    }

    /// <summary>The initial FPU state (init_fpstate): what a handler starts with.</summary>
    public static void ResetForHandler(CpuCore c)
    {
        c.Fpu = new X86Vm.Cpu.State.X87State();
        c.Mxcsr = 0x1F80;
        for (int i = 0; i < 16; i++) c.Xmm[i] = 0;
        c.YmmHigh = default;
    }
}

/// <summary>sigaltstack(2) state of a thread and the kernel's helpers on it (sas_ss_flags, on_sig_stack).</summary>
public static class AltStack
{
    public const int SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = unchecked((int)0x80000000);
    public const int SS_FLAG_BITS = SS_AUTODISARM;
    public const ulong MINSIGSTKSZ = 2048;

    /// <summary>on_sig_stack: sp within (ss_sp, ss_sp + ss_size]; never with SS_AUTODISARM.</summary>
    public static bool Contains(GuestThread t, ulong sp) =>
        (t.AltStackFlags & SS_AUTODISARM) == 0 && sp > t.AltStackBase && sp - t.AltStackBase <= t.AltStackSize;

    /// <summary>sas_ss_flags: SS_DISABLE when none is set, SS_ONSTACK when <paramref name="sp"/> is on it, else 0.</summary>
    public static int Flags(GuestThread t, ulong sp) => t.AltStackSize == 0 ? SS_DISABLE : Contains(t, sp) ? SS_ONSTACK : 0;

    public static void Reset(GuestThread t)
    {
        t.AltStackBase = 0;
        t.AltStackSize = 0;
        t.AltStackFlags = SS_DISABLE;
    }

    /// <summary>do_sigaltstack's "set" half; returns 0 or a negative errno.</summary>
    public static int Set(GuestThread t, ulong ssSp, int ssFlags, ulong ssSize, ulong sp)
    {
        if (Contains(t, sp)) return -Errno.EPERM;
        int mode = ssFlags & ~SS_FLAG_BITS;
        if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0) return -Errno.EINVAL;
        if (t.AltStackBase == ssSp && t.AltStackSize == ssSize && t.AltStackFlags == ssFlags) return 0;
        if (mode == SS_DISABLE)
        {
            ssSize = 0;
            ssSp = 0;
        }
        else if (ssSize < MINSIGSTKSZ) return -Errno.ENOMEM;
        t.AltStackBase = ssSp;
        t.AltStackSize = ssSize;
        t.AltStackFlags = ssFlags;
        return 0;
    }
}
