using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// An epoll instance (epoll(7), fs/eventpoll.c): the interest list and the ready list.
///
/// An interest (<see cref="EpollItem"/>) is keyed by (descriptor number, open file description). It lives until
/// EPOLL_CTL_DEL or until every descriptor of the description is closed — in any process — whatever happened to the
/// descriptor number it was added with (epoll(7), Q&amp;A 6). Closed descriptions are dropped lazily: an item whose file
/// has no descriptor left is invisible everywhere and purged at the next epoll_ctl or epoll_wait.
///
/// The ready list is Linux's: an item joins its tail when its file wakes it (<see cref="PollWaitQueue"/>) with events
/// it is interested in, or when EPOLL_CTL_ADD/MOD finds it ready. epoll_wait walks the list in order, polls each
/// item's file and reports what is ready; a level-triggered item goes back to the tail (so successive calls with a
/// small maxevents rotate through every ready file), an edge-triggered one leaves until its file wakes it again, a
/// one-shot one is disabled until EPOLL_CTL_MOD. Files that have no wait queue are polled at every look instead;
/// edge-triggered interest in them reports again only when their <see cref="OpenFile.ReadinessGeneration"/> changed.
/// </summary>
public sealed class Epoll : OpenFile, IPollSource
{
    public const uint EPOLLIN = 0x1, EPOLLPRI = 0x2, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10, EPOLLRDNORM = 0x40,
        EPOLLRDBAND = 0x80, EPOLLWRNORM = 0x100, EPOLLWRBAND = 0x200, EPOLLMSG = 0x400, EPOLLRDHUP = 0x2000,
        EPOLLEXCLUSIVE = 1u << 28, EPOLLWAKEUP = 1u << 29, EPOLLONESHOT = 1u << 30, EPOLLET = 1u << 31;

    /// <summary>Bits that configure an item rather than name events (EP_PRIVATE_BITS).</summary>
    public const uint PrivateBits = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;

    /// <summary>The only bits EPOLLEXCLUSIVE may be combined with (EPOLLEXCLUSIVE_OK_BITS).</summary>
    public const uint ExclusiveOkBits = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;

    /// <summary>EP_MAX_NESTS: how deep epoll instances may watch each other.</summary>
    public const int MaxNests = 4;

    readonly Dictionary<(int Fd, OpenFile File), EpollItem> _items = new();
    readonly LinkedList<EpollItem> _ready = new();
    /// <summary>Items whose file has no wait queue: polled at every look, in the order they were added.</summary>
    readonly List<EpollItem> _polled = new();
    /// <summary>poll_wait: outer epoll instances (and nothing else) that watch this one.</summary>
    readonly PollWaitQueue _queue = new();
    ulong _purged;
    ulong _wakes;

    /// <summary>The kernel whose timers may be due when this instance looks at its ready list (null in unit tests).</summary>
    readonly Kernel? _kernel;

    public Epoll(Kernel? kernel = null)
    {
        _kernel = kernel;
        Path = "anon_inode:[eventpoll]";
        StatusFlags = OpenFlags.ReadWrite;
    }

    public int Count => _items.Count;

    /// <summary>The interests, for /proc fdinfo-like views and the loop check.</summary>
    public IEnumerable<EpollItem> Items => _items.Values.Where(i => i.Alive);

    // ---------------------------------------------------------------- OpenFile

    public override long Read(Span<byte> buffer) => -Errno.EINVAL;
    public override long Write(ReadOnlySpan<byte> buffer) => -Errno.EINVAL;
    public override long ReadAt(Span<byte> buffer, long offset) => -Errno.ESPIPE;
    public override long WriteAt(ReadOnlySpan<byte> buffer, long offset) => -Errno.ESPIPE;
    public override long Seek(long offset, int whence) => Offset; // noop_llseek

    public override FileStatus Status() => AnonymousInode.Status;

    /// <summary>Readable while some item would be reported (ep_eventpoll_poll); items found not ready leave the ready list.</summary>
    public override PollEvents Poll() => HasEvents() ? PollEvents.In | PollEvents.ReadNormal : 0;

    public override ulong ReadinessGeneration => _wakes;

    public PollWaitQueue PollQueue(GuestProcess poller) => _queue;

    public override void Release()
    {
        foreach (EpollItem item in _items.Values.ToList()) Remove(item);
    }

    // ---------------------------------------------------------------- interest list

    /// <summary>The item for (fd, file), if it exists and its file is still open.</summary>
    public EpollItem? Find(int fd, OpenFile file)
    {
        Purge();
        return _items.GetValueOrDefault((fd, file));
    }

