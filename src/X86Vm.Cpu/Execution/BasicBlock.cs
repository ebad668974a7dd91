using X86Vm.Cpu.Decoding;

namespace X86Vm.Cpu.Execution;

/// <summary>
/// A straight-line run of decoded instructions ending at a control transfer (or at the length limit).
/// Only the last instruction can change RIP; instructions that must run alone (REP string operations,
/// whose iterations are counted individually) form a block of their own.
///
/// A block is a cache of the guest's code, never guest state: it is rebuilt from memory whenever needed.
/// </summary>
public sealed class BasicBlock
{
    public readonly ulong Start;
    public readonly DecodedOp[] Ops;
    /// <summary>The last op sets RIP itself (branch, call, return, syscall, REP string…).</summary>
    public readonly bool EndsWithControlTransfer;
    /// <summary>Guest pages this block's bytes came from (for invalidation).</summary>
    public readonly ulong[] Pages;

    /// <summary>False once the block's code was written, unmapped or lost its execute permission.</summary>
    public bool Valid { get; private set; } = true;

    /// <summary>The two blocks that most recently ran after this one (checked against RIP before use).</summary>
    public BasicBlock? Successor, Successor2;

    /// <summary>Built without flag liveness for a run that stops inside the block (<see cref="PreciseVariant"/>).</summary>
    public bool IsPreciseVariant { get; init; }

    /// <summary>A REP string operation: a block of its own that counts its iterations against the budget itself.</summary>
    public bool RunsAlone { get; init; }

    /// <summary>The last op may ask the run loop to stop (syscall, trap, #UD…); plain branches and fall-through never do.</summary>
    public bool MayRequestStop { get; init; }

    /// <summary>True when every op records its flags (no liveness shortcuts): safe to stop after any op.</summary>
    public readonly bool IsPrecise;

    /// <summary>The same instructions bound without flag liveness, for runs that stop inside the block.</summary>
    public BasicBlock? PreciseVariant;

    /// <summary>Times the block was interpreted, until it is handed to the compiler.</summary>
    public int Executions;

    /// <summary>
    /// The compiled entry of the successor that starts at <see cref="ChainRip"/>, remembered when the run loop last passed
    /// from this block into compiled code: the next time it passes straight into the region (checking only the region's
    /// validity and the budget), without finding the successor's block. Python and SQLite leave and enter regions tens of
    /// millions of times; following the successor's block there cost about a tenth of their time in cache misses.
    /// </summary>
    public RegionEntry? Chain;
    public ulong ChainRip;

    /// <summary>Regions entered here that were compiled and then lost (code written): bounded to avoid recompiling forever.</summary>
    int _recompiles;
    const int MaxRecompiles = 4;

    /// <summary>A region entered here became stale while this block stays valid: count up to compiling it again.</summary>
    public void AllowRecompile()
    {
        if (Valid && _recompiles++ < MaxRecompiles) Executions = 0;
    }

    /// <summary>
    /// Where this block runs compiled, once a region holding it has been compiled: preferably the region formed at this
    /// block, else any region that contains it (regions can be entered at any of their blocks).
    /// </summary>
    public RegionEntry? Compiled;

    /// <summary>Compiled regions that contain this block (they must not run once it is stale).</summary>
    List<CompiledRegion>? _regions;

    /// <summary>Records that <paramref name="region"/> contains this block (called on the running thread).</summary>
    public void AddRegion(CompiledRegion region)
    {
        _regions ??= new();
        _regions.RemoveAll(r => !r.Valid); // recompiled regions replace stale ones
        _regions.Add(region);
    }

    /// <summary>Compiled chunk methods of this block's ops, by first op (shared by every region holding the block).</summary>
    System.Reflection.Emit.DynamicMethod?[]? _chunks;

    /// <summary>The chunk method starting at op <paramref name="from"/> if compiled already (<paramref name="existing"/> true).</summary>
    public System.Reflection.Emit.DynamicMethod? CompiledChunk(int from, out bool existing)
    {
        var chunk = _chunks?[from];
        existing = chunk != null;
        return chunk;
    }

