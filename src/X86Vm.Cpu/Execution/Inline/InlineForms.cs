using System.Collections.Frozen;
using System.Reflection;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Instructions;

namespace X86Vm.Cpu.Execution.Inline;

/// <summary>
/// IL for the hottest integer instruction forms with the guest registers in locals (<see cref="RegisterLocals"/>):
/// MOV, MOVZX, MOVSX, LEA, CBW…CQO, ADD, SUB, AND, OR, XOR, CMP, TEST, INC, DEC, NEG, NOT, IMUL without live flags,
/// shifts and rotates by a constant, PUSH, POP, JMP, Jcc, SETcc, CMOVcc, CALL, RET and NOP — the ops that make up most of what compiled code
/// runs (perf of Debian's python3 and sqlite3 in bench/, and the ops left to handlers in their compiled regions; see
/// docs/performance.md). Every other op calls its shared handler, as before.
///
/// The form is recognised from the handler the binder chose (its generic method and type arguments: operation, size,
/// operand kinds, flag mode, condition), so an inline form implements exactly the instantiation the interpreter runs
/// and the two tiers stay bit-identical (tests/X86Vm.Tests/Cpu/TierEquivalenceTests.cs compares them on random code).
/// An emitter returns false to leave an op to its handler; it has emitted nothing then.
/// </summary>
static partial class InlineForms
{
    delegate bool Emitter(InlineContext x, Type[] types, in DecodedOp op);

    static readonly FrozenDictionary<MethodInfo, Emitter> Emitters = BuildTable();

    /// <summary>Emits <paramref name="op"/> inline when its handler is one of the forms; false leaves it to the handler.</summary>
    public static bool TryEmit(InlineContext x, MethodInfo handler, in DecodedOp op)
    {
        MethodInfo definition = handler.IsGenericMethod ? handler.GetGenericMethodDefinition() : handler;
        if (!Emitters.TryGetValue(definition, out Emitter? emit)) return false;
        return emit(x, handler.IsGenericMethod ? handler.GetGenericArguments() : [], op);
    }

    /// <summary>
    /// Whether <paramref name="handler"/>'s operation has an inline form (its emitter may still decline an operand kind);
    /// the compiler uses it to estimate how much of the .NET JIT's inlining budget a block needs.
    /// </summary>
    public static bool Covers(MethodInfo handler) =>
        InlineEnabled && Emitters.ContainsKey(handler.IsGenericMethod ? handler.GetGenericMethodDefinition() : handler);

    /// <summary>Inline forms on (the default); X86VM_INLINE_FORMS=0 turns them off to compare (a diagnostic, never VM state).</summary>
    public static readonly bool InlineEnabled = Environment.GetEnvironmentVariable("X86VM_INLINE_FORMS") != "0";

    static FrozenDictionary<MethodInfo, Emitter> BuildTable()
    {
        var table = new Dictionary<MethodInfo, Emitter>();
        void Add(Type family, string name, Emitter emit) =>
            table.Add(family.GetMethod(name, BindingFlags.Public | BindingFlags.Static)
                      ?? throw new InvalidOperationException($"{family.Name}.{name} not found"), emit);

        AddAlu(Add);
        AddMoves(Add);
        AddControl(Add);
        AddShifts(Add);
        return table.ToFrozenDictionary();
    }

    /// <summary>Registers an emitter for a handler method (<c>typeof(InstAlu), nameof(InstAlu.Add)</c>).</summary>
    delegate void Registrar(Type family, string name, Emitter emit);

    static Type Alu => typeof(InstAlu);
    static Type Move => typeof(InstMove);
    static Type Stack => typeof(InstStack);
    static Type Control => typeof(InstControl);
    static Type Shift => typeof(InstShift);
    static Type MulDiv => typeof(InstMulDiv);
    static Type System => typeof(InstSystem);
}