    /// <summary>EPOLL_CTL_ADD (ep_insert): subscribes to the file's wait queue and queues the item at once if it is ready.</summary>
    public EpollItem Add(int fd, OpenFile file, uint events, ulong data, GuestProcess poller)
    {
        var item = new EpollItem(this, fd, file, events, data);
        _items[(fd, file)] = item;
        if (file is IPollSource source)
        {
            item.Queue = source.PollQueue(poller);
            item.Queue.Add(item);
        }
        else
        {
            // Ready at ADD counts as an event (as in Linux); otherwise the next generation change does.
            item.LastGeneration = file.ReadinessGeneration - (item.PollEvents() != 0 ? 1UL : 0UL);
            _polled.Add(item);
        }
        if (item.PollEvents() != 0) Enqueue(item);
        return item;
    }

    /// <summary>EPOLL_CTL_MOD (ep_modify): new events and data; queued again if ready now (this re-arms one-shot and edge-triggered items).</summary>
    public void Modify(EpollItem item, uint events, ulong data)
    {
        item.Events = events;
        item.Data = data;
        if (item.Queue == null) item.LastGeneration = item.File.ReadinessGeneration - (item.PollEvents() != 0 ? 1UL : 0UL);
        if (item.PollEvents() != 0) Enqueue(item);
    }

    /// <summary>EPOLL_CTL_DEL, or the item's file was closed everywhere.</summary>
    public void Remove(EpollItem item)
    {
        _items.Remove((item.Fd, item.File));
        item.Queue?.Remove(item);
        if (item.Queue == null) _polled.Remove(item);
        if (item.ReadyNode != null)
        {
            _ready.Remove(item.ReadyNode);
            item.ReadyNode = null;
        }
        item.Removed = true;
    }

    /// <summary>Drops the items whose open file description has been released (no descriptor left anywhere).</summary>
    void Purge()
    {
        // Without a kernel (unit tests) there is no counter to consult: always look.
        ulong releases = _kernel?.DescriptionReleases.Count ?? _purged + 1;
        if (_purged == releases) return;
        _purged = releases;
        List<EpollItem>? dead = null;
        foreach (EpollItem item in _items.Values)
            if (!item.Alive) (dead ??= new()).Add(item);
        if (dead != null)
            foreach (EpollItem item in dead) Remove(item);
    }

    // ---------------------------------------------------------------- ready list

    /// <summary>
    /// Puts the item at the tail of the ready list unless it is there, and wakes whoever polls this instance — on every
    /// file wake (ep_poll_callback), but only when the item was not queued yet for ADD, MOD and polled files.
    /// </summary>
    internal void Enqueue(EpollItem item, bool fromWake = false)
    {
        bool queued = item.ReadyNode != null;
        if (!queued) item.ReadyNode = _ready.AddLast(item);
        if (queued && !fromWake) return;
        _wakes++;
        _queue.Wake(PollEvents.In | PollEvents.ReadNormal);
    }

    /// <summary>
    /// Items on files without a wait queue: a level-triggered one is queued while ready, an edge-triggered one while
    /// ready and its readiness generation moved since it was last reported. (The file is polled before its generation
    /// is read, so a file that learns about new data while being polled counts it.)
    /// </summary>
    void ScanPolled()
    {
        for (int i = 0; i < _polled.Count; i++)
        {
            EpollItem item = _polled[i];
            if (!item.Alive || !item.Enabled || item.ReadyNode != null) continue;
            if (item.PollEvents() == 0) continue;
            if ((item.Events & EPOLLET) != 0 && item.File.ReadinessGeneration == item.LastGeneration) continue;
            Enqueue(item);
        }
    }

    /// <summary>True when epoll_wait would report something now. Items at the head of the ready list that are not ready are dropped.</summary>
    public bool HasEvents()
    {
        _kernel?.FireDueTimerFds();
        Purge();
        ScanPolled();
        while (_ready.First is { } node)
        {
            EpollItem item = node.Value;
            if (item.Alive && item.PollEvents() != 0) return true;
            _ready.RemoveFirst();
            item.ReadyNode = null;
        }
        return false;
    }

