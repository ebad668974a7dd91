using System.Runtime.InteropServices;

namespace X86Vm.Cpu.Decoding;

/// <summary>
/// One instruction decoded once into the form the interpreter executes: a handler already specialised
/// to its operand kinds and sizes, and the operand fields that handler reads. Produced by
/// the instruction binder; never re-decoded while its block stays valid.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct DecodedOp
{
    public delegate*<Cpu, ref DecodedOp, void> Handler;
    /// <summary>Address of this instruction.</summary>
    public ulong Ip;
    /// <summary>First immediate (sign- or zero-extended as the instruction defines), or a branch target.</summary>
    public ulong Imm;
    /// <summary>Second immediate (ENTER's nesting level, EXTRQ…) or a handler-specific constant.</summary>
    public ulong Imm2;
    /// <summary>Memory displacement; RIP-relative operands are resolved to an absolute address at decode time.</summary>
    public ulong Disp;
    /// <summary>Effective-address mask: all ones, or 0xFFFFFFFF with the 0x67 address-size prefix.</summary>
    public ulong EaMask;
    /// <summary>Register operands in order of appearance: byte offset into the GPR file (so AH is 1), or the vector register index.</summary>
    public byte R1, R2, R3;
    /// <summary>Memory operand: base and index register numbers (16 = none, reads zero), scale as a shift, segment (0 none, 1 FS, 2 GS).</summary>
    public byte Base, Index, Scale, Seg;
    /// <summary>Instruction length in bytes.</summary>
    public byte Length;
    /// <summary>Condition code for Jcc/SETcc/CMOVcc, or another small handler parameter.</summary>
    public byte Cond;
    /// <summary>Iced's Code of the instruction, for diagnostics.</summary>
    public ushort Code;
    /// <summary>Set before binding when no flag this instruction writes is read before being overwritten in its block.</summary>
    public bool FlagsDead;
    /// <summary>The instruction can neither fault nor touch memory (register-only integer forms, see <see cref="Execution.FlagLiveness"/>).</summary>
    public bool CannotFault;
    /// <summary>The instruction may store to guest memory (explicit or implicit operands, as Iced reports them).</summary>
    public bool MayWriteMemory;

    public readonly ulong NextIp => Ip + Length;
}
