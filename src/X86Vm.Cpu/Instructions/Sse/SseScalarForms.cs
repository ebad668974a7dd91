using Iced.Intel;
using X86Vm.Cpu.Decoding;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// The SSE2 forms of the mnemonics Iced shares with string instructions (MOVSD, CMPSD). The string family
/// registers those mnemonics and hands the non-string forms here.
/// </summary>
public static class SseScalarForms
{
    /// <summary>MOVSD xmm, xmm/m64 and MOVSD xmm/m64, xmm (F2 0F 10/11); 0 for any other form.</summary>
    public static nint BindMovsd(in Instruction insn, ref DecodedOp op, Type[] o) => insn.Code switch
    {
        Code.Movsd_xmm_xmmm64 or Code.Movsd_xmmm64_xmm => SseMove.BindScalarMove(insn, o, 8),
        _ => 0,
    };

    /// <summary>CMPSD xmm, xmm/m64, imm8 (F2 0F C2): the scalar double compare of <see cref="SseFpCompare"/>; 0 for any other form.</summary>
    public static nint BindCmpsd(in Instruction insn, ref DecodedOp op, Type[] o) => SseFpCompare.BindCmpsd(insn, ref op, o);
}
