using System.Reflection;
using System.Reflection.Emit;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Flags;

namespace X86Vm.Cpu.Execution.Inline;

/// <summary>ADD SUB AND OR XOR CMP TEST INC DEC, as <see cref="Instructions.InstAlu"/> defines them.</summary>
static partial class InlineForms
{
    static readonly MethodInfo SetFlagsKeepCarry = typeof(Cpu).GetMethod(nameof(Cpu.SetFlagsKeepCarry))!;

    static void AddAlu(Registrar add)
    {
        // <T, D, S, F>: destination D op= source S.
        add(Alu, "Add", (InlineContext x, Type[] t, in DecodedOp op) => Binary(x, t, op, FlagOp.Add, OpCodes.Add, writes: true));
        add(Alu, "Sub", (InlineContext x, Type[] t, in DecodedOp op) => Binary(x, t, op, FlagOp.Sub, OpCodes.Sub, writes: true));
        add(Alu, "Cmp", (InlineContext x, Type[] t, in DecodedOp op) => Binary(x, t, op, FlagOp.Sub, OpCodes.Sub, writes: false));
        add(Alu, "And", (InlineContext x, Type[] t, in DecodedOp op) => Binary(x, t, op, FlagOp.Logic, OpCodes.And, writes: true));
        add(Alu, "Or", (InlineContext x, Type[] t, in DecodedOp op) => Binary(x, t, op, FlagOp.Logic, OpCodes.Or, writes: true));
        add(Alu, "Xor", (InlineContext x, Type[] t, in DecodedOp op) => Binary(x, t, op, FlagOp.Logic, OpCodes.Xor, writes: true));
        add(Alu, "Test", (InlineContext x, Type[] t, in DecodedOp op) => Binary(x, t, op, FlagOp.Logic, OpCodes.And, writes: false));
        // <T, D, F>
        add(Alu, "Inc", (InlineContext x, Type[] t, in DecodedOp op) => Unary(x, t, op, FlagOp.Inc));
        add(Alu, "Dec", (InlineContext x, Type[] t, in DecodedOp op) => Unary(x, t, op, FlagOp.Dec));
        add(Alu, "Neg", (InlineContext x, Type[] t, in DecodedOp op) => Unary(x, t, op, FlagOp.Sub));
        add(Alu, "Not", Not);
        add(System, "Nop", (InlineContext x, Type[] t, in DecodedOp op) => true);
        // IMUL r, r/m <T, D, S, F> and IMUL r, r/m, imm <T, D, S, I, F> whose flags nobody reads: the low half of the
        // product is the same signed or unsigned. With live CF/OF the handler computes the high half.
        add(MulDiv, "Imul2", (InlineContext x, Type[] t, in DecodedOp op) => MultiplyLow(x, t[0], t[1], t[1], t[2], t[3], op));
        add(MulDiv, "Imul3", (InlineContext x, Type[] t, in DecodedOp op) => MultiplyLow(x, t[0], t[1], t[2], t[3], t[4], op));
    }

    /// <summary>
    /// r = a op b with a from D and b from S; D = r unless CMP/TEST; the flag record unless liveness removed it. A logic
    /// operation records result only (operands 0), as <see cref="Instructions.InstAlu"/> does.
    /// </summary>
    static bool Binary(InlineContext x, Type[] t, in DecodedOp op, FlagOp kind, OpCode operation, bool writes)
    {
        int size = InlineContext.SizeOf(t[0]);
        Type d = t[1], s = t[2];
        if (size == 0 || !InlineContext.IsOperand(d) || !InlineContext.IsOperand(s) || FlagsLive(t[3]) is not bool live)
            return false;
        ILGenerator il = x.IL;
        LocalBuilder a = x.Rent(), b = x.Rent(), r = x.Rent();
        x.Read(d, size, op);
        il.Emit(OpCodes.Stloc, a);
        x.Read(s, size, op);
        il.Emit(OpCodes.Stloc, b);
        il.Emit(OpCodes.Ldloc, a);
        il.Emit(OpCodes.Ldloc, b);
        il.Emit(operation);
        if (kind != FlagOp.Logic) x.Truncate(size); // a carry or borrow out of the operand size
        il.Emit(OpCodes.Stloc, r);
        if (writes) x.Write(d, size, op, r);
        if (live) x.SetFlags(kind, size, kind == FlagOp.Logic ? null : a, kind == FlagOp.Logic ? null : b, r);
        else x.Flags = null;
        x.Return(a, b, r);
        return true;
    }

