using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Execution.Inline;

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
    const int MaxRegionBlocks = 32;
    const int MaxRegionOps = 256;

    /// <summary>
    /// What one .NET method may hold, in <see cref="CostOf"/> units. The .NET JIT stops inlining in a method with more
    /// than 512 locals and every inlined handler adds a dozen or more, so a region's method holds about 24 handler-called
    /// ops; an inline form (<see cref="InlineForms"/>) adds only a few IL locals, so a method holds several times more
    /// of those. The ops of a region's further blocks go to chunk methods of the same budget, each of which gets all its
    /// handlers inlined. Fewer, larger methods mean fewer calls between them: bench/interp's dispatch loop ran 17% faster
    /// with its blocks in one method than spread over chunks.
    /// </summary>
    const int MethodBudget = 96;
    const int HandlerCost = 4;

    static int CostOf(in DecodedOp op)
    {
        MethodInfo? handler;
        unsafe { handler = Handlers.MethodOf((nint)op.Handler); }
        return handler != null && InlineForms.Covers(handler) ? 1 : HandlerCost;
    }

    /// <summary>The number of ops from <paramref name="from"/> that fit one method's budget (at least one).</summary>
    static int OpsWithin(DecodedOp[] ops, int from, int budget)
    {
        int n = 0;
        for (int j = from; j < ops.Length; j++)
        {
            budget -= CostOf(ops[j]);
            if (budget < 0) break;
            n++;
        }
        return Math.Max(n, 1);
    }

    static readonly FieldInfo RipField = typeof(Cpu).GetField(nameof(Cpu.Rip))!;
    static readonly FieldInfo BudgetField = typeof(Cpu).GetField(nameof(Cpu.InstructionBudget))!;
    static readonly FieldInfo RegionValidField = typeof(CompiledRegion).GetField(nameof(CompiledRegion.Valid))!;
    static readonly (FieldInfo Field, Func<DecodedOp, ulong> Value)[] ConstantFields = OperandFields();

    readonly Queue<(CompiledRegion Region, RegionShape Shape)> _queue = new();
    int _boundRegions;

    long _compiledOps;

    /// <summary>Regions made runnable so far (compiled here or shared); a statistic for tests and diagnostics.</summary>
    public int CompiledRegions => Volatile.Read(ref _boundRegions);

    /// <summary>Guest instructions translated to .NET methods so far (a region's ops; shared regions count once).</summary>
    public long CompiledOps => Interlocked.Read(ref _compiledOps);

    /// <summary>Time spent translating and compiling regions (on background threads unless <see cref="Synchronous"/>).</summary>
    public TimeSpan CompileTime => TimeSpan.FromSeconds((double)Interlocked.Read(ref _compileTicks) / System.Diagnostics.Stopwatch.Frequency);
    bool _draining;

    /// <summary>
    /// Interpreted executions before a block is compiled. The .NET JIT spends 150-200 µs of CPU per guest op here (every
    /// handler inlined), so only code that will run tens of thousands of times more repays it; measured on Debian's
    /// python3 (bench/), 1000 compiled three times as much code as 10000 and cost twice the CPU time.
    /// </summary>
    public int Threshold { get; init; } = 10000;

    /// <summary>
    /// Interpreted executions a successor needs to join a region formed now (a fraction of <see cref="Threshold"/>): the
    /// targets of a dispatch loop's indirect jump each get a fair share, blocks that ran a few times do not.
    /// </summary>
    int MinSuccessorExecutions => Threshold / 32;

    /// <summary>Compile on the requesting thread (tests: the compiled form is used from the next execution on).</summary>
    public bool Synchronous { get; init; }

    /// <summary>
    /// Background compilation may take at most this share of the time since the compiler was created (plus
    /// <see cref="CompileAllowance"/>): large programs full of warm code (gcc's cc1 in bench/) otherwise spent twice the
    /// guest's own CPU time in the .NET JIT. Hot loops are compiled early, within the allowance.
    /// </summary>
    const double MaxCompileShare = 0.25;
    static readonly long CompileAllowance = 2 * System.Diagnostics.Stopwatch.Frequency;

    readonly System.Diagnostics.Stopwatch _age = System.Diagnostics.Stopwatch.StartNew();
    /// <summary>Time spent compiling, in <see cref="System.Diagnostics.Stopwatch"/> ticks like <see cref="_age"/>.</summary>
    long _compileTicks;

    /// <summary>Background compilation has used its share of time: new requests wait (a cache policy; results never depend on it).</summary>
    bool OverCompileBudget =>
        !Synchronous && Interlocked.Read(ref _compileTicks) > _age.ElapsedTicks * MaxCompileShare + CompileAllowance;


    /// <summary>Chooses the region entered at <paramref name="entry"/> and queues it for compilation. VM thread only.</summary>
    public void Enqueue(BasicBlock entry)
    {
        if (entry.RunsAlone || !entry.Valid || entry.Compiled is { Region.Valid: true }) return;
        if (entry.InPendingRegion() || OverCompileBudget)
        {
            // Overlapping regions multiply compile work: wait for the pending one (or for the compile budget), and
            // start a region here only if this block keeps being entered from the run loop after that.
            entry.Executions = 0;
            return;
        }
        CompiledRegion? region = FormRegion(entry);
        if (region == null) return;
        foreach (BasicBlock b in region.Blocks) b.AddRegion(region);
        var shape = new RegionShape(region);
        DynamicMethod? known = Shared(shape);
        if (known != null)
        {
            Bind(region, known); // compiled for another process already: ready now
            return;
        }
        if (Synchronous)
        {
            Install(region, shape);
            return;
        }
        lock (_queue)
        {
            _queue.Enqueue((region, shape));
            if (_draining) return;
            _draining = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static self => self.Drain(), this, preferLocal: false);
    }

    /// <summary>
    /// The VM is being disposed: queued regions are dropped, so the background worker ends after the one it is
    /// compiling and holds nothing of the VM afterwards.
    /// </summary>
    public void Stop()
    {
        lock (_queue) _queue.Clear();
    }

    void Drain()
    {
        while (true)
        {
            (CompiledRegion Region, RegionShape Shape) next;
            lock (_queue)
            {
                if (!_queue.TryDequeue(out next))
                {
                    _draining = false;
                    return;
                }
            }
            Install(next.Region, next.Shape);
        }
    }

    void Install(CompiledRegion region, RegionShape shape)
    {
        if (!region.Valid) return;
        DynamicMethod? method = Shared(shape);
        if (method == null)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            method = Compile(region);
            Interlocked.Add(ref _compileTicks, System.Diagnostics.Stopwatch.GetTimestamp() - start);
            if (method == null) return;
            Interlocked.Add(ref _compiledOps, region.Blocks.Sum(b => (long)b.Ops.Length));
            lock (_shared)
                if (_shared.Count < MaxSharedRegions) _shared.TryAdd(shape, method);
        }
        Bind(region, method);
    }

    DynamicMethod? Shared(RegionShape shape)
    {
        lock (_shared) return _shared.GetValueOrDefault(shape);
    }

    /// <summary>
    /// Makes <paramref name="method"/> the region's code (a delegate closed over the region; no compilation) and the
    /// way into its blocks: always for the entry, for the others when no valid region has them yet.
    /// </summary>
    void Bind(CompiledRegion region, DynamicMethod method)
    {
        region.Run = (CompiledCode)method.CreateDelegate(typeof(CompiledCode), region);
        Interlocked.Increment(ref _boundRegions);
        if (!region.Valid) return;
        // The run loop checks Valid before entering, so a region invalidated meanwhile is never run. Another thread may
        // replace a block's entry meanwhile: either region runs the block identically.
        for (int k = 0; k < region.Blocks.Length; k++)
        {
            BasicBlock b = region.Blocks[k];
            RegionEntry? current = b.Compiled;
            if (k == 0 || current == null || !current.Region.Valid) b.Compiled = region.Entries[k];
        }
    }

    /// <summary>
    /// Compiled region methods by shape, shared by every process of the VM (a shell's children run the same libc loops;
    /// compiling them anew in each short-lived process would cost more than it saves). Bounded; a cache, not VM state.
    /// </summary>
    readonly Dictionary<RegionShape, DynamicMethod> _shared = new();
    const int MaxSharedRegions = 8192;

    /// <summary>
    /// The entry block plus the blocks that followed the region's blocks while they were interpreted (the successors each
    /// remembers), breadth first, as far as the size limits allow. Blocks that may stop the run loop (syscalls, traps) end
    /// the region; REP string blocks and unknown handlers are left out. Runs on the VM's thread, so the successor links
    /// are read while nobody changes them; the compiler only uses the region's own copy.
    /// </summary>
    CompiledRegion? FormRegion(BasicBlock entry)
    {
        if (!HandlersKnown(entry)) return null;
        var blocks = new List<BasicBlock> { entry };
        var index = new Dictionary<BasicBlock, int>(ReferenceEqualityComparer.Instance) { [entry] = 0 };
        var successors = new List<List<int>>();
        int ops = entry.Ops.Length;
        for (int i = 0; i < blocks.Count; i++)
        {
            BasicBlock b = blocks[i];
            var exits = new List<int>();
            successors.Add(exits);
            if (b.MayRequestStop) continue;
            foreach (BasicBlock next in b.KnownSuccessors())
            {
                if (!index.TryGetValue(next, out int k))
                {
                    if (!next.Valid || next.RunsAlone || next.IsPreciseVariant || !HandlersKnown(next)) continue;
                    if (next.Executions < MinSuccessorExecutions) continue; // lukewarm: compiling it costs more than it saves
                    if (ops + next.Ops.Length > MaxRegionOps || blocks.Count >= MaxRegionBlocks) continue;
                    k = blocks.Count;
                    blocks.Add(next);
                    index[next] = k;
                    ops += next.Ops.Length;
                }
                if (!exits.Contains(k)) exits.Add(k);
            }
        }
        // A block passes to its successors through a chain of compares on the new RIP: the most executed first (a dispatch
        // loop's indirect jump has a dozen targets, few of them hot).
        return new CompiledRegion(blocks.ToArray(),
            successors.Select(s => s.OrderByDescending(k => blocks[k].Executions).ToArray()).ToArray());
    }

    static unsafe bool HandlersKnown(BasicBlock b)
    {
        foreach (DecodedOp op in b.Ops)
            if (Handlers.MethodOf((nint)op.Handler) == null) return false;
        return true;
    }

    /// <summary>The compiled method of <paramref name="region"/> (first parameter: the region), or null when a handler is no longer a known method.</summary>
    public static DynamicMethod? Compile(CompiledRegion region)
    {
        BasicBlock[] blocks = region.Blocks;

        // The first parameter is the region: the delegate is closed over it, which .NET calls without a shuffle thunk.
        var method = new DynamicMethod($"region_{blocks[0].Start:x}", typeof(int),
            [typeof(CompiledRegion), typeof(Cpu), typeof(int).MakeByRefType(), typeof(int)], typeof(BlockCompiler).Module, skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        EmitWarmUpExit(il);
        LocalBuilder limit = il.DeclareLocal(typeof(ulong));
        LocalBuilder rip = il.DeclareLocal(typeof(ulong));
        var labels = new Label[blocks.Length];
        for (int k = 0; k < blocks.Length; k++) labels[k] = il.DefineLabel();

        // One context for the method, so its blocks share their locals (each block starts with nothing loaded). The
        // retired count lives in a local of the method while it runs (InlineContext.Retired).
        var inline = new InlineContext(il) { Retired = il.DeclareLocal(typeof(ulong)) };
        inline.LoadRetired();
        // limit = c.Retired + c.InstructionBudget: the first retired count the region must not pass.
        il.Emit(OpCodes.Ldloc, inline.Retired);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldfld, BudgetField);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, limit);
        // Enter at the requested block (the run loop checked that the budget covers it).
        il.Emit(OpCodes.Ldarg_3);
        il.Emit(OpCodes.Switch, labels);
        il.Emit(OpCodes.Br, labels[0]);

        int budget = MethodBudget;
        void Exit(int block)
        {
            inline.StoreRetired();
            EmitReturn(il, block);
        }
        var chunks = new List<DynamicMethod>();
        for (int k = 0; k < blocks.Length; k++)
        {
            il.MarkLabel(labels[k]);
            BasicBlock block = blocks[k];
            DecodedOp[] ops = block.Ops;
            int exitBlock = k;
            int cost = ops.Sum(op => CostOf(op));
            if (cost <= budget)
            {
                budget -= cost;
                if (!EmitOps(inline, ops, 0, ops.Length, () => il.Emit(OpCodes.Ldc_I4, CompiledRegion.Site(exitBlock, 0)),
                        () => Exit(exitBlock))) return null;
            }
            else
            {
                // Too many ops for this method: the block's ops go to chunk methods called from here. A block's chunks
                // are shared by every region that holds the block (compiled once).
                for (int from = 0, count; from < ops.Length; from += count)
                {
                    count = OpsWithin(ops, from, MethodBudget);
                    DynamicMethod? chunk = block.CompiledChunk(from, out bool existing) ??
                                           CompileChunk(block, ops, from, count);
                    if (chunk == null) return null;
                    if (!existing)
                    {
                        block.SetCompiledChunk(from, chunk);
                        chunks.Add(chunk);
                    }
                    Label next = il.DefineLabel();
                    inline.StoreRetired(); // a chunk counts from the CPU's retired count (and sets it when it leaves)
                    il.Emit(OpCodes.Ldarg_0);
                    il.Emit(OpCodes.Ldarg_1);
                    il.Emit(OpCodes.Ldarg_2);
                    il.Emit(OpCodes.Ldc_I4, CompiledRegion.Site(k, 0));
                    il.Emit(OpCodes.Call, chunk);
                    il.Emit(OpCodes.Brtrue, next);
                    EmitReturn(il, k);
                    il.MarkLabel(next);
                }
            }

            // The block is complete.
            inline.AddRetired(ops.Length);
            if (!block.EndsWithControlTransfer) EmitSetRip(il, ops[^1].NextIp);
            if (region.Successors[k].Length > 0)
            {
                // switch (c.Rip) { case next.Start: if (retired + next.Length <= limit && region.Valid) goto next; … }
                Label leave = il.DefineLabel();
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Ldfld, RipField);
                il.Emit(OpCodes.Stloc, rip);
                foreach (int target in region.Successors[k])
                {
                    BasicBlock next = blocks[target];
                    Label notThis = il.DefineLabel();
                    il.Emit(OpCodes.Ldloc, rip);
                    il.Emit(OpCodes.Ldc_I8, (long)next.Start);
                    il.Emit(OpCodes.Bne_Un, notThis);
                    il.Emit(OpCodes.Ldloc, inline.Retired);
                    il.Emit(OpCodes.Ldc_I8, (long)next.Ops.Length);
                    il.Emit(OpCodes.Add);
                    il.Emit(OpCodes.Ldloc, limit);
                    il.Emit(OpCodes.Bgt_Un, leave);
                    EmitRegionValid(il);
                    il.Emit(OpCodes.Brtrue, labels[target]);
                    il.Emit(OpCodes.Br, leave);
                    il.MarkLabel(notThis);
                }
                il.MarkLabel(leave);
            }
            Exit(k);
        }
        // Translate everything to machine code here, not on the VM's thread at first use (see EmitWarmUpExit).
        var code = (CompiledCode)method.CreateDelegate(typeof(CompiledCode), region);
        int ignored = 0;
        code(null!, ref ignored, 0);
        // Through a delegate, not MethodInfo.Invoke: reflection's first invocation of a method builds an invoker for
        // it, which cost as much again as compiling the chunk (bench/crypto: 2.6 ms per chunk, 0.8 ms this way).
        foreach (DynamicMethod chunk in chunks) ((ChunkCode)chunk.CreateDelegate(typeof(ChunkCode)))(region, null!, ref ignored, 0);
        return method;
    }

    /// <summary>
    /// A method running ops [from, from+count) of one block: returns true when they all ran, false after leaving for
    /// self-modifying code (retired count and RIP already set). Parameters: the region, the CPU, the site slot and the
    /// site number of the block's first op in the calling region (so one chunk serves every region holding the block).
    /// </summary>
    static DynamicMethod? CompileChunk(BasicBlock block, DecodedOp[] ops, int from, int count)
    {
        var method = new DynamicMethod($"chunk_{ops[from].Ip:x}", typeof(bool),
            [typeof(CompiledRegion), typeof(Cpu), typeof(int).MakeByRefType(), typeof(int)], typeof(BlockCompiler).Module,
            skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        EmitWarmUpExit(il);
        void Leave()
        {
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Ret);
        }
        if (!EmitOps(new InlineContext(il), ops, from, count, () => il.Emit(OpCodes.Ldarg_3), Leave)) return null;
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Ret);
        return method;
    }

    /// <summary>
    /// Calls the handlers of ops [from, from+count) of a block with constant operands: records the site before each op
    /// that can fault (<paramref name="pushBlockSite"/> pushes the site number of the block's op 0), and after each op
    /// that can write memory (except the block's last) leaves through <paramref name="leave"/> if the region became
    /// stale. False when a handler is not a known method.
    /// </summary>
    static bool EmitOps(InlineContext inline, DecodedOp[] ops, int from, int count, Action pushBlockSite,
        Action leave)
    {
        ILGenerator il = inline.IL;
        inline.StartSequence();
        // The hot forms are emitted inline with the registers and the flag record in locals; the CPU's registers and
        // flags are made exact on every path that can fault (the fault path reads them: for an inline form only its TLB
        // misses and bad branch targets), before every shared handler, and when the ops end or leave.
        for (int j = from; j < from + count; j++)
        {
            ref DecodedOp op = ref ops[j];
            MethodInfo? handler;
            unsafe { handler = Handlers.MethodOf((nint)op.Handler); }
            if (handler == null) return false; // invalidated meanwhile
            int site = j;
            ulong nextIp = op.NextIp;
            void StoreSite()
            {
                il.Emit(OpCodes.Ldarg_2);
                pushBlockSite();
                if (site != 0)
                {
                    il.Emit(OpCodes.Ldc_I4, site);
                    il.Emit(OpCodes.Add);
                }
                il.Emit(OpCodes.Stind_I4);
            }
            // An inline form makes the state exact only on its paths that can fault (InlineContext.BeforeFault).
            inline.EmitSite = StoreSite;
            bool inlined = InlineForms.InlineEnabled && InlineForms.TryEmit(inline, handler, op);
            inline.EmitSite = null;
            if (!inlined)
            {
                inline.Flush();
                inline.StoreRetired(); // handlers may read the count (RDTSC, a syscall's clock)
                if (!op.CannotFault) StoreSite();
                il.Emit(OpCodes.Ldarg_1);
                // A local of its own per op: a handler the .NET JIT does not inline exposes the address of the local it
                // is given, and an exposed local is never promoted, so one shared local would cost every op its constants.
                EmitConstantOp(il, il.DeclareLocal(typeof(DecodedOp)), op);
                il.Emit(OpCodes.Call, handler);
                inline.Forget();
                inline.LoadRetired();
            }
            if (op.MayWriteMemory && j < ops.Length - 1)
            {
                // Self-modifying code: a store into the region's code invalidated it; leave after the writer. An inline
                // store can reach code only through its TLB miss path, so only that path leads to the check.
                void LeaveIfStale()
                {
                    Label stillValid = il.DefineLabel();
                    EmitRegionValid(il);
                    il.Emit(OpCodes.Brtrue, stillValid);
                    inline.StoreDirty();
                    inline.AddRetired(site + 1);
                    EmitSetRip(il, nextIp);
                    leave();
                    il.MarkLabel(stillValid);
                }
                if (inlined) inline.EmitStoreMissCheck(LeaveIfStale);
                else LeaveIfStale();
            }
            else inline.ClearStoreMiss();
        }
        inline.Flush();
        return true;
    }

    /// <summary>
    /// <c>if (c == null) return 0;</c> — a dynamic method is translated to machine code on its first call, so the
    /// compiling thread calls each new method once without a CPU; the VM's thread then never waits for the .NET JIT.
    /// </summary>
    static void EmitWarmUpExit(ILGenerator il)
    {
        Label run = il.DefineLabel();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Brtrue, run);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ret);
        il.MarkLabel(run);
    }

    static void EmitRegionValid(ILGenerator il)
    {
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldfld, RegionValidField);
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
