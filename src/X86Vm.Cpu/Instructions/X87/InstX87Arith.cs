using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Float;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions.X87;

interface IFpuArith
{
    static abstract Float80 Apply(Float80 dst, Float80 src, ref FpuEnv env);
}

struct FAdd : IFpuArith { public static Float80 Apply(Float80 d, Float80 s, ref FpuEnv e) => Float80.Add(d, s, ref e); }
struct FMul : IFpuArith { public static Float80 Apply(Float80 d, Float80 s, ref FpuEnv e) => Float80.Mul(d, s, ref e); }
struct FSub : IFpuArith { public static Float80 Apply(Float80 d, Float80 s, ref FpuEnv e) => Float80.Sub(d, s, ref e); }
struct FSubr : IFpuArith { public static Float80 Apply(Float80 d, Float80 s, ref FpuEnv e) => Float80.Sub(s, d, ref e); }
struct FDiv : IFpuArith { public static Float80 Apply(Float80 d, Float80 s, ref FpuEnv e) => Float80.Div(d, s, ref e); }
struct FDivr : IFpuArith { public static Float80 Apply(Float80 d, Float80 s, ref FpuEnv e) => Float80.Div(s, d, ref e); }

/// <summary>
/// x87 arithmetic: FADD FSUB FSUBR FMUL FDIV FDIVR (memory, register and popping forms), FIADD…FIDIVR,
/// FSQRT FABS FCHS FRNDINT FSCALE FXTRACT FPREM FPREM1 (SDM Vol. 2; results from <see cref="Float80"/>).
/// </summary>
[InstructionFamily]
static class InstX87Arith
{
    static readonly Type Self = typeof(InstX87Arith);

    static void Register(InstructionTable t)
    {
        void Arith(Mnemonic m, Mnemonic pop, Mnemonic integer, Type operation)
        {
            t.Add(m, (in Instruction insn, ref DecodedOp op, Type[] o) => X87.HasMemory(insn)
                ? Handlers.Get(Self, nameof(ArithMem), operation, X87.MemoryFormat(insn))
                : Handlers.Get(Self, nameof(ArithReg), operation));
            t.Add(pop, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            {
                if (insn.OpCount == 0) { op.R1 = 1; op.R2 = 0; }
                return Handlers.Get(Self, nameof(ArithRegPop), operation);
            });
            t.Add(integer, (in Instruction insn, ref DecodedOp op, Type[] o) =>
                Handlers.Get(Self, nameof(ArithMem), operation, X87.MemoryFormat(insn)));
        }
        Arith(Mnemonic.Fadd, Mnemonic.Faddp, Mnemonic.Fiadd, typeof(FAdd));
        Arith(Mnemonic.Fmul, Mnemonic.Fmulp, Mnemonic.Fimul, typeof(FMul));
        Arith(Mnemonic.Fsub, Mnemonic.Fsubp, Mnemonic.Fisub, typeof(FSub));
        Arith(Mnemonic.Fsubr, Mnemonic.Fsubrp, Mnemonic.Fisubr, typeof(FSubr));
        Arith(Mnemonic.Fdiv, Mnemonic.Fdivp, Mnemonic.Fidiv, typeof(FDiv));
        Arith(Mnemonic.Fdivr, Mnemonic.Fdivrp, Mnemonic.Fidivr, typeof(FDivr));
        t.Add(Mnemonic.Fsqrt, Bind.Fixed(Self, nameof(Fsqrt)));
        t.Add(Mnemonic.Fabs, Bind.Fixed(Self, nameof(Fabs)));
        t.Add(Mnemonic.Fchs, Bind.Fixed(Self, nameof(Fchs)));
        t.Add(Mnemonic.Frndint, Bind.Fixed(Self, nameof(Frndint)));
        t.Add(Mnemonic.Fscale, Bind.Fixed(Self, nameof(Fscale)));
        t.Add(Mnemonic.Fxtract, Bind.Fixed(Self, nameof(Fxtract)));
        t.Add(Mnemonic.Fprem, Bind.Fixed(Self, nameof(Fprem)));
        t.Add(Mnemonic.Fprem1, Bind.Fixed(Self, nameof(Fprem1)));
    }

    /// <summary>ST(0) ← ST(0) op m (m32fp, m64fp, m16int, m32int).</summary>
    public static void ArithMem<TOp, TFmt>(Cpu c, ref DecodedOp op) where TOp : IFpuArith where TFmt : IFpuMemory
    {
        X87State f = X87.Begin(c, ref op);
        ulong address = c.EffectiveAddress(ref op);
        var env = new FpuEnv(f.Control);
        Float80 src = TFmt.Load(c, address, ref env, true);
        if (f.IsEmpty(0))
        {
            if (X87.Underflow(f)) f.Set(0, Float80.Indefinite);
            return;
        }
        if (env.Suppressed) { X87.Commit(f, ref env); return; }
        Float80 r = TOp.Apply(f.St(0), src, ref env);
        if (X87.Commit(f, ref env)) f.Set(0, r);
    }

    /// <summary>ST(R1) ← ST(R1) op ST(R2).</summary>
    public static void ArithReg<TOp>(Cpu c, ref DecodedOp op) where TOp : IFpuArith
    {
        X87State f = X87.Begin(c, ref op);
        Compute<TOp>(f, op.R1, op.R2);
    }

