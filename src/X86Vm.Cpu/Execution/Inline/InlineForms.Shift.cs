using System.Reflection.Emit;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Flags;

namespace X86Vm.Cpu.Execution.Inline;

/// <summary>
/// SHL SHR SAR, and ROL ROR without live flags, by a constant count (<see cref="Instructions.InstShift"/>); counts in
/// CL keep their handlers.
/// </summary>
static partial class InlineForms
{
    static void AddShifts(Registrar add)
    {
        // <T, D, S>
        add(Shift, "Shl", (InlineContext x, Type[] t, in DecodedOp op) => ShiftByConstant(x, t, op, FlagOp.Shl));
        add(Shift, "Shr", (InlineContext x, Type[] t, in DecodedOp op) => ShiftByConstant(x, t, op, FlagOp.Shr));
        add(Shift, "Sar", (InlineContext x, Type[] t, in DecodedOp op) => ShiftByConstant(x, t, op, FlagOp.Sar));
        // <T, D, S, F>
        add(Shift, "Rol", (InlineContext x, Type[] t, in DecodedOp op) => RotateByConstant(x, t, op, left: true));
        add(Shift, "Ror", (InlineContext x, Type[] t, in DecodedOp op) => RotateByConstant(x, t, op, left: false));
    }

    /// <summary>The count the CPU uses (low 5 bits, 6 for 64-bit operands), or -1 when it is not a constant.</summary>
    static int ConstantCount(Type source, int size, in DecodedOp op) =>
        source == typeof(One) ? 1 : source == typeof(Imm) ? (int)(op.Imm & 0xFF) & (size == 8 ? 63 : 31) : -1;

    /// <summary>
    /// A shift by a count 1..63: the flag record keeps the original value, the count and the untruncated 64-bit
    /// result, as the handler records them; a zero count only rewrites the destination (zero-extending a 32-bit register).
    /// </summary>
    static bool ShiftByConstant(InlineContext x, Type[] t, in DecodedOp op, FlagOp kind)
    {
        int size = InlineContext.SizeOf(t[0]);
        Type d = t[1];
        int count = ConstantCount(t[2], size, op);
        if (size == 0 || count < 0 || !InlineContext.IsOperand(d)) return false;
        ILGenerator il = x.IL;
        LocalBuilder a = x.Rent(), n = x.Rent(), r = x.Rent();
        x.Read(d, size, op);
        il.Emit(OpCodes.Stloc, a);
        if (count == 0)
        {
            x.Write(d, size, op, a);
            x.Return(a, n, r);
            return true;
        }
        il.Emit(OpCodes.Ldloc, a);
        if (kind == FlagOp.Sar) SignExtend(il, size);
        il.Emit(OpCodes.Ldc_I4, count);
        il.Emit(kind == FlagOp.Shl ? OpCodes.Shl : kind == FlagOp.Shr ? OpCodes.Shr_Un : OpCodes.Shr);
        il.Emit(OpCodes.Stloc, r);
        x.Write(d, size, op, r);
        il.Emit(OpCodes.Ldc_I8, (long)count);
        il.Emit(OpCodes.Stloc, n);
        x.SetFlags(kind, size, a, n, r);
        x.Return(a, n, r);
        return true;
    }

    /// <summary>ROL/ROR by a constant count whose flags nobody reads (with live flags the handler records CF and OF).</summary>
    static bool RotateByConstant(InlineContext x, Type[] t, in DecodedOp op, bool left)
    {
        int size = InlineContext.SizeOf(t[0]);
        Type d = t[1];
        int count = ConstantCount(t[2], size, op);
        if (size == 0 || count < 0 || !InlineContext.IsOperand(d) || FlagsLive(t[3]) != false) return false;
        ILGenerator il = x.IL;
        LocalBuilder value = x.Rent();
        x.Read(d, size, op);
        il.Emit(OpCodes.Stloc, value);
        int bits = size * 8, n = count & (bits - 1);
        if (n != 0)
        {
            // (a << n) | (a >> (bits - n)) for ROL, mirrored for ROR; the write truncates to the operand size.
            il.Emit(OpCodes.Ldloc, value);
            il.Emit(OpCodes.Ldc_I4, left ? n : bits - n);
            il.Emit(OpCodes.Shl);
            il.Emit(OpCodes.Ldloc, value);
            il.Emit(OpCodes.Ldc_I4, left ? bits - n : n);
            il.Emit(OpCodes.Shr_Un);
            il.Emit(OpCodes.Or);
            il.Emit(OpCodes.Stloc, value);
        }
        x.Write(d, size, op, value);
        x.Return(value);
        x.Flags = null;
        return true;
    }

    /// <summary>Sign-extends the zero-extended value on the stack from <paramref name="size"/> bytes to 64 bits.</summary>
    static void SignExtend(ILGenerator il, int size)
    {
        if (size == 8) return;
        il.Emit(size == 4 ? OpCodes.Conv_I4 : size == 2 ? OpCodes.Conv_I2 : OpCodes.Conv_I1);
        il.Emit(OpCodes.Conv_I8);
    }
}
