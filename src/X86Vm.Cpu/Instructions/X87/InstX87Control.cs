using System.Buffers.Binary;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Float;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions.X87;

/// <summary>
/// x87 control: FLDCW FNSTCW FNSTSW FNCLEX FNINIT (and their waiting forms), FWAIT FNOP FFREE FFREEP
/// FINCSTP FDECSTP, FNSTENV FLDENV FNSAVE FRSTOR (64-bit mode layouts) and FXSAVE FXRSTOR (with REX.W too).
/// The FN… forms never raise #MF; every other x87 instruction does when an unmasked exception is pending.
/// </summary>
[InstructionFamily]
static class InstX87Control
{
    static readonly Type Self = typeof(InstX87Control);

    /// <summary>The MXCSR bits that may be set (FXSAVE's MXCSR_MASK); one definition, in <see cref="Sse.SseControl"/>.</summary>
    public const uint MxcsrMask = Sse.SseControl.MxcsrMask;

    static void Register(InstructionTable t)
    {
        void Plain(Mnemonic m, string name, int cond = 0) => t.Add(m, (in Instruction insn, ref DecodedOp op, Type[] o) =>
        {
            bool small = insn.MemorySize is MemorySize.FpuEnv14 or MemorySize.FpuState94;
            op.Cond = (byte)(cond | (small ? 4 : 0));
            return Handlers.Get(Self, name);
        });
        // Cond bit 0: the waiting form (checks for a pending exception first); bit 2: the 16-bit (66h) environment layout.
        Plain(Mnemonic.Fldcw, nameof(Fldcw), 1);
        Plain(Mnemonic.Fnstcw, nameof(Fstcw));
        Plain(Mnemonic.Fstcw, nameof(Fstcw), 1);
        t.Add(Mnemonic.Fnstsw, (in Instruction insn, ref DecodedOp op, Type[] o) => Handlers.Get(Self, X87.HasMemory(insn) ? nameof(FstswMem) : nameof(FstswAx)));
        t.Add(Mnemonic.Fstsw, (in Instruction insn, ref DecodedOp op, Type[] o) =>
        {
            op.Cond = 1;
            return Handlers.Get(Self, X87.HasMemory(insn) ? nameof(FstswMem) : nameof(FstswAx));
        });
        Plain(Mnemonic.Fnclex, nameof(Fclex));
        Plain(Mnemonic.Fclex, nameof(Fclex), 1);
        Plain(Mnemonic.Fninit, nameof(Finit));
        Plain(Mnemonic.Finit, nameof(Finit), 1);
        Plain(Mnemonic.Wait, nameof(Fwait), 1);
        Plain(Mnemonic.Fnop, nameof(Fwait), 1);
        Plain(Mnemonic.Fneni, nameof(Fwait));
        Plain(Mnemonic.Fndisi, nameof(Fwait));
        Plain(Mnemonic.Fnsetpm, nameof(Fwait));
        Plain(Mnemonic.Feni, nameof(Fwait), 1);
        Plain(Mnemonic.Fdisi, nameof(Fwait), 1);
        Plain(Mnemonic.Fsetpm, nameof(Fwait), 1);
        Plain(Mnemonic.Fincstp, nameof(Fincstp), 1);
        Plain(Mnemonic.Fdecstp, nameof(Fdecstp), 1);
        Plain(Mnemonic.Ffree, nameof(Ffree), 1);
        Plain(Mnemonic.Ffreep, nameof(Ffree), 3);
        Plain(Mnemonic.Fnstenv, nameof(Fstenv));
        Plain(Mnemonic.Fstenv, nameof(Fstenv), 1);
        Plain(Mnemonic.Fldenv, nameof(Fldenv), 1);
        Plain(Mnemonic.Fnsave, nameof(Fsave));
        Plain(Mnemonic.Fsave, nameof(Fsave), 1);
        Plain(Mnemonic.Frstor, nameof(Frstor), 1);
        Plain(Mnemonic.Fxsave, nameof(Fxsave));
        Plain(Mnemonic.Fxsave64, nameof(Fxsave), 2);
        Plain(Mnemonic.Fxrstor, nameof(Fxrstor));
        Plain(Mnemonic.Fxrstor64, nameof(Fxrstor), 2);
    }

    static X87State Enter(Cpu c, ref DecodedOp op) => (op.Cond & 1) != 0 ? X87.Begin(c, ref op) : c.Fpu;

    public static void Fldcw(Cpu c, ref DecodedOp op)
    {
        X87State f = Enter(c, ref op);
        f.Control = X87State.CanonicalControl(c.Memory.Read<ushort>(c.EffectiveAddress(ref op)));
    }

    public static void Fstcw(Cpu c, ref DecodedOp op)
    {
        X87State f = Enter(c, ref op);
        c.Memory.Write(c.EffectiveAddress(ref op), f.Control);
    }

    public static void FstswMem(Cpu c, ref DecodedOp op)
    {
        X87State f = Enter(c, ref op);
        c.Memory.Write(c.EffectiveAddress(ref op), f.StatusWord);
    }

    public static void FstswAx(Cpu c, ref DecodedOp op)
    {
        X87State f = Enter(c, ref op);
        GprAccess.Write(c, Reg.RAX * 8, f.StatusWord);
    }