    /// <summary>ST(R1) ← ST(R1) op ST(0), then pop.</summary>
    public static void ArithRegPop<TOp>(Cpu c, ref DecodedOp op) where TOp : IFpuArith
    {
        X87State f = X87.Begin(c, ref op);
        if (Compute<TOp>(f, op.R1, op.R2)) f.Pop();
    }

    static bool Compute<TOp>(X87State f, int dst, int src) where TOp : IFpuArith
    {
        if (f.IsEmpty(dst) || f.IsEmpty(src))
        {
            if (!X87.Underflow(f)) return false;
            f.Set(dst, Float80.Indefinite);
            return true;
        }
        var env = new FpuEnv(f.Control);
        Float80 r = TOp.Apply(f.St(dst), f.St(src), ref env);
        if (!X87.Commit(f, ref env)) return false;
        f.Set(dst, r);
        return true;
    }

    delegate Float80 Unary(Float80 a, ref FpuEnv env);

    static void UnaryOp(Cpu c, ref DecodedOp op, Unary fn)
    {
        X87State f = X87.Begin(c, ref op);
        if (f.IsEmpty(0))
        {
            if (X87.Underflow(f)) f.Set(0, Float80.Indefinite);
            return;
        }
        var env = new FpuEnv(f.Control);
        Float80 r = fn(f.St(0), ref env);
        if (X87.Commit(f, ref env)) f.Set(0, r);
    }

    public static void Fsqrt(Cpu c, ref DecodedOp op) => UnaryOp(c, ref op, Float80.Sqrt);
    public static void Frndint(Cpu c, ref DecodedOp op) => UnaryOp(c, ref op, Float80.RoundToInteger);
    public static void Fabs(Cpu c, ref DecodedOp op) => UnaryOp(c, ref op, static (Float80 a, ref FpuEnv e) => a.Abs());
    public static void Fchs(Cpu c, ref DecodedOp op) => UnaryOp(c, ref op, static (Float80 a, ref FpuEnv e) => a.Negate());

    public static void Fscale(Cpu c, ref DecodedOp op)
    {
        X87State f = X87.Begin(c, ref op);
        if (f.IsEmpty(0) || f.IsEmpty(1))
        {
            if (X87.Underflow(f)) f.Set(0, Float80.Indefinite);
            return;
        }
        var env = new FpuEnv(f.Control);
        Float80 r = Float80.Scale(f.St(0), f.St(1), ref env);
        if (X87.Commit(f, ref env)) f.Set(0, r);
    }

    /// <summary>FXTRACT: ST(0) ← exponent, then push the significand.</summary>
    public static void Fxtract(Cpu c, ref DecodedOp op)
    {
        X87State f = X87.Begin(c, ref op);
        if (f.IsEmpty(0))
        {
            if (!X87.Underflow(f)) return;
            f.Set(0, Float80.Indefinite);
            f.Push(Float80.Indefinite);
            return;
        }
        if (!f.IsEmpty(-1))
        {
            if (!X87.Overflow(f)) return;
            f.Set(0, Float80.Indefinite);
            f.Push(Float80.Indefinite);
            return;
        }
        var env = new FpuEnv(f.Control);
        var (e, s) = Float80.Extract(f.St(0), ref env);
        if (!X87.Commit(f, ref env)) return;
        f.Set(0, e);
        f.Push(s);
    }

    public static void Fprem(Cpu c, ref DecodedOp op) => Remainder(c, ref op, false);
    public static void Fprem1(Cpu c, ref DecodedOp op) => Remainder(c, ref op, true);

    /// <summary>FPREM/FPREM1: C0 C3 C1 ← quotient bits 2 1 0, C2 ← reduction incomplete.</summary>
    static void Remainder(Cpu c, ref DecodedOp op, bool nearest)
    {
        X87State f = X87.Begin(c, ref op);
        if (f.IsEmpty(0) || f.IsEmpty(1))
        {
            f.Status &= unchecked((ushort)~FpuStatus.C2);
            if (X87.Underflow(f)) f.Set(0, Float80.Indefinite);
            return;
        }
        var env = new FpuEnv(f.Control);
        Float80 r = Float80.Remainder(f.St(0), f.St(1), nearest, ref env, out int q, out bool incomplete);
        env.Flags &= ~FpuStatus.C1;
        bool ok = X87.Commit(f, ref env);
        if (!ok || (env.Flags & FpuStatus.IE) != 0 || r.IsNaN)
        {
            // Invalid, a NaN operand or an unmasked exception: C1 and C2 cleared, C0 and C3 unchanged.
            f.Status &= unchecked((ushort)~(FpuStatus.C1 | FpuStatus.C2));
            if (ok) f.Set(0, r);
            return;
        }
        if (!ok) return;
        f.Set(0, r);
        uint cc = incomplete ? FpuStatus.C2
            : ((q & 4) != 0 ? FpuStatus.C0 : 0) | ((q & 2) != 0 ? FpuStatus.C3 : 0) | ((q & 1) != 0 ? FpuStatus.C1 : 0);
        X87.SetConditionCodes(f, cc);
    }
}
