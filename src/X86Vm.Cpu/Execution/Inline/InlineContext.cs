using System.Reflection;
using System.Reflection.Emit;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Flags;
using X86Vm.Cpu.Memory;

namespace X86Vm.Cpu.Execution.Inline;

/// <summary>
/// What the emitters of <see cref="InlineForms"/> share while they compile one straight run of ops: the IL generator
/// (argument 1 is the <see cref="Cpu"/>), the registers held in locals, scratch locals, and the flag record of the last
/// inline flag-setting op (so a following Jcc/SETcc/CMOVcc compares its operands directly). Operand values travel on
/// the IL stack as 64-bit integers zero-extended from their size.
/// </summary>
sealed class InlineContext
{
    static readonly FieldInfo MemoryField = typeof(Cpu).GetField(nameof(Cpu.Memory))!;
    static readonly FieldInfo SegBaseField = typeof(Cpu).GetField(nameof(Cpu.SegBase))!;
    static readonly FieldInfo RetiredField = typeof(Cpu).GetField(nameof(Cpu.Retired))!;
    static readonly FieldInfo FlagKindField = typeof(Cpu).GetField(nameof(Cpu.FlagKind))!;
    static readonly FieldInfo FlagAField = typeof(Cpu).GetField(nameof(Cpu.FlagA))!;
    static readonly FieldInfo FlagBField = typeof(Cpu).GetField(nameof(Cpu.FlagB))!;
    static readonly FieldInfo FlagResField = typeof(Cpu).GetField(nameof(Cpu.FlagRes))!;
    static readonly MethodInfo TryReadMethod = GenericAccess(nameof(AddressSpace.TryRead));
    static readonly MethodInfo TryWriteMethod = GenericAccess(nameof(AddressSpace.TryWrite));
    static readonly MethodInfo ReadSlowMethod = GenericAccess(nameof(AddressSpace.ReadSlow));
    static readonly MethodInfo WriteSlowMethod = GenericAccess(nameof(AddressSpace.WriteSlow));

    public readonly ILGenerator IL;
    public readonly RegisterLocals Registers;
    readonly Stack<LocalBuilder> _free = new();

    /// <summary>Locals holding the operands and result of <see cref="Flags"/> (each flag-setting op refills them).</summary>
    public readonly LocalBuilder FlagA, FlagB, FlagResult;

    /// <summary>The flags as the last inline op recorded them, or null when another op may have changed them.</summary>
    public KnownFlags? Flags;

    /// <summary>
    /// The record of <see cref="Flags"/> is only in the flag locals: it is stored to the CPU when the CPU's state must be
    /// exact (<see cref="Flush"/>), and not at all when the next flag-setting op replaces it first.
    /// </summary>
    KnownFlags? _pending;

    /// <summary>
    /// Emits the store of the current op's site (where the run loop's fault path rewinds to); set by the compiler for
    /// each op before its form is emitted.
    /// </summary>
    public Action? EmitSite;

    /// <summary>
    /// The region method's count of retired instructions (<see cref="Cpu.Retired"/>) while it runs: added to per block
    /// and compared with the budget in a register, stored to the CPU where something may read it (exits, shared
    /// handlers, chunk calls, paths that fault). Null in a chunk method, which works on the CPU's count.
    /// </summary>
    public LocalBuilder? Retired;

    /// <summary>retired += <paramref name="count"/> (the local, or the CPU's count in a chunk method).</summary>
    public void AddRetired(int count)
    {
        if (Retired != null)
        {
            IL.Emit(OpCodes.Ldloc, Retired);
            IL.Emit(OpCodes.Ldc_I8, (long)count);
            IL.Emit(OpCodes.Add);
            IL.Emit(OpCodes.Stloc, Retired);
            return;
        }
        IL.Emit(OpCodes.Ldarg_1);
        IL.Emit(OpCodes.Ldarg_1);
        IL.Emit(OpCodes.Ldfld, RetiredField);
        IL.Emit(OpCodes.Ldc_I8, (long)count);
        IL.Emit(OpCodes.Add);
        IL.Emit(OpCodes.Stfld, RetiredField);
    }

