using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace X86Vm.Cpu.Memory;

// Mapping management (mmap/munmap/mprotect), privileged copies for the loader and syscalls,
// copy-on-write cloning and dirty-page tracking.
public sealed partial class AddressSpace
{
    public static ulong PageAlignDown(ulong a) => a & ~Page.OffsetMask;
    public static ulong PageAlignUp(ulong a) => (a + Page.OffsetMask) & ~Page.OffsetMask;

    /// <summary>
    /// Maps [start, start+length) fresh (zero-filled, lazily), replacing whatever was there (MAP_FIXED semantics).
    /// With a <paramref name="source"/> the mapping is MAP_SHARED of that object from <paramref name="fileOffset"/>.
    /// </summary>
    public Mapping Map(ulong start, ulong length, Protection protection, MappingFlags flags, string name, ulong fileOffset = 0,
        IPageSource? source = null)
    {
        ulong end = PageAlignUp(start + length);
        start = PageAlignDown(start);
        DropPages(start, end);
        if (source != null) flags |= MappingFlags.Shared;
        var m = new Mapping(start, end, protection, flags, name, fileOffset) { Source = source };
        _mappings.Insert(m);
        return m;
    }

    public void Unmap(ulong start, ulong length)
    {
        ulong end = PageAlignUp(start + length);
        DropPages(start, end);
        _mappings.Remove(start, end);
    }

    /// <summary>mprotect(2): fails (returns false) when part of the range is unmapped (ENOMEM).</summary>
    public bool Protect(ulong start, ulong length, Protection protection)
    {
        ulong end = PageAlignUp(start + length);
        if (!_mappings.IsFullyMapped(start, end)) return false;
        foreach (Mapping m in _mappings.Isolate(start, end)) m.Protection = protection;
        FlushTlb();
        if ((protection & Protection.Execute) == 0) DropDecodedCode(start, end);
        return true;
    }

    /// <summary>
    /// The range lost execute permission: code decoded from it must not run again (the next fetch re-checks the
    /// protection and faults, as Linux does for code that already ran).
    /// </summary>
    void DropDecodedCode(ulong start, ulong end)
    {
        ulong pages = (end - start) >> Page.Shift;
        IEnumerable<ulong> candidates = pages <= (ulong)_pages.Count
            ? Enumerable.Range(0, (int)pages).Select(i => (start >> Page.Shift) + (ulong)i)
            : _pages.Keys.Where(vpn => vpn >= start >> Page.Shift && vpn < end >> Page.Shift).ToList();
        foreach (ulong vpn in candidates)
        {
            ref PageEntry e = ref CollectionsMarshal.GetValueRefOrNullRef(_pages, vpn);
            if (Unsafe.IsNullRef(ref e) || !e.Page.HasCode) continue;
            if (!e.Shared) e.Page.HasCode = false; // a shared page may still hold code for its other mappings
            CodeWritten?.Invoke(vpn);
        }
    }

    void DropPages(ulong start, ulong end)
    {
        ulong pages = (end - start) >> Page.Shift;
        if (pages <= (ulong)_pages.Count)
        {
            for (ulong vpn = start >> Page.Shift; vpn < end >> Page.Shift; vpn++) DropPage(vpn);
        }
        else
        {
            var victims = new List<ulong>();
            foreach (ulong vpn in _pages.Keys)
                if (vpn >= start >> Page.Shift && vpn < end >> Page.Shift) victims.Add(vpn);
            foreach (ulong vpn in victims) DropPage(vpn);
        }
    }

    void DropPage(ulong vpn)
    {
        if (!_pages.Remove(vpn, out PageEntry e)) return;
        Unreference(vpn, e);
        if (e.Page.HasCode) CodeWritten?.Invoke(vpn);
        FlushTlbPage(vpn);
    }

    /// <summary>
    /// A page-table entry is gone: a shared page forgets this mapping (its source holds its charge); a private page is
    /// freed, and uncharged, with its last copy-on-write sharer.
    /// </summary>
    void Unreference(ulong vpn, in PageEntry e)
    {
        if (e.Shared) e.Page.RemoveMapper(this, vpn);
        else if (e.Page.CowShares > 1) e.Page.CowShares--;
        else
        {
            e.Page.CowShares = 0;
            Account.Uncharge();
        }
    }

