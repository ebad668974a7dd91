namespace X86Vm.Fuzz;

/// <summary>
/// Where generated programs put things, and the addresses that make good hostile arguments: the edges of mapped
/// pages, unmapped and kernel addresses, non-canonical ones.
/// </summary>
public static class GuestLayout
{
    public const ulong Code = 0x400000;
    /// <summary>Two read-write pages; the page after them is unmapped, so Data + DataSize - k is a boundary pointer.</summary>
    public const ulong Data = 0x600000;
    public const int DataSize = 0x2000;
    /// <summary>One read-only page.</summary>
    public const ulong ReadOnly = 0x700000;

    public static readonly ulong[] SpecialAddresses =
    [
        0, 1, 0xFFF, 0x1000, Code, Code + 0xFFF, Data, Data + DataSize - 1, Data + DataSize - 2, Data + DataSize - 4,
        Data + DataSize - 8, Data + DataSize - 16, Data + DataSize, ReadOnly, ReadOnly + 0xFF8, 0x7ffffffff000 - 8,
        0x7ffffffff000, 0x7fffffffffff, 0x800000000000, 0xffff800000000000, 0xffffffffff600000, 0xfffffffffffff000,
        ulong.MaxValue, ulong.MaxValue - 7, 0x8000000000000000,
    ];

    public static readonly ulong[] SpecialNumbers =
    [
        0, 1, 2, 3, 7, 8, 15, 16, 63, 64, 255, 256, 4095, 4096, 4097, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000,
        0xFFFFFFFF, 0x100000000, 1UL << 40, 1UL << 47, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, ulong.MaxValue, ulong.MaxValue - 1,
        unchecked((ulong)-4096), unchecked((ulong)-100), // AT_FDCWD
    ];

    /// <summary>An interesting value for a register or argument: a pointer at some edge, a special number or noise.</summary>
    public static ulong Value(Rng r) => r.Next(6) switch
    {
        0 => r.Pick(SpecialAddresses),
        1 => r.Pick(SpecialNumbers),
        2 => Data + (ulong)r.Next(DataSize),
        3 => (ulong)r.Next(16),
        4 => r.NextU64() >> r.Next(64),
        _ => r.NextU64(),
    };

    /// <summary>The data page's initial bytes: noise with paths, pointers into itself and small numbers planted in it.</summary>
    public static byte[] DataPage(Rng r)
    {
        var data = new byte[DataSize];
        r.Fill(data);
        string[] paths = ["/tmp/f\0", "/prog\0", "/interp\0", "/\0", "..\0", "/proc/self/mem\0", "/proc/self/fd/0\0", "/dev/zero\0",
            "/proc/self/root/..\0", "/tmp\0", "/dev/shm/x\0", "\0", "/proc/1/exe\0"];
        for (int k = 0; k < 24; k++)
        {
            int at = r.Next(DataSize - 64) & ~7;
            switch (r.Next(3))
            {
                case 0: System.Text.Encoding.ASCII.GetBytes(r.Pick(paths)).CopyTo(data, at); break;
                case 1: BitConverter.TryWriteBytes(data.AsSpan(at), Data + (ulong)r.Next(DataSize)); break;
                default: BitConverter.TryWriteBytes(data.AsSpan(at), (ulong)r.Next(64)); break;
            }
        }
        return data;
    }
}
