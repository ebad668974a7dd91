using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using System.Numerics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions;

/// <summary>Data movement: MOV MOVZX MOVSX MOVSXD LEA XCHG CMOVcc SETcc BSWAP and the accumulator sign extensions (CBW… CQO).</summary>
[InstructionFamily]
static class InstMove
{
    static readonly Type Self = typeof(InstMove);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Mov, (in Instruction insn, ref DecodedOp op, Type[] o) =>
        {
            if (insn.Op1Kind == OpKind.Register && insn.Op1Register.IsSegmentRegister())
            {
                op.Imm = (ulong)(insn.Op1Register - Iced.Intel.Register.ES);
                return Handlers.Get(Self, nameof(MovFromSegment), OperandDecoder.UnsignedType(OperandDecoder.OperandSize(insn, 0)), o[0]);
            }
            // Loading a segment register is modelled in 32-bit mode only (docs/compatibility.md): #UD in 64-bit mode.
            if (insn.Op0Kind == OpKind.Register && insn.Op0Register.IsSegmentRegister())
                return InstLegacy.BindLoadSegment(insn, ref op, o);
            return Handlers.Get(Self, nameof(Mov), [OperandDecoder.UnsignedType(OperandDecoder.OperandSize(insn, 0)), .. o]);
        });
        t.Add(Mnemonic.Xlatb, (in Instruction insn, ref DecodedOp op, Type[] o) =>
        {
            // XLAT's table is [RBX] ([EBX] with 67h), DS unless overridden; AL is added to the offset (SDM XLAT).
            op.Base = 3;
            op.Index = State.RegisterFile.Zero;
            op.Disp = 0;
            op.Seg = insn.MemorySegment switch { Iced.Intel.Register.FS => 1, Iced.Intel.Register.GS => 2, _ => 0 };
            op.EaMask = insn.MemoryBase == Iced.Intel.Register.EBX ? uint.MaxValue : ulong.MaxValue;
            return Handlers.Get(Self, nameof(Xlat));
        });
        t.Add(Mnemonic.Movzx, Widening(nameof(Movzx)));
        t.Add(Mnemonic.Movsx, Widening(nameof(Movsx)));
        t.Add(Mnemonic.Movsxd, Widening(nameof(Movsx)));
        t.Add(Mnemonic.Lea, (in Instruction insn, ref DecodedOp op, Type[] o) =>
        {
            op.Seg = 0; // LEA computes the offset only: a segment override adds no FS/GS base
            return Handlers.Get(Self, nameof(Lea), [OperandDecoder.UnsignedType(OperandDecoder.OperandSize(insn, 0)), .. o]);
        });
        t.Add(Mnemonic.Xchg, Bind.Sized(Self, nameof(Xchg)));
        t.Add(Mnemonic.Bswap, Bind.Sized(Self, nameof(Bswap)));
        foreach (Mnemonic m in new[] { Mnemonic.Cmovo, Mnemonic.Cmovno, Mnemonic.Cmovb, Mnemonic.Cmovae, Mnemonic.Cmove,
                     Mnemonic.Cmovne, Mnemonic.Cmovbe, Mnemonic.Cmova, Mnemonic.Cmovs, Mnemonic.Cmovns, Mnemonic.Cmovp,
                     Mnemonic.Cmovnp, Mnemonic.Cmovl, Mnemonic.Cmovge, Mnemonic.Cmovle, Mnemonic.Cmovg })
            t.Add(m, Bind.Conditional(Self, nameof(Cmov)));
        foreach (Mnemonic m in new[] { Mnemonic.Seto, Mnemonic.Setno, Mnemonic.Setb, Mnemonic.Setae, Mnemonic.Sete,
                     Mnemonic.Setne, Mnemonic.Setbe, Mnemonic.Seta, Mnemonic.Sets, Mnemonic.Setns, Mnemonic.Setp,
                     Mnemonic.Setnp, Mnemonic.Setl, Mnemonic.Setge, Mnemonic.Setle, Mnemonic.Setg })
            t.Add(m, Bind.Conditional(Self, nameof(Setcc)));
        // Accumulator sign extensions: the operand size is implied by the mnemonic.
        t.Add(Mnemonic.Cbw, Bind.Fixed(Self, nameof(SignExtendAccumulator), typeof(byte), typeof(ushort)));
        t.Add(Mnemonic.Cwde, Bind.Fixed(Self, nameof(SignExtendAccumulator), typeof(ushort), typeof(uint)));
        t.Add(Mnemonic.Cdqe, Bind.Fixed(Self, nameof(SignExtendAccumulator), typeof(uint), typeof(ulong)));
        t.Add(Mnemonic.Cwd, Bind.Fixed(Self, nameof(SignExtendIntoDx), typeof(ushort)));
        t.Add(Mnemonic.Cdq, Bind.Fixed(Self, nameof(SignExtendIntoDx), typeof(uint)));
        t.Add(Mnemonic.Cqo, Bind.Fixed(Self, nameof(SignExtendIntoDx), typeof(ulong)));
    }

    /// <summary>Two sizes: destination (operand 0) and source (operand 1).</summary>
    static Binder Widening(string name) => (in Instruction insn, ref DecodedOp op, Type[] o) =>
        Handlers.Get(Self, name, OperandDecoder.UnsignedType(OperandDecoder.OperandSize(insn, 0)),
            OperandDecoder.UnsignedType(OperandDecoder.OperandSize(insn, 1)), o[0], o[1]);

    /// <summary>Sign-extends an unsigned value of type T to 64 bits.</summary>
    public static ulong SignExtend<T>(T v) where T : IBinaryInteger<T>
    {
        int shift = 64 - System.Runtime.CompilerServices.Unsafe.SizeOf<T>() * 8;
        return (ulong)((long)(ulong.CreateTruncating(v) << shift) >> shift);
    }

    /// <summary>
    /// MOV r/m, Sreg (Imm: the segment register's number): a 32- or 64-bit register receives the selector zero-extended,
    /// a 16-bit one or memory its 16 bits. A 64-bit process runs with CS = __USER_CS (0x33), SS = __USER_DS (0x2b) and
    /// the others 0 (FS/GS bases come from arch_prctl, not from selectors); see <see cref="Cpu.ResetSegments"/>.
    /// </summary>
    public static void MovFromSegment<T, D>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand =>
        D.Write(c, ref op, T.CreateTruncating(c.Selectors[(int)op.Imm]));

    /// <summary>XLAT: AL = the byte at table + AL (zero-extended).</summary>
    public static void Xlat(Cpu c, ref DecodedOp op)
    {
        byte al = GprAccess.Read<byte>(c, 0);
        ulong address = (c.EffectiveAddress(ref op) + al) & op.EaMask;
        GprAccess.Write(c, 0, c.Memory.Read<byte>(address));
    }

    [MethodImpl(Hot.Handler)]
    public static void Mov<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand =>
        D.Write(c, ref op, S.Read<T>(c, ref op));

    [MethodImpl(Hot.Handler)]
    public static void Movzx<TD, TS, D, S>(Cpu c, ref DecodedOp op)
        where TD : unmanaged, IBinaryInteger<TD> where TS : unmanaged, IBinaryInteger<TS> where D : IOperand where S : IOperand =>
        D.Write(c, ref op, TD.CreateTruncating(S.Read<TS>(c, ref op)));

    [MethodImpl(Hot.Handler)]
    public static void Movsx<TD, TS, D, S>(Cpu c, ref DecodedOp op)
        where TD : unmanaged, IBinaryInteger<TD> where TS : unmanaged, IBinaryInteger<TS> where D : IOperand where S : IOperand =>
        D.Write(c, ref op, TD.CreateTruncating(SignExtend(S.Read<TS>(c, ref op))));

    /// <summary>LEA: the effective address without segment base (the binder clears the segment), truncated to the operand size.</summary>
    [MethodImpl(Hot.Handler)]
    public static void Lea<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand =>
        D.Write(c, ref op, T.CreateTruncating(c.EffectiveAddress(ref op)));

    /// <summary>
    /// XCHG. The memory operand is written first: its address may use the register being exchanged
    /// (<c>xchg [rax], al</c>), and a faulting write must leave the register unchanged.
    /// </summary>
    [MethodImpl(Hot.Handler)]
    public static void Xchg<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        T a = D.Read<T>(c, ref op), b = S.Read<T>(c, ref op);
        if (typeof(D) == typeof(Mem))
        {
            D.Write(c, ref op, b);
            S.Write(c, ref op, a);
        }
        else
        {
            S.Write(c, ref op, a);
            D.Write(c, ref op, b);
        }
    }

    /// <summary>BSWAP; with a 16-bit operand the result is undefined — we write zero, as current CPUs do.</summary>
    public static void Bswap<T, D>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand
    {
        ulong v = ulong.CreateTruncating(D.Read<T>(c, ref op));
        ulong r = System.Runtime.CompilerServices.Unsafe.SizeOf<T>() switch
        {
            8 => BinaryPrimitives.ReverseEndianness(v),
            4 => BinaryPrimitives.ReverseEndianness((uint)v),
            _ => 0,
        };
        D.Write(c, ref op, T.CreateTruncating(r));
    }

    /// <summary>CMOVcc. A 32-bit CMOV zero-extends its destination even when the condition is false (SDM CMOVcc).</summary>
    [MethodImpl(Hot.Handler)]
    public static void Cmov<T, D, S, C>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where C : ICondition
    {
        T value = S.Read<T>(c, ref op);
        if (c.Condition(C.Code)) D.Write(c, ref op, value);
        else if (System.Runtime.CompilerServices.Unsafe.SizeOf<T>() == 4) D.Write(c, ref op, D.Read<T>(c, ref op));
    }

    [MethodImpl(Hot.Handler)]
    public static void Setcc<T, D, C>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where C : ICondition =>
        D.Write(c, ref op, c.Condition(C.Code) ? (byte)1 : (byte)0);

    [MethodImpl(Hot.Handler)]
    public static void SignExtendAccumulator<TS, TD>(Cpu c, ref DecodedOp op)
        where TS : unmanaged, IBinaryInteger<TS> where TD : unmanaged, IBinaryInteger<TD>
    {
        TS v = GprAccess.Read<TS>(c, Reg.RAX * 8);
        GprAccess.Write(c, Reg.RAX * 8, TD.CreateTruncating(SignExtend(v)));
    }

    [MethodImpl(Hot.Handler)]
    public static void SignExtendIntoDx<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T>
    {
        T v = GprAccess.Read<T>(c, Reg.RAX * 8);
        GprAccess.Write(c, Reg.RDX * 8, T.CreateTruncating((long)SignExtend(v) >> 63));
    }
}
