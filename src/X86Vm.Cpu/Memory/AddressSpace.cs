using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Memory;

/// <summary>
/// A guest virtual address space: mappings (VMAs), a sparse page table of materialised pages, and a
/// software TLB per access kind in front of it. Every guest memory access of every instruction handler
/// goes through <see cref="Read{T}"/>, <see cref="Write{T}"/> or <see cref="GetCodePage"/>; the fast
/// path is a tag compare and an unaligned load from a managed array, so no guest address can ever
/// reach a host fault.
///
/// The write TLB only caches pages that are already dirty, not shared copy-on-write and hold no decoded code: the
/// slow path is where copy-on-write is broken, dirty bits are set and code writes are reported.
///
/// MAP_SHARED mappings have a <see cref="Mapping.Source"/> (a file's pages, anonymous shared memory): their pages are
/// the source's own page objects, installed on first touch (a page wholly past the end of a file raises SIGBUS), so
/// every mapping and the file's read/write paths share the bytes. Each shared page knows the (space, page number)
/// pairs that map it (<see cref="Page"/>), which keeps decoded code, write TLBs and dirty bits right across mappings.
/// </summary>
public sealed partial class AddressSpace
{
    public const ulong UserTop = 0x0000_7FFF_FFFF_F000;

    struct PageEntry
    {
        public Page Page;
        public bool Dirty;
        public bool Shared; // MAP_SHARED: never copied on write
    }

    struct TlbEntry
    {
        public ulong Vpn;
        public byte[] Data;
    }

    // A space starts with 2048 entries per access kind (8 MiB), cheap for the many short processes of a shell script,
    // and grows once to 16384 (64 MiB) when it keeps missing: bench/sieve's tables thrashed the small TLB (a quarter
    // of its time went to refills), and the large one costs 512 KiB per space.
    const int InitialTlbSize = 1 << 11;
    const int LargeTlbSize = 1 << 14;
    const ulong InvalidVpn = ulong.MaxValue;

    readonly Dictionary<ulong, PageEntry> _pages = new();
    [NotSnapshot] TlbEntry[] _readTlb = new TlbEntry[InitialTlbSize];
    [NotSnapshot] TlbEntry[] _writeTlb = new TlbEntry[InitialTlbSize];
    /// <summary>TLB size minus one (both kinds have the same size).</summary>
    int _tlbMask = InitialTlbSize - 1;
    /// <summary>Refills since the TLB was created; at <see cref="GrowAfterRefills"/> the small TLB grows.</summary>
    int _tlbRefills;
    const int GrowAfterRefills = 8 * InitialTlbSize;
    readonly MappingTable _mappings = new();

    /// <summary>
    /// The space of a 32-bit program: linear addresses wrap at 4 GiB (SDM Vol. 3 §3.4: base + offset is taken modulo
    /// 2^32 outside 64-bit mode). The effective-address arithmetic already wraps the offset; only an FS/GS base added to
    /// it can pass 4 GiB (%gs:-8 addresses TLS below the thread pointer), and nothing is ever mapped there, so such an
    /// access always misses the TLB and the slow path wraps it. The 64-bit paths pay nothing.
    /// </summary>
    public bool Wraps32 { get; set; }

    /// <summary>Called when a guest write hits a page holding decoded code (argument: page number).</summary>
    [NotSnapshot] public Action<ulong>? CodeWritten;

    /// <param name="account">Where its pages are charged (the VM's memory); null: an account of its own without a limit.</param>
    public AddressSpace(MemoryAccount? account = null)
    {
        Account = account ?? MemoryAccount.Unlimited();
        FlushTlb();
    }

    /// <summary>The VM's memory account: private pages are charged when materialised or copied, uncharged with their last user.</summary>
    public MemoryAccount Account { get; }

    public MappingTable Mappings => _mappings;

    /// <summary>Number of materialised pages (resident set).</summary>
    public int ResidentPages => _pages.Count;

    /// <summary>After a restore: empty TLBs of the saved size (a snapshot holds no TLB entries and no code listeners).</summary>
    public void RebuildCaches()
    {
        _readTlb = new TlbEntry[_tlbMask + 1];
        _writeTlb = new TlbEntry[_tlbMask + 1];
        CodeWritten = null;
        FlushTlb();
    }

    public void FlushTlb()
    {
        for (int i = 0; i <= _tlbMask; i++)
        {
            _readTlb[i] = new TlbEntry { Vpn = InvalidVpn, Data = Array.Empty<byte>() };
            _writeTlb[i] = new TlbEntry { Vpn = InvalidVpn, Data = Array.Empty<byte>() };
        }
    }

