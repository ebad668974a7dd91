namespace X86Vm.Fuzz;

/// <summary>
/// A small reproducible generator (splitmix64): the same seed gives the same inputs on every host and .NET version,
/// which System.Random does not promise.
/// </summary>
public sealed class Rng(ulong seed)
{
    ulong _state = seed;

    /// <summary>The generator of input <paramref name="index"/> of a run seeded <paramref name="seed"/>: any one input can be regenerated alone.</summary>
    public static Rng ForInput(ulong seed, long index) => new(Mix(seed) ^ Mix((ulong)index + 0x632BE59BD9B4E019));

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    public ulong NextU64() => Mix(_state += 0x9E3779B97F4A7C15);

    /// <summary>A number in [0, n).</summary>
    public int Next(int n) => (int)(NextU64() % (ulong)n);

    public bool Chance(int percent) => Next(100) < percent;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    public byte NextByte() => (byte)NextU64();

    public void Fill(Span<byte> bytes)
    {
        for (int i = 0; i < bytes.Length; i++) bytes[i] = NextByte();
    }
}
