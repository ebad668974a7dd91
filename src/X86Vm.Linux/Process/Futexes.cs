using X86Vm.Cpu.Memory;

namespace X86Vm.Linux.Process;

/// <summary>
/// Futex wait queues (futex(2)), keyed by address space and address, FIFO so wake order is deterministic.
/// A waiter is the wait condition of its blocked thread: waking sets <see cref="Waiter.Woken"/>.
/// </summary>
public sealed class Futexes
{
    public sealed class Waiter(GuestThread thread, uint bitset, long? deadline) : IWaitCondition
    {
        public GuestThread Thread { get; } = thread;
        public uint Bitset { get; } = bitset;
        public bool Woken { get; set; }
        public long? Deadline { get; } = deadline;
        public bool IsReady(Kernel kernel) => Woken || (Deadline != null && kernel.Clock.MonotonicNanoseconds >= Deadline);
    }

    readonly Dictionary<(AddressSpace, ulong), List<Waiter>> _queues = new();

    /// <summary>Every non-empty wait queue with its waiters in wake order (state hash, snapshots).</summary>
    public IEnumerable<(AddressSpace Space, ulong Address, IReadOnlyList<Waiter> Waiters)> Queues =>
        _queues.Select(kv => (kv.Key.Item1, kv.Key.Item2, (IReadOnlyList<Waiter>)kv.Value));

    public void Enqueue(AddressSpace space, ulong address, Waiter w)
    {
        if (!_queues.TryGetValue((space, address), out var q)) _queues[(space, address)] = q = new List<Waiter>();
        q.Add(w);
    }

    public void Remove(AddressSpace space, ulong address, Waiter w)
    {
        if (_queues.TryGetValue((space, address), out var q) && q.Remove(w) && q.Count == 0) _queues.Remove((space, address));
    }

    /// <summary>Wakes up to <paramref name="count"/> waiters whose bitset intersects <paramref name="bitset"/>; returns how many.</summary>
    public int Wake(AddressSpace space, ulong address, int count, uint bitset)
    {
        if (!_queues.TryGetValue((space, address), out var q)) return 0;
        int woken = 0;
        for (int i = 0; i < q.Count && woken < count;)
        {
            if ((q[i].Bitset & bitset) != 0)
            {
                q[i].Woken = true;
                q.RemoveAt(i);
                woken++;
            }
            else i++;
        }
        if (q.Count == 0) _queues.Remove((space, address));
        return woken;
    }

    /// <summary>Moves up to <paramref name="count"/> waiters from one address to another (FUTEX_REQUEUE).</summary>
    public int Requeue(AddressSpace space, ulong from, ulong to, int count)
    {
        if (!_queues.TryGetValue((space, from), out var q)) return 0;
        int moved = Math.Min(count, q.Count);
        var movedWaiters = q.Take(moved).ToList();
        q.RemoveRange(0, moved);
        if (q.Count == 0) _queues.Remove((space, from));
        foreach (Waiter w in movedWaiters) Enqueue(space, to, w);
        return moved;
    }

    /// <summary>Drops an exiting thread's waits.</summary>
    public void Forget(GuestThread t)
    {
        foreach (var key in _queues.Keys.ToList())
        {
            var q = _queues[key];
            q.RemoveAll(w => w.Thread == t);
            if (q.Count == 0) _queues.Remove(key);
        }
    }
}