    /// <summary>FNCLEX: clears the exception flags, SF, ES and B; C0–C3 and TOP are kept.</summary>
    public static void Fclex(Cpu c, ref DecodedOp op)
    {
        X87State f = Enter(c, ref op);
        f.Status &= unchecked((ushort)~(FpuStatus.Exceptions | FpuStatus.SF | FpuStatus.ES | FpuStatus.B));
    }

    public static void Finit(Cpu c, ref DecodedOp op) => Enter(c, ref op).Init();

    public static void Fwait(Cpu c, ref DecodedOp op) => Enter(c, ref op);

    public static void Fincstp(Cpu c, ref DecodedOp op)
    {
        X87State f = Enter(c, ref op);
        f.Top = (f.Top + 1) & 7;
        f.Status &= unchecked((ushort)~FpuStatus.C1);
    }

    public static void Fdecstp(Cpu c, ref DecodedOp op)
    {
        X87State f = Enter(c, ref op);
        f.Top = (f.Top - 1) & 7;
        f.Status &= unchecked((ushort)~FpuStatus.C1);
    }

    /// <summary>FFREE ST(i) (Cond bit 1: FFREEP, which also pops).</summary>
    public static void Ffree(Cpu c, ref DecodedOp op)
    {
        X87State f = Enter(c, ref op);
        f.Free(op.R1);
        f.Status &= unchecked((ushort)~FpuStatus.C1);
        if ((op.Cond & 2) != 0) f.Pop();
    }

    /// <summary>Size of the environment: 28 bytes, or 14 with the 66h prefix (Cond bit 2).</summary>
    static int EnvSize(ref DecodedOp op) => (op.Cond & 4) != 0 ? 14 : 28;

    static void SaveEnvironment(X87State f, Span<byte> env)
    {
        if (env.Length == 14) f.SaveEnvironment16(env);
        else f.SaveEnvironment(env);
    }

    static void LoadEnvironment(X87State f, ReadOnlySpan<byte> env)
    {
        if (env.Length == 14) f.LoadEnvironment16(env);
        else f.LoadEnvironment(env);
    }

    /// <summary>FNSTENV: stores the 28-byte (66h: 14-byte) environment, then masks all exceptions.</summary>
    public static void Fstenv(Cpu c, ref DecodedOp op)
    {
        X87State f = Enter(c, ref op);
        Span<byte> env = stackalloc byte[EnvSize(ref op)];
        SaveEnvironment(f, env);
        c.Memory.Write(c.EffectiveAddress(ref op), env);
        f.Control |= 0x3F;
    }

    public static void Fldenv(Cpu c, ref DecodedOp op)
    {
        X87State f = Enter(c, ref op);
        Span<byte> env = stackalloc byte[EnvSize(ref op)];
        c.Memory.Read(c.EffectiveAddress(ref op), env);
        LoadEnvironment(f, env);
    }

    /// <summary>FNSAVE: environment and ST(0)–ST(7) (108 bytes; 94 with 66h), then FNINIT.</summary>
    public static void Fsave(Cpu c, ref DecodedOp op)
    {
        X87State f = Enter(c, ref op);
        int e = EnvSize(ref op);
        Span<byte> image = stackalloc byte[e + 80];
        SaveEnvironment(f, image[..e]);
        for (int i = 0; i < 8; i++)
        {
            Float80 v = f.St(i);
            BinaryPrimitives.WriteUInt64LittleEndian(image[(e + 10 * i)..], v.Significand);
            BinaryPrimitives.WriteUInt16LittleEndian(image[(e + 8 + 10 * i)..], v.SignExponent);
        }
        c.Memory.Write(c.EffectiveAddress(ref op), image);
        f.Init();
    }

    public static void Frstor(Cpu c, ref DecodedOp op)
    {
        X87State f = Enter(c, ref op);
        int e = EnvSize(ref op);
        Span<byte> image = stackalloc byte[e + 80];
        c.Memory.Read(c.EffectiveAddress(ref op), image);
        LoadEnvironment(f, image[..e]);
        for (int i = 0; i < 8; i++)
            f.St(i) = new Float80(BinaryPrimitives.ReadUInt16LittleEndian(image[(e + 8 + 10 * i)..]),
                BinaryPrimitives.ReadUInt64LittleEndian(image[(e + 10 * i)..]));
    }

    /// <summary>
    /// FXSAVE/FXSAVE64: bytes 0–415 of the 512-byte area (x87, MXCSR, MXCSR_MASK, XMM0–15); bytes
    /// 416–511 are left untouched. The area must be 16-byte aligned (#GP otherwise).
    /// </summary>
    public static void Fxsave(Cpu c, ref DecodedOp op)
    {
        ulong address = c.EffectiveAddress(ref op);
        if ((address & 15) != 0) throw GuestFault.GeneralProtection("fxsave: misaligned");
        Span<byte> image = stackalloc byte[Cpu.FxsaveImageSize];
        c.SaveFxsave(image, (op.Cond & 2) != 0);
        c.Memory.Write(address, image);
    }

    public static void Fxrstor(Cpu c, ref DecodedOp op)
    {
        ulong address = c.EffectiveAddress(ref op);
        if ((address & 15) != 0) throw GuestFault.GeneralProtection("fxrstor: misaligned");
        Span<byte> image = stackalloc byte[Cpu.FxsaveImageSize];
        c.Memory.Read(address, image);
        if (!c.LoadFxsave(image, (op.Cond & 2) != 0)) throw GuestFault.GeneralProtection("fxrstor: reserved MXCSR bits");
    }
}
