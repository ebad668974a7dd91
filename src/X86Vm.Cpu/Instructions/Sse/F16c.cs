using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Float;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// F16C (SDM Vol. 2 VCVTPH2PS, VCVTPS2PH): half-precision elements to singles (exact; half denormals are converted,
/// DAZ does not apply; only an SNaN raises IE) and singles to halves, rounded by imm8[1:0] or, with imm8[2], by MXCSR.RC;
/// FTZ does not apply to the half results (SDM: "denormal results are produced").
/// </summary>
[InstructionFamily]
static class F16c
{
    static readonly Type Self = typeof(F16c);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Vcvtph2ps, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            o.Length != 2 ? 0 : Handlers.Get(Self, nameof(HalfToSingle), VexBind.Width(insn), VexBind.Ymm(o[1], AvxPermute.MemoryOfSize(insn.MemorySize.GetSize()))));
        t.Add(Mnemonic.Vcvtps2ph, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            o.Length != 3 ? 0 : Handlers.Get(Self, nameof(SingleToHalf), VexBind.Width(insn), VexBind.Ymm(o[0], AvxPermute.MemoryOfSize(insn.MemorySize.GetSize()))));
    }

    /// <summary>VCVTPH2PS xmm1, xmm2/m64 (4 elements) or ymm1, xmm2/m128 (8).</summary>
    public static void HalfToSingle<W, S>(Cpu c, ref DecodedOp op) where W : struct, IWidth where S : struct, IYmmOperand
    {
        Vector256<byte> s = S.Read<W128>(c, ref op), r = default;
        uint mx = c.Mxcsr & ~Mxcsr.DAZ, flags = 0;
        for (int i = 0; i < 4 * W.Lanes; i++)
            Unsafe.Add(ref Unsafe.As<Vector256<byte>, uint>(ref r), i) =
                (uint)SoftFloat<F32>.Convert<F16>(Unsafe.Add(ref Unsafe.As<Vector256<byte>, ushort>(ref s), i), mx, ref flags);
        flags &= Mxcsr.IE;
        if (flags != 0) Mxcsr.Commit(c, flags, op.Ip);
        YmmAccess.Write<W>(c, op.R1, r);
    }

    /// <summary>VCVTPS2PH xmm1/m64, xmm2, imm8 (4 elements) or xmm1/m128, ymm2, imm8 (8); a register destination's other bits are zeroed.</summary>
    public static void SingleToHalf<W, D>(Cpu c, ref DecodedOp op) where W : struct, IWidth where D : struct, IYmmOperand
    {
        Vector256<byte> s = YmmAccess.Read<W>(c, typeof(D) == typeof(Y1) ? op.R2 : op.R1), r = default;
        uint mx = c.Mxcsr & ~Mxcsr.FTZ, flags = 0;
        if ((op.Imm & 4) == 0) mx = (mx & ~Mxcsr.RcMask) | (uint)(op.Imm & 3) << 13;
        for (int i = 0; i < 4 * W.Lanes; i++)
            Unsafe.Add(ref Unsafe.As<Vector256<byte>, ushort>(ref r), i) =
                (ushort)SoftFloat<F16>.Convert<F32>(Unsafe.Add(ref Unsafe.As<Vector256<byte>, uint>(ref s), i), mx, ref flags);
        if (flags != 0) Mxcsr.Commit(c, flags, op.Ip);
        D.Write<W128>(c, ref op, r);
    }
}
