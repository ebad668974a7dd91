namespace X86Vm.Cpu.Execution;

/// <summary>
/// Runs a compiled region: returns the index in <see cref="CompiledRegion.Blocks"/> of the block it left from, having
/// added every retired instruction to <see cref="Cpu.Retired"/> and set <see cref="Cpu.Rip"/>. Before each op that can
/// fault it stores the op's <see cref="CompiledRegion.Site"/> number in <paramref name="site"/>. Execution starts at the
/// start of block <paramref name="entry"/>: any block of a region can be entered, not only the first.
/// </summary>
public delegate int CompiledCode(Cpu c, ref int site, int entry);

/// <summary>
/// A chunk of one block's ops compiled as a method of its own (<see cref="BlockCompiler"/>): true when they all ran, false
/// after leaving for self-modifying code. <paramref name="firstSite"/> is the site number of the block's op 0 in the
/// calling region.
/// </summary>
public delegate bool ChunkCode(CompiledRegion region, Cpu c, ref int site, int firstSite);

/// <summary>
/// Where a block is entered in compiled code: its region and its index there (one object, so both change together), and
/// the block's length, so the run loop can check the budget without touching the block.
/// </summary>
public sealed class RegionEntry(CompiledRegion region, int block)
{
    public readonly CompiledRegion Region = region;
    public readonly int Block = block;
    public readonly int OpCount = region.Blocks[block].Ops.Length;
}

/// <summary>
/// Hot blocks compiled together into one .NET method (<see cref="BlockCompiler"/>): execution stays inside while the
/// next block is one of the region's and the instruction budget covers it, and leaves through the run loop otherwise.
/// A cache derived from guest code, never guest state.
/// </summary>
public sealed class CompiledRegion
{
    /// <summary>The blocks, the entry first. Block k of the compiled code is <c>Blocks[k]</c>.</summary>
    public readonly BasicBlock[] Blocks;

    /// <summary>For each block, the region blocks it may pass to (indices into <see cref="Blocks"/>), as seen when formed.</summary>
    public readonly int[][] Successors;

    /// <summary>
    /// The number compiled code stores before an op that can fault: the block's index in <see cref="Blocks"/> and the
    /// op's index in the block (blocks hold at most 64 ops).
    /// </summary>
    public static int Site(int block, int op) => (block << 8) | op;

    /// <summary>The block index and op index of a site number.</summary>
    public static (int Block, int Op) FromSite(int site) => (site >> 8, site & 0xFF);

    /// <summary>False once any block of the region is stale: the region is never entered again.</summary>
    public bool Valid = true;

    /// <summary>The compiled method, set when compilation has finished.</summary>
    public CompiledCode? Run;

    /// <summary>One entry per block (<see cref="RegionEntry.Block"/> = k), installed on the blocks when the code is ready.</summary>
    public readonly RegionEntry[] Entries;

    public CompiledRegion(BasicBlock[] blocks, int[][] successors)
    {
        Blocks = blocks;
        Successors = successors;
        Entries = new RegionEntry[blocks.Length];
        for (int k = 0; k < blocks.Length; k++) Entries[k] = new RegionEntry(this, k);
    }

    public BasicBlock Entry => Blocks[0];

    /// <summary>
    /// A block of the region was invalidated: leave the region at the next check and never enter it again. Blocks that
    /// were entered through it are interpreted again and may start regions of their own.
    /// </summary>
    public void Invalidate()
    {
        if (!Valid) return;
        Valid = false;
        foreach (BasicBlock b in Blocks)
        {
            // The entry always counts up again (even when compiled code was not bound to it yet); the others only if
            // they were entered through this region.
            if (b.Compiled?.Region == this) b.Compiled = null;
            else if (b != Entry) continue;
            b.AllowRecompile();
        }
    }
}