    /// <summary>
    /// INC, DEC (like ADD/SUB of 1, keeping CF: recorded by <see cref="Cpu.SetFlagsKeepCarry"/>, which reads the carry)
    /// and NEG (r = 0 − a, flags as SUB 0, a: CF set unless a = 0); <paramref name="kind"/> is Inc, Dec or Sub.
    /// </summary>
    static bool Unary(InlineContext x, Type[] t, in DecodedOp op, FlagOp kind)
    {
        int size = InlineContext.SizeOf(t[0]);
        Type d = t[1];
        if (size == 0 || !InlineContext.IsOperand(d) || FlagsLive(t[2]) is not bool live) return false;
        ILGenerator il = x.IL;
        LocalBuilder a = x.Rent(), r = x.Rent();
        x.Read(d, size, op);
        il.Emit(OpCodes.Stloc, a);
        if (kind == FlagOp.Sub) il.Emit(OpCodes.Ldc_I8, 0L);
        il.Emit(OpCodes.Ldloc, a);
        if (kind != FlagOp.Sub) il.Emit(OpCodes.Ldc_I8, 1L);
        il.Emit(kind == FlagOp.Inc ? OpCodes.Add : OpCodes.Sub);
        x.Truncate(size);
        il.Emit(OpCodes.Stloc, r);
        x.Write(d, size, op, r);
        if (!live) x.Flags = null;
        else if (kind == FlagOp.Sub) x.SetFlags(FlagOp.Sub, size, null, a, r);
        else
        {
            x.FlushFlags();
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldc_I4, (int)kind);
            il.Emit(OpCodes.Ldc_I4, InlineContext.SizeLog2(size));
            il.Emit(OpCodes.Ldloc, a);
            il.Emit(OpCodes.Ldloc, r);
            il.Emit(OpCodes.Call, SetFlagsKeepCarry);
            x.FlagsStored(kind, size, a, r);
        }
        x.Return(a, r);
        return true;
    }

    /// <summary>D = first × second, truncated to T's size.</summary>
    static bool MultiplyLow(InlineContext x, Type type, Type d, Type first, Type second, Type mode, in DecodedOp op)
    {
        int size = InlineContext.SizeOf(type);
        if (size == 0 || FlagsLive(mode) != false || !InlineContext.IsOperand(d) || !InlineContext.IsOperand(first) ||
            !InlineContext.IsOperand(second)) return false;
        LocalBuilder r = x.Rent();
        x.Read(first, size, op);
        x.Read(second, size, op);
        x.IL.Emit(OpCodes.Mul);
        x.IL.Emit(OpCodes.Stloc, r);
        x.Write(d, size, op, r);
        x.Return(r);
        x.Flags = null;
        return true;
    }

    /// <summary>NOT&lt;T, D, F&gt;: no flags.</summary>
    static bool Not(InlineContext x, Type[] t, in DecodedOp op)
    {
        int size = InlineContext.SizeOf(t[0]);
        if (size == 0 || !InlineContext.IsOperand(t[1])) return false;
        LocalBuilder value = x.Rent();
        x.Read(t[1], size, op);
        x.IL.Emit(OpCodes.Not);
        x.IL.Emit(OpCodes.Stloc, value);
        x.Write(t[1], size, op, value);
        x.Return(value);
        return true;
    }

    /// <summary>Whether the handler records its flags (<see cref="IFlagsMode"/>); null for a type argument that is no flag mode.</summary>
    static bool? FlagsLive(Type mode) =>
        mode == typeof(Decoding.FlagsLive) ? true : mode == typeof(Decoding.FlagsDead) ? false : null;
}
