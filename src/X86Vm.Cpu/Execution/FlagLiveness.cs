using Iced.Intel;

namespace X86Vm.Cpu.Execution;

/// <summary>
/// Flag liveness within one block: an instruction's flag update is dead when every status flag it writes
/// is overwritten by a later instruction of the block before anything reads it. Flags are assumed live at
/// the block's end. Dead updates are skipped (handlers instantiated with FlagsDead).
///
/// State stays exact wherever execution can stop: a writer is only dead when every instruction up to and
/// including the one that overwrites its flags cannot fault (register-only integer instructions), and a run
/// that stops inside a block (instruction limit) uses the block's precise variant, built without liveness.
/// </summary>
public static class FlagLiveness
{
    const RflagsBits Status = RflagsBits.OF | RflagsBits.SF | RflagsBits.ZF | RflagsBits.AF | RflagsBits.CF | RflagsBits.PF;

    public static bool[] DeadWriters(IReadOnlyList<Instruction> insns)
    {
        var dead = new bool[insns.Count];
        RflagsBits live = Status;
        // Flags killed by a run of non-faulting instructions that follows; a faulting instruction makes
        // the flags before it observable (signal frames), so nothing before it may be dead through it.
        for (int i = insns.Count - 1; i >= 0; i--)
        {
            Instruction insn = insns[i];
            RflagsBits written = insn.RflagsModified & Status;
            dead[i] = written != 0 && (written & live) == 0;
            if (!CannotFault(insn)) live = Status;
            else if (!MayLeaveFlagsUnchanged(insn)) live &= ~written;
            live |= insn.RflagsRead & Status;
        }
        return dead;
    }

    /// <summary>Register-only integer instructions of the families that can never raise an exception.</summary>
    public static bool CannotFault(in Instruction insn)
    {
        for (int i = 0; i < insn.OpCount; i++)
            if (insn.GetOpKind(i) is OpKind.Memory or OpKind.MemorySegRSI or OpKind.MemorySegESI or OpKind.MemorySegRDI
                or OpKind.MemoryESRDI or OpKind.MemoryESEDI)
                return false;
        return insn.Mnemonic is Mnemonic.Add or Mnemonic.Adc or Mnemonic.Sub or Mnemonic.Sbb or Mnemonic.And or
            Mnemonic.Or or Mnemonic.Xor or Mnemonic.Cmp or Mnemonic.Test or Mnemonic.Inc or Mnemonic.Dec or
            Mnemonic.Neg or Mnemonic.Not or Mnemonic.Shl or Mnemonic.Sal or Mnemonic.Shr or Mnemonic.Sar or
            Mnemonic.Rol or Mnemonic.Ror or Mnemonic.Mov or Mnemonic.Movzx or Mnemonic.Movsx or Mnemonic.Movsxd or
            Mnemonic.Lea or Mnemonic.Bswap;
    }

    /// <summary>Shifts and rotates with a zero count leave every flag unchanged, so they never kill liveness.</summary>
    static bool MayLeaveFlagsUnchanged(in Instruction insn) => insn.Mnemonic is
        Mnemonic.Shl or Mnemonic.Sal or Mnemonic.Shr or Mnemonic.Sar or Mnemonic.Rol or Mnemonic.Ror or
        Mnemonic.Rcl or Mnemonic.Rcr or Mnemonic.Shld or Mnemonic.Shrd;
}
