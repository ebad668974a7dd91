namespace X86Vm.Cpu.Memory;

/// <summary>
/// One 4 KiB page of guest memory. A page object may be referenced by several address spaces:
/// after <see cref="AddressSpace.CloneCopyOnWrite"/> both spaces share it until one writes
/// (<see cref="CowShares"/> &gt; 1), and MAP_SHARED pages are shared on purpose for good — those know every
/// (address space, page number) that maps them, so a write through one mapping can drop the decoded code of all,
/// and a file can take its page away from every mapping (truncation).
/// </summary>
public sealed class Page
{
    public const int Size = 4096;
    public const int Shift = 12;
    public const ulong OffsetMask = Size - 1;

    public readonly byte[] Data;

    /// <summary>How many page-table entries share this page copy-on-write (1 = private).</summary>
    public int CowShares = 1;

    /// <summary>Decoded code exists for this page: writes must be reported so the decoded blocks are dropped.</summary>
    public bool HasCode;

    /// <summary>Written through a shared mapping since the last <see cref="MarkClean"/> (for a page cache's write-back).</summary>
    public bool Dirty;

    /// <summary>The MAP_SHARED page-table entries holding this page; null until it is mapped shared.</summary>
    List<(AddressSpace Space, ulong Vpn)>? _mappers;

    public Page() => Data = new byte[Size];

    public Page(byte[] data) => Data = data;

    public Page Copy() => new((byte[])Data.Clone());

    /// <summary>True while some address space maps this page shared.</summary>
    public bool IsMapped => _mappers is { Count: > 0 };

    internal void AddMapper(AddressSpace space, ulong vpn) => (_mappers ??= new()).Add((space, vpn));

    internal void RemoveMapper(AddressSpace space, ulong vpn) => _mappers?.Remove((space, vpn));

    /// <summary>A write through one shared mapping: the decoded code of every mapping of the page is stale.</summary>
    internal void CodeChanged()
    {
        HasCode = false;
        if (_mappers == null) return;
        foreach (var (space, vpn) in _mappers.ToArray()) space.CodeWritten?.Invoke(vpn);
    }

    /// <summary>Code was decoded from this shared page: writes through any of its mappings must take the slow path.</summary>
    internal void ProtectCode()
    {
        if (_mappers == null) return;
        foreach (var (space, vpn) in _mappers) space.InvalidateWriteTlb(vpn);
    }

    /// <summary>The content was changed other than through a mapping (write(2) to its file): decoded code from it is stale.</summary>
    public void ContentChanged()
    {
        if (HasCode) CodeChanged();
    }

    /// <summary>After write-back: clean again, and every mapping takes the slow write path once more so the next write marks it.</summary>
    public void MarkClean()
    {
        Dirty = false;
        if (_mappers == null) return;
        foreach (var (space, vpn) in _mappers) space.InvalidateWriteTlb(vpn);
    }

    /// <summary>Truncation: every mapping drops the page; the next access faults it in again (or raises SIGBUS past the end).</summary>
    public void UnmapEverywhere()
    {
        if (_mappers == null) return;
        foreach (var (space, vpn) in _mappers.ToArray()) space.DropSharedPage(vpn, this);
    }
}
