using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Float;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions.X87;

/// <summary>
/// x87 data transfer: FLD FST FSTP (m32/m64/m80/ST(i)), FILD FIST FISTP FISTTP (m16/m32/m64), FBLD FBSTP,
/// the constants (FLD1 FLDZ FLDPI FLDL2E FLDL2T FLDLG2 FLDLN2), FXCH and FCMOVcc.
/// </summary>
[InstructionFamily]
static class InstX87Move
{
    static readonly Type Self = typeof(InstX87Move);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Fld, (in Instruction insn, ref DecodedOp op, Type[] o) => X87.HasMemory(insn)
            ? Handlers.Get(Self, nameof(LoadMem), X87.MemoryFormat(insn))
            : Handlers.Get(Self, nameof(LoadReg)));
        t.Add(Mnemonic.Fild, (in Instruction insn, ref DecodedOp op, Type[] o) => Handlers.Get(Self, nameof(LoadMem), X87.MemoryFormat(insn)));
        t.Add(Mnemonic.Fbld, (in Instruction insn, ref DecodedOp op, Type[] o) => Handlers.Get(Self, nameof(LoadMem), typeof(MBcd)));
        foreach (var (m, pop) in new[] { (Mnemonic.Fst, false), (Mnemonic.Fstp, true) })
            t.Add(m, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            {
                op.Cond = pop ? (byte)1 : (byte)0;
                if (!X87.HasMemory(insn)) return Handlers.Get(Self, nameof(StoreReg));
                return insn.MemorySize switch
                {
                    MemorySize.Float32 => Handlers.Get(Self, nameof(StoreSingle)),
                    MemorySize.Float64 => Handlers.Get(Self, nameof(StoreDouble)),
                    _ => Handlers.Get(Self, nameof(StoreExtended)),
                };
            });
        foreach (var (m, pop, truncate) in new[] { (Mnemonic.Fist, false, false), (Mnemonic.Fistp, true, false), (Mnemonic.Fisttp, true, true) })
            t.Add(m, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            {
                op.Cond = (byte)((pop ? 1 : 0) | (truncate ? 2 : 0));
                return insn.MemorySize switch
                {
                    MemorySize.Int16 => Handlers.Get(Self, nameof(StoreInteger), typeof(ushort)),
                    MemorySize.Int32 => Handlers.Get(Self, nameof(StoreInteger), typeof(uint)),
                    _ => Handlers.Get(Self, nameof(StoreInteger), typeof(ulong)),
                };
            });
        t.Add(Mnemonic.Fbstp, Bind.Fixed(Self, nameof(StoreBcd)));
        void Const(Mnemonic m, int which) => t.Add(m, (in Instruction insn, ref DecodedOp op, Type[] o) =>
        {
            op.Cond = (byte)which;
            return Handlers.Get(Self, nameof(LoadConstant));
        });
        Const(Mnemonic.Fldpi, Float80.ConstPi);
        Const(Mnemonic.Fldl2e, Float80.ConstLog2E);
        Const(Mnemonic.Fldl2t, Float80.ConstLog2Ten);
        Const(Mnemonic.Fldlg2, Float80.ConstLog10Two);
        Const(Mnemonic.Fldln2, Float80.ConstLn2);
        Const(Mnemonic.Fld1, 100);
        Const(Mnemonic.Fldz, 101);
        t.Add(Mnemonic.Fxch, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            {
                // FXCH ST(i) decodes as (ST0, ST(i)); keep the other register in R2.
                if (insn.OpCount == 1) op.R2 = op.R1;
                return Handlers.Get(Self, nameof(Fxch));
            });
        foreach (var (m, cond) in new[]
                 {
                     (Mnemonic.Fcmovb, 0x2), (Mnemonic.Fcmove, 0x4), (Mnemonic.Fcmovbe, 0x6), (Mnemonic.Fcmovu, 0xA),
                     (Mnemonic.Fcmovnb, 0x3), (Mnemonic.Fcmovne, 0x5), (Mnemonic.Fcmovnbe, 0x7), (Mnemonic.Fcmovnu, 0xB),
                 })
            t.Add(m, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            {
                op.Cond = (byte)cond;
                return Handlers.Get(Self, nameof(Fcmov));
            });
    }

    /// <summary>FLD m32fp/m64fp/m80fp, FILD, FBLD: push the operand.</summary>
    public static void LoadMem<TFmt>(Cpu c, ref DecodedOp op) where TFmt : IFpuMemory
    {
        X87State f = X87.Begin(c, ref op);
        ulong address = c.EffectiveAddress(ref op);
        var env = new FpuEnv(f.Control);
        Float80 v = TFmt.Load(c, address, ref env, false);
        if (!f.IsEmpty(-1))
        {
            if (X87.Overflow(f)) f.Push(Float80.Indefinite);
            return;
        }
        env.Flags &= ~FpuStatus.C1;
        if (X87.Commit(f, ref env)) f.Push(v);
    }

    /// <summary>FLD ST(i).</summary>
    public static void LoadReg(Cpu c, ref DecodedOp op)
    {
        X87State f = X87.Begin(c, ref op);
        if (f.IsEmpty(op.R1))
        {
            if (X87.Underflow(f)) f.Push(Float80.Indefinite);
            return;
        }
        Float80 v = f.St(op.R1);
        if (!f.IsEmpty(-1))
        {
            if (X87.Overflow(f)) f.Push(Float80.Indefinite);
            return;
        }
        f.Status &= unchecked((ushort)~FpuStatus.C1);
        f.Push(v);
    }

    public static void LoadConstant(Cpu c, ref DecodedOp op)
    {
        X87State f = X87.Begin(c, ref op);
        Float80 v = op.Cond switch
        {
            100 => Float80.One,
            101 => Float80.Zero,
            _ => Float80.Constant(op.Cond, f.Control),
        };
        if (!f.IsEmpty(-1))
        {
            if (X87.Overflow(f)) f.Push(Float80.Indefinite);
            return;
        }
        f.Status &= unchecked((ushort)~FpuStatus.C1);
        f.Push(v);
    }

    /// <summary>Common store prologue: false (and the underflow response done) when ST(0) is empty.</summary>
    static bool SourceEmpty(X87State f) => f.IsEmpty(0);

    static void Finish(X87State f, ref DecodedOp op)
    {
        if ((op.Cond & 1) != 0) f.Pop();
    }

    public static void StoreSingle(Cpu c, ref DecodedOp op)
    {
        X87State f = X87.Begin(c, ref op);
        ulong address = c.EffectiveAddress(ref op);
        if (SourceEmpty(f))
        {
            if (!X87.Underflow(f)) return;
            c.Memory.Write(address, 0xFFC0_0000u);
            Finish(f, ref op);
            return;
        }
        var env = new FpuEnv(f.Control);
        bool ok = Float80.ToSingle(f.St(0), ref env, out uint bits);
        if (ok) c.Memory.Write(address, bits);
        if (X87.Commit(f, ref env) && ok) Finish(f, ref op);
    }

    public static void StoreDouble(Cpu c, ref DecodedOp op)
    {
        X87State f = X87.Begin(c, ref op);
        ulong address = c.EffectiveAddress(ref op);
        if (SourceEmpty(f))
        {
            if (!X87.Underflow(f)) return;
            c.Memory.Write(address, 0xFFF8_0000_0000_0000ul);
            Finish(f, ref op);
            return;
        }
        var env = new FpuEnv(f.Control);
        bool ok = Float80.ToDouble(f.St(0), ref env, out ulong bits);
        if (ok) c.Memory.Write(address, bits);
        if (X87.Commit(f, ref env) && ok) Finish(f, ref op);
    }

    public static void StoreExtended(Cpu c, ref DecodedOp op)
    {
        X87State f = X87.Begin(c, ref op);
        ulong address = c.EffectiveAddress(ref op);
        Float80 v = f.St(0);
        if (SourceEmpty(f))
        {
            if (!X87.Underflow(f)) return;
            v = Float80.Indefinite;
        }
        else f.Status &= unchecked((ushort)~FpuStatus.C1);
        Write80(c, address, v);
        Finish(f, ref op);
    }

    internal static void Write80(Cpu c, ulong address, Float80 v)
    {
        Span<byte> b = stackalloc byte[10];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(b, v.Significand);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(b[8..], v.SignExponent);
        c.Memory.Write(address, b);
    }

    /// <summary>FST/FSTP ST(i): a copy, no conversion.</summary>
    public static void StoreReg(Cpu c, ref DecodedOp op)
    {
        X87State f = X87.Begin(c, ref op);
        Float80 v = f.St(0);
        if (SourceEmpty(f))
        {
            if (!X87.Underflow(f)) return;
            v = Float80.Indefinite;
        }
        else f.Status &= unchecked((ushort)~FpuStatus.C1);
        f.Set(op.R1, v);
        Finish(f, ref op);
    }

    /// <summary>FIST (Cond bit 0 clear), FISTP (bit 0), FISTTP (bits 0 and 1: truncate).</summary>
    public static void StoreInteger<T>(Cpu c, ref DecodedOp op) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        X87State f = X87.Begin(c, ref op);
        ulong address = c.EffectiveAddress(ref op);
        int bits = System.Runtime.CompilerServices.Unsafe.SizeOf<T>() * 8;
        if (SourceEmpty(f))
        {
            if (!X87.Underflow(f)) return;
            c.Memory.Write(address, T.CreateTruncating(1UL << (bits - 1)));
            Finish(f, ref op);
            return;
        }
        var env = new FpuEnv(f.Control);
        bool ok = Float80.ToInteger(f.St(0), bits, (op.Cond & 2) != 0, ref env, out ulong value);
        if (ok) c.Memory.Write(address, T.CreateTruncating(value));
        if (X87.Commit(f, ref env) && ok) Finish(f, ref op);
    }

    public static void StoreBcd(Cpu c, ref DecodedOp op)
    {
        X87State f = X87.Begin(c, ref op);
        ulong address = c.EffectiveAddress(ref op);
        Span<byte> b = stackalloc byte[10];
        if (SourceEmpty(f))
        {
            if (!X87.Underflow(f)) return;
            b.Clear();
            b[7] = 0xC0; b[8] = 0xFF; b[9] = 0xFF;
            c.Memory.Write(address, b);
            f.Pop();
            return;
        }
        var env = new FpuEnv(f.Control);
        bool ok = Float80.ToPackedBcd(f.St(0), ref env, b);
        if (ok) c.Memory.Write(address, b);
        if (X87.Commit(f, ref env) && ok) f.Pop();
    }

    /// <summary>FXCH: empty registers are first replaced by the indefinite (masked underflow).</summary>
    public static void Fxch(Cpu c, ref DecodedOp op)
    {
        X87State f = X87.Begin(c, ref op);
        int i = op.R2;
        if (f.IsEmpty(0) || f.IsEmpty(i))
        {
            if (!X87.Underflow(f)) return;
            if (f.IsEmpty(0)) f.Set(0, Float80.Indefinite);
            if (f.IsEmpty(i)) f.Set(i, Float80.Indefinite);
        }
        else f.Status &= unchecked((ushort)~FpuStatus.C1);
        Float80 a = f.St(0);
        f.Set(0, f.St(i));
        f.Set(i, a);
    }

    /// <summary>FCMOVcc ST(0), ST(i) (condition in Cond, as for Jcc).</summary>
    public static void Fcmov(Cpu c, ref DecodedOp op)
    {
        X87State f = X87.Begin(c, ref op);
        int i = op.R2;
        if (f.IsEmpty(0) || f.IsEmpty(i))
        {
            if (X87.Underflow(f)) f.Set(0, Float80.Indefinite);
            return;
        }
        if (c.Condition(op.Cond)) f.Set(0, f.St(i)); // C1 unchanged (as the reference CPU does)
    }
}
