using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// The SSE4.2 string compares PCMPESTRI PCMPESTRM PCMPISTRI PCMPISTRM (SDM Vol. 2 §4.1 "Imm8 Control Byte
/// Operation for PCMPESTRI / PCMPESTRM / PCMPISTRI / PCMPISTRM"), every imm8 mode: element format (bits 1:0),
/// aggregation (3:2), polarity (5:4), index or mask output (6). One routine computes IntRes2; the four
/// instructions differ only in how lengths are found and what is written.
/// </summary>
[InstructionFamily]
static class Sse42String
{
    static readonly Type Self = typeof(Sse42String);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Pcmpestri, Bind(nameof(Pcmpestri), explicitWide: false));
        t.Add(Mnemonic.Pcmpestri64, Bind(nameof(Pcmpestri), explicitWide: true));
        t.Add(Mnemonic.Pcmpestrm, Bind(nameof(Pcmpestrm), explicitWide: false));
        t.Add(Mnemonic.Pcmpestrm64, Bind(nameof(Pcmpestrm), explicitWide: true));
        t.Add(Mnemonic.Pcmpistri, Bind(nameof(Pcmpistri), explicitWide: false));
        t.Add(Mnemonic.Pcmpistrm, Bind(nameof(Pcmpistrm), explicitWide: false));
        // VEX.128 forms: the same, and the M forms zero bits 255:128 of XMM0.
        t.Add(Mnemonic.Vpcmpestri, Bind(nameof(Pcmpestri), explicitWide: false));
        t.Add(Mnemonic.Vpcmpestri64, Bind(nameof(Pcmpestri), explicitWide: true));
        t.Add(Mnemonic.Vpcmpestrm, Bind(nameof(PcmpestrmVex), explicitWide: false));
        t.Add(Mnemonic.Vpcmpestrm64, Bind(nameof(PcmpestrmVex), explicitWide: true));
        t.Add(Mnemonic.Vpcmpistri, Bind(nameof(Pcmpistri), explicitWide: false));
        t.Add(Mnemonic.Vpcmpistrm, Bind(nameof(PcmpistrmVex), explicitWide: false));
    }

    public static void PcmpestrmVex<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        Run<S>(c, ref op, explicitLength: true, mask: true);
        YmmAccess.High(c, 0) = Vector128<byte>.Zero;
    }

    public static void PcmpistrmVex<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand
    {
        Run<S>(c, ref op, explicitLength: false, mask: true);
        YmmAccess.High(c, 0) = Vector128<byte>.Zero;
    }

    /// <summary>The 128-bit source has no alignment requirement (SDM: "not required to be aligned"). Cond = 1: RAX/RDX lengths (REX.W).</summary>
    static Binder Bind(string name, bool explicitWide) =>
        (in Instruction insn, ref DecodedOp op, Type[] o) =>
        {
            op.Cond = explicitWide ? (byte)1 : (byte)0;
            return o.Length < 3 || SseBind.UsesMmx(insn) ? 0 : Handlers.Get(Self, name, SseBind.Xmm(o[1], typeof(XMem)));
        };

    public static void Pcmpestri<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand => Run<S>(c, ref op, explicitLength: true, mask: false);
    public static void Pcmpestrm<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand => Run<S>(c, ref op, explicitLength: true, mask: true);
    public static void Pcmpistri<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand => Run<S>(c, ref op, explicitLength: false, mask: false);
    public static void Pcmpistrm<S>(Cpu c, ref DecodedOp op) where S : struct, IXmmOperand => Run<S>(c, ref op, explicitLength: false, mask: true);

    static void Run<S>(Cpu c, ref DecodedOp op, bool explicitLength, bool mask) where S : struct, IXmmOperand
    {
        Vector128<byte> b = S.Read(c, ref op), a = XmmAccess.At(c, op.R1);
        int imm = (byte)op.Imm;
        bool words = (imm & 1) != 0, signed = (imm & 2) != 0;
        int n = words ? 8 : 16;
        int lenA, lenB;
        if (explicitLength)
        {
            lenA = ExplicitLength(c.Regs[0], op.Cond != 0, n);
            lenB = ExplicitLength(c.Regs[2], op.Cond != 0, n);
        }
        else
        {
            lenA = ImplicitLength(a, words, n);
            lenB = ImplicitLength(b, words, n);
        }
        int res = IntRes2(a, b, imm, words, signed, n, lenA, lenB);

        if (mask)
        {
            Vector128<byte> m = default;
            if ((imm & 0x40) == 0) m = Vector128.CreateScalar((ushort)res).AsByte();
            else
                for (int i = 0; i < n; i++)
                    if ((res >> i & 1) != 0)
                    {
                        if (words) Lane<ushort>.At(ref m, i) = 0xFFFF;
                        else Lane<byte>.At(ref m, i) = 0xFF;
                    }
            XmmAccess.At(c, 0) = m;
        }
        else
        {
            int index = res == 0 ? n : (imm & 0x40) != 0 ? 31 - int.LeadingZeroCount(res) : int.TrailingZeroCount(res);
            c.Regs[1] = (uint)index; // ECX, zero-extended (SDM: "ECX"; the upper half of RCX is cleared)
        }
        // CF: IntRes2 ≠ 0; ZF: the second operand ends early; SF: the first ends early; OF: IntRes2 bit 0; AF = PF = 0.
        ulong flags = (res != 0 ? RFlags.CF : 0) | (lenB < n ? RFlags.ZF : 0) | (lenA < n ? RFlags.SF : 0) | ((res & 1) != 0 ? RFlags.OF : 0);
        c.SetStatusFlags(flags);
    }

    /// <summary>|EAX| (|RAX| with REX.W), saturated to the element count.</summary>
    static int ExplicitLength(ulong reg, bool wide, int n)
    {
        long v = wide ? (long)reg : (int)reg;
        if (v < 0) v = v == long.MinValue ? long.MaxValue : -v;
        return v > n ? n : (int)v;
    }

    static int ImplicitLength(Vector128<byte> v, bool words, int n)
    {
        for (int i = 0; i < n; i++)
            if ((words ? Lane<ushort>.Get(v, i) : Lane<byte>.Get(v, i)) == 0) return i;
        return n;
    }

    static int Element(Vector128<byte> v, int i, bool words, bool signed) =>
        words ? (signed ? Lane<short>.Get(v, i) : Lane<ushort>.Get(v, i)) : (signed ? Lane<sbyte>.Get(v, i) : Lane<byte>.Get(v, i));

    static int IntRes2(Vector128<byte> a, Vector128<byte> b, int imm, bool words, bool signed, int n, int lenA, int lenB)
    {
        int aggregation = (imm >> 2) & 3, res1 = 0;
        // BoolRes(j, i): element j of b (second operand) against element i of a (first operand).
        bool Compare(int j, int i)
        {
            bool aValid = i < lenA, bValid = j < lenB;
            if (!aValid || !bValid)
                return aggregation switch
                {
                    2 => !aValid && !bValid,   // equal each: both invalid compare true
                    3 => !aValid,              // equal ordered: an invalid first operand matches anything
                    _ => false,                // equal any, ranges
                };
            int x = Element(b, j, words, signed), y = Element(a, i, words, signed);
            return aggregation == 1 ? ((i & 1) == 0 ? x >= y : x <= y) : x == y;
        }
        for (int j = 0; j < n; j++)
        {
            bool r;
            switch (aggregation)
            {
                case 0: // equal any
                    r = false;
                    for (int i = 0; i < n && !r; i++) r = Compare(j, i);
                    break;
                case 1: // ranges: a[i] ≤ b[j] ≤ a[i+1] for some even i
                    r = false;
                    for (int i = 0; i < n && !r; i += 2) r = Compare(j, i) && Compare(j, i + 1);
                    break;
                case 2: // equal each
                    r = Compare(j, j);
                    break;
                default: // equal ordered: a occurs in b at j
                    r = true;
                    for (int k = 0; k < n - j && r; k++) r = Compare(j + k, k);
                    break;
            }
            if (r) res1 |= 1 << j;
        }
        int all = (1 << n) - 1, valid = (1 << lenB) - 1;
        return ((imm >> 4) & 3) switch
        {
            1 => ~res1 & all,                       // negative polarity
            3 => (res1 ^ valid) & all,              // masked negative: only the valid elements of b are inverted
            _ => res1,                              // positive, masked positive
        };
    }
}
