namespace X86Vm.Linux.Vfs;

/// <summary>
/// Advisory file locks, kept in VM state (never taken on the host): POSIX record locks (fcntl F_SETLK,
/// owned by a process), open-file-description record locks (F_OFD_SETLK, owned by the open file) and
/// flock(2) locks (owned by the open file; independent of record locks, as on Linux). Files are
/// identified by (device, inode). Waiting is the caller's: a thread blocks on a <see cref="LockWait"/>, which is
/// also how the deadlock check finds what a process waits for.
/// </summary>
public sealed class FileLocks
{
    /// <summary>One record lock over [Start, End) (End = long.MaxValue: to end of file and beyond).</summary>
    public sealed record RecordLock(object Owner, int Pid, bool Ofd, bool Write, long Start, long End);

    readonly Dictionary<(ulong, ulong), List<RecordLock>> _records = new();
    readonly Dictionary<(ulong, ulong), List<(OpenFile Owner, bool Exclusive)>> _flocks = new();

    /// <summary>No lock is held anywhere (so closing a file need not look).</summary>
    public bool IsEmpty => _records.Count == 0 && _flocks.Count == 0;

    /// <summary>The file's identity; a waiter keeps it, so a wait never asks a descriptor closed meanwhile.</summary>
    public static (ulong, ulong) Key(OpenFile f)
    {
        FileStatus st = f.Status();
        return (st.Device, st.Inode);
    }

    /// <summary>The first lock of another owner that conflicts with the one described, or null (F_GETLK).</summary>
    public RecordLock? FindConflict(OpenFile file, object owner, bool write, long start, long end) =>
        FindConflict(Key(file), owner, write, start, end);

    public RecordLock? FindConflict((ulong, ulong) key, object owner, bool write, long start, long end)
    {
        if (!_records.TryGetValue(key, out var list)) return null;
        foreach (RecordLock l in list)
            if (!ReferenceEquals(l.Owner, owner) && l.Start < end && start < l.End && (write || l.Write)) return l;
        return null;
    }

    /// <summary>Sets (or with <paramref name="unlock"/> removes) a lock; false when another owner's lock conflicts.</summary>
    public bool Set(OpenFile file, object owner, int pid, bool ofd, bool unlock, bool write, long start, long end)
    {
        var key = Key(file);
        if (!unlock && FindConflict(file, owner, write, start, end) != null) return false;
        if (!_records.TryGetValue(key, out var list)) _records[key] = list = new();
        // Cut the owner's existing locks out of [start, end), then add the new one and merge neighbours of the same type.
        var mine = new List<RecordLock>();
        for (int i = list.Count - 1; i >= 0; i--)
        {
            RecordLock l = list[i];
            if (!ReferenceEquals(l.Owner, owner)) continue;
            list.RemoveAt(i);
            if (l.End <= start || l.Start >= end) { mine.Add(l); continue; }
            if (l.Start < start) mine.Add(l with { End = start });
            if (l.End > end) mine.Add(l with { Start = end });
        }
        if (!unlock) mine.Add(new RecordLock(owner, pid, ofd, write, start, end));
        mine.Sort((a, b) => a.Start.CompareTo(b.Start));
        var merged = new List<RecordLock>();
        foreach (RecordLock l in mine)
        {
            if (merged.Count > 0 && merged[^1].Write == l.Write && merged[^1].End >= l.Start)
                merged[^1] = merged[^1] with { End = Math.Max(merged[^1].End, l.End) };
            else merged.Add(l);
        }
        list.AddRange(merged);
        if (list.Count == 0) _records.Remove(key);
        return true;
    }

    /// <summary>A process closed a descriptor of the file: POSIX semantics drop all its record locks on that file.</summary>
    public void ReleaseProcessLocks(OpenFile file, object processOwner)
    {
        var key = Key(file);
        if (!_records.TryGetValue(key, out var list)) return;
        list.RemoveAll(l => ReferenceEquals(l.Owner, processOwner));
        if (list.Count == 0) _records.Remove(key);
    }

    /// <summary>The open file description is gone: its OFD record locks and flock locks go with it.</summary>
    public void ReleaseDescription(OpenFile file)
    {
        var key = Key(file);
        if (_records.TryGetValue(key, out var list))
        {
            list.RemoveAll(l => ReferenceEquals(l.Owner, file));
            if (list.Count == 0) _records.Remove(key);
        }
        if (_flocks.TryGetValue(key, out var fl))
        {
            fl.RemoveAll(x => ReferenceEquals(x.Owner, file));
            if (fl.Count == 0) _flocks.Remove(key);
        }
    }

    /// <summary>A process exited: every POSIX lock it owned is dropped.</summary>
    public void ReleaseProcess(object processOwner)
    {
        foreach (var key in _records.Keys.ToList())
        {
            _records[key].RemoveAll(l => ReferenceEquals(l.Owner, processOwner));
            if (_records[key].Count == 0) _records.Remove(key);
        }
    }

    /// <summary>
    /// flock(2): LOCK_SH / LOCK_EX or LOCK_UN; false on conflict. Converting a lock is not atomic (flock(2)): the open
    /// file's lock of the other type is removed first, and stays removed when the new one conflicts (flock_lock_inode).
    /// </summary>
    public bool Flock(OpenFile file, bool unlock, bool exclusive)
    {
        var key = Key(file);
        if (!_flocks.TryGetValue(key, out var list)) _flocks[key] = list = new();
        int mine = list.FindIndex(x => ReferenceEquals(x.Owner, file));
        if (mine >= 0 && !unlock && list[mine].Exclusive == exclusive) return true;
        if (mine >= 0) list.RemoveAt(mine);
        bool ok = unlock || !FlockConflicts(file, exclusive);
        if (ok && !unlock) list.Add((file, exclusive));
        if (list.Count == 0) _flocks.Remove(key);
        return ok;
    }

    /// <summary>Another open file holds a flock lock that conflicts with one of the given kind.</summary>
    public bool FlockConflicts(OpenFile file, bool exclusive) => FlockConflicts(Key(file), file, exclusive);

    public bool FlockConflicts((ulong, ulong) key, OpenFile file, bool exclusive) =>
        _flocks.TryGetValue(key, out var list) && list.Any(x => !ReferenceEquals(x.Owner, file) && (x.Exclusive || exclusive));

    /// <summary>
    /// posix_locks_deadlock: would <paramref name="caller"/> (a process) waiting behind <paramref name="blocker"/> close a
    /// cycle? Follows "the owner of the blocking lock waits for a lock held by…" through the POSIX waiters, at most 10
    /// steps (MAX_DEADLK_ITERATIONS) as Linux does. OFD locks have no process owner, so they never count (fcntl(2)).
    /// </summary>
    public bool WouldDeadlock(object caller, RecordLock blocker, IEnumerable<LockWait> waiters)
    {
        var posixWaiters = waiters.Where(w => w.Kind == LockWaitKind.Posix).ToList();
        RecordLock? block = blocker;
        for (int i = 0; i <= 10 && block != null; i++)
        {
            LockWait? w = posixWaiters.FirstOrDefault(x => ReferenceEquals(x.Owner, block.Owner));
            if (w == null) return false;
            block = FindConflict(w.Key, w.Owner, w.Write, w.Start, w.End);
            if (block != null && ReferenceEquals(block.Owner, caller)) return true;
        }
        return false;
    }

    /// <summary>Locks on the file, for /proc/locks-like diagnostics and tests.</summary>
    public IReadOnlyList<RecordLock> RecordLocksOf(OpenFile file) =>
        _records.TryGetValue(Key(file), out var list) ? list : [];
}
