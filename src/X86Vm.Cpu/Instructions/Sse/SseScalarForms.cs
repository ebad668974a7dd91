using X86Vm.Cpu.Decoding;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// PLACEHOLDER (fam-strings): the SSE family replaces this file. Iced shares the mnemonics MOVSD and CMPSD
/// between the string instructions and the SSE2 scalar-double forms; InstString owns both mnemonics and
/// hands the SSE forms to these binders (0 = not implemented yet, #UD).
/// </summary>
public static class SseScalarForms
{
    public static nint BindMovsd(in Iced.Intel.Instruction insn, ref DecodedOp op, Type[] o) => 0;
    public static nint BindCmpsd(in Iced.Intel.Instruction insn, ref DecodedOp op, Type[] o) => 0;
}