    /// <summary>
    /// mremap's move: the materialised pages of [from, from + length) move to [to, to + length) as they are — nothing is
    /// copied, materialised or charged again. The target must be mapped already and the ranges must not overlap.
    /// </summary>
    public void MovePages(ulong from, ulong to, ulong length)
    {
        ulong first = from >> Page.Shift, count = PageAlignUp(length) >> Page.Shift, target = to >> Page.Shift;
        List<ulong> vpns = count <= (ulong)_pages.Count
            ? Enumerable.Range(0, (int)count).Select(i => first + (ulong)i).Where(_pages.ContainsKey).ToList()
            : _pages.Keys.Where(v => v >= first && v < first + count).ToList();
        foreach (ulong vpn in vpns)
        {
            _pages.Remove(vpn, out PageEntry e);
            FlushTlbPage(vpn);
            if (e.Page.HasCode) CodeWritten?.Invoke(vpn);
            ulong moved = vpn - first + target;
            DropPage(moved);
            if (e.Shared)
            {
                e.Page.RemoveMapper(this, vpn);
                e.Page.AddMapper(this, moved);
            }
            _pages[moved] = e;
        }
    }

    /// <summary>Installs an existing page object (MAP_SHARED between address spaces).</summary>
    public void SharePage(ulong address, Page page)
    {
        ulong vpn = address >> Page.Shift;
        DropPage(vpn);
        _pages[vpn] = new PageEntry { Page = page, Shared = true };
        page.AddMapper(this, vpn);
    }

    /// <summary>A shared page taken away by its source (truncation): the next access faults it in again.</summary>
    internal void DropSharedPage(ulong vpn, Page page)
    {
        if (_pages.TryGetValue(vpn, out PageEntry e) && e.Page == page) DropPage(vpn);
    }

    /// <summary>
    /// The address space is gone (its process exited or executed a new program): every page and mapping is dropped, so
    /// shared pages forget it and copy-on-write pages are no longer counted as shared with it.
    /// </summary>
    public void Release()
    {
        foreach (var (vpn, e) in _pages) Unreference(vpn, e);
        _pages.Clear();
        foreach (Mapping m in _mappings.All.ToList()) _mappings.Remove(m.Start, m.End);
        FlushTlb();
    }

    // ---------------------------------------------------------------- privileged access (loader, syscalls)

    /// <summary>
    /// Copies guest memory out, honouring read protection (the kernel's copy from user: never a watch hit).
    /// Returns false on a fault (EFAULT).
    /// </summary>
    public bool TryRead(ulong address, Span<byte> destination)
    {
        Account.KernelWork += (ulong)destination.Length;
        try { CopyOut(address, destination); return true; }
        catch (GuestFault f) { return Failed(f); }
    }

    /// <summary>
    /// A privileged copy failed. When it was the memory limit, the caller's EFAULT must not reach the guest: the
    /// account records the address space so the kernel kills its process before it runs again.
    /// </summary>
    bool Failed(GuestFault f)
    {
        if (f.IsOutOfMemory) Account.Exhausted ??= this;
        return false;
    }

    /// <summary>
    /// Copies into guest memory, honouring write protection (the kernel's copy to user: never a watch hit).
    /// Returns false on a fault (EFAULT).
    /// </summary>
    public bool TryWrite(ulong address, ReadOnlySpan<byte> source)
    {
        Account.KernelWork += (ulong)source.Length;
        try { CopyIn(address, source); return true; }
        catch (GuestFault f) { return Failed(f); }
    }

    /// <summary>An instruction's multi-byte load (FXRSTOR, FLDENV…): faults as one access, watched ranges included.</summary>
    public void Read(ulong address, Span<byte> destination)
    {
        if (_watches != null) CheckWatch(address, destination.Length, WatchKind.Read);
        CopyOut(address, destination);
    }

    /// <summary>An instruction's multi-byte store (FXSAVE, FNSTENV…): faults as one access, watched ranges included.</summary>
    public void Write(ulong address, ReadOnlySpan<byte> source)
    {
        if (_watches != null) CheckWatch(address, source.Length, WatchKind.Write);
        CopyIn(address, source);
    }

    void CopyOut(ulong address, Span<byte> destination)
    {
        int done = 0;
        while (done < destination.Length)
        {
            ulong a = address + (ulong)done;
            int offset = (int)(a & Page.OffsetMask);
            int n = Math.Min(Page.Size - offset, destination.Length - done);
            byte[] data = TranslateRead(a >> Page.Shift, a);
            data.AsSpan(offset, n).CopyTo(destination.Slice(done));
            done += n;
        }
    }

    void CopyIn(ulong address, ReadOnlySpan<byte> source)
    {
        // Check every page first so that a fault writes nothing.
        for (ulong p = PageAlignDown(address); p < address + (ulong)source.Length; p += Page.Size)
            TranslateWrite(p >> Page.Shift, Math.Max(p, address));
        int done = 0;
        while (done < source.Length)
        {
            ulong a = address + (ulong)done;
            int offset = (int)(a & Page.OffsetMask);
            int n = Math.Min(Page.Size - offset, source.Length - done);
            source.Slice(done, n).CopyTo(TranslateWrite(a >> Page.Shift, a).AsSpan(offset, n));
            done += n;
        }
    }

