namespace X86Vm.Linux.Process;

/// <summary>
/// What a blocked thread waits for. The scheduler asks <see cref="IsReady"/> in a fixed order at every
/// scheduling point; a ready thread re-executes the syscall that blocked (the syscall sees the condition
/// in <see cref="GuestThread.Resumed"/>). Conditions are plain data so thread state stays serialisable.
/// </summary>
public interface IWaitCondition
{
    bool IsReady(Kernel kernel);

    /// <summary>Monotonic-clock time (ns) at which the wait ends anyway, if it has a timeout.</summary>
    long? Deadline => null;

    /// <summary>False for waits that are not inside a syscall (a vfork parent): the thread just continues.</summary>
    bool RestartsSyscall => true;
}

/// <summary>A vfork parent waiting for its child to exec or exit; its vfork call has already returned.</summary>
public sealed record VforkWait(GuestProcess Child) : IWaitCondition
{
    public bool IsReady(Kernel kernel) => !Child.VforkPending;
    public bool RestartsSyscall => false;
}

/// <summary>Sleeping until a monotonic deadline.</summary>
public sealed record SleepUntil(long DeadlineNs) : IWaitCondition
{
    public bool IsReady(Kernel kernel) => kernel.Clock.MonotonicNanoseconds >= DeadlineNs;
    public long? Deadline => DeadlineNs;
}

/// <summary>Waiting for a condition given as a predicate, with an optional deadline.</summary>
public sealed class WaitFor(Func<Kernel, bool> ready, long? deadline = null, string what = "") : IWaitCondition
{
    public bool IsReady(Kernel kernel) => ready(kernel) || (deadline != null && kernel.Clock.MonotonicNanoseconds >= deadline);
    public long? Deadline => deadline;
    public bool TimedOut(Kernel kernel) => !ready(kernel) && deadline != null && kernel.Clock.MonotonicNanoseconds >= deadline;
    public override string ToString() => what;
}

/// <summary>
/// A blocking write to a stream that has written <see cref="Done"/> bytes and waits for room for the rest: pipes and
/// stream sockets return from a blocking write only when everything is written (pipe(7) "PIPE_BUF", unix(7)), or
/// with the count so far when a signal interrupts it.
/// </summary>
public sealed class PartialWrite(long done, Func<bool> ready, string what) : IWaitCondition
{
    public long Done { get; } = done;
    public bool IsReady(Kernel kernel) => ready();
    public override string ToString() => what;
}
