using X86Vm.Cpu.Instructions;
using X86Vm.Cpu.Memory;

namespace X86Vm.Cpu.Execution;

/// <summary>
/// Decoded blocks of one address space, found by start address. A write to a page holding decoded
/// code (reported by <see cref="AddressSpace.CodeWritten"/>) drops every block built from that page.
/// </summary>
public sealed class BlockCache
{
    const int LookasideSize = 4096;

    readonly AddressSpace _memory;
    readonly BlockBuilder _builder;
    readonly Dictionary<ulong, BasicBlock> _blocks = new();
    readonly Dictionary<ulong, List<BasicBlock>> _byPage = new();
    readonly BasicBlock?[] _lookaside = new BasicBlock?[LookasideSize];

    readonly BlockCompiler? _compiler;

    /// <summary>The instruction-set level of the code this cache decodes (what CPUID reports to it and which instructions run).</summary>
    public CpuLevel Level { get; }

    /// <summary>The CPU mode this cache decodes for: 64 (long mode) or 32 (compatibility mode, i386 programs).</summary>
    public int Bitness => _builder.Bitness;

    /// <summary>The compiler of hot blocks, or null when this cache only interprets.</summary>
    public BlockCompiler? Compiler => _compiler;

    /// <summary>
    /// A cache for <paramref name="memory"/>; with a <paramref name="compiler"/>, hot blocks are compiled; with
    /// <paramref name="shared"/>, decodings are reused from the VM's other address spaces.
    /// </summary>
    public BlockCache(AddressSpace memory, BlockCompiler? compiler = null, DecodedBlocks? shared = null, CpuLevel level = CpuLevels.Default,
        int bitness = 64)
    {
        _memory = memory;
        Level = level;
        _builder = new BlockBuilder(memory, shared, level, bitness);
        _compiler = compiler;
        CompileThreshold = compiler?.Threshold ?? 0;
        memory.CodeWritten += InvalidatePage;
    }

    /// <summary>Interpreted executions after which a block is handed to the compiler (0: never).</summary>
    public int CompileThreshold { get; }

    /// <summary>Queues a hot block for compilation; its <see cref="BasicBlock.Compiled"/> appears when ready.</summary>
    public void RequestCompile(BasicBlock block) => _compiler?.Enqueue(block);

    public int Count => _blocks.Count;

    /// <summary>The block starting at <paramref name="rip"/>, decoding it on first use. Throws <see cref="GuestFault"/> if RIP cannot be fetched.</summary>
    public BasicBlock Get(ulong rip)
    {
        ref BasicBlock? slot = ref _lookaside[(rip ^ (rip >> 12)) & (LookasideSize - 1)];
        BasicBlock? b = slot;
        if (b != null && b.Start == rip && b.Valid) return b;
        if (!_blocks.TryGetValue(rip, out b))
        {
            b = _builder.Build(rip);
            _blocks[rip] = b;
            foreach (ulong page in b.Pages)
            {
                if (!_byPage.TryGetValue(page, out var list)) _byPage[page] = list = new List<BasicBlock>();
                list.Add(b);
            }
        }
        slot = b;
        return b;
    }

    /// <summary>
    /// The variant of <paramref name="block"/> that records every flag, for a run that stops inside it
    /// (so the state at the stop is exactly the architectural one).
    /// </summary>
    public BasicBlock Precise(BasicBlock block)
    {
        if (block.IsPrecise) return block;
        return block.PreciseVariant ??= _builder.Build(block.Start, precise: true);
    }

    public void InvalidatePage(ulong vpn)
    {
        if (!_byPage.Remove(vpn, out var list)) return;
        foreach (BasicBlock b in list)
        {
            b.Invalidate();
            if (_blocks.TryGetValue(b.Start, out var current) && current == b) _blocks.Remove(b.Start);
        }
    }

    public void Clear()
    {
        foreach (BasicBlock b in _blocks.Values) b.Invalidate();
        _blocks.Clear();
        _byPage.Clear();
        Array.Clear(_lookaside);
    }
}
