using Iced.Intel;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Decoding;

/// <summary>
/// Translates Iced's operand description into <see cref="DecodedOp"/> fields, once per decoded
/// instruction, and names the operand-kind type (<see cref="R1"/>, <see cref="Mem"/>, <see cref="Imm"/>…)
/// each operand is read through.
/// </summary>
public static class OperandDecoder
{
    public static Type[] Decode(in Instruction insn, ref DecodedOp op)
    {
        op.Ip = insn.IP;
        op.Length = (byte)insn.Length;
        op.Code = (ushort)insn.Code;
        op.Base = op.Index = RegisterFile.Zero;
        op.EaMask = ulong.MaxValue;
        var types = new Type[insn.OpCount];
        int slot = 0, immediates = 0;
        for (int i = 0; i < insn.OpCount; i++)
        {
            switch (insn.GetOpKind(i))
            {
                case OpKind.Register:
                {
                    Register reg = insn.GetOpRegister(i);
                    byte value = reg.IsGPR() ? GprOffset(reg) : (byte)VectorIndex(reg);
                    switch (slot++)
                    {
                        case 0: op.R1 = value; types[i] = typeof(R1); break;
                        case 1: op.R2 = value; types[i] = typeof(R2); break;
                        default: op.R3 = value; types[i] = typeof(R3); break;
                    }
                    break;
                }
                case OpKind.Memory:
                    DecodeMemory(insn, ref op);
                    types[i] = typeof(Mem);
                    break;
                case OpKind.NearBranch16:
                case OpKind.NearBranch32:
                case OpKind.NearBranch64:
                    op.Imm = insn.NearBranchTarget;
                    types[i] = typeof(Imm);
                    break;
                case OpKind.Immediate8:
                case OpKind.Immediate8_2nd:
                case OpKind.Immediate16:
                case OpKind.Immediate32:
                case OpKind.Immediate64:
                case OpKind.Immediate8to16:
                case OpKind.Immediate8to32:
                case OpKind.Immediate8to64:
                case OpKind.Immediate32to64:
                    if (immediates++ == 0) op.Imm = insn.GetImmediate(i);
                    else op.Imm2 = insn.GetImmediate(i);
                    types[i] = typeof(Imm);
                    break;
                default:
                    // String operands (MemorySegRSI…) are implicit: the string handlers use RSI/RDI directly.
                    types[i] = typeof(void);
                    break;
            }
        }
        return types;
    }

    static void DecodeMemory(in Instruction insn, ref DecodedOp op)
    {
        op.Seg = insn.MemorySegment switch { Register.FS => 1, Register.GS => 2, _ => 0 };
        if (insn.IsIPRelativeMemoryOperand)
        {
            op.Disp = insn.IPRelativeMemoryAddress;
            return;
        }
        if (insn.MemoryBase != Register.None) op.Base = (byte)GprIndex(insn.MemoryBase);
        if (insn.MemoryIndex != Register.None)
        {
            op.Index = (byte)GprIndex(insn.MemoryIndex);
            op.Scale = (byte)System.Numerics.BitOperations.Log2((uint)insn.MemoryIndexScale);
        }
        op.Disp = insn.MemoryDisplacement64;
        if (insn.MemoryBase.IsGPR16() || insn.MemoryIndex.IsGPR16() || insn.MemoryDisplSize == 2)
        {
            // 0x67 in 32-bit code: 16-bit addressing ([BX+SI+disp16]…), the offset wraps at 64 KiB (SDM Vol. 2 §2.1.5).
            op.EaMask = ushort.MaxValue;
            op.Disp = (ushort)insn.MemoryDisplacement32;
        }
        else if (insn.MemoryBase.IsGPR32() || insn.MemoryIndex.IsGPR32() || insn.CodeSize == CodeSize.Code32)
        {
            // 32-bit address arithmetic, zero-extended: 32-bit code, or 0x67 in 64-bit code (SDM Vol. 1 §3.3.7).
            op.EaMask = uint.MaxValue;
            op.Disp = (uint)insn.MemoryDisplacement32;
        }
    }

    /// <summary>Register number 0–15 of a general register of any size (AH → 0, R9D → 9).</summary>
    public static int GprIndex(Register reg) => reg.GetFullRegister() - Register.RAX;

    /// <summary>Byte offset of a general register in the register file: AH, CH, DH, BH are byte 1 of RAX–RBX.</summary>
    public static byte GprOffset(Register reg) =>
        reg is >= Register.AH and <= Register.BH
            ? (byte)((reg - Register.AH) * 8 + 1)
            : (byte)(GprIndex(reg) * 8);

    public static int VectorIndex(Register reg) =>
        reg.IsXMM() ? reg - Register.XMM0 :
        reg.IsYMM() ? reg - Register.YMM0 :
        reg.IsMM() ? reg - Register.MM0 :
        reg.IsST() ? reg - Register.ST0 :
        reg.IsSegmentRegister() ? reg - Register.ES : 0;

    /// <summary>The unsigned integer type of an operand size in bytes.</summary>
    public static Type UnsignedType(int bytes) => bytes switch
    {
        1 => typeof(byte),
        2 => typeof(ushort),
        4 => typeof(uint),
        8 => typeof(ulong),
        16 => typeof(UInt128),
        _ => throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "operand size"),
    };

    /// <summary>Size in bytes of operand <paramref name="i"/> (register or memory).</summary>
    public static int OperandSize(in Instruction insn, int i) => insn.GetOpKind(i) switch
    {
        OpKind.Register => insn.GetOpRegister(i).GetSize(),
        OpKind.Memory => insn.MemorySize.GetSize(),
        _ => i == 0 ? 8 : OperandSize(in insn, 0),
    };
}
