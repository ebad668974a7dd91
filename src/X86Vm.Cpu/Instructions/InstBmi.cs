using System.Numerics;
using System.Runtime.CompilerServices;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Flags;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions;

/// <summary>
/// BMI1 (ANDN BEXTR BLSI BLSMSK BLSR; TZCNT is in <see cref="InstBits"/>) and BMI2 (BZHI MULX PDEP PEXT RORX
/// SARX SHLX SHRX), the VEX-encoded general-register instructions (SDM Vol. 2). Written once over the
/// operand size <c>T</c> (32 or 64 bits) and operand kinds. Flags Intel leaves undefined (AF, PF) follow the
/// reference CPU (AMD EPYC), as the oracle records: docs/undefined-behaviour.md.
/// </summary>
[InstructionFamily]
static class InstBmi
{
    static readonly Type Self = typeof(InstBmi);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Andn, Bind.Sized(Self, nameof(Andn)));
        t.Add(Mnemonic.Bextr, BindVex(nameof(Bextr)));
        t.Add(Mnemonic.Blsi, Bind.Sized(Self, nameof(Blsi)));
        t.Add(Mnemonic.Blsmsk, Bind.Sized(Self, nameof(Blsmsk)));
        t.Add(Mnemonic.Blsr, Bind.Sized(Self, nameof(Blsr)));
        t.Add(Mnemonic.Bzhi, Bind.Sized(Self, nameof(Bzhi)));
        t.Add(Mnemonic.Mulx, Bind.Sized(Self, nameof(Mulx)));
        t.Add(Mnemonic.Pdep, Bind.Sized(Self, nameof(Pdep)));
        t.Add(Mnemonic.Pext, Bind.Sized(Self, nameof(Pext)));
        t.Add(Mnemonic.Rorx, Bind.Sized(Self, nameof(Rorx)));
        t.Add(Mnemonic.Sarx, Bind.Sized(Self, nameof(Sarx)));
        t.Add(Mnemonic.Shlx, Bind.Sized(Self, nameof(Shlx)));
        t.Add(Mnemonic.Shrx, Bind.Sized(Self, nameof(Shrx)));
    }

    /// <summary>BEXTR also exists as an XOP (AMD TBM) immediate form, which is not implemented.</summary>
    static Binder BindVex(string name) =>
        (in Instruction insn, ref DecodedOp op, Type[] o) =>
            o.Length == 3 && o[2] != typeof(Imm) ? Bind.Sized(Self, name)(insn, ref op, o) : 0;

    static int Bits<T>() where T : unmanaged => Unsafe.SizeOf<T>() * 8;

    static ulong SignBit<T>(ulong v) where T : unmanaged => (v >> (Bits<T>() - 1)) & 1;

    /// <summary>Flags of the BMI1 logic group: ZF and SF from the result, CF as given, OF = 0, PF from the result, AF = 0.</summary>
    static void LogicFlags<T>(Cpu c, ulong result, bool carry) where T : unmanaged =>
        c.SetStatusFlags((result == 0 ? RFlags.ZF : 0) | (SignBit<T>(result) != 0 ? RFlags.SF : 0) | LazyFlags.Parity(result)
            | (carry ? RFlags.CF : 0));

    static ulong Mask<T>() where T : unmanaged => Bits<T>() == 64 ? ulong.MaxValue : (1UL << Bits<T>()) - 1;

    /// <summary>ANDN: dest = NOT src1 AND src2.</summary>
    public static void Andn<T, D, A, B>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where A : IOperand where B : IOperand
    {
        ulong r = ~ulong.CreateTruncating(A.Read<T>(c, ref op)) & ulong.CreateTruncating(B.Read<T>(c, ref op)) & Mask<T>();
        D.Write(c, ref op, T.CreateTruncating(r));
        LogicFlags<T>(c, r, false);
    }

    /// <summary>
    /// BEXTR: start = control[7:0], length = control[15:8]; bits past the operand are zeros. AF (undefined) is
    /// set, as the reference CPU (AMD EPYC) always sets it; PF follows the result as for the other BMI1 forms.
    /// </summary>
    public static void Bextr<T, D, S, C>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where C : IOperand
    {
        ulong src = ulong.CreateTruncating(S.Read<T>(c, ref op)), control = ulong.CreateTruncating(C.Read<T>(c, ref op));
        int start = (int)(control & 0xFF), length = (int)(control >> 8 & 0xFF);
        ulong r = start >= Bits<T>() ? 0 : src >> start;
        if (length < 64) r &= (1UL << length) - 1;
        D.Write(c, ref op, T.CreateTruncating(r));
        c.SetStatusFlags((r == 0 ? RFlags.ZF : 0) | LazyFlags.Parity(r) | RFlags.AF);
    }

    /// <summary>BLSI: the lowest set bit; CF = (source ≠ 0).</summary>
    public static void Blsi<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        ulong s = ulong.CreateTruncating(S.Read<T>(c, ref op));
        ulong r = s & (0 - s) & Mask<T>();
        D.Write(c, ref op, T.CreateTruncating(r));
        LogicFlags<T>(c, r, s != 0);
    }

    /// <summary>BLSMSK: ones up to and including the lowest set bit; CF = (source = 0).</summary>
    public static void Blsmsk<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        ulong s = ulong.CreateTruncating(S.Read<T>(c, ref op));
        ulong r = (s ^ (s - 1)) & Mask<T>();
        D.Write(c, ref op, T.CreateTruncating(r));
        LogicFlags<T>(c, r, s == 0);
    }

    /// <summary>BLSR: the lowest set bit cleared; CF = (source = 0).</summary>
    public static void Blsr<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        ulong s = ulong.CreateTruncating(S.Read<T>(c, ref op));
        ulong r = s & (s - 1) & Mask<T>();
        D.Write(c, ref op, T.CreateTruncating(r));
        LogicFlags<T>(c, r, s == 0);
    }

    /// <summary>BZHI: bits from index[7:0] upward cleared; CF = (index > operand bits − 1).</summary>
    public static void Bzhi<T, D, S, C>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where C : IOperand
    {
        ulong s = ulong.CreateTruncating(S.Read<T>(c, ref op));
        int n = (int)(ulong.CreateTruncating(C.Read<T>(c, ref op)) & 0xFF);
        ulong r = n >= Bits<T>() ? s : s & ((1UL << n) - 1);
        D.Write(c, ref op, T.CreateTruncating(r));
        LogicFlags<T>(c, r, n > Bits<T>() - 1);
    }

    /// <summary>MULX hi, lo, src: unsigned EDX/RDX × src; the high half is written last (it wins when hi = lo). Flags unchanged.</summary>
    public static void Mulx<T, Hi, Lo, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where Hi : IOperand where Lo : IOperand where S : IOperand
    {
        UInt128 p = (UInt128)ulong.CreateTruncating(S.Read<T>(c, ref op)) * ulong.CreateTruncating(GprAccess.Read<T>(c, 2 * 8));
        Lo.Write(c, ref op, T.CreateTruncating((ulong)p & Mask<T>()));
        Hi.Write(c, ref op, T.CreateTruncating((ulong)(p >> Bits<T>()) & Mask<T>()));
    }

    /// <summary>PDEP: the low bits of src1 deposited at the set bits of the mask (src2).</summary>
    public static void Pdep<T, D, A, B>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where A : IOperand where B : IOperand
    {
        ulong s = ulong.CreateTruncating(A.Read<T>(c, ref op)), m = ulong.CreateTruncating(B.Read<T>(c, ref op)), r = 0;
        for (ulong bit = 1; m != 0; bit <<= 1)
        {
            ulong low = m & (0 - m);
            if ((s & bit) != 0) r |= low;
            m ^= low;
        }
        D.Write(c, ref op, T.CreateTruncating(r));
    }

    /// <summary>PEXT: the bits of src1 at the set bits of the mask (src2), packed at the bottom.</summary>
    public static void Pext<T, D, A, B>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where A : IOperand where B : IOperand
    {
        ulong s = ulong.CreateTruncating(A.Read<T>(c, ref op)), m = ulong.CreateTruncating(B.Read<T>(c, ref op)), r = 0;
        for (ulong bit = 1; m != 0; bit <<= 1)
        {
            ulong low = m & (0 - m);
            if ((s & low) != 0) r |= bit;
            m ^= low;
        }
        D.Write(c, ref op, T.CreateTruncating(r));
    }

    /// <summary>RORX: rotate right by imm8 mod the operand size; flags unchanged.</summary>
    public static void Rorx<T, D, S, I>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where I : IOperand
    {
        T s = S.Read<T>(c, ref op);
        int n = (int)(op.Imm & (ulong)(Bits<T>() - 1));
        D.Write(c, ref op, T.RotateRight(s, n));
    }

    /// <summary>SARX/SHLX/SHRX: shift by src2 mod the operand size; flags unchanged.</summary>
    public static void Sarx<T, D, S, C>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where C : IOperand
    {
        int n = Count<T, C>(c, ref op);
        long v = long.CreateTruncating(S.Read<T>(c, ref op)) << (64 - Bits<T>()) >> (64 - Bits<T>()); // sign-extended
        D.Write(c, ref op, T.CreateTruncating(v >> n));
    }

    public static void Shlx<T, D, S, C>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where C : IOperand =>
        D.Write(c, ref op, S.Read<T>(c, ref op) << Count<T, C>(c, ref op));

    public static void Shrx<T, D, S, C>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where C : IOperand =>
        D.Write(c, ref op, T.CreateTruncating(ulong.CreateTruncating(S.Read<T>(c, ref op)) >> Count<T, C>(c, ref op)));

    static int Count<T, C>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where C : IOperand =>
        (int)(ulong.CreateTruncating(C.Read<T>(c, ref op)) & (ulong)(Bits<T>() - 1));
}
