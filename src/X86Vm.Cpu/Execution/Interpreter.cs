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
/// The decode-once interpreter: runs cached blocks, each op through its pre-specialised handler.
/// Instruction counting is exact: a block retires as many instructions as it ran, a faulting
/// instruction retires nothing, and a block is cut short when the limit falls inside it.
/// </summary>
public static class Interpreter
{
    public static StopReason Run(Cpu c, ulong retiredLimit)
    {
        c.StopRequested = false;
        try
        {
            return RunBlocks(c, retiredLimit);
        }
        catch (GuestFault f)
        {
            // The hot loop has no exception handling of its own: it leaves the block and the index of the
            // running op in the CPU, which is all a fault needs (the op did not retire; RIP points at it).
            BasicBlock? block = c.CurrentBlock;
            if (block != null)
            {
                int i = c.CurrentOpIndex;
                c.Retired += (ulong)i + (f.IsTrap ? 1UL : 0);
                c.Rip = f.IsTrap ? block.Ops[i].NextIp : block.Ops[i].Ip;
            }
            c.CurrentBlock = null;
            c.PendingFault = f;
            return StopReason.Fault;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe StopReason RunBlocks(Cpu c, ulong retiredLimit)
    {
        BlockCache code = c.Code;
        BasicBlock? previous = null;
        while (true)
        {
            if (c.Retired >= retiredLimit) return StopReason.InstructionLimit;
            ulong rip = c.Rip;
            c.CurrentBlock = null; // a fetch fault below belongs to no block
            // Block chaining: a block remembers the block that followed it last time.
            BasicBlock? block = previous?.Successor;
            if (block == null || block.Start != rip || !block.Valid)
            {
                block = code.Get(rip);
                if (previous != null) previous.Successor = block;
            }
            ulong remaining = retiredLimit - c.Retired;
            bool cut = false;
            if ((ulong)block.Ops.Length > remaining)
            {
                // Stopping inside the block: run its precise variant so the state there is exact.
                block = code.Precise(block);
                cut = true;
            }
            DecodedOp[] ops = block.Ops;
            int n = cut ? (int)remaining : ops.Length;
            c.InstructionBudget = remaining;
            c.CurrentBlock = block;
            ref DecodedOp op = ref MemoryMarshal.GetArrayDataReference(ops);
            for (int i = 0; i < n; i++)
            {
                c.CurrentOpIndex = i;
                op.Handler(c, ref op);
                op = ref Unsafe.Add(ref op, 1);
            }
            c.Retired += (ulong)n;
            if (cut || !block.EndsWithControlTransfer) c.Rip = ops[n - 1].NextIp;
            if (c.StopRequested)
            {
                c.CurrentBlock = null;
                return StopReason.Requested;
            }
            previous = block;
        }
    }
}
