using System.Numerics;
using System.Runtime.CompilerServices;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions;

/// <summary>PUSH POP PUSHF POPF LEAVE ENTER.</summary>
[InstructionFamily]
static class InstStack
{
    static readonly Type Self = typeof(InstStack);

    static void Register(InstructionTable t)
    {
        // The stack width is the operand size of the push or pop (8 or 2 in 64-bit mode, 4 or 2 in 32-bit mode).
        t.Add(Mnemonic.Push, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            insn.Op0Kind == OpKind.Register && insn.Op0Register.IsSegmentRegister() ? InstLegacy.BindPushSegment(insn, ref op)
                : Handlers.Get(Self, nameof(Push), OperandDecoder.UnsignedType(-insn.StackPointerIncrement), o[0]));
        t.Add(Mnemonic.Pop, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            insn.Op0Kind == OpKind.Register && insn.Op0Register.IsSegmentRegister() ? InstLegacy.BindPopSegment(insn, ref op)
                : Handlers.Get(Self, nameof(Pop), OperandDecoder.UnsignedType(insn.StackPointerIncrement), o[0]));
        t.Add(Mnemonic.Pushfq, Bind.Fixed(Self, nameof(Pushf), typeof(ulong)));
        t.Add(Mnemonic.Pushfd, Bind.Fixed(Self, nameof(Pushf), typeof(uint)));
        t.Add(Mnemonic.Pushf, Bind.Fixed(Self, nameof(Pushf), typeof(ushort)));
        t.Add(Mnemonic.Popfq, Bind.Fixed(Self, nameof(Popf), typeof(ulong)));
        t.Add(Mnemonic.Popfd, Bind.Fixed(Self, nameof(Popf), typeof(uint)));
        t.Add(Mnemonic.Popf, Bind.Fixed(Self, nameof(Popf), typeof(ushort)));
        t.Add(Mnemonic.Leave, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            Handlers.Get(Self, nameof(Leave), OperandDecoder.UnsignedType(insn.Code switch { Code.Leavew => 2, Code.Leaved => 4, _ => 8 })));
        t.Add(Mnemonic.Enter, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            Handlers.Get(Self, nameof(Enter), OperandDecoder.UnsignedType(StackWidth(insn))));
    }

    /// <summary>
    /// The width of ENTER's pushes: 16 bits with an operand-size prefix, else the mode's stack width (64-bit mode has no
    /// 32-bit form).
    /// </summary>
    static int StackWidth(in Instruction insn) =>
        insn.Code == Code.Enterw_imm16_imm8 ? 2 : insn.CodeSize == CodeSize.Code32 ? 4 : 8;

    [MethodImpl(Hot.Handler)]
    public static void Push<T, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where S : IOperand
    {
        // The value is read before RSP changes (PUSH RSP pushes the old value; SDM PUSH).
        T value = Unsafe.SizeOf<T>() == 8 && typeof(S) == typeof(Imm)
            ? T.CreateTruncating(op.Imm)
            : S.Read<T>(c, ref op);
        c.Push(value);
    }

    /// <summary>
    /// POP: RSP is incremented before a memory destination's address is computed (SDM POP), but a faulting
    /// store leaves RSP unchanged.
    /// </summary>
    [MethodImpl(Hot.Handler)]
    public static void Pop<T, D>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand
    {
        if (typeof(D) == typeof(Mem))
        {
            ulong rsp = c.Rsp;
            T v = c.Memory.Read<T>(rsp);
            c.Rsp = rsp + (ulong)Unsafe.SizeOf<T>();
            ulong address = c.EffectiveAddress(ref op);
            c.Rsp = rsp;
            c.Memory.Write(address, v);
            c.Rsp = rsp + (ulong)Unsafe.SizeOf<T>();
            return;
        }
        T value = c.Pop<T>();
        D.Write(c, ref op, value);
    }

    public static void Pushf<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> =>
        // RF and VM read as zero in the pushed image.
        c.Push(T.CreateTruncating(c.Rflags & ~0x30000UL));

    public static void Popf<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T>
    {
        ulong value = ulong.CreateTruncating(c.Pop<T>());
        if (Unsafe.SizeOf<T>() == 2) value |= c.Rflags & ~0xFFFFUL;
        // IF and IOPL cannot change at CPL 3; the rest of the user-writable bits can.
        c.Rflags = (value & RFlags.UserWritable) | (c.Rflags & ~RFlags.UserWritable);
    }

    /// <summary>LEAVE: RSP ← RBP, then pop (BP) RBP. If the pop faults, RSP is unchanged.</summary>
    [MethodImpl(Hot.Handler)]
    public static void Leave<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T>
    {
        ulong frame = c.R(Reg.RBP);
        ulong rbp = ulong.CreateTruncating(c.Memory.Read<T>(frame));
        c.Rsp = frame + (ulong)Unsafe.SizeOf<T>();
        GprAccess.Write(c, Reg.RBP * 8, T.CreateTruncating(rbp)); // 16-bit LEAVE sets BP only
    }

    /// <summary>
    /// ENTER size, level (SDM ENTER, the 64-bit operation). After the pushes the final stack pointer is
    /// probed: "#PF if a write using the final value of the stack pointer would cause a page fault" (SDM
    /// ENTER). As on the host, such a fault leaves RSP and RBP unchanged but the pushed values in memory.
    /// </summary>
    public static void Enter<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T>
    {
        ulong size = (ushort)op.Imm;
        int level = (int)(op.Imm2 & 31);
        ulong rbp = c.R(Reg.RBP);
        ulong step = (ulong)Unsafe.SizeOf<T>();
        ulong rsp = c.Rsp - step;
        c.Memory.Write(rsp, T.CreateTruncating(rbp));
        ulong frameTemp = rsp;
        for (int i = 1; i < level; i++)
        {
            rbp -= step;
            T copy = c.Memory.Read<T>(rbp);
            rsp -= step;
            c.Memory.Write(rsp, copy);
        }
        if (level > 0)
        {
            rsp -= step;
            c.Memory.Write(rsp, T.CreateTruncating(frameTemp));
        }
        ulong final = rsp - size;
        c.Memory.Write(final, c.Memory.Read<T>(final));
        GprAccess.Write(c, Reg.RBP * 8, T.CreateTruncating(frameTemp)); // 16-bit ENTER sets BP only
        c.Rsp = final;
    }
}
