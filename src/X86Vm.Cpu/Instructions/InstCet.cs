using Iced.Intel;
using X86Vm.Cpu.Decoding;

namespace X86Vm.Cpu.Instructions;

/// <summary>
/// CET shadow-stack instructions that live in the reserved-NOP space (0F 1E): with shadow stacks not
/// enabled — x86vm reports no CET (CPUID.7.0:ECX.CET_SS = 0) and Linux enables them only on request — they
/// execute as NOPs and leave their operand unchanged (SDM Vol. 1 §17.2.1, RDSSP "Operation": the
/// destination is not modified when CET is disabled). glibc (libgcc's unwinder, longjmp) relies on this: it
/// zeroes a register, runs RDSSP and takes "shadow stack disabled" when the register is still zero.
/// ENDBR32/64 (the other reserved-NOP instructions) are NOPs in <see cref="InstSystem"/>. The instructions
/// outside that space (INCSSP, SAVEPREVSSP, RSTORSSP, WRSS…) are #UD without CET, like an unknown opcode.
/// </summary>
[InstructionFamily]
static class InstCet
{
    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Rdsspd, Bind.Fixed(typeof(InstCet), nameof(ReservedNop)));
        t.Add(Mnemonic.Rdsspq, Bind.Fixed(typeof(InstCet), nameof(ReservedNop)));
    }

    public static void ReservedNop(Cpu c, ref DecodedOp op) { }
}