    /// <summary>Makes the next write to <paramref name="vpn"/> take the slow path (a shared page got code, or was written back).</summary>
    internal void InvalidateWriteTlb(ulong vpn)
    {
        int slot = (int)vpn & _tlbMask;
        if (_writeTlb[slot].Vpn == vpn) _writeTlb[slot].Vpn = InvalidVpn;
    }

    /// <summary>Counts a refill; a space that keeps refilling gets the large TLB (empty: it refills from the page table).</summary>
    void CountRefill()
    {
        if (++_tlbRefills < GrowAfterRefills || _tlbMask == LargeTlbSize - 1) return;
        _readTlb = new TlbEntry[LargeTlbSize];
        _writeTlb = new TlbEntry[LargeTlbSize];
        _tlbMask = LargeTlbSize - 1;
        FlushTlb();
    }

    void FlushTlbPage(ulong vpn)
    {
        int slot = (int)vpn & _tlbMask;
        if (_readTlb[slot].Vpn == vpn) _readTlb[slot].Vpn = InvalidVpn;
        if (_writeTlb[slot].Vpn == vpn) _writeTlb[slot].Vpn = InvalidVpn;
    }

    // ---------------------------------------------------------------- fast paths

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Read<T>(ulong address) where T : unmanaged => TryRead(address, out T value) ? value : ReadSlow<T>(address);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write<T>(ulong address, T value) where T : unmanaged
    {
        if (!TryWrite(address, value)) WriteSlow(address, value);
    }

