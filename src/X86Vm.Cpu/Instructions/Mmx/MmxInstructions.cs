using System.Numerics;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Instructions.Sse;

namespace X86Vm.Cpu.Instructions.Mmx;

/// <summary>
/// MMX (SDM Vol. 1 ch. 9) and the SSE/SSE2 instructions on MMX registers. The mnemonics Iced shares with
/// SSE (PADDB, MOVD, PSRLW, PEXTRW…) stay registered by the SSE families, whose binders hand MMX forms to
/// <see cref="MmxBind"/> and the handlers here; this family registers the MMX-only mnemonics: EMMS,
/// PSHUFW, MOVNTQ, MASKMOVQ, MOVQ2DQ, MOVDQ2Q. The register aliasing and x87 effects: <see cref="MmxAccess"/>.
/// </summary>
[InstructionFamily]
static class MmxInstructions
{
    static readonly Type Self = typeof(MmxInstructions);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Emms, Bind.Fixed(Self, nameof(Emms)));
        t.Add(Mnemonic.Pshufw, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            Handlers.Get(typeof(MmxHandlers), nameof(MmxHandlers.BinaryImm), typeof(SseShuffle.ShufLW), MmxBind.Mm(o[1], typeof(MmMem64))));
        t.Add(Mnemonic.Movntq, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            Handlers.Get(typeof(MmxHandlers), nameof(MmxHandlers.Move), typeof(MmMem64), typeof(Mm1)));
        t.Add(Mnemonic.Maskmovq, BindMaskmovq);
        t.Add(Mnemonic.Movq2dq, Bind.Fixed(Self, nameof(Movq2dq)));
        t.Add(Mnemonic.Movdq2q, Bind.Fixed(Self, nameof(Movdq2q)));
    }

    /// <summary>MASKMOVQ: the store goes to [RDI] ([EDI] with 67h), DS unless overridden.</summary>
    static nint BindMaskmovq(in Instruction insn, ref DecodedOp op, Type[] o)
    {
        op.Base = 7;
        op.Index = State.RegisterFile.Zero;
        op.Scale = 0;
        op.Disp = 0;
        op.Seg = insn.MemorySegment switch { Iced.Intel.Register.FS => 1, Iced.Intel.Register.GS => 2, _ => 0 };
        op.EaMask = insn.Op0Kind == OpKind.MemorySegEDI ? uint.MaxValue : ulong.MaxValue;
        return Handlers.Get(Self, nameof(Maskmovq));
    }

    /// <summary>Binds the MMX forms of MOVD/MOVQ (0 for the others).</summary>
    internal static nint BindMovdMovq(in Instruction insn, Type[] o) => insn.Code switch
    {
        Code.Movd_mm_rm32 => Handlers.Get(Self, nameof(MoveToMm), typeof(uint), o[1]),
        Code.Movq_mm_rm64 => Handlers.Get(Self, nameof(MoveToMm), typeof(ulong), o[1]),
        Code.Movd_rm32_mm => Handlers.Get(Self, nameof(MoveFromMm), typeof(uint), o[0], MmxBind.Mm(o[1], typeof(void))),
        Code.Movq_rm64_mm => Handlers.Get(Self, nameof(MoveFromMm), typeof(ulong), o[0], MmxBind.Mm(o[1], typeof(void))),
        Code.Movq_mm_mmm64 or Code.Movq_mmm64_mm =>
            Handlers.Get(typeof(MmxHandlers), nameof(MmxHandlers.Move), MmxBind.Mm(o[0], typeof(MmMem64)), MmxBind.Mm(o[1], typeof(MmMem64))),
        _ => 0,
    };

    /// <summary>Binds PMOVMSKB r32/r64, mm; PEXTRW r32/r64, mm, imm8; PINSRW mm, r32/m16, imm8 (0 for other forms).</summary>
    internal static nint BindWordAndMask(in Instruction insn, Type[] o) => insn.Code switch
    {
        Code.Pmovmskb_r32_mm or Code.Pmovmskb_r64_mm => Handlers.Get(Self, nameof(Pmovmskb)),
        Code.Pextrw_r32_mm_imm8 or Code.Pextrw_r64_mm_imm8 => Handlers.Get(Self, nameof(Pextrw)),
        Code.Pinsrw_mm_r32m16_imm8 or Code.Pinsrw_mm_r64m16_imm8 => Handlers.Get(Self, nameof(Pinsrw), o[1]),
        _ => 0,
    };

    /// <summary>
    /// EMMS: all x87 tags empty, and TOP = 0 as on the reference CPU (AMD EPYC; Intel documents only the
    /// tags). The registers and the rest of the status word are unchanged.
    /// </summary>
    public static void Emms(Cpu c, ref DecodedOp op)
    {
        MmxAccess.Begin(c, ref op);
        c.Fpu.Valid = 0;
        c.Fpu.Top = 0;
    }

    /// <summary>MOVD mm, r/m32 and MOVQ mm, r/m64: zero-extended to 64 bits.</summary>
    public static void MoveToMm<T, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where S : IOperand
    {
        MmxAccess.Begin(c, ref op);
        MmxAccess.Set(c, op.R1, ulong.CreateTruncating(S.Read<T>(c, ref op)));
        MmxAccess.Finish(c);
    }

    /// <summary>MOVD r/m32, mm and MOVQ r/m64, mm (a 32-bit register destination is zero-extended).</summary>
    public static void MoveFromMm<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : struct, IMmOperand
    {
        MmxAccess.Begin(c, ref op);
        D.Write(c, ref op, T.CreateTruncating(S.Read(c, ref op)));
        MmxAccess.Finish(c);
    }

    /// <summary>PMOVMSKB r32/r64, mm: the top bit of each byte, the rest of the register cleared.</summary>
    public static void Pmovmskb(Cpu c, ref DecodedOp op)
    {
        MmxAccess.Begin(c, ref op);
        GprAccess.Write(c, op.R1, Vector64.ExtractMostSignificantBits(Vector64.Create(MmxAccess.Get(c, op.R2)).AsByte()));
        MmxAccess.Finish(c);
    }

    /// <summary>PEXTRW r32/r64, mm, imm8: word imm &amp; 3, zero-extended.</summary>
    public static void Pextrw(Cpu c, ref DecodedOp op)
    {
        MmxAccess.Begin(c, ref op);
        GprAccess.Write(c, op.R1, (uint)(ushort)(MmxAccess.Get(c, op.R2) >> (int)(16 * (op.Imm & 3))));
        MmxAccess.Finish(c);
    }

    /// <summary>PINSRW mm, r32/m16, imm8: replaces word imm &amp; 3.</summary>
    public static void Pinsrw<S>(Cpu c, ref DecodedOp op) where S : IOperand
    {
        MmxAccess.Begin(c, ref op);
        ulong value = S.Read<ushort>(c, ref op);
        int shift = (int)(16 * (op.Imm & 3));
        ulong d = MmxAccess.Get(c, op.R1);
        MmxAccess.Set(c, op.R1, (d & ~(0xFFFFUL << shift)) | (value << shift));
        MmxAccess.Finish(c);
    }

    /// <summary>MASKMOVQ mm1, mm2: the bytes of mm1 whose mask byte in mm2 has its top bit set are stored at [rDI], one by one.</summary>
    public static void Maskmovq(Cpu c, ref DecodedOp op)
    {
        MmxAccess.Begin(c, ref op);
        ulong data = MmxAccess.Get(c, op.R1), mask = MmxAccess.Get(c, op.R2);
        ulong address = c.EffectiveAddress(ref op);
        for (int i = 0; i < 8; i++)
            if (((mask >> (8 * i + 7)) & 1) != 0)
                c.Memory.Write(address + (ulong)i, (byte)(data >> (8 * i)));
        MmxAccess.Finish(c);
    }

    /// <summary>MOVQ2DQ xmm, mm: the MMX register zero-extended into the XMM register.</summary>
    public static void Movq2dq(Cpu c, ref DecodedOp op)
    {
        MmxAccess.Begin(c, ref op);
        XmmAccess.At(c, op.R1) = Vector128.CreateScalar(MmxAccess.Get(c, op.R2)).AsByte();
        MmxAccess.Finish(c);
    }

    /// <summary>MOVDQ2Q mm, xmm: the low quadword of the XMM register.</summary>
    public static void Movdq2q(Cpu c, ref DecodedOp op)
    {
        MmxAccess.Begin(c, ref op);
        MmxAccess.Set(c, op.R1, XmmAccess.At(c, op.R2).AsUInt64().ToScalar());
        MmxAccess.Finish(c);
    }
}
