using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Float;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions.X87;

/// <summary>
/// x87 comparisons: FCOM FCOMP FCOMPP FUCOM FUCOMP FUCOMPP FICOM FICOMP (C3 C2 C0), FCOMI FCOMIP FUCOMI
/// FUCOMIP (ZF PF CF), FTST and FXAM.
/// </summary>
[InstructionFamily]
static class InstX87Compare
{
    static readonly Type Self = typeof(InstX87Compare);

    // Cond bits: 1 = quiet (FUCOM), pops in bits 2:1 (0, 1 or 2).
    static void Register(InstructionTable t)
    {
        void Codes(Mnemonic m, bool quiet, int pops) => t.Add(m, (in Instruction insn, ref DecodedOp op, Type[] o) =>
        {
            op.Cond = (byte)((quiet ? 1 : 0) | (pops << 1));
            if (X87.HasMemory(insn)) return Handlers.Get(Self, nameof(CompareMem), X87.MemoryFormat(insn));
            // Register forms decode as (ST0, ST(i)), (ST(i)) or nothing (ST1).
            op.R2 = insn.OpCount switch { 0 => 1, 1 => op.R1, _ => op.R2 };
            return Handlers.Get(Self, nameof(CompareReg));
        });
        Codes(Mnemonic.Fcom, false, 0);
        Codes(Mnemonic.Fcomp, false, 1);
        Codes(Mnemonic.Fcompp, false, 2);
        Codes(Mnemonic.Fucom, true, 0);
        Codes(Mnemonic.Fucomp, true, 1);
        Codes(Mnemonic.Fucompp, true, 2);
        Codes(Mnemonic.Ficom, false, 0);
        Codes(Mnemonic.Ficomp, false, 1);
        void Eflags(Mnemonic m, bool quiet, bool pop) => t.Add(m, (in Instruction insn, ref DecodedOp op, Type[] o) =>
        {
            op.Cond = (byte)((quiet ? 1 : 0) | (pop ? 2 : 0));
            return Handlers.Get(Self, nameof(CompareEflags));
        });
        Eflags(Mnemonic.Fcomi, false, false);
        Eflags(Mnemonic.Fcomip, false, true);
        Eflags(Mnemonic.Fucomi, true, false);
        Eflags(Mnemonic.Fucomip, true, true);
        t.Add(Mnemonic.Ftst, Bind.Fixed(Self, nameof(Ftst)));
        t.Add(Mnemonic.Fxam, Bind.Fixed(Self, nameof(Fxam)));
    }

    static void Pops(X87State f, int n)
    {
        for (int i = 0; i < n; i++) f.Pop();
    }

    public static void CompareMem<TFmt>(Cpu c, ref DecodedOp op) where TFmt : IFpuMemory
    {
        X87State f = X87.Begin(c, ref op);
        ulong address = c.EffectiveAddress(ref op);
        var env = new FpuEnv(f.Control);
        Float80 src = TFmt.Load(c, address, ref env, true);
        Finish(f, ref op, src, 0, false, env);
    }

    public static void CompareReg(Cpu c, ref DecodedOp op)
    {
        X87State f = X87.Begin(c, ref op);
        int i = op.R2;
        var env = new FpuEnv(f.Control);
        Finish(f, ref op, f.St(i), i, true, env);
    }

    static void Finish(X87State f, ref DecodedOp op, Float80 src, int i, bool register, FpuEnv env)
    {
        // An unmasked exception still sets the condition codes (unordered for IE) but does not pop.
        int pops = op.Cond >> 1;
        if (f.IsEmpty(0) || (register && f.IsEmpty(i)))
        {
            bool masked = X87.Underflow(f);
            X87.SetCompareCodes(f, 2);
            if (masked) Pops(f, pops);
            return;
        }
        int cmp = Float80.Compare(f.St(0), src, (op.Cond & 1) != 0, ref env);
        env.Flags &= ~FpuStatus.C1;
        bool ok = X87.Commit(f, ref env);
        X87.SetCompareCodes(f, cmp);
        if (ok) Pops(f, pops);
    }

    /// <summary>FCOMI/FUCOMI(P) ST(0), ST(i): ZF PF CF as for an unsigned compare (all set when unordered); OF SF AF cleared.</summary>
    public static void CompareEflags(Cpu c, ref DecodedOp op)
    {
        X87State f = X87.Begin(c, ref op);
        int i = op.R2;
        int cmp;
        bool pop;
        // As for FCOM, an unmasked exception still sets the flags (unordered for IE) but does not pop.
        if (f.IsEmpty(0) || f.IsEmpty(i))
        {
            pop = X87.Underflow(f);
            cmp = 2;
        }
        else
        {
            var env = new FpuEnv(f.Control);
            cmp = Float80.Compare(f.St(0), f.St(i), (op.Cond & 1) != 0, ref env);
            env.Flags = (env.Flags & ~FpuStatus.C1) | (f.Status & FpuStatus.C1); // C1 unchanged (as the reference CPU does)
            pop = X87.Commit(f, ref env);
        }
        ulong flags = cmp switch
        {
            -1 => RFlags.CF,
            0 => RFlags.ZF,
            1 => 0,
            _ => RFlags.ZF | RFlags.PF | RFlags.CF,
        };
        c.SetStatusFlags(flags);
        if (pop && (op.Cond & 2) != 0) f.Pop();
    }

    public static void Ftst(Cpu c, ref DecodedOp op)
    {
        X87State f = X87.Begin(c, ref op);
        if (f.IsEmpty(0))
        {
            X87.Underflow(f);
            X87.SetCompareCodes(f, 2);
            return;
        }
        var env = new FpuEnv(f.Control);
        int cmp = Float80.Compare(f.St(0), Float80.Zero, false, ref env);
        env.Flags &= ~FpuStatus.C1;
        X87.Commit(f, ref env);
        X87.SetCompareCodes(f, cmp);
    }

    /// <summary>FXAM: C3 C2 C0 = class (SDM FXAM table), C1 = sign. Never raises anything.</summary>
    public static void Fxam(Cpu c, ref DecodedOp op)
    {
        X87State f = X87.Begin(c, ref op);
        Float80 v = f.St(0);
        uint cc = v.Sign ? FpuStatus.C1 : 0;
        if (f.IsEmpty(0)) cc |= FpuStatus.C3 | FpuStatus.C0;
        else
        {
            cc |= v.Class switch
            {
                FClass.Unsupported => 0,
                FClass.QNaN or FClass.SNaN => FpuStatus.C0,
                FClass.Inf => FpuStatus.C2 | FpuStatus.C0,
                FClass.Zero => FpuStatus.C3,
                _ => v.BiasedExponent == 0 ? FpuStatus.C3 | FpuStatus.C2 : FpuStatus.C2,
            };
        }
        X87.SetConditionCodes(f, cc);
    }
}
