using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Linux.Process;

public enum GuestThreadState { Runnable, Blocked, Exited }

/// <summary>
/// One guest thread: a CPU and the per-thread kernel state (signal mask, clear-child-tid, what it waits for).
/// It runs only when the VM's scheduler gives it a quantum; it never owns a host thread.
/// </summary>
public sealed class GuestThread
{
    public int Tid { get; internal set; }
    public GuestProcess Process { get; internal set; }
    public CpuCore Cpu { get; internal set; }
    public GuestThreadState State { get; internal set; } = GuestThreadState.Runnable;

    /// <summary>What a blocked thread waits for; when it is ready the thread re-executes its syscall.</summary>
    public IWaitCondition? Waiting { get; internal set; }

    /// <summary>
    /// The condition the current syscall waited on before it was restarted, so that the restarted call can
    /// finish (a woken futex waiter returns 0, a sleep keeps its original deadline). Cleared when the call completes.
    /// </summary>
    public IWaitCondition? Resumed { get; internal set; }

    public ulong ClearChildTid { get; set; }
    public ulong RobustList { get; set; }
    public ulong SignalMask { get; set; }
    /// <summary>Signals sent to this thread and not yet delivered, with their siginfo.</summary>
    public SignalQueue Pending { get; } = new();
    /// <summary>Bit n-1 set when signal n is pending for this thread (not counting the process's shared queue).</summary>
    public ulong PendingSignals => Pending.Mask;
    /// <summary>The mask to restore once a handler was set up (sigsuspend, ppoll, pselect: the kernel's saved_sigmask).</summary>
    public ulong? SavedSignalMask { get; set; }
    /// <summary>sigaltstack(2): ss_sp, ss_size (0 = disabled) and the flags as given (SS_AUTODISARM…).</summary>
    public ulong AltStackBase { get; set; }
    public ulong AltStackSize { get; set; }
    public int AltStackFlags { get; set; } = 2; // SS_DISABLE

    public GuestThread(int tid, GuestProcess process, CpuCore cpu)
    {
        Tid = tid;
        Process = process;
        Cpu = cpu;
    }

    public override string ToString() => $"thread {Tid} of {Process.Pid} ({State})";
}
