using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using X86Vm.Cpu.Decoding;

namespace X86Vm.Cpu.Execution;

/// <summary>
/// The second tier: turns a hot block and the hot blocks that follow it into one .NET method (a
/// <see cref="DynamicMethod"/>, a <see cref="CompiledRegion"/>) that calls each op's handler directly — the same
/// generic handler the interpreter calls through a pointer, so every instruction keeps exactly one definition.
/// Each handler receives its operand fields from a local <see cref="DecodedOp"/> filled with constants: the .NET JIT
/// inlines the handlers (the hot ones are marked <see cref="MethodImplOptions.AggressiveInlining"/>) and folds register
/// numbers, displacements, immediates and sizes into the code, so a register-to-register ADD becomes a few host
/// instructions. Between the region's blocks control passes by compare-and-branch
/// on the new RIP, without the run loop, without host recursion.
///
/// Exactness: the region is entered only when the budget covers its first block, and passes to another of its blocks
/// only when the budget covers that one too; each block adds its instructions to <see cref="Cpu.Retired"/> when it
/// completes. Before an op that can fault the code records the op's site (the run loop's fault path rewinds with
/// it); after an op that can write memory it checks that the region is still valid, so a store into the region's own
/// code leaves it before stale instructions run.
///
/// Regions are chosen on the VM's thread (from the successors blocks remembered while they were interpreted) and
/// compiled on a thread-pool thread while the interpreter keeps running; results are bit-identical in both tiers, so
/// when the compiled form appears does not change what the guest computes.
/// </summary>
public sealed class BlockCompiler
{
    // The .NET JIT stops inlining in a method with more than 512 locals, and every inlined handler adds a few: regions
    // stay small enough that all their hot handlers are inlined.
    const int MaxRegionBlocks = 16;
    const int MaxRegionOps = 64;

    static readonly FieldInfo RetiredField = typeof(Cpu).GetField(nameof(Cpu.Retired))!;
    static readonly FieldInfo RipField = typeof(Cpu).GetField(nameof(Cpu.Rip))!;
    static readonly FieldInfo BudgetField = typeof(Cpu).GetField(nameof(Cpu.InstructionBudget))!;
    static readonly FieldInfo RegionValidField = typeof(CompiledRegion).GetField(nameof(CompiledRegion.Valid))!;
    static readonly (FieldInfo Field, Func<DecodedOp, ulong> Value)[] ConstantFields = OperandFields();

    readonly Queue<CompiledRegion> _queue = new();
    bool _draining;

    /// <summary>Interpreted executions before a block is compiled.</summary>
    public int Threshold { get; init; } = 200;

    /// <summary>Compile on the requesting thread (tests: the compiled form is used from the next execution on).</summary>
    public bool Synchronous { get; init; }

    /// <summary>Regions compiled so far (for statistics).</summary>
    public int CompiledRegions => _compiled;
    int _compiled;

    /// <summary>Chooses the region entered at <paramref name="entry"/> and queues it for compilation. VM thread only.</summary>
    public void Enqueue(BasicBlock entry)
    {
        if (entry.RunsAlone || !entry.Valid || entry.Compiled != null) return;
        CompiledRegion? region = FormRegion(entry);
        if (region == null) return;
        foreach (BasicBlock b in region.Blocks) b.AddRegion(region);
        if (Synchronous)
        {
            Install(region);
            return;
        }
        lock (_queue)
        {
            _queue.Enqueue(region);
            if (_draining) return;
            _draining = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static self => self.Drain(), this, preferLocal: false);
    }

    void Drain()
    {
        while (true)
        {
            CompiledRegion region;
            lock (_queue)
            {
                if (!_queue.TryDequeue(out region!))
                {
                    _draining = false;
                    return;
                }
            }
            Install(region);
        }
    }

    void Install(CompiledRegion region)
    {
        if (!region.Valid) return;
        CompiledCode? code = Compile(region);
        if (code == null) return;
        region.Run = code;
        // The run loop checks Valid before entering, so a region invalidated meanwhile is never run.
        region.Entry.Compiled = region;
        Interlocked.Increment(ref _compiled);
    }

