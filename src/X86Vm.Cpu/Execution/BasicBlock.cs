using X86Vm.Cpu.Decoding;

namespace X86Vm.Cpu.Execution;

/// <summary>
/// A straight-line run of decoded instructions ending at a control transfer (or at the length limit).
/// Only the last instruction can change RIP; instructions that must run alone (REP string operations,
/// whose iterations are counted individually) form a block of their own.
/// </summary>
public sealed class BasicBlock
{
    public readonly ulong Start;
    public readonly DecodedOp[] Ops;
    /// <summary>The last op sets RIP itself (branch, call, return, syscall, REP string…).</summary>
    public readonly bool EndsWithControlTransfer;
    /// <summary>Guest pages this block's bytes came from (for invalidation).</summary>
    public readonly ulong[] Pages;
    public bool Valid = true;

    /// <summary>The block that ran after this one last time (checked against RIP before use).</summary>
    public BasicBlock? Successor;

    /// <summary>True when every op records its flags (no liveness shortcuts): safe to stop after any op.</summary>
    public readonly bool IsPrecise;

    /// <summary>The same instructions bound without flag liveness, for runs that stop inside the block.</summary>
    public BasicBlock? PreciseVariant;

    public BasicBlock(ulong start, DecodedOp[] ops, bool endsWithControlTransfer, ulong[] pages, bool isPrecise)
    {
        IsPrecise = isPrecise;
        Start = start;
        Ops = ops;
        EndsWithControlTransfer = endsWithControlTransfer;
        Pages = pages;
    }
}
