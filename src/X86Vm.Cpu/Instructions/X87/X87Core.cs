using System.Runtime.CompilerServices;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Float;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions.X87;

/// <summary>A memory operand format of an x87 instruction, read as an extended value.</summary>
interface IFpuMemory
{
    /// <summary>Reads the operand. <paramref name="arithmetic"/>: an SNaN stays signaling (the operation raises IE).</summary>
    static abstract Float80 Load(Cpu c, ulong address, ref FpuEnv env, bool arithmetic);
}

struct M32fp : IFpuMemory
{
    public static Float80 Load(Cpu c, ulong a, ref FpuEnv env, bool arithmetic) => Float80.FromSingle(c.Memory.Read<uint>(a), ref env, arithmetic);
}

struct M64fp : IFpuMemory
{
    public static Float80 Load(Cpu c, ulong a, ref FpuEnv env, bool arithmetic) => Float80.FromDouble(c.Memory.Read<ulong>(a), ref env, arithmetic);
}

struct M80fp : IFpuMemory
{
    public static Float80 Load(Cpu c, ulong a, ref FpuEnv env, bool arithmetic)
    {
        ulong sig = c.Memory.Read<ulong>(a);
        return new Float80(c.Memory.Read<ushort>(a + 8), sig);
    }
}

struct M16int : IFpuMemory
{
    public static Float80 Load(Cpu c, ulong a, ref FpuEnv env, bool arithmetic) => Float80.FromInt64(c.Memory.Read<short>(a));
}

struct M32int : IFpuMemory
{
    public static Float80 Load(Cpu c, ulong a, ref FpuEnv env, bool arithmetic) => Float80.FromInt64(c.Memory.Read<int>(a));
}

struct M64int : IFpuMemory
{
    public static Float80 Load(Cpu c, ulong a, ref FpuEnv env, bool arithmetic) => Float80.FromInt64(c.Memory.Read<long>(a));
}

struct MBcd : IFpuMemory
{
    public static Float80 Load(Cpu c, ulong a, ref FpuEnv env, bool arithmetic)
    {
        Span<byte> b = stackalloc byte[10];
        c.Memory.Read(a, b);
        return Float80.FromPackedBcd(b);
    }
}

/// <summary>Shared x87 instruction machinery: #MF, stack faults, committing flags.</summary>
static class X87
{
    /// <summary>Start of a waiting x87 instruction: a pending unmasked exception raises #MF first (SDM Vol. 1 §8.6).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static X87State Begin(Cpu c, ref DecodedOp op)
    {
        X87State f = c.Fpu;
        if (f.ExceptionPending) throw MathFault(f, op.Ip);
        return f;
    }

    /// <summary>#MF as Linux reports it: SIGFPE, si_code from the unmasked flags (arch/x86/kernel/traps.c), si_addr = RIP.</summary>
    public static GuestFault MathFault(X87State f, ulong ip)
    {
        int err = f.Status & ~f.Control & 0x3F;
        int code = (err & 0x01) != 0 ? 7 /* FPE_FLTINV */
            : (err & 0x04) != 0 ? 3 /* FPE_FLTDIV */
            : (err & 0x08) != 0 ? 4 /* FPE_FLTOVF */
            : (err & 0x12) != 0 ? 5 /* FPE_FLTUND */
            : (err & 0x20) != 0 ? 6 /* FPE_FLTRES */ : 0;
        return new GuestFault(Signals.SIGFPE, code, ip, "x87 floating-point exception (#MF)");
    }

    /// <summary>
    /// Merges the flags of an operation into the status word: exception flags are sticky, C1 is the
    /// round-up indicator (cleared when not rounded up). Returns false when the result must not be stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Commit(X87State f, ref FpuEnv env)
    {
        f.Status = (ushort)((f.Status & ~FpuStatus.C1) | (env.Flags & (FpuStatus.Exceptions | FpuStatus.SF | FpuStatus.C1)));
        return !env.Suppressed;
    }

    /// <summary>Stack underflow (an empty source register): IE + SF, C1 = 0. Returns true when IE is masked.</summary>
    public static bool Underflow(X87State f)
    {
        f.Status = (ushort)((f.Status & ~FpuStatus.C1) | FpuStatus.IE | FpuStatus.SF);
        return (f.Control & FpuStatus.IE) != 0;
    }

    /// <summary>Stack overflow (push onto a full register): IE + SF, C1 = 1. Returns true when IE is masked.</summary>
    public static bool Overflow(X87State f)
    {
        f.Status = (ushort)(f.Status | FpuStatus.C1 | FpuStatus.IE | FpuStatus.SF);
        return (f.Control & FpuStatus.IE) != 0;
    }

    /// <summary>Pushes a value, or handles stack overflow (masked: pushes the indefinite).</summary>
    public static void Push(X87State f, Float80 value)
    {
        if (!f.IsEmpty(-1))
        {
            if (!Overflow(f)) return;
            value = Float80.Indefinite;
        }
        f.Push(value);
    }

    /// <summary>Sets C0 C2 C3 (C1 is cleared) from a comparison result (−1, 0, 1, 2 = unordered).</summary>
    public static void SetCompareCodes(X87State f, int cmp)
    {
        uint cc = cmp switch
        {
            -1 => FpuStatus.C0,
            0 => FpuStatus.C3,
            1 => 0,
            _ => FpuStatus.C0 | FpuStatus.C2 | FpuStatus.C3,
        };
        f.Status = (ushort)((f.Status & ~FpuStatus.ConditionCodes) | cc);
    }

    public static void SetConditionCodes(X87State f, uint cc) =>
        f.Status = (ushort)((f.Status & ~FpuStatus.ConditionCodes) | (cc & FpuStatus.ConditionCodes));

    /// <summary>The format marker type of an instruction's memory operand.</summary>
    public static Type MemoryFormat(in Instruction insn) => insn.MemorySize switch
    {
        MemorySize.Float32 => typeof(M32fp),
        MemorySize.Float64 => typeof(M64fp),
        MemorySize.Float80 => typeof(M80fp),
        MemorySize.Int16 => typeof(M16int),
        MemorySize.Int32 => typeof(M32int),
        MemorySize.Int64 => typeof(M64int),
        MemorySize.Bcd => typeof(MBcd),
        _ => throw new InvalidOperationException($"x87 memory operand {insn.MemorySize}"),
    };

    public static bool HasMemory(in Instruction insn)
    {
        for (int i = 0; i < insn.OpCount; i++)
            if (insn.GetOpKind(i) == OpKind.Memory) return true;
        return false;
    }
}
