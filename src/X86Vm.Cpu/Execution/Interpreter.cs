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
    public static unsafe StopReason Run(Cpu c, ulong retiredLimit)
    {
        c.StopRequested = false;
        BlockCache code = c.Code;
        while (true)
        {
            if (c.Retired >= retiredLimit) return StopReason.InstructionLimit;
            BasicBlock block;
            try { block = code.Get(c.Rip); }
            catch (GuestFault f)
            {
                c.PendingFault = f;
                return StopReason.Fault;
            }
            DecodedOp[] ops = block.Ops;
            ulong remaining = retiredLimit - c.Retired;
            int n = ops.Length;
            bool cut = false;
            if ((ulong)n > remaining)
            {
                n = (int)remaining;
                cut = true;
            }
            c.InstructionBudget = remaining;
            int i = 0;
            try
            {
                ref DecodedOp first = ref MemoryMarshal.GetArrayDataReference(ops);
                for (; i < n; i++)
                {
                    ref DecodedOp op = ref Unsafe.Add(ref first, i);
                    op.Handler(c, ref op);
                }
            }
            catch (GuestFault f)
            {
                c.Retired += (ulong)i + (f.IsTrap ? 1UL : 0);
                c.Rip = f.IsTrap ? ops[i].NextIp : ops[i].Ip;
                c.PendingFault = f;
                return StopReason.Fault;
            }
            c.Retired += (ulong)n;
            if (cut || !block.EndsWithControlTransfer) c.Rip = ops[n - 1].NextIp;
            if (c.StopRequested) return StopReason.Requested;
        }
    }
}
