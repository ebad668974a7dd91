using System.Numerics;
using System.Runtime.CompilerServices;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Flags;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions;

/// <summary>
/// Shifts and rotates: SHL/SAL SHR SAR ROL ROR RCL RCR SHLD SHRD (SDM Vol. 2 "SAL/SAR/SHL/SHR",
/// "RCL/RCR/ROL/ROR", "SHLD", "SHRD"), every size, with count 1, CL or imm8.
/// <para>
/// The count is masked to 5 bits (6 for 64-bit operands); RCL/RCR of 8/16-bit operands then rotate by
/// the masked count mod 9/17. A masked count of 0 changes no flags but still writes the destination
/// back: a 32-bit register is zero-extended and a read-only memory operand faults, as on hardware.
/// Flags Intel leaves undefined (OF for counts above 1, AF, SHLD/SHRD counts above the operand width)
/// follow this project's reference host (AMD EPYC, Zen 3); see docs/undefined-behaviour.md.
/// </para>
/// </summary>
[InstructionFamily]
static class InstShift
{
    static readonly Type Self = typeof(InstShift);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Shl, Shift(nameof(Shl)));
        t.Add(Mnemonic.Sal, Shift(nameof(Shl))); // includes the undocumented /6 encoding, which is SHL
        t.Add(Mnemonic.Shr, Shift(nameof(Shr)));
        t.Add(Mnemonic.Sar, Shift(nameof(Sar)));
        t.Add(Mnemonic.Rol, Shift(nameof(Rol), withFlagsMode: true));
        t.Add(Mnemonic.Ror, Shift(nameof(Ror), withFlagsMode: true));
        t.Add(Mnemonic.Rcl, Shift(nameof(Rcl)));
        t.Add(Mnemonic.Rcr, Shift(nameof(Rcr)));
        t.Add(Mnemonic.Shld, Bind.Sized(Self, nameof(Shld)));
        t.Add(Mnemonic.Shrd, Bind.Sized(Self, nameof(Shrd)));
    }

    /// <summary>
    /// Binds <c>name&lt;T, D, S&gt;</c> with S the count operand: CL (a register kind), <see cref="Imm"/>, or
    /// <see cref="One"/> for a count of 1 (Iced reports the D0/D1 forms as an 8-bit immediate 1; a
    /// missing count operand is treated the same way).
    /// </summary>
    static Binder Shift(string name, bool withFlagsMode = false) => (in Instruction insn, ref DecodedOp op, Type[] o) =>
    {
        Type count = o.Length < 2 || o[1] == typeof(Imm) && op.Imm == 1 ? typeof(One) : o[1];
        Type size = OperandDecoder.UnsignedType(OperandDecoder.OperandSize(insn, 0));
        return withFlagsMode
            ? Handlers.Get(Self, name, size, o[0], count, Bind.FlagsMode(op))
            : Handlers.Get(Self, name, size, o[0], count);
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static int Bits<T>() => Unsafe.SizeOf<T>() * 8;

    /// <summary>The count as the CPU uses it: low 5 bits, or 6 for 64-bit operands.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static int Count<T, S>(Cpu c, ref DecodedOp op) where S : IOperand =>
        S.Read<byte>(c, ref op) & (Unsafe.SizeOf<T>() == 8 ? 63 : 31);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong U<T>(T v) where T : IBinaryInteger<T> => ulong.CreateTruncating(v);

    /// <summary>x &lt;&lt; s and x &gt;&gt; s for s in 0..64 (C# masks shift counts to 6 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong ShiftLeft(ulong x, int s) => s >= 64 ? 0 : x << s;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong ShiftRight(ulong x, int s) => s >= 64 ? 0 : x >> s;

    /// <summary>CF and OF after a rotate; SF, ZF, AF and PF keep their values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void SetCarryOverflow(Cpu c, ulong cf, ulong of) =>
        c.SetStatusFlags((cf != 0 ? RFlags.CF : 0) | (of != 0 ? RFlags.OF : 0), RFlags.CF | RFlags.OF);

    [MethodImpl(Hot.Handler)]
    public static void Shl<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        int count = Count<T, S>(c, ref op);
        T value = D.Read<T>(c, ref op);
        if (count == 0) { D.Write(c, ref op, value); return; }
        ulong a = U(value), r = a << count; // count ≤ 63 and 8/16-bit values keep their high bits in the ulong
        D.Write(c, ref op, T.CreateTruncating(r));
        c.SetFlags(FlagOp.Shl, LazyFlags.SizeLog2<T>(), a, (ulong)count, r);
    }

    [MethodImpl(Hot.Handler)]
    public static void Shr<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        int count = Count<T, S>(c, ref op);
        T value = D.Read<T>(c, ref op);
        if (count == 0) { D.Write(c, ref op, value); return; }
        ulong a = U(value), r = a >> count;
        D.Write(c, ref op, T.CreateTruncating(r));
        c.SetFlags(FlagOp.Shr, LazyFlags.SizeLog2<T>(), a, (ulong)count, r);
    }

    [MethodImpl(Hot.Handler)]
    public static void Sar<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        int count = Count<T, S>(c, ref op);
        T value = D.Read<T>(c, ref op);
        if (count == 0) { D.Write(c, ref op, value); return; }
        ulong a = U(value), r = (ulong)((long)InstMove.SignExtend(value) >> count);
        D.Write(c, ref op, T.CreateTruncating(r));
        c.SetFlags(FlagOp.Sar, LazyFlags.SizeLog2<T>(), a, (ulong)count, r);
    }

    /// <summary>ROL: CF = LSB(result), OF = MSB(result) XOR CF (for every count, as on the host).</summary>
    [MethodImpl(Hot.Handler)]
    public static void Rol<T, D, S, F>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where F : IFlagsMode
    {
        int count = Count<T, S>(c, ref op);
        T value = D.Read<T>(c, ref op);
        if (count == 0) { D.Write(c, ref op, value); return; }
        int bits = Bits<T>(), n = count & (bits - 1);
        ulong a = U(value), r = n == 0 ? a : (a << n) | (a >> (bits - n));
        D.Write(c, ref op, T.CreateTruncating(r));
        if (!F.Live) return;
        ulong cf = r & 1;
        SetCarryOverflow(c, cf, ((r >> (bits - 1)) & 1) ^ cf);
    }

    /// <summary>ROR: CF = MSB(result), OF = the two top result bits XORed (for every count, as on the host).</summary>
    [MethodImpl(Hot.Handler)]
    public static void Ror<T, D, S, F>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where F : IFlagsMode
    {
        int count = Count<T, S>(c, ref op);
        T value = D.Read<T>(c, ref op);
        if (count == 0) { D.Write(c, ref op, value); return; }
        int bits = Bits<T>(), n = count & (bits - 1);
        ulong a = U(value), r = n == 0 ? a : (a >> n) | (a << (bits - n));
        D.Write(c, ref op, T.CreateTruncating(r));
        if (!F.Live) return;
        ulong msb = (r >> (bits - 1)) & 1;
        SetCarryOverflow(c, msb, msb ^ ((r >> (bits - 2)) & 1));
    }

    /// <summary>RCL: rotate the (width+1)-bit value CF:dest. OF = MSB(result) XOR new CF for every count.</summary>
    public static void Rcl<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        int count = Count<T, S>(c, ref op);
        T value = D.Read<T>(c, ref op);
        if (count == 0) { D.Write(c, ref op, value); return; }
        int bits = Bits<T>(), n = count % (bits + 1);
        ulong a = U(value), cf = c.Carry ? 1UL : 0, r = a;
        if (n != 0)
        {
            r = ShiftLeft(a, n) | (cf << (n - 1)) | ShiftRight(a, bits + 1 - n);
            cf = (a >> (bits - n)) & 1;
        }
        D.Write(c, ref op, T.CreateTruncating(r));
        SetCarryOverflow(c, cf, ((r >> (bits - 1)) & 1) ^ cf);
    }

    /// <summary>RCR: rotate the (width+1)-bit value dest:CF right. OF = the two top result bits XORed for every count.</summary>
    public static void Rcr<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        int count = Count<T, S>(c, ref op);
        T value = D.Read<T>(c, ref op);
        if (count == 0) { D.Write(c, ref op, value); return; }
        int bits = Bits<T>(), n = count % (bits + 1);
        ulong a = U(value), cf = c.Carry ? 1UL : 0, r = a;
        if (n != 0)
        {
            r = (a >> n) | (cf << (bits - n)) | ShiftLeft(a, bits + 1 - n);
            cf = (a >> (n - 1)) & 1;
        }
        r &= LazyFlags.Mask(LazyFlags.SizeLog2<T>());
        D.Write(c, ref op, T.CreateTruncating(r));
        SetCarryOverflow(c, cf, ((r >> (bits - 1)) ^ (r >> (bits - 2))) & 1);
    }

    /// <summary>
    /// SHLD dest, src, count: dest shifted left, vacated bits filled from the top of src. Counts above
    /// the width exist only for 16-bit operands (17–31); the host then returns src rotated left by
    /// count − 16 and clears CF and OF; at count 16 it sets OF = CF.
    /// </summary>
    public static void Shld<T, D, S, N>(Cpu c, ref DecodedOp op)
        where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where N : IOperand
    {
        int count = Count<T, N>(c, ref op);
        T value = D.Read<T>(c, ref op);
        if (count == 0) { D.Write(c, ref op, value); return; }
        int bits = Bits<T>();
        ulong a = U(value), b = U(S.Read<T>(c, ref op));
        if (count < bits)
        {
            ulong r = (a << count) | (b >> (bits - count));
            D.Write(c, ref op, T.CreateTruncating(r));
            c.SetFlags(FlagOp.Shl, LazyFlags.SizeLog2<T>(), a, (ulong)count, r);
            return;
        }
        // 16-bit operand, count 16..31.
        ulong cf = count == bits ? a & 1 : 0;
        int n = count - bits;
        ulong res = ((b << n) | (b >> (bits - n))) & 0xFFFF;
        D.Write(c, ref op, T.CreateTruncating(res));
        c.SetStatusFlags(LazyFlags.ResultFlags(res, 1) | RFlags.AF | (cf != 0 ? RFlags.CF | RFlags.OF : 0));
    }

    /// <summary>
    /// SHRD dest, src, count: dest shifted right, vacated bits filled from the bottom of src. For 16-bit
    /// counts 17–31 the host returns src rotated right by count − 16; the flags then still follow the
    /// SHR formulas (CF = 0 as the bit shifted out lies beyond dest).
    /// </summary>
    public static void Shrd<T, D, S, N>(Cpu c, ref DecodedOp op)
        where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where N : IOperand
    {
        int count = Count<T, N>(c, ref op);
        T value = D.Read<T>(c, ref op);
        if (count == 0) { D.Write(c, ref op, value); return; }
        int bits = Bits<T>();
        ulong a = U(value), b = U(S.Read<T>(c, ref op)), r;
        if (count <= bits)
            r = (a >> count) | ShiftLeft(b, bits - count);
        else
        {
            int n = count - bits; // 16-bit operand, count 17..31
            r = (b >> n) | (b << (bits - n));
        }
        r &= LazyFlags.Mask(LazyFlags.SizeLog2<T>());
        D.Write(c, ref op, T.CreateTruncating(r));
        c.SetFlags(FlagOp.Shr, LazyFlags.SizeLog2<T>(), a, (ulong)count, r);
    }
}
