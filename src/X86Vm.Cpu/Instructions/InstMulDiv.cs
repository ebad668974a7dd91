using System.Numerics;
using System.Runtime.CompilerServices;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions;

/// <summary>
/// Integer multiply and divide: MUL, IMUL (one-, two- and three-operand forms), DIV, IDIV (SDM Vol. 2),
/// all sizes. The one-operand forms use AX (8-bit: AX = AL × src, AL/AH = AX ÷ src) or rDX:rAX.
/// Divide by zero and a quotient that does not fit raise #DE (SIGFPE). Flags follow this project's
/// reference host (AMD EPYC, Zen 3), see docs/undefined-behaviour.md: MUL/IMUL set CF = OF =
/// "the result did not fit" and keep SF, ZF, AF, PF; DIV/IDIV keep CF and OF, clear SF, ZF, PF and set AF.
/// </summary>
[InstructionFamily]
static class InstMulDiv
{
    static readonly Type Self = typeof(InstMulDiv);

    const byte RaxOffset = Reg.RAX * 8, RdxOffset = Reg.RDX * 8;

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Mul, Bind.SizedWithFlags(Self, nameof(Mul)));
        t.Add(Mnemonic.Div, Bind.Sized(Self, nameof(Div)));
        t.Add(Mnemonic.Idiv, Bind.Sized(Self, nameof(Idiv)));
        t.Add(Mnemonic.Imul, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            Handlers.Get(Self, o.Length switch { 1 => nameof(Imul1), 2 => nameof(Imul2), _ => nameof(Imul3) },
                [OperandDecoder.UnsignedType(OperandDecoder.OperandSize(insn, 0)), .. o, Bind.FlagsMode(op)]));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong U<T>(T v) where T : IBinaryInteger<T> => ulong.CreateTruncating(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static long Signed<T>(T v) where T : IBinaryInteger<T> => (long)InstMove.SignExtend(v);

    /// <summary>CF = OF = the high half is significant; nothing when flag liveness found them dead.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void MulFlags<F>(Cpu c, bool overflow) where F : IFlagsMode
    {
        if (F.Live) c.SetStatusFlags(overflow ? RFlags.CF | RFlags.OF : 0, RFlags.CF | RFlags.OF);
    }

    static void DivFlags(Cpu c) => c.SetStatusFlags(RFlags.AF, RFlags.SF | RFlags.ZF | RFlags.AF | RFlags.PF);

    /// <summary>Stores a double-width result: AX for byte operands, otherwise rDX (high) and rAX (low).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreWide<T>(Cpu c, ulong low, ulong high) where T : unmanaged, IBinaryInteger<T>
    {
        if (Unsafe.SizeOf<T>() == 1)
            GprAccess.Write(c, RaxOffset, (ushort)((high << 8) | (low & 0xFF)));
        else
        {
            GprAccess.Write(c, RaxOffset, T.CreateTruncating(low));
            GprAccess.Write(c, RdxOffset, T.CreateTruncating(high));
        }
    }

    public static void Mul<T, S, F>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where S : IOperand where F : IFlagsMode
    {
        ulong a = U(GprAccess.Read<T>(c, RaxOffset)), b = U(S.Read<T>(c, ref op)), low, high;
        if (Unsafe.SizeOf<T>() == 8)
            high = Math.BigMul(a, b, out low);
        else
        {
            int bits = Unsafe.SizeOf<T>() * 8;
            ulong p = a * b; // fits: both factors are below 2^32
            low = p & LowMask<T>();
            high = p >> bits;
        }
        StoreWide<T>(c, low, high);
        MulFlags<F>(c, high != 0);
    }

    public static void Imul1<T, S, F>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where S : IOperand where F : IFlagsMode
    {
        long a = Signed(GprAccess.Read<T>(c, RaxOffset)), b = Signed(S.Read<T>(c, ref op));
        ulong low, high;
        bool overflow;
        if (Unsafe.SizeOf<T>() == 8)
        {
            high = (ulong)Math.BigMul(a, b, out long l);
            low = (ulong)l;
            overflow = (long)high != l >> 63;
        }
        else
        {
            int bits = Unsafe.SizeOf<T>() * 8;
            long p = a * b; // fits: both factors are within ±2^31
            low = (ulong)p & LowMask<T>();
            high = (ulong)(p >> bits);
            overflow = p != Signed(T.CreateTruncating(p));
        }
        StoreWide<T>(c, low, high);
        MulFlags<F>(c, overflow);
    }

    /// <summary>IMUL r, r/m: dest = dest × src truncated.</summary>
    [MethodImpl(Hot.Handler)]
    public static void Imul2<T, D, S, F>(Cpu c, ref DecodedOp op)
        where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where F : IFlagsMode =>
        Imul<T, D, F>(c, ref op, D.Read<T>(c, ref op), S.Read<T>(c, ref op));

    /// <summary>IMUL r, r/m, imm: dest = src × imm truncated.</summary>
    [MethodImpl(Hot.Handler)]
    public static void Imul3<T, D, S, I, F>(Cpu c, ref DecodedOp op)
        where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where I : IOperand where F : IFlagsMode =>
        Imul<T, D, F>(c, ref op, S.Read<T>(c, ref op), I.Read<T>(c, ref op));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Imul<T, D, F>(Cpu c, ref DecodedOp op, T x, T y) where T : unmanaged, IBinaryInteger<T> where D : IOperand where F : IFlagsMode
    {
        long a = Signed(x), b = Signed(y);
        bool overflow;
        ulong low;
        if (Unsafe.SizeOf<T>() == 8)
        {
            long high = Math.BigMul(a, b, out long l);
            low = (ulong)l;
            overflow = high != l >> 63;
        }
        else
        {
            long p = a * b;
            low = (ulong)p;
            overflow = p != Signed(T.CreateTruncating(p));
        }
        D.Write(c, ref op, T.CreateTruncating(low));
        MulFlags<F>(c, overflow);
    }

    public static void Div<T, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where S : IOperand
    {
        ulong divisor = U(S.Read<T>(c, ref op));
        if (divisor == 0) throw GuestFault.DivideError(op.Ip);
        ulong quotient, remainder;
        if (Unsafe.SizeOf<T>() == 8)
        {
            ulong high = c.R(Reg.RDX), low = c.R(Reg.RAX);
            if (high >= divisor) throw GuestFault.DivideError(op.Ip);
            UInt128 dividend = new(high, low);
            quotient = (ulong)(dividend / divisor);
            remainder = (ulong)(dividend % divisor);
        }
        else
        {
            ulong dividend = Dividend<T>(c);
            quotient = dividend / divisor;
            remainder = dividend % divisor;
            if (quotient > LowMask<T>()) throw GuestFault.DivideError(op.Ip);
        }
        StoreQuotient<T>(c, quotient, remainder);
        DivFlags(c);
    }

    public static void Idiv<T, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where S : IOperand
    {
        long divisor = Signed(S.Read<T>(c, ref op));
        if (divisor == 0) throw GuestFault.DivideError(op.Ip);
        long quotient, remainder;
        if (Unsafe.SizeOf<T>() == 8)
        {
            Int128 dividend = (Int128)new UInt128(c.R(Reg.RDX), c.R(Reg.RAX));
            if (dividend == Int128.MinValue && divisor == -1) throw GuestFault.DivideError(op.Ip);
            Int128 q = dividend / divisor;
            if (q < long.MinValue || q > long.MaxValue) throw GuestFault.DivideError(op.Ip);
            quotient = (long)q;
            remainder = (long)(dividend - q * divisor);
        }
        else
        {
            int bits = Unsafe.SizeOf<T>() * 8;
            int shift = 64 - 2 * bits;
            long dividend = (long)(Dividend<T>(c) << shift) >> shift;
            if (dividend == long.MinValue && divisor == -1) throw GuestFault.DivideError(op.Ip);
            quotient = dividend / divisor;
            remainder = dividend % divisor;
            long limit = 1L << (bits - 1);
            if (quotient < -limit || quotient >= limit) throw GuestFault.DivideError(op.Ip);
        }
        StoreQuotient<T>(c, (ulong)quotient, (ulong)remainder);
        DivFlags(c);
    }

    /// <summary>The double-width dividend of an 8/16/32-bit division, zero-extended: AX, DX:AX or EDX:EAX.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Dividend<T>(Cpu c) where T : unmanaged, IBinaryInteger<T>
    {
        if (Unsafe.SizeOf<T>() == 1) return GprAccess.Read<ushort>(c, RaxOffset);
        int bits = Unsafe.SizeOf<T>() * 8;
        return (U(GprAccess.Read<T>(c, RdxOffset)) << bits) | U(GprAccess.Read<T>(c, RaxOffset));
    }

    /// <summary>AL = quotient, AH = remainder for byte operands; otherwise rAX = quotient, rDX = remainder.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreQuotient<T>(Cpu c, ulong quotient, ulong remainder) where T : unmanaged, IBinaryInteger<T> =>
        StoreWide<T>(c, quotient, remainder);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong LowMask<T>() => ulong.MaxValue >> (64 - Unsafe.SizeOf<T>() * 8);
}