    /// <summary>Writes ignoring protection (the ELF loader filling read-only segments). The range must be mapped.</summary>
    public void Poke(ulong address, ReadOnlySpan<byte> source)
    {
        Account.KernelWork += (ulong)source.Length;
        int done = 0;
        while (done < source.Length)
        {
            ulong a = address + (ulong)done;
            ulong vpn = a >> Page.Shift;
            Mapping m = _mappings.Find(a) ?? throw GuestFault.PageFault(a, mapped: false);
            Protection saved = m.Protection;
            m.Protection = Protection.All;
            try
            {
                int offset = (int)(a & Page.OffsetMask);
                int n = Math.Min(Page.Size - offset, source.Length - done);
                source.Slice(done, n).CopyTo(TranslateWrite(vpn, a).AsSpan(offset, n));
                done += n;
            }
            finally { m.Protection = saved; }
        }
        FlushTlb();
    }

    /// <summary>Reads a NUL-terminated string (at most <paramref name="max"/> bytes); null on a fault or when too long.</summary>
    public byte[]? TryReadCString(ulong address, int max = 4096)
    {
        var bytes = new List<byte>();
        try
        {
            // Page by page through the translation (not the instruction path: a watched range must not trigger).
            while (bytes.Count < max)
            {
                ulong a = address + (ulong)bytes.Count;
                byte[] page = TranslateRead(a >> Page.Shift, a);
                int offset = (int)(a & Page.OffsetMask);
                int n = Math.Min(Page.Size - offset, max - bytes.Count);
                int nul = Array.IndexOf(page, (byte)0, offset, n);
                if (nul >= 0)
                {
                    bytes.AddRange(page.AsSpan(offset, nul - offset));
                    return bytes.ToArray();
                }
                bytes.AddRange(page.AsSpan(offset, n));
            }
        }
        catch (GuestFault f) { Failed(f); }
        return null;
    }

    // ---------------------------------------------------------------- cloning and dirty tracking

    /// <summary>
    /// A copy of this address space that shares every page: private pages copy-on-write (fork, snapshots),
    /// MAP_SHARED pages truly shared.
    /// </summary>
    public AddressSpace CloneCopyOnWrite()
    {
        var clone = new AddressSpace(Account) { Wraps32 = Wraps32 };
        Account.KernelWork += 64 * (ulong)_pages.Count;
        foreach (Mapping m in _mappings.All) clone._mappings.Insert(m.Clone());
        foreach (var (vpn, e) in _pages)
        {
            if (!e.Shared) e.Page.CowShares++;
            else e.Page.AddMapper(clone, vpn);
            clone._pages[vpn] = new PageEntry { Page = e.Page, Shared = e.Shared, Dirty = e.Dirty };
        }
        FlushTlb(); // our write TLB may point at pages that are now shared
        return clone;
    }

    /// <summary>Page numbers written since the last <see cref="ClearDirty"/>.</summary>
    public List<ulong> DirtyPages()
    {
        var list = new List<ulong>();
        foreach (var (vpn, e) in _pages) if (e.Dirty) list.Add(vpn);
        list.Sort();
        return list;
    }

    public void ClearDirty()
    {
        foreach (ulong vpn in _pages.Keys.ToList())
            CollectionsMarshal.GetValueRefOrNullRef(_pages, vpn).Dirty = false;
        FlushTlb(); // writes must take the slow path again to set the bit
    }

    /// <summary>
    /// Every materialised page in page-number order with its flags, for the state hash and snapshots. Dirty means
    /// written since the last <see cref="ClearDirty"/>; a shared page's bytes can also change through other mappings
    /// and its file, so a caller caching by the dirty bit must look at shared pages every time.
    /// </summary>
    public List<(ulong Vpn, Page Page, bool Dirty, bool Shared)> ResidentPagesInOrder()
    {
        var list = new List<(ulong, Page, bool, bool)>(_pages.Count);
        foreach (var (vpn, e) in _pages) list.Add((vpn, e.Page, e.Dirty, e.Shared));
        list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return list;
    }

    /// <summary>The materialised page at <paramref name="address"/>, or null (for MAP_SHARED setup and snapshots).</summary>
    public Page? PageAt(ulong address) => _pages.TryGetValue(address >> Page.Shift, out PageEntry e) ? e.Page : null;
}