    /// <summary>c.Retired = retired (nothing in a chunk method).</summary>
    public void StoreRetired()
    {
        if (Retired == null) return;
        IL.Emit(OpCodes.Ldarg_1);
        IL.Emit(OpCodes.Ldloc, Retired);
        IL.Emit(OpCodes.Stfld, RetiredField);
    }

    /// <summary>retired = c.Retired, after code that may have changed it (nothing in a chunk method).</summary>
    public void LoadRetired()
    {
        if (Retired == null) return;
        IL.Emit(OpCodes.Ldarg_1);
        IL.Emit(OpCodes.Ldfld, RetiredField);
        IL.Emit(OpCodes.Stloc, Retired);
    }

    /// <summary>Set in a store's miss path: the store may have written code (checked after the op, then cleared).</summary>
    LocalBuilder? _storeMissed;

    /// <summary>The op being emitted has a store miss path (see <see cref="EmitStoreMissCheck"/>).</summary>
    bool _opHasStoreMiss;

    /// <summary>Value locals of each access size, for the TLB's out parameter (consumed at once, so shared).</summary>
    readonly Dictionary<int, LocalBuilder> _values = new();

    public InlineContext(ILGenerator il)
    {
        IL = il;
        Registers = new RegisterLocals(il);
        FlagA = il.DeclareLocal(typeof(ulong));
        FlagB = il.DeclareLocal(typeof(ulong));
        FlagResult = il.DeclareLocal(typeof(ulong));
    }

    /// <summary>A scratch 64-bit local; give it back with <see cref="Return"/> once its value is dead.</summary>
    public LocalBuilder Rent()
    {
        if (_free.Count > 0) return _free.Pop();
        LocalBuilder local = IL.DeclareLocal(typeof(ulong));
        _all.Add(local);
        return local;
    }

    readonly List<LocalBuilder> _all = new();

    public void Return(params ReadOnlySpan<LocalBuilder> locals)
    {
        foreach (LocalBuilder local in locals) _free.Push(local);
    }

    /// <summary>The operand kinds an inline form can read or write (anything else keeps the shared handler).</summary>
    public static bool IsOperand(Type kind) =>
        kind == typeof(R1) || kind == typeof(R2) || kind == typeof(R3) || kind == typeof(Mem) || kind == typeof(Imm) ||
        kind == typeof(One);

    /// <summary>Operand size in bytes of an integer type argument, or 0 when it is not one the forms handle.</summary>
    public static int SizeOf(Type t) =>
        t == typeof(ulong) ? 8 : t == typeof(uint) ? 4 : t == typeof(ushort) ? 2 : t == typeof(byte) ? 1 : 0;

    public static ulong Mask(int size) => size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;

    public static int SizeLog2(int size) => size switch { 1 => 0, 2 => 1, 4 => 2, _ => 3 };

    /// <summary>Pushes the operand's value (zero-extended).</summary>
    public void Read(Type kind, int size, in DecodedOp op)
    {
        if (kind == typeof(Imm)) IL.Emit(OpCodes.Ldc_I8, (long)(op.Imm & Mask(size)));
        else if (kind == typeof(One)) IL.Emit(OpCodes.Ldc_I8, 1L);
        else if (kind == typeof(Mem))
        {
            Address(op);
            ReadMemory(size);
        }
        else ReadRegister(RegisterOffset(kind, op), size);
    }

