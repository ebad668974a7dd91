using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Float;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions.X87;

/// <summary>
/// x87 transcendentals: F2XM1 FYL2X FYL2XP1 FPATAN FSIN FCOS FSINCOS FPTAN (values from
/// <see cref="Float80"/>'s 192-bit evaluation, rounded once; see docs/x87.md for accuracy).
/// </summary>
[InstructionFamily]
static class InstX87Transcendental
{
    static readonly Type Self = typeof(InstX87Transcendental);

    static void Register(InstructionTable t)
    {
        void Plain(Mnemonic m, string name, int cond = 0) => t.Add(m, (in Instruction insn, ref DecodedOp op, Type[] o) =>
        {
            op.Cond = (byte)cond;
            return Handlers.Get(Self, name);
        });
        Plain(Mnemonic.F2xm1, nameof(F2xm1));
        Plain(Mnemonic.Fyl2x, nameof(Binary), 0);
        Plain(Mnemonic.Fyl2xp1, nameof(Binary), 1);
        Plain(Mnemonic.Fpatan, nameof(Binary), 2);
        Plain(Mnemonic.Fsin, nameof(Trig), 0);
        Plain(Mnemonic.Fcos, nameof(Trig), 1);
        Plain(Mnemonic.Fptan, nameof(Trig), 2);
        Plain(Mnemonic.Fsincos, nameof(Trig), 3);
    }

    public static void F2xm1(Cpu c, ref DecodedOp op)
    {
        X87State f = X87.Begin(c, ref op);
        if (f.IsEmpty(0))
        {
            if (X87.Underflow(f)) f.Set(0, Float80.Indefinite);
            return;
        }
        var env = new FpuEnv(f.Control);
        Float80 r = Float80.Exp2M1(f.St(0), ref env);
        if (X87.Commit(f, ref env)) f.Set(0, r);
    }

    /// <summary>FYL2X (Cond 0), FYL2XP1 (1), FPATAN (2): ST(1) ← f(ST(0), ST(1)), then pop.</summary>
    public static void Binary(Cpu c, ref DecodedOp op)
    {
        X87State f = X87.Begin(c, ref op);
        if (f.IsEmpty(0) || f.IsEmpty(1))
        {
            if (!X87.Underflow(f)) return;
            f.Set(1, Float80.Indefinite);
            f.Pop();
            return;
        }
        var env = new FpuEnv(f.Control);
        Float80 x = f.St(0), y = f.St(1);
        Float80 r = op.Cond switch
        {
            0 => Float80.YLog2X(x, y, ref env),
            1 => Float80.YLog2XP1(x, y, ref env),
            _ => Float80.Atan2(y, x, ref env),
        };
        if (!X87.Commit(f, ref env)) return;
        f.Set(1, r);
        f.Pop();
    }

    /// <summary>
    /// FSIN (Cond 0), FCOS (1), FPTAN (2: then push 1.0), FSINCOS (3: ST(0) ← sin, then push cos).
    /// |x| ≥ 2^63: C2 = 1 and nothing else changes; otherwise C2 = 0.
    /// </summary>
    public static void Trig(Cpu c, ref DecodedOp op)
    {
        X87State f = X87.Begin(c, ref op);
        bool pushes = op.Cond >= 2;
        f.Status &= unchecked((ushort)~FpuStatus.C2);
        if (f.IsEmpty(0))
        {
            if (!X87.Underflow(f)) return;
            f.Set(0, Float80.Indefinite);
            if (pushes) f.Push(Float80.Indefinite);
            return;
        }
        if (pushes && !f.IsEmpty(-1))
        {
            if (!X87.Overflow(f)) return;
            f.Set(0, Float80.Indefinite);
            f.Push(Float80.Indefinite);
            return;
        }
        var env = new FpuEnv(f.Control);
        if (!Float80.Trig(f.St(0), op.Cond, ref env, out Float80 first, out Float80 second))
        {
            X87.Commit(f, ref env);
            f.Status |= (ushort)FpuStatus.C2;
            return;
        }
        if (!X87.Commit(f, ref env)) return;
        f.Set(0, first);
        if (op.Cond == 2) f.Push(first.IsNaN ? first : Float80.One);
        else if (op.Cond == 3) f.Push(second);
    }
}