    /// <summary>
    /// ep_send_events: reports up to <paramref name="max"/> ready items through <paramref name="put"/> (which stores one
    /// event and returns false when it cannot — the item then stays queued and the walk stops). Returns the count.
    /// </summary>
    public int Collect(int max, Func<uint, ulong, bool> put, out bool faulted)
    {
        faulted = false;
        _kernel?.FireDueTimerFds();
        Purge();
        ScanPolled();
        var pending = new List<EpollItem>(_ready);
        _ready.Clear();
        foreach (EpollItem item in pending) item.ReadyNode = null;
        var requeue = new List<EpollItem>();
        int count = 0, i = 0;
        for (; i < pending.Count && count < max; i++)
        {
            EpollItem item = pending[i];
            if (!item.Alive) continue;
            uint revents = item.PollEvents();
            if (revents == 0) continue;
            if (!put(revents, item.Data))
            {
                faulted = true;
                break; // the item stays at the head, with what follows it
            }
            count++;
            if (item.Queue == null) item.LastGeneration = item.File.ReadinessGeneration;
            if ((item.Events & EPOLLONESHOT) != 0) item.Events &= PrivateBits;
            else if ((item.Events & EPOLLET) == 0) requeue.Add(item);
        }
        // What was not walked stays at the head, in order; level-triggered items follow (ep_done_scan).
        for (; i < pending.Count; i++)
            if (pending[i].Alive && pending[i].ReadyNode == null) pending[i].ReadyNode = _ready.AddLast(pending[i]);
        foreach (EpollItem item in requeue)
            if (item.ReadyNode == null) item.ReadyNode = _ready.AddLast(item);
        return count;
    }

    // ---------------------------------------------------------------- nesting

    /// <summary>
    /// ep_loop_check (Linux 6.16+): adding <paramref name="inner"/> to this instance must not close a cycle, and the chain of
    /// instances through the new edge — those below <paramref name="inner"/> and those above this one — must stay within
    /// <see cref="MaxNests"/> edges.
    /// </summary>
    public bool WouldLoop(Epoll inner)
    {
        int depth = DepthBelow(inner, 0, new Dictionary<Epoll, int>());
        if (depth > MaxNests) return true;
        return depth + 1 + DepthAbove(this, new Dictionary<Epoll, int>()) > MaxNests;
    }

    int DepthBelow(Epoll ep, int depth, Dictionary<Epoll, int> memo)
    {
        if (memo.TryGetValue(ep, out int known)) return known;
        int result = 0;
        foreach (EpollItem item in ep.Items)
        {
            if (item.File is not Epoll child) continue;
            result = child == this || depth > MaxNests ? MaxNests + 1 : Math.Max(result, DepthBelow(child, depth + 1, memo) + 1);
            if (result > MaxNests) break;
        }
        memo[ep] = result;
        return result;
    }

    static int DepthAbove(Epoll ep, Dictionary<Epoll, int> memo)
    {
        if (memo.TryGetValue(ep, out int known)) return known;
        memo[ep] = 0;
        int result = 0;
        foreach (IPollWaiter w in ep._queue.Waiters)
            if (w is EpollItem { Alive: true, Removed: false } item) result = Math.Max(result, DepthAbove(item.Owner, memo) + 1);
        memo[ep] = result;
        return result;
    }
}

/// <summary>One interest of an <see cref="Epoll"/> instance (struct epitem).</summary>
public sealed class EpollItem(Epoll owner, int fd, OpenFile file, uint events, ulong data) : IPollWaiter
{
    public Epoll Owner { get; } = owner;
    public int Fd { get; } = fd;
    public OpenFile File { get; } = file;
    /// <summary>The requested events with EPOLLERR and EPOLLHUP added, and the configuration bits (ET, ONESHOT…).</summary>
    public uint Events { get; internal set; } = events;
    /// <summary>epoll_data, returned unchanged with every event.</summary>
    public ulong Data { get; internal set; } = data;

    /// <summary>The wait queue it is subscribed to; null for a file without one (polled at every look).</summary>
    internal PollWaitQueue? Queue;
    internal LinkedListNode<EpollItem>? ReadyNode;
    /// <summary>For polled files: the readiness generation when last reported (edge-triggered interest reports again when it moves).</summary>
    internal ulong LastGeneration;
    internal bool Removed;

    /// <summary>False once every descriptor of its open file description is closed: the item no longer exists.</summary>
    public bool Alive => !Removed && File.References > 0;

    /// <summary>A one-shot item that fired is disabled (only configuration bits left) until EPOLL_CTL_MOD.</summary>
    public bool Enabled => (Events & ~Epoll.PrivateBits) != 0;

    /// <summary>ep_item_poll: the file's readiness restricted to this item's events.</summary>
    internal uint PollEvents() => (uint)(ushort)PollMask.Of(File) & Events & ~Epoll.PrivateBits;

    /// <summary>ep_poll_callback: a wake with matching events (or an unkeyed one) queues the item.</summary>
    public void Wake(PollEvents key)
    {
        if (!Alive || !Enabled) return;
        if (key != 0 && ((uint)(ushort)key & Events) == 0) return;
        Owner.Enqueue(this, fromWake: true);
    }
}

/// <summary>What fstat reports for epoll, eventfd, timerfd and signalfd descriptors: the one anonymous inode (mode 0600, no type).</summary>
public static class AnonymousInode
{
    public static readonly FileStatus Status = new() { Kind = 0, Permissions = 0x180, Inode = 1, Device = 0xE, BlockSize = 4096 };
}