    /// <summary>
    /// The TLB hit alone: false (nothing read) when the page is not in the read TLB or the value straddles a page, and
    /// then <see cref="ReadSlow{T}"/> must do the access. A hit can never fault, which lets compiled code make the guest
    /// state exact only on the miss path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe bool TryRead<T>(ulong address, out T value) where T : unmanaged
    {
        ulong vpn = address >> Page.Shift;
        ref TlbEntry e = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_readTlb), (nint)((uint)vpn & (uint)_tlbMask));
        uint offset = (uint)address & (uint)Page.OffsetMask;
        if (e.Vpn == vpn && offset <= (uint)(Page.Size - sizeof(T)))
        {
            value = Unsafe.ReadUnaligned<T>(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(e.Data), (nint)offset));
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>
    /// The write TLB hit alone: false (nothing written) on a miss, and then <see cref="WriteSlow{T}"/> must do the
    /// access. A hit never faults and never touches a page holding decoded code (the write TLB only caches pages without
    /// any), so it cannot invalidate compiled code either.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe bool TryWrite<T>(ulong address, T value) where T : unmanaged
    {
        ulong vpn = address >> Page.Shift;
        ref TlbEntry e = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_writeTlb), (nint)((uint)vpn & (uint)_tlbMask));
        uint offset = (uint)address & (uint)Page.OffsetMask;
        if (e.Vpn == vpn && offset <= (uint)(Page.Size - sizeof(T)))
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(e.Data), (nint)offset), value);
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- slow paths

    /// <summary>A read the TLB did not serve: translates (and may fault), refills the TLB, reads.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public unsafe T ReadSlow<T>(ulong address) where T : unmanaged
    {
        if (address > uint.MaxValue && Wraps32) return Read<T>(address & uint.MaxValue);
        if (_watches != null) CheckWatch(address, sizeof(T), WatchKind.Read);
        uint offset = (uint)address & (uint)Page.OffsetMask;
        if (offset <= (uint)(Page.Size - sizeof(T)))
        {
            byte[] data = TranslateRead(address >> Page.Shift, address);
            return Unsafe.ReadUnaligned<T>(ref data[offset]);
        }
        // Straddles two pages: check both before reading anything (the fault address is the first bad byte).
        T value;
        byte* p = (byte*)&value;
        for (int i = 0; i < sizeof(T); i++)
        {
            ulong a = address + (ulong)i;
            p[i] = TranslateRead(a >> Page.Shift, a)[a & Page.OffsetMask];
        }
        return value;
    }

    /// <summary>A write the TLB did not serve: translates (may fault, copy on write, report a code write), refills, writes.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public unsafe void WriteSlow<T>(ulong address, T value) where T : unmanaged
    {
        if (address > uint.MaxValue && Wraps32)
        {
            Write(address & uint.MaxValue, value);
            return;
        }
        if (_watches != null) CheckWatch(address, sizeof(T), WatchKind.Write);
        uint offset = (uint)address & (uint)Page.OffsetMask;
        if (offset <= (uint)(Page.Size - sizeof(T)))
        {
            byte[] data = TranslateWrite(address >> Page.Shift, address);
            Unsafe.WriteUnaligned(ref data[offset], value);
            return;
        }
        // Straddling write: translate both pages first so a fault leaves memory untouched.
        ulong last = address + (ulong)sizeof(T) - 1;
        TranslateWrite(address >> Page.Shift, address);
        TranslateWrite(last >> Page.Shift, (last & ~Page.OffsetMask));
        byte* p = (byte*)&value;
        for (int i = 0; i < sizeof(T); i++)
        {
            ulong a = address + (ulong)i;
            TranslateWrite(a >> Page.Shift, a)[a & Page.OffsetMask] = p[i];
        }
    }

    byte[] TranslateRead(ulong vpn, ulong faultAddress)
    {
        ref PageEntry entry = ref Materialize(vpn, faultAddress, Protection.Read);
        if (_watchedPages != null && IsWatchedPage(vpn)) return entry.Page.Data;
        CountRefill();
        ref TlbEntry e = ref _readTlb[(int)vpn & _tlbMask];
        e.Vpn = vpn;
        e.Data = entry.Page.Data;
        return entry.Page.Data;
    }

    byte[] TranslateWrite(ulong vpn, ulong faultAddress)
    {
        ref PageEntry entry = ref Materialize(vpn, faultAddress, Protection.Write);
        bool hadCode = entry.Page.HasCode;
        if (!entry.Shared && entry.Page.CowShares > 1)
        {
            if (!Account.TryCharge()) throw GuestFault.OutOfMemory(faultAddress); // the copy is a new page
            entry.Page.CowShares--;
            entry.Page = entry.Page.Copy();
            FlushTlbPage(vpn); // the read TLB still points at the shared copy
        }
        entry.Dirty = true;
        if (entry.Shared) entry.Page.Dirty = true;
        if (hadCode)
        {
            if (entry.Shared) entry.Page.CodeChanged(); // every mapping of the page, here and elsewhere
            else
            {
                entry.Page.HasCode = false;
                CodeWritten?.Invoke(vpn);
            }
        }
        if (_watchedPages != null && IsWatchedPage(vpn)) return entry.Page.Data;
        CountRefill();
        ref TlbEntry e = ref _writeTlb[(int)vpn & _tlbMask];
        e.Vpn = vpn;
        e.Data = entry.Page.Data;
        return entry.Page.Data;
    }

    /// <summary>Finds or creates the page for <paramref name="vpn"/>, checking the mapping's protection.</summary>
    ref PageEntry Materialize(ulong vpn, ulong faultAddress, Protection needed)
    {
        Mapping? m = _mappings.Find(vpn << Page.Shift);
        if (m == null)
        {
            // A non-canonical address raises #GP, not #PF (SDM Vol. 1 §3.3.7.1): SIGSEGV with SI_KERNEL.
            if ((ulong)((long)faultAddress << 16 >> 16) != faultAddress) throw GuestFault.GeneralProtection();
            throw GuestFault.PageFault(faultAddress, mapped: false);
        }
        if ((m.Protection & needed) == 0)
            throw GuestFault.PageFault(faultAddress, mapped: true);
        ref PageEntry entry = ref CollectionsMarshal.GetValueRefOrNullRef(_pages, vpn);
        if (!Unsafe.IsNullRef(ref entry)) return ref entry;
        PageEntry fresh;
        if (m.Source != null)
        {
            ulong index = (m.FileOffset >> Page.Shift) + (vpn - (m.Start >> Page.Shift));
            Page page = m.Source.GetPage(index) ?? throw GuestFault.BusError(faultAddress);
            fresh = new PageEntry { Page = page, Shared = true };
        }
        else
        {
            // The kernel gives every MAP_SHARED mapping a source; a shared one without (bare address spaces) is not counted.
            bool shared = (m.Flags & MappingFlags.Shared) != 0;
            if (!shared && !Account.TryCharge()) throw GuestFault.OutOfMemory(faultAddress);
            fresh = new PageEntry { Page = new Page(), Shared = shared };
        }
        if (fresh.Shared) fresh.Page.AddMapper(this, vpn);
        _pages[vpn] = fresh;
        return ref CollectionsMarshal.GetValueRefOrNullRef(_pages, vpn);
    }

    /// <summary>The page holding code at <paramref name="address"/>, marked as holding decoded code.</summary>
    public byte[] GetCodePage(ulong address)
    {
        ulong vpn = address >> Page.Shift;
        ref PageEntry entry = ref Materialize(vpn, address, Protection.Execute);
        if (!entry.Page.HasCode)
        {
            entry.Page.HasCode = true;
            // Writes to this page must now take the slow path so they can be reported — through every shared mapping.
            if (entry.Shared) entry.Page.ProtectCode();
            else InvalidateWriteTlb(vpn);
        }
        return entry.Page.Data;
    }
}