    /// <summary>
    /// The entry block plus the blocks that followed the region's blocks while they were interpreted (the two remembered
    /// successors of each), breadth first, as far as the size limits allow. Blocks that may stop the run loop (syscalls,
    /// traps) end the region; REP string blocks and unknown handlers are left out.
    /// </summary>
    static CompiledRegion? FormRegion(BasicBlock entry)
    {
        var blocks = new List<BasicBlock> { entry };
        int ops = entry.Ops.Length;
        for (int i = 0; i < blocks.Count && blocks.Count < MaxRegionBlocks; i++)
        {
            BasicBlock b = blocks[i];
            if (b.MayRequestStop) continue;
            foreach (BasicBlock? next in new[] { b.Successor, b.Successor2 })
            {
                if (next == null || !next.Valid || next.RunsAlone || next.IsPreciseVariant || blocks.Contains(next)) continue;
                if (ops + next.Ops.Length > MaxRegionOps || blocks.Count >= MaxRegionBlocks) continue;
                if (!HandlersKnown(next)) continue;
                blocks.Add(next);
                ops += next.Ops.Length;
            }
        }
        if (!HandlersKnown(entry)) return null;
        var sites = new List<(int, int)>();
        for (int k = 0; k < blocks.Count; k++)
            for (int j = 0; j < blocks[k].Ops.Length; j++)
                if (!blocks[k].Ops[j].CannotFault) sites.Add((k, j));
        return new CompiledRegion(blocks.ToArray(), sites.ToArray());
    }

    static unsafe bool HandlersKnown(BasicBlock b)
    {
        foreach (DecodedOp op in b.Ops)
            if (Handlers.MethodOf((nint)op.Handler) == null) return false;
        return true;
    }

