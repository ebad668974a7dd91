namespace X86Vm.Cpu.Memory;

/// <summary>
/// The sorted, non-overlapping list of mappings of one address space. Every mapping entering or leaving the list is
/// reported to its source (<see cref="IPageSource.Attach"/>/<see cref="IPageSource.Detach"/>), so an object that owns
/// memory knows when nothing maps it any more.
/// </summary>
public sealed class MappingTable
{
    readonly List<Mapping> _list = new();
    Mapping? _last;

    public IReadOnlyList<Mapping> All => _list;

    public Mapping? Find(ulong address)
    {
        Mapping? last = _last;
        if (last != null && address >= last.Start && address < last.End)
            return last;
        int lo = 0, hi = _list.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            Mapping m = _list[mid];
            if (address < m.Start) hi = mid - 1;
            else if (address >= m.End) lo = mid + 1;
            else return _last = m;
        }
        return null;
    }

    /// <summary>Index of the first mapping whose end is above <paramref name="address"/>.</summary>
    int FirstEndingAbove(ulong address)
    {
        int lo = 0, hi = _list.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_list[mid].End <= address) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>Cuts mappings so that no mapping straddles <paramref name="address"/>.</summary>
    void SplitAt(ulong address)
    {
        Mapping? m = Find(address);
        if (m == null || m.Start == address) return;
        Mapping tail = m.Clone();
        tail.Start = address;
        if (tail.Source != null || (tail.Name.Length > 0 && tail.Name[0] != '[')) tail.FileOffset += address - m.Start;
        m.End = address;
        tail.Source?.Attach();
        _list.Insert(_list.IndexOf(m) + 1, tail);
        _last = null;
    }

    /// <summary>Removes [start, end) from the table.</summary>
    public void Remove(ulong start, ulong end)
    {
        SplitAt(start);
        SplitAt(end);
        int i = FirstEndingAbove(start);
        while (i < _list.Count && _list[i].Start < end)
        {
            Mapping gone = _list[i];
            _list.RemoveAt(i);
            gone.Source?.Detach();
        }
        _last = null;
    }

    public void Insert(Mapping mapping)
    {
        mapping.Source?.Attach(); // first: what it replaces may be the last other mapping of the same object
        Remove(mapping.Start, mapping.End);
        _list.Insert(FirstEndingAbove(mapping.Start), mapping);
        _last = null;
    }

    /// <summary>The mappings overlapping [start, end), after splitting at both ends.</summary>
    public List<Mapping> Isolate(ulong start, ulong end)
    {
        SplitAt(start);
        SplitAt(end);
        var result = new List<Mapping>();
        for (int i = FirstEndingAbove(start); i < _list.Count && _list[i].Start < end; i++) result.Add(_list[i]);
        return result;
    }

    /// <summary>True when every page of [start, end) is mapped.</summary>
    public bool IsFullyMapped(ulong start, ulong end)
    {
        ulong a = start;
        while (a < end)
        {
            Mapping? m = Find(a);
            if (m == null) return false;
            a = m.End;
        }
        return true;
    }

    /// <summary>Highest free gap of <paramref name="length"/> bytes ending at or below <paramref name="top"/> and above <paramref name="bottom"/>.</summary>
    public ulong? FindFreeTopDown(ulong length, ulong bottom, ulong top)
    {
        ulong ceiling = top;
        for (int i = _list.Count - 1; i >= -1; i--)
        {
            ulong floor = i >= 0 ? _list[i].End : bottom;
            if (i >= 0 && _list[i].Start >= ceiling) continue;
            if (floor < bottom) floor = bottom;
            if (ceiling >= floor && ceiling - floor >= length) return ceiling - length;
            if (i >= 0) ceiling = Math.Min(ceiling, _list[i].Start);
            if (ceiling <= bottom) break;
        }
        return null;
    }

    public MappingTable Clone()
    {
        var t = new MappingTable();
        foreach (Mapping m in _list)
        {
            m.Source?.Attach();
            t._list.Add(m.Clone());
        }
        return t;
    }
}
