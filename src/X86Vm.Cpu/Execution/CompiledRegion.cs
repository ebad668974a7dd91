namespace X86Vm.Cpu.Execution;

/// <summary>
/// Runs a compiled region: returns the index in <see cref="CompiledRegion.Blocks"/> of the block it left from, having
/// added every retired instruction to <see cref="Cpu.Retired"/> and set <see cref="Cpu.Rip"/>. Before each op that can
/// fault it stores the op's <see cref="CompiledRegion.Sites"/> index in <paramref name="site"/>.
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

    /// <summary>Where each op that can fault sits: its block (index into <see cref="Blocks"/>) and its op index.</summary>
    public readonly (int Block, int Op)[] Sites;

    /// <summary>False once any block of the region is stale: the region is never entered again.</summary>
    public bool Valid = true;

    /// <summary>The compiled method, set when compilation has finished.</summary>
    public CompiledCode? Run;

    public CompiledRegion(BasicBlock[] blocks, int[][] successors, (int Block, int Op)[] sites)
    {
        Blocks = blocks;
        Successors = successors;
        Sites = sites;
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
