using System.Reflection;
using System.Reflection.Emit;

namespace X86Vm.Cpu.Execution.Inline;

/// <summary>
/// The general registers of a compiled op sequence held in IL locals, so that the .NET JIT keeps them in host registers:
/// a register is loaded from <see cref="Cpu.Regs"/> at its first use and stored back only when it was written and the
/// guest state must be exact in memory (before an op that can fault, before a shared handler, at the sequence's end
/// and on its exits). The state tracked here is the compiler's, per emitted position, not the guest's.
/// </summary>
sealed class RegisterLocals(ILGenerator il)
{
    const int Count = 16;
    static readonly FieldInfo RegsField = typeof(Cpu).GetField(nameof(Cpu.Regs))!;

    readonly LocalBuilder?[] _locals = new LocalBuilder?[Count];
    readonly bool[] _loaded = new bool[Count];
    readonly bool[] _dirty = new bool[Count];

    /// <summary>Pushes the register's 64-bit value.</summary>
    public void Push(int reg)
    {
        Ensure(reg);
        il.Emit(OpCodes.Ldloc, _locals[reg]!);
    }

    /// <summary>Pops a 64-bit value into the register (stored back to the CPU later).</summary>
    public void Pop(int reg)
    {
        _locals[reg] ??= il.DeclareLocal(typeof(ulong));
        il.Emit(OpCodes.Stloc, _locals[reg]!);
        _loaded[reg] = true;
        _dirty[reg] = true;
    }

    /// <summary>Stores every written register back to the CPU; the locals stay valid.</summary>
    public void Flush()
    {
        StoreDirty();
        Array.Clear(_dirty);
    }

    /// <summary>
    /// Emits the stores of the written registers without forgetting that they are written: for a cold exit path, after
    /// which the hot path continues with the registers still only in locals.
    /// </summary>
    public void StoreDirty()
    {
        for (int r = 0; r < Count; r++)
        {
            if (!_dirty[r]) continue;
            EmitAddress(r);
            il.Emit(OpCodes.Ldloc, _locals[r]!);
            il.Emit(OpCodes.Stind_I8);
        }
    }

    /// <summary>After code that may change registers in the CPU (a shared handler): every local must be reloaded. Flush first.</summary>
    public void Forget()
    {
        if (Array.IndexOf(_dirty, true) >= 0) throw new InvalidOperationException("registers forgotten before being stored");
        Array.Clear(_loaded);
    }

    void Ensure(int reg)
    {
        if (_loaded[reg]) return;
        _locals[reg] ??= il.DeclareLocal(typeof(ulong));
        EmitAddress(reg);
        il.Emit(OpCodes.Ldind_I8);
        il.Emit(OpCodes.Stloc, _locals[reg]!);
        _loaded[reg] = true;
    }

    /// <summary>Pushes <c>ref c.Regs[reg]</c>.</summary>
    void EmitAddress(int reg)
    {
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldflda, RegsField);
        if (reg == 0) return;
        il.Emit(OpCodes.Ldc_I4, reg * sizeof(ulong));
        il.Emit(OpCodes.Add);
    }
}
