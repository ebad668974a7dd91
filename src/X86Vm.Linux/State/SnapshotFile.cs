using System.Buffers.Binary;

namespace X86Vm.Linux.State;

/// <summary>
/// The snapshot file's framing (docs/snapshot-format.md): magic, format version, the saved VM's state hash, the
/// payload's length, the BLAKE3 checksum of the compressed payload, then the payload compressed with zstd. A load
/// checks each before anything is rebuilt, so a foreign, damaged or truncated file gives one clear error.
/// </summary>
public static class SnapshotFile
{
    const int HeaderSize = 16 + 4 + 32 + 8 + 32;

    public static void Write(Stream destination, ReadOnlySpan<byte> magic, int version, byte[] stateHash, ReadOnlySpan<byte> payload)
    {
        var header = new byte[HeaderSize];
        magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), version);
        stateHash.CopyTo(header.AsSpan(20));
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(52), payload.Length);
        using var compressor = new ZstdSharp.Compressor(3);
        ReadOnlySpan<byte> compressed = compressor.Wrap(payload);
        Blake3.Hasher.Hash(compressed, header.AsSpan(60, 32));
        destination.Write(header);
        destination.Write(compressed);
        destination.Flush();
    }

    /// <summary>The state hash and the payload; throws <see cref="SnapshotFormatException"/>.</summary>
    public static (byte[] StateHash, byte[] Payload) Read(Stream source, ReadOnlySpan<byte> magic, int version)
    {
        var all = new MemoryStream();
        source.CopyTo(all);
        ReadOnlySpan<byte> file = all.GetBuffer().AsSpan(0, (int)all.Length);
        if (file.Length < magic.Length || !file[..magic.Length].SequenceEqual(magic))
            throw new SnapshotFormatException("not an x86vm snapshot");
        if (file.Length < HeaderSize) throw new SnapshotFormatException("truncated snapshot (the header is incomplete)");
        int found = BinaryPrimitives.ReadInt32LittleEndian(file[16..]);
        if (found != version)
            throw new SnapshotFormatException($"snapshot format version {found}; this x86vm reads version {version}");
        byte[] hash = file.Slice(20, 32).ToArray();
        long length = BinaryPrimitives.ReadInt64LittleEndian(file[52..]);
        if (length < 0 || length > Array.MaxLength) throw new SnapshotFormatException("damaged snapshot (an impossible length)");
        Span<byte> sum = stackalloc byte[32];
        Blake3.Hasher.Hash(file[HeaderSize..], sum);
        if (!sum.SequenceEqual(file.Slice(60, 32))) throw new SnapshotFormatException("damaged or truncated snapshot (checksum mismatch)");
        byte[] payload;
        try
        {
            using var decompressor = new ZstdSharp.Decompressor();
            payload = decompressor.Unwrap(file[HeaderSize..], (int)length).ToArray();
        }
        catch (Exception e) when (e is ZstdSharp.ZstdException or ArgumentException or InvalidOperationException)
        {
            throw new SnapshotFormatException($"damaged or truncated snapshot (its data does not decompress: {e.Message})", e);
        }
        if (payload.Length != length) throw new SnapshotFormatException("damaged snapshot (its data is shorter than recorded)");
        return (hash, payload);
    }
}
