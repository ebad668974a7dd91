namespace X86Vm.Linux.Host;

/// <summary>
/// Deterministic mode's entropy: a reproducible stream that cannot be told from random without the seed. Block i is
/// BLAKE3(u64 seed ‖ u64 i) (little-endian), 32 bytes; the stream is the blocks in order. Its whole state is the seed
/// and the position, so it can be hashed and saved.
/// </summary>
public sealed class SeededEntropy(ulong seed) : IEntropy
{
    readonly byte[] _block = new byte[32];

    public ulong Seed { get; } = seed;

    /// <summary>Bytes handed out so far.</summary>
    public ulong Position { get; private set; }

    public void Fill(Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            int offset = (int)(Position % 32);
            if (offset == 0) MakeBlock(Position / 32);
            int n = Math.Min(32 - offset, destination.Length);
            _block.AsSpan(offset, n).CopyTo(destination);
            destination = destination[n..];
            Position += (ulong)n;
        }
    }

    void MakeBlock(ulong index)
    {
        Span<byte> input = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(input, Seed);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(input[8..], index);
        Blake3.Hasher.Hash(input, _block);
    }
}
