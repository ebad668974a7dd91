using X86Vm.Cpu.Memory;
using X86Vm.Linux.Hooks;

namespace X86Vm;

// The embedding hooks: host-side delegates held beside the VM's state, never in it (never hashed, never saved: a
// restored VM starts without hooks and the host sets them again). A VM without hooks runs exactly the unhooked paths.
public sealed partial class VirtualMachine
{
    /// <summary>The status <see cref="Run(CancellationToken)"/> returns when an <see cref="InstructionCallback"/> stopped the VM.</summary>
    public const int StoppedStatus = 123;

    InstructionCallback? _instructionCallback;
    ulong _callbackInterval;
    /// <summary>The meter reading at which the instruction callback runs next.</summary>
    ulong _nextCallback;
    /// <summary>The last run ended because the instruction callback said <see cref="HookAction.Stop"/>.</summary>
    bool _stopped;

    /// <summary>
    /// Decides every syscall of every guest thread before it runs: allow it, deny it with an errno, or emulate it with a
    /// return value (<see cref="SyscallDecision"/>). Called on the running thread, in the guest's order (the same every
    /// run of a deterministic VM), once per call — a call that blocked and is woken is not asked about again, one a
    /// signal handler restarts is. With <see cref="VirtualMachineOptions.Strace"/> a denied or emulated call shows
    /// as such. Null (the default) allows everything at the cost of one null check per syscall.
    /// </summary>
    public SyscallFilter? SyscallFilter
    {
        get => Live.Hooks?.SyscallFilter;
        set => Live.SetSyscallFilter(value);
    }

    /// <summary>
    /// Calls <paramref name="callback"/> each time <see cref="InstructionsExecuted"/> has grown by
    /// <paramref name="interval"/> since this call: exactly at that count, between instructions (the runs are cut there
    /// as <see cref="Run(ulong)"/> cuts its slices, so the guest computes exactly what it computes without the
    /// callback). Returning <see cref="HookAction.Stop"/> ends the run with <see cref="RunStatus.Stopped"/>. Null removes
    /// the callback.
    /// </summary>
    public void SetInstructionCallback(ulong interval, InstructionCallback? callback)
    {
        X86Vm.Linux.Kernel _ = Live;
        if (callback != null && interval == 0) throw new ArgumentOutOfRangeException(nameof(interval), "the interval is at least one unit");
        _instructionCallback = callback;
        _callbackInterval = interval;
        _nextCallback = callback == null ? 0 : InstructionsExecuted + interval;
    }

    /// <summary>
    /// Watches guest memory of process <paramref name="pid"/>: after each instruction that reads or writes (as
    /// <paramref name="kind"/> selects) a byte of [<paramref name="address"/>, +<paramref name="length"/>),
    /// <paramref name="callback"/> receives the access (<see cref="MemoryAccess"/>: thread, RIP, address, size, value).
    /// One report per instruction (its first access to the range). Interpreted and compiled code are both watched; the
    /// kernel's own copies (a read(2) into the range) are not. The watched pages lose the fast path while watched.
    /// Dispose the result to stop watching.
    /// </summary>
    public MemoryWatch WatchMemory(int pid, ulong address, ulong length, WatchKind kind, Action<MemoryAccess> callback) =>
        Live.Watch(pid, address, length, kind, callback);

    /// <summary>
    /// Runs the scheduler until the program ends, the budget is spent, or the instruction callback stops it; the
    /// callback runs at each of its points on the way. Returns the kernel's status, or <see cref="StoppedStatus"/>.
    /// </summary>
    int RunKernel(CancellationToken cancel)
    {
        using RunScope scope = EnterRun();
        _stopped = false;
        ulong? budget = _meter.Budget;
        try
        {
            while (true)
            {
                bool callbackFirst = _instructionCallback != null && (budget is not ulong b || _nextCallback <= b);
                if (callbackFirst) _meter.Budget = _nextCallback;
                int status = _kernel.Run(_process, cancel);
                _meter.Budget = budget;
                if (!callbackFirst || !_kernel.OutOfBudget) return status;
                _nextCallback += _callbackInterval;
                if (_instructionCallback!(this) == HookAction.Stop)
                {
                    _stopped = true;
                    return StoppedStatus;
                }
                if (_meter.Remaining == 0) return status; // the caller's budget ends here too
            }
        }
        finally { _meter.Budget = budget; }
    }
}
