using System.Numerics;
using System.Runtime.CompilerServices;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Flags;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions;

/// <summary>
/// Bit test, scan and count: BT BTS BTR BTC BSF BSR POPCNT LZCNT TZCNT (SDM Vol. 2). Flags Intel
/// leaves undefined keep their values or are cleared exactly as this project's reference host (AMD
/// EPYC, Zen 3) does; see docs/undefined-behaviour.md.
/// </summary>
[InstructionFamily]
static class InstBits
{
    static readonly Type Self = typeof(InstBits);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Bt, Bind.Sized(Self, nameof(Bt)));
        t.Add(Mnemonic.Bts, Bind.Sized(Self, nameof(Bts)));
        t.Add(Mnemonic.Btr, Bind.Sized(Self, nameof(Btr)));
        t.Add(Mnemonic.Btc, Bind.Sized(Self, nameof(Btc)));
        t.Add(Mnemonic.Bsf, Bind.Sized(Self, nameof(Bsf)));
        t.Add(Mnemonic.Bsr, Bind.Sized(Self, nameof(Bsr)));
        t.Add(Mnemonic.Popcnt, Bind.Sized(Self, nameof(Popcnt)));
        t.Add(Mnemonic.Lzcnt, Bind.Sized(Self, nameof(Lzcnt)));
        t.Add(Mnemonic.Tzcnt, Bind.Sized(Self, nameof(Tzcnt)));
    }

    const int Test = 0, Set = 1, Reset = 2, Complement = 3;

    [MethodImpl(Hot.Handler)]
    public static void Bt<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand =>
        BitTest<T, D, S>(c, ref op, Test);

    public static void Bts<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand =>
        BitTest<T, D, S>(c, ref op, Set);

    public static void Btr<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand =>
        BitTest<T, D, S>(c, ref op, Reset);

    public static void Btc<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand =>
        BitTest<T, D, S>(c, ref op, Complement);

    /// <summary>
    /// CF = the selected bit, which <paramref name="mode"/> then leaves, sets, clears or complements. The
    /// bit offset is taken modulo the operand width, except for a memory operand with a register offset:
    /// there the offset is a signed bit-string index and the operand-sized word at
    /// EA + (offset SAR log2(width)) × width/8 is accessed (SDM BT). Other flags keep their values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void BitTest<T, D, S>(Cpu c, ref DecodedOp op, int mode) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        int bits = Unsafe.SizeOf<T>() * 8;
        ulong offset = ulong.CreateTruncating(S.Read<T>(c, ref op));
        ulong bit = 1UL << (int)(offset & (ulong)(bits - 1));
        ulong value, result;
        if (typeof(D) == typeof(Mem) && typeof(S) != typeof(Imm))
        {
            long words = (long)InstMove.SignExtend(S.Read<T>(c, ref op)) >> BitOperations.Log2((uint)bits);
            ulong address = (c.EffectiveAddress(ref op) + (ulong)(words * Unsafe.SizeOf<T>())) & op.EaMask;
            value = ulong.CreateTruncating(c.Memory.Read<T>(address));
            result = Apply(value, bit, mode);
            if (mode != Test) c.Memory.Write(address, T.CreateTruncating(result));
        }
        else
        {
            value = ulong.CreateTruncating(D.Read<T>(c, ref op));
            result = Apply(value, bit, mode);
            if (mode != Test) D.Write(c, ref op, T.CreateTruncating(result));
        }
        c.SetStatusFlags((value & bit) != 0 ? RFlags.CF : 0, RFlags.CF);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Apply(ulong value, ulong bit, int mode) => mode switch
    {
        Set => value | bit,
        Reset => value & ~bit,
        Complement => value ^ bit,
        _ => value,
    };

    /// <summary>BSF: index of the lowest set bit. A zero source sets ZF and leaves the whole destination register unchanged (no zero-extension); only ZF changes.</summary>
    public static void Bsf<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        ulong s = ulong.CreateTruncating(S.Read<T>(c, ref op));
        if (s == 0) { c.SetStatusFlags(RFlags.ZF, RFlags.ZF); return; }
        D.Write(c, ref op, T.CreateTruncating(BitOperations.TrailingZeroCount(s)));
        c.SetStatusFlags(0, RFlags.ZF);
    }

    /// <summary>BSR: index of the highest set bit; zero source as for <see cref="Bsf{T,D,S}"/>.</summary>
    public static void Bsr<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        ulong s = ulong.CreateTruncating(S.Read<T>(c, ref op));
        if (s == 0) { c.SetStatusFlags(RFlags.ZF, RFlags.ZF); return; }
        D.Write(c, ref op, T.CreateTruncating(63 - BitOperations.LeadingZeroCount(s)));
        c.SetStatusFlags(0, RFlags.ZF);
    }

    /// <summary>POPCNT: ZF = (source = 0); CF, OF, SF, AF, PF cleared.</summary>
    public static void Popcnt<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        ulong s = ulong.CreateTruncating(S.Read<T>(c, ref op));
        D.Write(c, ref op, T.CreateTruncating(BitOperations.PopCount(s)));
        c.FlagRes = s == 0 ? RFlags.ZF : 0;
        c.FlagKind = LazyFlags.Kind(FlagOp.Materialized, 3);
    }

    /// <summary>LZCNT: CF = (source = 0), ZF = (result = 0); SF, AF, PF cleared and OF kept, as on the host.</summary>
    public static void Lzcnt<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        ulong s = ulong.CreateTruncating(S.Read<T>(c, ref op));
        int r = BitOperations.LeadingZeroCount(s) - (64 - Unsafe.SizeOf<T>() * 8);
        D.Write(c, ref op, T.CreateTruncating(r));
        CountFlags(c, s, r);
    }

    /// <summary>TZCNT: the operand width for a zero source; flags as for <see cref="Lzcnt{T,D,S}"/>.</summary>
    public static void Tzcnt<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        ulong s = ulong.CreateTruncating(S.Read<T>(c, ref op));
        int r = s == 0 ? Unsafe.SizeOf<T>() * 8 : BitOperations.TrailingZeroCount(s);
        D.Write(c, ref op, T.CreateTruncating(r));
        CountFlags(c, s, r);
    }

    static void CountFlags(Cpu c, ulong source, int result) =>
        c.SetStatusFlags((source == 0 ? RFlags.CF : 0) | (result == 0 ? RFlags.ZF : 0),
            RFlags.CF | RFlags.ZF | RFlags.SF | RFlags.AF | RFlags.PF);
}
