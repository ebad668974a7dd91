using System.Reflection.Emit;
using X86Vm.Cpu.Decoding;

namespace X86Vm.Cpu.Execution.Inline;

/// <summary>MOV MOVZX MOVSX LEA SETcc CMOVcc, as <see cref="Instructions.InstMove"/> defines them.</summary>
static partial class InlineForms
{
    static void AddMoves(Registrar add)
    {
        add(Move, "Mov", Mov);
        add(Move, "Movzx", (InlineContext x, Type[] t, in DecodedOp op) => Extend(x, t, op, signed: false));
        add(Move, "Movsx", (InlineContext x, Type[] t, in DecodedOp op) => Extend(x, t, op, signed: true));
        add(Move, "Lea", Lea);
        add(Move, "Setcc", Setcc);
        add(Move, "Cmov", Cmov);
        add(Move, "SignExtendAccumulator", SignExtendAccumulator);
        add(Move, "SignExtendIntoDx", SignExtendIntoDx);
    }

    /// <summary>MOV&lt;T, D, S&gt;.</summary>
    static bool Mov(InlineContext x, Type[] t, in DecodedOp op)
    {
        int size = InlineContext.SizeOf(t[0]);
        if (size == 0 || !InlineContext.IsOperand(t[1]) || !InlineContext.IsOperand(t[2])) return false;
        LocalBuilder value = x.Rent();
        x.Read(t[2], size, op);
        x.IL.Emit(OpCodes.Stloc, value);
        x.Write(t[1], size, op, value);
        x.Return(value);
        return true;
    }

    /// <summary>MOVZX/MOVSX&lt;TD, TS, D, S&gt;: the source's size TS extended to the destination's TD.</summary>
    static bool Extend(InlineContext x, Type[] t, in DecodedOp op, bool signed)
    {
        int to = InlineContext.SizeOf(t[0]), from = InlineContext.SizeOf(t[1]);
        if (to == 0 || from == 0 || !InlineContext.IsOperand(t[2]) || !InlineContext.IsOperand(t[3])) return false;
        ILGenerator il = x.IL;
        LocalBuilder value = x.Rent();
        x.Read(t[3], from, op);
        if (signed) SignExtend(il, from);
        il.Emit(OpCodes.Stloc, value);
        x.Write(t[2], to, op, value);
        x.Return(value);
        return true;
    }

    /// <summary>LEA&lt;T, D, S&gt;: the effective address truncated to T (the binder left no segment).</summary>
    static bool Lea(InlineContext x, Type[] t, in DecodedOp op)
    {
        int size = InlineContext.SizeOf(t[0]);
        if (size == 0 || !InlineContext.IsOperand(t[1])) return false;
        LocalBuilder value = x.Rent();
        x.Address(op);
        x.IL.Emit(OpCodes.Stloc, value);
        x.Write(t[1], size, op, value);
        x.Return(value);
        return true;
    }

    /// <summary>SETcc&lt;T, D, C&gt;: one byte, 1 or 0.</summary>
    static bool Setcc(InlineContext x, Type[] t, in DecodedOp op)
    {
        if (!InlineContext.IsOperand(t[1])) return false;
        LocalBuilder value = x.Rent();
        Condition(x, ConditionCode(t[2]));
        x.IL.Emit(OpCodes.Conv_U8);
        x.IL.Emit(OpCodes.Stloc, value);
        x.Write(t[1], 1, op, value);
        x.Return(value);
        return true;
    }

    /// <summary>
    /// CMOVcc&lt;T, D, S, C&gt;: the source is read (and may fault) whatever the condition; a 32-bit destination is
    /// zero-extended even when the condition is false (SDM CMOVcc).
    /// </summary>
    static bool Cmov(InlineContext x, Type[] t, in DecodedOp op)
    {
        int size = InlineContext.SizeOf(t[0]);
        Type d = t[1], s = t[2];
        if (size == 0 || d == typeof(Mem) || !InlineContext.IsOperand(d) || !InlineContext.IsOperand(s)) return false;
        ILGenerator il = x.IL;
        LocalBuilder value = x.Rent();
        x.Read(s, size, op);
        il.Emit(OpCodes.Stloc, value);
        // Both paths must leave the destination's local holding the register: load it before branching.
        x.Read(d, 8, op);
        il.Emit(OpCodes.Pop);
        Label keep = il.DefineLabel(), done = il.DefineLabel();
        Condition(x, ConditionCode(t[3]));
        il.Emit(OpCodes.Brfalse, keep);
        x.Write(d, size, op, value);
        il.Emit(OpCodes.Br, done);
        il.MarkLabel(keep);
        if (size == 4)
        {
            x.Read(d, size, op);
            il.Emit(OpCodes.Stloc, value);
            x.Write(d, size, op, value);
        }
        il.MarkLabel(done);
        x.Return(value);
        return true;
    }

    /// <summary>CBW/CWDE/CDQE&lt;TS, TD&gt;: the accumulator's low TS bytes sign-extended to TD.</summary>
    static bool SignExtendAccumulator(InlineContext x, Type[] t, in DecodedOp op)
    {
        int from = InlineContext.SizeOf(t[0]), to = InlineContext.SizeOf(t[1]);
        if (from == 0 || to == 0) return false;
        LocalBuilder value = x.Rent();
        x.ReadRegister(State.Reg.RAX * 8, from);
        SignExtend(x.IL, from);
        x.IL.Emit(OpCodes.Stloc, value);
        x.WriteRegister(State.Reg.RAX * 8, to, value);
        x.Return(value);
        return true;
    }

    /// <summary>CWD/CDQ/CQO&lt;T&gt;: DX = the sign of AX, in T's size.</summary>
    static bool SignExtendIntoDx(InlineContext x, Type[] t, in DecodedOp op)
    {
        int size = InlineContext.SizeOf(t[0]);
        if (size == 0) return false;
        LocalBuilder value = x.Rent();
        x.ReadRegister(State.Reg.RAX * 8, size);
        SignExtend(x.IL, size);
        x.IL.Emit(OpCodes.Ldc_I4, 63);
        x.IL.Emit(OpCodes.Shr);
        x.IL.Emit(OpCodes.Stloc, value);
        x.WriteRegister(State.Reg.RDX * 8, size, value);
        x.Return(value);
        return true;
    }
}