    /// <summary>
    /// Pops an address and pushes the <paramref name="size"/> bytes there (zero-extended). Only a TLB miss can fault, so
    /// the CPU's registers, flags and the op's site are made exact on the miss path alone (<see cref="BeforeFault"/>):
    /// the hot path keeps everything in locals. An inline form reads and writes memory before it writes any register
    /// or flag, so the state stored there is the state before the op, as the fault path requires.
    /// </summary>
    void ReadMemory(int size)
    {
        ILGenerator il = IL;
        Type type = TypeOf(size);
        LocalBuilder address = Rent(), value = ValueLocal(size);
        Label hit = il.DefineLabel();
        il.Emit(OpCodes.Stloc, address);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldfld, MemoryField);
        il.Emit(OpCodes.Ldloc, address);
        il.Emit(OpCodes.Ldloca, value);
        il.Emit(OpCodes.Call, TryReadMethod.MakeGenericMethod(type));
        il.Emit(OpCodes.Brtrue, hit);
        BeforeFault();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldfld, MemoryField);
        il.Emit(OpCodes.Ldloc, address);
        il.Emit(OpCodes.Call, ReadSlowMethod.MakeGenericMethod(type));
        il.Emit(OpCodes.Stloc, value);
        il.MarkLabel(hit);
        il.Emit(OpCodes.Ldloc, value);
        if (size < 8) il.Emit(OpCodes.Conv_U8);
        Return(address);
    }

    LocalBuilder ValueLocal(int size)
    {
        if (!_values.TryGetValue(size, out LocalBuilder? local)) _values[size] = local = IL.DeclareLocal(TypeOf(size));
        return local;
    }

    /// <summary>
    /// Starts a path that may fault (a TLB miss, a bad branch target): stores the written registers and the pending
    /// flag record as they stand before the op, and the op's site, without changing what the hot path tracks.
    /// </summary>
    public void BeforeFault()
    {
        StoreDirty();
        StoreRetired();
        (EmitSite ?? throw new InvalidOperationException("no site for an op that can fault"))();
    }

    /// <summary>Pushes a general register's low <paramref name="size"/> bytes at byte <paramref name="offset"/> of the file (AH is 1).</summary>
    public void ReadRegister(int offset, int size)
    {
        Registers.Push(offset >> 3);
        if ((offset & 7) != 0)
        {
            IL.Emit(OpCodes.Ldc_I4, (offset & 7) * 8);
            IL.Emit(OpCodes.Shr_Un);
        }
        Truncate(size);
    }

    /// <summary>Writes <paramref name="value"/> to the operand with the architecture's rules for partial registers.</summary>
    public void Write(Type kind, int size, in DecodedOp op, LocalBuilder value)
    {
        if (kind == typeof(Mem))
        {
            LocalBuilder address = Rent();
            Address(op);
            IL.Emit(OpCodes.Stloc, address);
            WriteMemory(address, size, value);
            Return(address);
            return;
        }
        WriteRegister(RegisterOffset(kind, op), size, value);
    }

    /// <summary>
    /// Writes <paramref name="size"/> bytes of <paramref name="value"/> at the address in <paramref name="address"/>; as
    /// for reads, the state is made exact on the miss path only, which also notes that the store may have hit code.
    /// </summary>
    public void WriteMemory(LocalBuilder address, int size, LocalBuilder value)
    {
        ILGenerator il = IL;
        MethodInfo tryWrite = TryWriteMethod.MakeGenericMethod(TypeOf(size)), slow = WriteSlowMethod.MakeGenericMethod(TypeOf(size));
        Label done = il.DefineLabel();
        void Access(MethodInfo method)
        {
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, MemoryField);
            il.Emit(OpCodes.Ldloc, address);
            il.Emit(OpCodes.Ldloc, value);
            if (size < 8) il.Emit(size == 4 ? OpCodes.Conv_U4 : size == 2 ? OpCodes.Conv_U2 : OpCodes.Conv_U1);
            il.Emit(OpCodes.Call, method);
        }
        Access(tryWrite);
        il.Emit(OpCodes.Brtrue, done);
        BeforeFault();
        Access(slow);
        _storeMissed ??= il.DeclareLocal(typeof(bool));
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Stloc, _storeMissed);
        _opHasStoreMiss = true;
        il.MarkLabel(done);
    }

    /// <summary>
    /// After an inline op with stores: when one of them missed the TLB (the only way a store can reach a page holding
    /// code), clears the note and runs <paramref name="ifMissed"/> (the region's validity check). Nothing when the op
    /// has no store.
    /// </summary>
    public void EmitStoreMissCheck(Action ifMissed)
    {
        if (!_opHasStoreMiss) return;
        _opHasStoreMiss = false;
        Label skip = IL.DefineLabel();
        IL.Emit(OpCodes.Ldloc, _storeMissed!);
        IL.Emit(OpCodes.Brfalse, skip);
        IL.Emit(OpCodes.Ldc_I4_0);
        IL.Emit(OpCodes.Stloc, _storeMissed!);
        ifMissed();
        IL.MarkLabel(skip);
    }

    /// <summary>Forgets a store miss path of an op whose stores need no check (the block's last op).</summary>
    public void ClearStoreMiss() => _opHasStoreMiss = false;

    /// <summary>
    /// A register write: 64 bits replace the register, 32 bits zero-extend into it (SDM Vol. 1 §3.4.1.1), 16 and 8 bits
    /// keep the other bytes.
    /// </summary>
    public void WriteRegister(int offset, int size, LocalBuilder value)
    {
        int reg = offset >> 3, shift = (offset & 7) * 8;
        if (size >= 4)
        {
            IL.Emit(OpCodes.Ldloc, value);
            Truncate(size);
            Registers.Pop(reg);
            return;
        }
        ulong mask = Mask(size) << shift;
        Registers.Push(reg);
        IL.Emit(OpCodes.Ldc_I8, (long)~mask);
        IL.Emit(OpCodes.And);
        IL.Emit(OpCodes.Ldloc, value);
        Truncate(size);
        if (shift != 0)
        {
            IL.Emit(OpCodes.Ldc_I4, shift);
            IL.Emit(OpCodes.Shl);
        }
        IL.Emit(OpCodes.Or);
        Registers.Pop(reg);
    }

    /// <summary>Masks the 64-bit value on the stack to <paramref name="size"/> bytes.</summary>
    public void Truncate(int size)
    {
        if (size == 8) return;
        if (size == 4)
        {
            IL.Emit(OpCodes.Conv_U4);
            IL.Emit(OpCodes.Conv_U8);
            return;
        }
        IL.Emit(OpCodes.Ldc_I8, (long)Mask(size));
        IL.Emit(OpCodes.And);
    }

    /// <summary>Pushes the effective address, as <see cref="Cpu.EffectiveAddress"/> computes it, folded for this op.</summary>
    public void Address(in DecodedOp op)
    {
        IL.Emit(OpCodes.Ldc_I8, (long)op.Disp);
        if (op.Base < 16)
        {
            Registers.Push(op.Base);
            IL.Emit(OpCodes.Add);
        }
        if (op.Index < 16)
        {
            Registers.Push(op.Index);
            if (op.Scale != 0)
            {
                IL.Emit(OpCodes.Ldc_I4, (int)op.Scale);
                IL.Emit(OpCodes.Shl);
            }
            IL.Emit(OpCodes.Add);
        }
        if (op.EaMask != ulong.MaxValue)
        {
            IL.Emit(OpCodes.Ldc_I8, (long)op.EaMask);
            IL.Emit(OpCodes.And);
        }
        if (op.Seg != 0)
        {
            IL.Emit(OpCodes.Ldarg_1);
            IL.Emit(OpCodes.Ldflda, SegBaseField);
            IL.Emit(OpCodes.Ldc_I4, op.Seg * sizeof(ulong));
            IL.Emit(OpCodes.Add);
            IL.Emit(OpCodes.Ldind_I8);
            IL.Emit(OpCodes.Add);
        }
    }

    /// <summary>
    /// Records the flags of an operation as <see cref="Cpu.SetFlags"/> does, from operands and result in
    /// <paramref name="a"/>, <paramref name="b"/>, <paramref name="result"/> (null: 0): copied to the flag locals, stored
    /// to the CPU later (<see cref="Flush"/>), and remembered for fused conditions.
    /// </summary>
    public void SetFlags(FlagOp kind, int size, LocalBuilder? a, LocalBuilder? b, LocalBuilder result)
    {
        Copy(a, FlagA);
        Copy(b, FlagB);
        Copy(result, FlagResult);
        Flags = _pending = new KnownFlags(kind, size);
    }

    /// <summary>
    /// The CPU's flag record was just written by a call (<see cref="Cpu.SetFlagsKeepCarry"/>) from these operands: known
    /// for fused conditions, nothing pending.
    /// </summary>
    public void FlagsStored(FlagOp kind, int size, LocalBuilder a, LocalBuilder result)
    {
        Copy(a, FlagA);
        Copy(result, FlagResult);
        Flags = new KnownFlags(kind, size);
        _pending = null;
    }

    void Copy(LocalBuilder? from, LocalBuilder to)
    {
        if (from == null) IL.Emit(OpCodes.Ldc_I8, 0L);
        else IL.Emit(OpCodes.Ldloc, from);
        IL.Emit(OpCodes.Stloc, to);
    }

    /// <summary>Makes the CPU's registers and flag record exact (before an op that can fault, a handler, or the end).</summary>
    public void Flush()
    {
        Registers.Flush();
        FlushFlags();
    }

    /// <summary>Stores a pending flag record to the CPU (before code that reads the CPU's flags).</summary>
    public void FlushFlags()
    {
        StorePendingFlags();
        _pending = null;
    }

    /// <summary>Emits what <see cref="Flush"/> would store, for a cold exit path, without changing what is tracked.</summary>
    public void StoreDirty()
    {
        Registers.StoreDirty();
        StorePendingFlags();
    }

    /// <summary>
    /// A new straight run of ops begins (a block of a region, reached from several places): nothing is known to be in
    /// the locals, which the previous run left flushed, so they are reused.
    /// </summary>
    public void StartSequence()
    {
        Forget();
        _free.Clear();
        foreach (LocalBuilder l in _all) _free.Push(l);
    }

    /// <summary>After a shared handler (flushed before it): registers must be reloaded, and the flags are unknown.</summary>
    public void Forget()
    {
        if (_pending != null) throw new InvalidOperationException("flags forgotten before being stored");
        Registers.Forget();
        Flags = null;
    }

    void StorePendingFlags()
    {
        if (_pending is not { } f) return;
        IL.Emit(OpCodes.Ldarg_1);
        IL.Emit(OpCodes.Ldc_I4, LazyFlags.Kind(f.Kind, SizeLog2(f.Size)));
        IL.Emit(OpCodes.Stfld, FlagKindField);
        StoreField(FlagAField, FlagA);
        StoreField(FlagBField, FlagB);
        StoreField(FlagResField, FlagResult);
    }

    void StoreField(FieldInfo field, LocalBuilder value)
    {
        IL.Emit(OpCodes.Ldarg_1);
        IL.Emit(OpCodes.Ldloc, value);
        IL.Emit(OpCodes.Stfld, field);
    }

    /// <summary>The TLB-backed <c>AddressSpace.Read&lt;T&gt;</c>/<c>Write&lt;T&gt;</c> (not the span overloads).</summary>
    static MethodInfo GenericAccess(string name) =>
        typeof(AddressSpace).GetMethods().Single(m => m.Name == name && m.IsGenericMethodDefinition);

    static int RegisterOffset(Type kind, in DecodedOp op) =>
        kind == typeof(R1) ? op.R1 : kind == typeof(R2) ? op.R2 : kind == typeof(R3) ? op.R3
            : throw new InvalidOperationException($"{kind.Name} is not a register operand");

    static Type TypeOf(int size) => size switch { 8 => typeof(ulong), 4 => typeof(uint), 2 => typeof(ushort), _ => typeof(byte) };
}

/// <summary>The flag record an inline op left: its operation and size; operands and result are in the context's flag locals.</summary>
readonly record struct KnownFlags(FlagOp Kind, int Size);
