using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Float;
using X86Vm.Cpu.Instructions.Mmx;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// The SSE/SSE2 conversions between MMX registers and XMM registers (SDM Vol. 2): CVTPI2PS CVTPS2PI CVTTPS2PI
/// (SSE), CVTPI2PD CVTPD2PI CVTTPD2PI (SSE2). Two doublewords of integers to or from two floating-point lanes; written
/// once over the format. An MMX register operand makes the instruction an MMX one (pending #MF first; TOP = 0 and all
/// tags valid after); a memory source does not touch the x87 state.
/// </summary>
[InstructionFamily]
static class SseMmxConvert
{
    static readonly Type Self = typeof(SseMmxConvert);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Cvtpi2ps, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            Handlers.Get(Self, nameof(FromInt32), typeof(F32), MmxBind.Mm(o[1], typeof(MmMem64))));
        t.Add(Mnemonic.Cvtpi2pd, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            Handlers.Get(Self, nameof(FromInt32), typeof(F64), MmxBind.Mm(o[1], typeof(MmMem64))));
        t.Add(Mnemonic.Cvtps2pi, BindToInt32(typeof(F32), typeof(XMem64), truncate: false));
        t.Add(Mnemonic.Cvttps2pi, BindToInt32(typeof(F32), typeof(XMem64), truncate: true));
        t.Add(Mnemonic.Cvtpd2pi, BindToInt32(typeof(F64), typeof(XMemAligned), truncate: false));
        t.Add(Mnemonic.Cvttpd2pi, BindToInt32(typeof(F64), typeof(XMemAligned), truncate: true));
    }

    /// <summary>Cond = 1: truncate (CVTT*), else round by MXCSR. CVTPD2PI's m128 must be aligned; CVTPS2PI reads 64 bits.</summary>
    static Binder BindToInt32(Type format, Type memory, bool truncate) =>
        (in Instruction insn, ref DecodedOp op, Type[] o) =>
        {
            op.Cond = truncate ? (byte)1 : (byte)0;
            return Handlers.Get(Self, nameof(ToInt32), format, SseBind.Xmm(o[1], memory));
        };

    static bool IsDouble<F>() where F : struct, IFloatFormat => F.FracBits == 52;

    /// <summary>CVTPI2PS/CVTPI2PD xmm, mm/m64: the two signed doublewords converted (PS: lanes 0–1, lanes 2–3 kept; PD: both lanes).</summary>
    public static void FromInt32<F, S>(Cpu c, ref DecodedOp op) where F : struct, IFloatFormat where S : struct, IMmOperand
    {
        bool mmx = typeof(S) != typeof(MmMem64);
        if (mmx) MmxAccess.Begin(c, ref op);
        ulong v = S.Read(c, ref op);
        uint mx = c.Mxcsr, flags = 0;
        ulong r0 = SoftFloat<F>.FromInt64((int)v, mx, ref flags), r1 = SoftFloat<F>.FromInt64((int)(v >> 32), mx, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        ref Vector128<byte> d = ref XmmAccess.At(c, op.R1);
        d = IsDouble<F>()
            ? Vector128.Create(r0, r1).AsByte()
            : d.AsUInt64().WithElement(0, r0 | r1 << 32).AsByte();
        if (mmx) MmxAccess.Finish(c);
    }

    /// <summary>CVT(T)PS2PI / CVT(T)PD2PI mm, xmm/m: the two low lanes converted to signed doublewords (integer indefinite 0x80000000 with IE when out of range).</summary>
    public static void ToInt32<F, S>(Cpu c, ref DecodedOp op) where F : struct, IFloatFormat where S : struct, IXmmOperand
    {
        MmxAccess.Begin(c, ref op);
        Vector128<byte> s = S.Read(c, ref op);
        uint mx = c.Mxcsr, flags = 0;
        bool truncate = op.Cond != 0;
        ulong a0, a1;
        if (IsDouble<F>()) { a0 = s.AsUInt64().GetElement(0); a1 = s.AsUInt64().GetElement(1); }
        else { a0 = s.AsUInt32().GetElement(0); a1 = s.AsUInt32().GetElement(1); }
        ulong r0 = SoftFloat<F>.ToInt(a0, 32, truncate, mx, ref flags), r1 = SoftFloat<F>.ToInt(a1, 32, truncate, mx, ref flags);
        Mxcsr.Commit(c, flags, op.Ip);
        MmxAccess.Set(c, op.R1, (r0 & 0xFFFF_FFFF) | r1 << 32);
        MmxAccess.Finish(c);
    }
}