    public void SetCompiledChunk(int from, System.Reflection.Emit.DynamicMethod chunk)
    {
        _chunks ??= new System.Reflection.Emit.DynamicMethod?[Ops.Length];
        _chunks[from] = chunk;
    }

    /// <summary>A region holding this block is still being compiled (then this block need not start one of its own yet).</summary>
    public bool InPendingRegion()
    {
        if (_regions == null) return false;
        foreach (CompiledRegion r in _regions)
            if (r.Valid && r.Run == null) return true;
        return false;
    }

    public BasicBlock(ulong start, DecodedOp[] ops, bool endsWithControlTransfer, ulong[] pages, bool isPrecise)
    {
        IsPrecise = isPrecise;
        Start = start;
        Ops = ops;
        EndsWithControlTransfer = endsWithControlTransfer;
        Pages = pages;
    }

    /// <summary>The remembered successor starting at <paramref name="rip"/>, if it is still valid.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public BasicBlock? SuccessorAt(ulong rip)
    {
        BasicBlock? b = Successor;
        if (b != null && b.Start == rip && b.Valid) return b;
        b = Successor2;
        return b != null && b.Start == rip && b.Valid ? b : null;
    }

    /// <summary>
    /// Remembers <paramref name="next"/> as the most recent successor (the older one moves to the second slot). A block
    /// with more successors than two (an indirect jump through a table, a return to many callers) also keeps the last
    /// few in <see cref="MoreSuccessors"/>, so a compiled region can hold the hot targets of a dispatch loop.
    /// </summary>
    public void AddSuccessor(BasicBlock next)
    {
        if (Successor2 != null && Successor2 != next)
        {
            BasicBlock?[] more = MoreSuccessors ??= new BasicBlock?[MoreSuccessorSlots];
            if (!Holds(more, Successor2))
            {
                more[_nextMore] = Successor2;
                _nextMore = (_nextMore + 1) % MoreSuccessorSlots;
            }
        }
        Successor2 = Successor;
        Successor = next;
    }

    /// <summary>
    /// By reference, in a plain loop: <c>Array.IndexOf</c> went through the generic equality comparer's virtual calls, 0.6%
    /// of bench/sqlite3 (its returns and indirect jumps miss the two slots often).
    /// </summary>
    static bool Holds(BasicBlock?[] blocks, BasicBlock block)
    {
        foreach (BasicBlock? b in blocks)
            if (ReferenceEquals(b, block)) return true;
        return false;
    }

    const int MoreSuccessorSlots = 8;
    int _nextMore;

    /// <summary>Earlier successors beyond the two slots (round robin), for region forming only; null until needed.</summary>
    public BasicBlock?[]? MoreSuccessors { get; private set; }

    /// <summary>Every remembered successor: the two slots, then the older ones.</summary>
    public IEnumerable<BasicBlock> KnownSuccessors()
    {
        if (Successor != null) yield return Successor;
        if (Successor2 != null) yield return Successor2;
        if (MoreSuccessors != null)
            foreach (BasicBlock? b in MoreSuccessors)
                if (b != null) yield return b;
    }

    /// <summary>
    /// Marks the block stale. If it is running (an op of it wrote its own code), the ops after the writer must not run
    /// from the old decoding: every op now leaves the block instead (the interpreter reads each op's handler as it
    /// goes; compiled code checks its region's validity after each op that can write memory).
    /// </summary>
    public unsafe void Invalidate()
    {
        if (!Valid) return;
        Valid = false;
        Compiled = null;
        if (_regions != null)
            foreach (CompiledRegion r in _regions) r.Invalidate();
        for (int i = 0; i < Ops.Length; i++) Ops[i].Handler = &LeaveInvalidatedBlock;
        PreciseVariant?.Invalidate();
    }

    static void LeaveInvalidatedBlock(Cpu c, ref DecodedOp op) => throw new BlockInvalidatedException();
}
