namespace X86Vm.Cpu.Memory;

/// <summary>
/// One 4 KiB page of guest memory. A page object may be referenced by several address spaces:
/// after <see cref="AddressSpace.CloneCopyOnWrite"/> both spaces share it until one writes
/// (<see cref="CowShares"/> &gt; 1), and MAP_SHARED pages are shared on purpose for good.
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

    public Page() => Data = new byte[Size];

    public Page(byte[] data) => Data = data;

    public Page Copy() => new((byte[])Data.Clone());
}
