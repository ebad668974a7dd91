using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Memory;

/// <summary>Which accesses a watched range reports (a debugger's data watchpoints).</summary>
[Flags]
public enum WatchKind
{
    Write = 1,
    Read = 2,
    Access = Write | Read,
}

// Data watchpoints (a debugger's "hardware" watchpoints, and the embedding API's memory watches). A watched range keeps its pages out of both TLBs, so
// every access an instruction makes to such a page takes the slow path, where it is compared with the ranges:
// an access that overlaps one raises a watch fault before anything is read or written. The fault rewinds the
// instruction like a page fault, and the debugger completes it with watches suspended — so it stops exactly
// after the accessing instruction, as a debug-register watchpoint does. Pages without watches, and address
// spaces without any, pay nothing: the fast paths are unchanged.
//
// Only instruction accesses are watched: the kernel's copies in and out of guest memory (TryRead, TryWrite,
// TryReadCString — syscall arguments and results) and privileged writes (Poke) never trigger.
public sealed partial class AddressSpace
{
    readonly record struct WatchRange(ulong Start, ulong End, WatchKind Kind);

    // The host's watches (a debugger's, an embedder's hooks): a snapshot leaves them out, a restored VM starts without.
    [NotSnapshot] List<WatchRange>? _watches;
    /// <summary>Pages some watched range overlaps, with how many ranges overlap each.</summary>
    [NotSnapshot] Dictionary<ulong, int>? _watchedPages;

    /// <summary>While set, watched ranges do not fault (the debugger completing the accessing instruction).</summary>
    public bool WatchesSuspended { get; set; }

    public bool HasWatches => _watches is { Count: > 0 };

    /// <summary>Watches [<paramref name="address"/>, +<paramref name="length"/>) for the accesses in <paramref name="kind"/>.</summary>
    public void AddWatch(ulong address, ulong length, WatchKind kind)
    {
        if (length == 0) length = 1;
        _watches ??= new();
        _watchedPages ??= new();
        _watches.Add(new WatchRange(address, address + length, kind));
        for (ulong vpn = address >> Page.Shift; vpn <= (address + length - 1) >> Page.Shift; vpn++)
        {
            _watchedPages[vpn] = _watchedPages.GetValueOrDefault(vpn) + 1;
            FlushTlbPage(vpn); // later accesses must take the slow path
        }
    }

    /// <summary>Removes one watch added with the same arguments; false when there is none.</summary>
    public bool RemoveWatch(ulong address, ulong length, WatchKind kind)
    {
        if (length == 0) length = 1;
        if (_watches == null || !_watches.Remove(new WatchRange(address, address + length, kind))) return false;
        for (ulong vpn = address >> Page.Shift; vpn <= (address + length - 1) >> Page.Shift; vpn++)
        {
            int n = _watchedPages![vpn] - 1;
            if (n == 0) _watchedPages.Remove(vpn);
            else _watchedPages[vpn] = n;
        }
        if (_watches.Count == 0)
        {
            _watches = null;
            _watchedPages = null;
        }
        return true;
    }

    public void ClearWatches()
    {
        _watches = null;
        _watchedPages = null;
    }

    /// <summary>A watched page must not enter a TLB.</summary>
    bool IsWatchedPage(ulong vpn) => _watchedPages != null && _watchedPages.ContainsKey(vpn);

    /// <summary>Raises the watch fault for the first watched range that [address, +size) overlaps with a matching kind.</summary>
    void CheckWatch(ulong address, int size, WatchKind access)
    {
        if (_watches == null || WatchesSuspended || size <= 0) return;
        ulong end = address + (ulong)size;
        foreach (WatchRange w in _watches)
            if ((w.Kind & access) != 0 && address < w.End && w.Start < end)
                throw GuestFault.WatchHit(w.Start, w.Kind, access, address, size);
    }
}
