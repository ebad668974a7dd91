using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// Woken when the readiness of a file it waits on may have changed: an epoll item (the kernel's wait_queue_entry whose
/// callback is ep_poll_callback). The key names the events that changed; 0 is an unkeyed wake (a close,
/// a hang-up) that concerns every waiter.
/// </summary>
public interface IPollWaiter
{
    void Wake(PollEvents key);
}

/// <summary>
/// A wait queue (wait_queue_head_t). A file whose readiness changes inside the VM — data written to a pipe, an eventfd
/// counter, a timer expiring, a signal arriving — wakes the waiters of its queue at that moment, so epoll learns which
/// files became ready and in which order (its ready list), without polling every registered file.
/// </summary>
public sealed class PollWaitQueue
{
    readonly List<IPollWaiter> _waiters = new();

    public IReadOnlyList<IPollWaiter> Waiters => _waiters;

    public void Add(IPollWaiter waiter) => _waiters.Add(waiter);

    public void Remove(IPollWaiter waiter) => _waiters.Remove(waiter);

    /// <summary>Wakes every waiter, in the order they were added. Waiters never change this queue while being woken.</summary>
    public void Wake(PollEvents key = 0)
    {
        for (int i = 0; i < _waiters.Count; i++) _waiters[i].Wake(key);
    }
}

/// <summary>
/// A file that wakes a <see cref="PollWaitQueue"/> whenever its <see cref="OpenFile.Poll"/> result may change. epoll
/// subscribes to that queue; files without one (host streams, files of other families) are polled by epoll at each
/// look, edge-triggered interest on them using <see cref="OpenFile.ReadinessGeneration"/>.
/// </summary>
public interface IPollSource
{
    /// <summary>The queue a poll by <paramref name="poller"/> would wait on (signalfd: the poller's own signals).</summary>
    PollWaitQueue PollQueue(GuestProcess poller);
}

public static class PollMask
{
    /// <summary>
    /// What a poll of <paramref name="f"/> reports. Files with a wait queue report their exact mask (an eventfd has no
    /// EPOLLRDNORM, a pipe has); for the others readable implies EPOLLRDNORM and writable EPOLLWRNORM (DEFAULT_POLLMASK).
    /// </summary>
    public static PollEvents Of(OpenFile f)
    {
        PollEvents ev = f.Poll();
        if (f is IPollSource) return ev;
        if ((ev & PollEvents.In) != 0) ev |= PollEvents.ReadNormal;
        if ((ev & PollEvents.Out) != 0) ev |= PollEvents.WriteNormal;
        return ev;
    }
}
