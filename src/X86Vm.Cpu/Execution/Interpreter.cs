using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Memory;

namespace X86Vm.Cpu.Execution;

public enum StopReason
{
    /// <summary><see cref="Cpu.Retired"/> reached the requested limit; the state is resumable exactly there.</summary>
    InstructionLimit,
    /// <summary>A handler asked to stop (exit, a signal to deliver, a blocking syscall…).</summary>
    Requested,
    /// <summary>An instruction faulted; <see cref="Cpu.PendingFault"/> says how. RIP points at it; it did not retire.</summary>
    Fault,
}

/// <summary>
/// The run loop: runs cached blocks, entering a block's compiled region (<see cref="BlockCompiler"/>) when there is one
/// and the instruction budget covers the block, else interpreting each op through its pre-specialised handler.
/// Instruction counting is exact in both tiers: a block retires as many instructions as it ran, a faulting instruction
/// retires nothing, and a block is cut short (interpreted, precise variant) when the limit falls inside it.
/// </summary>
public static class Interpreter
{
    public static StopReason Run(Cpu c, ulong retiredLimit)
    {
        c.StopRequested = false;
        return RunBlocks(c, retiredLimit);
    }

    /// <summary>
    /// The loop. Where the running instruction is (an interpreted block and op index, or a region and its site) lives
    /// in locals the fault handlers read: locals live into a handler are plain stack stores, where fields of a
    /// caller's struct would cost a GC write barrier per block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe StopReason RunBlocks(Cpu c, ulong retiredLimit)
    {
        BlockCache code = c.Code;
        BasicBlock? previous = null;
        BasicBlock? running = null; // the interpreted block, else null (a region, or between blocks)
        CompiledRegion? region = null; // the region running, else null
        int index = 0; // the op of `running`, or the site of `region`
        while (true)
        {
            try
            {
                while (true)
                {
                    if (c.Retired >= retiredLimit) return StopReason.InstructionLimit;
                    ulong rip = c.Rip;
                    ulong remaining = retiredLimit - c.Retired;
                    c.InstructionBudget = remaining;
                    running = null; // a fetch fault below belongs to no block
                    RegionEntry? compiled = previous?.Chain;
                    if (compiled != null && previous!.ChainRip == rip && compiled.Region.Valid && (ulong)compiled.OpCount <= remaining)
                    {
                        region = compiled.Region;
                        int exit = region.Run!(c, ref index, compiled.Block);
                        previous = region.Blocks[exit];
                        region = null;
                        if (c.StopRequested) return StopReason.Requested;
                        continue;
                    }
                    BasicBlock? block = previous?.SuccessorAt(rip);
                    if (block == null)
                    {
                        block = code.Get(rip);
                        previous?.AddSuccessor(block);
                    }
                    DecodedOp[] ops = block.Ops;
                    compiled = block.Compiled;
                    if (compiled != null && compiled.Region.Valid && (ulong)ops.Length <= remaining)
                    {
                        if (previous != null && previous.Chain != compiled)
                        {
                            previous.ChainRip = rip;
                            previous.Chain = compiled;
                        }
                        // The region retires, sets RIP and says which of its blocks it left from.
                        region = compiled.Region;
                        int exit = region.Run!(c, ref index, compiled.Block);
                        block = region.Blocks[exit];
                        region = null;
                    }
                    else
                    {
                        int n = ops.Length;
                        if ((ulong)n > remaining)
                        {
                            // Stopping inside the block: run its precise variant so the state there is exact.
                            block = code.Precise(block);
                            ops = block.Ops;
                            n = (int)remaining;
                        }
                        else if (++block.Executions == code.CompileThreshold) code.RequestCompile(block);
                        running = block;
                        ref DecodedOp op = ref MemoryMarshal.GetArrayDataReference(ops);
                        for (int i = 0; i < n; i++)
                        {
                            index = i;
                            op.Handler(c, ref op);
                            op = ref Unsafe.Add(ref op, 1);
                        }
                        c.Retired += (ulong)n;
                        if (n < ops.Length || !block.EndsWithControlTransfer) c.Rip = ops[n - 1].NextIp;
                    }
                    if (c.StopRequested) return StopReason.Requested;
                    previous = block;
                }
            }
            catch (GuestFault f)
            {
                // The hot loop has no exception handling of its own: where it was is all a fault needs (the op did not
                // retire; RIP points at it; a trap retires and RIP follows it).
                if (Locate(running, region, index, out BasicBlock? block, out int op))
                {
                    c.Retired += (ulong)op + (f.IsTrap ? 1UL : 0);
                    c.Rip = f.IsTrap ? block.Ops[op].NextIp : block.Ops[op].Ip;
                }
                c.PendingFault = f;
                return StopReason.Fault;
            }
            catch (BlockInvalidatedException)
            {
                // The running block's own code was overwritten by one of its instructions (self-modifying code): the
                // ops before this one retired; the rest are decoded afresh from the new bytes.
                c.Retired += (ulong)index;
                c.Rip = running!.Ops[index].Ip;
                running = null;
                previous = null;
            }
        }
    }

    /// <summary>The block and op index of a position (a region's site is in one of its blocks, whose earlier ops retired).</summary>
    static bool Locate(BasicBlock? running, CompiledRegion? region, int index,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BasicBlock? block, out int op)
    {
        if (region != null)
        {
            var (b, o) = CompiledRegion.FromSite(index);
            block = region.Blocks[b];
            op = o;
            return true;
        }
        block = running;
        op = index;
        return block != null;
    }
}

/// <summary>
/// Thrown by the op after a store that overwrote the code of the block running it (its handler is replaced when the
/// block is invalidated), so the new bytes are decoded before they run.
/// </summary>
public sealed class BlockInvalidatedException : Exception;
