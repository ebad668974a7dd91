using X86Vm.Linux.Vfs;
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

/// <summary>
/// A wait for something the kernel can test, with an optional deadline: every kind is a record of the data its test
/// needs (no closures), so a blocked thread's wait can be hashed and saved. A restarted call keeps its deadline.
/// </summary>
public abstract record ConditionWait(long? DeadlineNs, string What) : IWaitCondition
{
    /// <summary>The awaited thing happened (the deadline aside).</summary>
    protected abstract bool Ready(Kernel kernel);

    public bool IsReady(Kernel kernel) => Ready(kernel) || (DeadlineNs != null && kernel.Clock.MonotonicNanoseconds >= DeadlineNs);
    public long? Deadline => DeadlineNs;
    public sealed override string ToString() => What;
}

/// <summary>A file became ready for one of <paramref name="Events"/> (reads, writes, socket calls).</summary>
public sealed record FileReadyWait(OpenFile File, PollEvents Events, long? DeadlineNs, string What) : ConditionWait(DeadlineNs, What)
{
    protected override bool Ready(Kernel kernel) => (File.Poll() & Events) != 0;
}

/// <summary>poll/ppoll: one of the pollfds (copied from the guest when the call began) became ready.</summary>
public sealed record PollWait(GuestProcess Process, byte[] Fds, ulong Count, long? DeadlineNs) : ConditionWait(DeadlineNs, "poll")
{
    protected override bool Ready(Kernel kernel) => Syscalls.PipeSyscalls.AnyReady(Process, Fds, Count);
}

/// <summary>select/pselect6: one of the descriptors in the read or write set (as the call began) became ready.</summary>
public sealed record SelectWait(GuestProcess Process, int Nfds, byte[]? ReadSet, byte[]? WriteSet, long? DeadlineNs) : ConditionWait(DeadlineNs, "select")
{
    protected override bool Ready(Kernel kernel) => Syscalls.PipeSyscalls.Evaluate(Process, Nfds, ReadSet, WriteSet).Count > 0;
}

/// <summary>wait4/waitid: a selected child has something to report, or none is left.</summary>
public sealed record ChildWait(GuestProcess Process, int Pid, int Options, string What) : ConditionWait(null, What)
{
    protected override bool Ready(Kernel kernel) => Syscalls.WaitSyscalls.HasEvent(Process, Pid, Options);
}

/// <summary>sigtimedwait: a signal of <paramref name="Set"/> is pending for the thread.</summary>
public sealed record SignalSetWait(GuestThread Thread, ulong Set, long? DeadlineNs) : ConditionWait(DeadlineNs, "sigtimedwait")
{
    protected override bool Ready(Kernel kernel) => (Kernel.PendingFor(Thread) & Set) != 0;
}

/// <summary>A blocked eventfd write: its own <paramref name="Value"/> fits in the counter, or the eventfd is gone.</summary>
public sealed record EventFdWriteWait(Vfs.EventFd File, ulong Value) : ConditionWait(null, "eventfd write")
{
    protected override bool Ready(Kernel kernel) => File.HasRoomFor(Value) || File.References == 0;
}

/// <summary>
/// A blocking write to a stream that has written <see cref="Done"/> bytes and waits for room for the rest: pipes and
/// stream sockets return from a blocking write only when everything is written (pipe(7) "PIPE_BUF", unix(7)), or
/// with the count so far when a signal interrupts it.
/// </summary>
public sealed record PartialWrite(long Done, OpenFile File, string What) : ConditionWait(null, What)
{
    protected override bool Ready(Kernel kernel) => (File.Poll() & (PollEvents.Out | PollEvents.HangUp | PollEvents.Error)) != 0;
}
