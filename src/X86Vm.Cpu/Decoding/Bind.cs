using Iced.Intel;

namespace X86Vm.Cpu.Decoding;

/// <summary>Common binder shapes, so a family registers an instruction in one line.</summary>
public static class Bind
{
    /// <summary><c>owner.name&lt;T, operand kinds…&gt;</c> where T is the unsigned type of operand 0's size.</summary>
    public static Binder Sized(Type owner, string name) =>
        (in Instruction insn, ref DecodedOp op, Type[] operands) =>
            Handlers.Get(owner, name, [OperandDecoder.UnsignedType(OperandDecoder.OperandSize(insn, 0)), .. operands]);

    /// <summary><see cref="Sized"/> plus the <see cref="IFlagsMode"/> chosen by flag liveness as the last type argument.</summary>
    public static Binder SizedWithFlags(Type owner, string name) =>
        (in Instruction insn, ref DecodedOp op, Type[] operands) =>
            Handlers.Get(owner, name, [OperandDecoder.UnsignedType(OperandDecoder.OperandSize(insn, 0)), .. operands, FlagsMode(op)]);

    public static Type FlagsMode(in DecodedOp op) => op.FlagsDead ? typeof(FlagsDead) : typeof(FlagsLive);

    /// <summary>
    /// Like <see cref="Sized"/> plus the <see cref="ICondition"/> of the condition code as the last type argument
    /// (Jcc, SETcc, CMOVcc); also sets <see cref="DecodedOp.Cond"/> for diagnostics.
    /// </summary>
    public static Binder Conditional(Type owner, string name) =>
        (in Instruction insn, ref DecodedOp op, Type[] operands) =>
        {
            op.Cond = (byte)(insn.ConditionCode - ConditionCode.o);
            return Handlers.Get(owner, name,
                [OperandDecoder.UnsignedType(OperandDecoder.OperandSize(insn, 0)), .. operands, Conditions.Of(op.Cond)]);
        };

    /// <summary>A handler with explicit type arguments (no operand kinds).</summary>
    public static Binder Fixed(Type owner, string name, params Type[] typeArgs) =>
        (in Instruction insn, ref DecodedOp op, Type[] operands) => Handlers.Get(owner, name, typeArgs);

    /// <summary><c>owner.name&lt;T&gt;</c> where T is the unsigned type of the instruction's operand size (string ops, CBW…).</summary>
    public static Binder BySize(Type owner, string name, Func<Instruction, int> size) =>
        (in Instruction insn, ref DecodedOp op, Type[] operands) =>
            Handlers.Get(owner, name, OperandDecoder.UnsignedType(size(insn)));
}