    /// <summary>The compiled method of <paramref name="region"/>, or null when a handler is no longer a known method.</summary>
    public static CompiledCode? Compile(CompiledRegion region)
    {
        BasicBlock[] blocks = region.Blocks;
        var index = new Dictionary<ulong, int>();
        for (int k = 0; k < blocks.Length; k++) index.TryAdd(blocks[k].Start, k);

        // The first parameter is the region: the delegate is closed over it, which .NET calls without a shuffle thunk.
        var method = new DynamicMethod($"region_{blocks[0].Start:x}", typeof(int),
            [typeof(CompiledRegion), typeof(Cpu), typeof(int).MakeByRefType()], typeof(BlockCompiler).Module, skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        LocalBuilder limit = il.DeclareLocal(typeof(ulong));
        LocalBuilder constantOp = il.DeclareLocal(typeof(DecodedOp));
        var labels = new Label[blocks.Length];
        for (int k = 0; k < blocks.Length; k++) labels[k] = il.DefineLabel();

        // limit = c.Retired + c.InstructionBudget: the first retired count the region must not pass.
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldfld, RetiredField);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldfld, BudgetField);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, limit);

        int site = 0;
        for (int k = 0; k < blocks.Length; k++)
        {
            il.MarkLabel(labels[k]);
            BasicBlock block = blocks[k];
            DecodedOp[] ops = block.Ops;
            for (int j = 0; j < ops.Length; j++)
            {
                ref DecodedOp op = ref ops[j];
                MethodInfo? handler;
                unsafe { handler = Handlers.MethodOf((nint)op.Handler); }
                if (handler == null) return null; // invalidated meanwhile
                if (!op.CannotFault)
                {
                    il.Emit(OpCodes.Ldarg_2);
                    il.Emit(OpCodes.Ldc_I4, site++);
                    il.Emit(OpCodes.Stind_I4);
                }
                il.Emit(OpCodes.Ldarg_1);
                EmitConstantOp(il, constantOp, op);
                il.Emit(OpCodes.Call, handler);
                if (op.MayWriteMemory && j < ops.Length - 1)
                {
                    // Self-modifying code: a store into the region's code invalidated it; leave after the writer.
                    Label stillValid = il.DefineLabel();
                    EmitRegionValid(il);
                    il.Emit(OpCodes.Brtrue, stillValid);
                    EmitRetire(il, j + 1);
                    EmitSetRip(il, op.NextIp);
                    EmitReturn(il, k);
                    il.MarkLabel(stillValid);
                }
            }

            // The block is complete.
            EmitRetire(il, ops.Length);
            if (!block.EndsWithControlTransfer) EmitSetRip(il, ops[^1].NextIp);
            if (!block.MayRequestStop)
            {
                foreach (BasicBlock? next in new[] { block.Successor, block.Successor2 })
                {
                    if (next == null || !index.TryGetValue(next.Start, out int target) || blocks[target] != next) continue;
                    // if (c.Rip == next.Start && c.Retired + next.Length <= limit && region.Valid) goto next;
                    Label notThis = il.DefineLabel();
                    il.Emit(OpCodes.Ldarg_1);
                    il.Emit(OpCodes.Ldfld, RipField);
                    il.Emit(OpCodes.Ldc_I8, (long)next.Start);
                    il.Emit(OpCodes.Bne_Un, notThis);
                    il.Emit(OpCodes.Ldarg_1);
                    il.Emit(OpCodes.Ldfld, RetiredField);
                    il.Emit(OpCodes.Ldc_I8, (long)next.Ops.Length);
                    il.Emit(OpCodes.Add);
                    il.Emit(OpCodes.Ldloc, limit);
                    il.Emit(OpCodes.Bgt_Un, notThis);
                    EmitRegionValid(il);
                    il.Emit(OpCodes.Brtrue, labels[target]);
                    il.MarkLabel(notThis);
                }
            }
            EmitReturn(il, k);
        }
        return (CompiledCode)method.CreateDelegate(typeof(CompiledCode), region);
    }

    static void EmitRegionValid(ILGenerator il)
    {
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldfld, RegionValidField);
    }

    /// <summary>c.Retired += count.</summary>
    static void EmitRetire(ILGenerator il, int count)
    {
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldfld, RetiredField);
        il.Emit(OpCodes.Ldc_I8, (long)count);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stfld, RetiredField);
    }

    static void EmitSetRip(ILGenerator il, ulong rip)
    {
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldc_I8, (long)rip);
        il.Emit(OpCodes.Stfld, RipField);
    }

    static void EmitReturn(ILGenerator il, int block)
    {
        il.Emit(OpCodes.Ldc_I4, block);
        il.Emit(OpCodes.Ret);
    }

    /// <summary>Fills <paramref name="local"/> with <paramref name="op"/>'s operand fields as constants and pushes its address.</summary>
    static void EmitConstantOp(ILGenerator il, LocalBuilder local, in DecodedOp op)
    {
        il.Emit(OpCodes.Ldloca, local);
        il.Emit(OpCodes.Initobj, typeof(DecodedOp));
        foreach (var (field, value) in ConstantFields)
        {
            ulong v = value(op);
            if (v == 0) continue;
            il.Emit(OpCodes.Ldloca, local);
            if (field.FieldType == typeof(ulong)) il.Emit(OpCodes.Ldc_I8, (long)v);
            else il.Emit(OpCodes.Ldc_I4, (int)(uint)v);
            il.Emit(OpCodes.Stfld, field);
        }
        il.Emit(OpCodes.Ldloca, local);
    }

    /// <summary>Every field of <see cref="DecodedOp"/> a handler may read (all but the handler pointer), with a getter.</summary>
    static (FieldInfo, Func<DecodedOp, ulong>)[] OperandFields()
    {
        var list = new List<(FieldInfo, Func<DecodedOp, ulong>)>();
        foreach (FieldInfo f in typeof(DecodedOp).GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            if (f.Name == nameof(DecodedOp.Handler)) continue;
            Type t = f.FieldType;
            if (t != typeof(ulong) && t != typeof(byte) && t != typeof(ushort) && t != typeof(bool))
                throw new InvalidOperationException($"DecodedOp.{f.Name}: the compiler cannot copy a {t.Name}");
            FieldInfo field = f;
            list.Add((f, op => field.GetValue(op) switch { ulong u => u, byte b => b, ushort s => s, bool z => z ? 1UL : 0, _ => 0 }));
        }
        return list.ToArray();
    }
}
