namespace X86Vm.Cpu.Execution;

/// <summary>
/// Runs a compiled region: returns the index in <see cref="CompiledRegion.Blocks"/> of the block it left from, having
/// added every retired instruction to <see cref="Cpu.Retired"/> and set <see cref="Cpu.Rip"/>. Before each op that can
/// fault it stores the op's <see cref="CompiledRegion.Site"/> number in <paramref name="site"/>.
/// </summary>
public delegate int CompiledCode(Cpu c, ref int site);

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

    public CompiledRegion(BasicBlock[] blocks, int[][] successors)
    {
        Blocks = blocks;
        Successors = successors;
    }

    public BasicBlock Entry => Blocks[0];

    /// <summary>A block of the region was invalidated: leave the region at the next check and never enter it again.</summary>
    public void Invalidate()
    {
        if (!Valid) return;
        Valid = false;
        BasicBlock entry = Entry;
        if (entry.Compiled == this) entry.Compiled = null;
        entry.AllowRecompile();
    }
}
