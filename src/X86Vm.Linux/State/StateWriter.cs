using System.Buffers.Binary;
using System.Text;

namespace X86Vm.Linux.State;

/// <summary>
/// Feeds one node of the state hash (docs/state-hash.md): fields in a fixed order, each in a fixed encoding —
/// integers little-endian at their width, byte strings and UTF-8 strings with a u64 length first, child hashes as
/// their 32 bytes. A node starts with its tag so that no two kinds of node can hash the same bytes.
/// </summary>
public sealed class StateWriter
{
    readonly Blake3.Hasher _hasher;

    StateWriter(string tag)
    {
        _hasher = Blake3.Hasher.New();
        String(tag);
    }

    /// <summary>The BLAKE3 hash of the node <paramref name="tag"/> with the fields <paramref name="fields"/> writes.</summary>
    public static byte[] Node(string tag, Action<StateWriter> fields)
    {
        var w = new StateWriter(tag);
        try
        {
            fields(w);
            var result = new byte[32];
            w._hasher.Finalize(result);
            return result;
        }
        finally { w._hasher.Dispose(); }
    }

    /// <summary>A page leaf: BLAKE3 of the 4096 bytes alone.</summary>
    public static byte[] Leaf(ReadOnlySpan<byte> data)
    {
        var result = new byte[32];
        Blake3.Hasher.Hash(data, result);
        return result;
    }

    public StateWriter U8(byte v) { Span<byte> b = [v]; _hasher.Update(b); return this; }
    public StateWriter Bool(bool v) => U8(v ? (byte)1 : (byte)0);
    public StateWriter U32(uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); _hasher.Update(b); return this; }
    public StateWriter I32(int v) => U32((uint)v);
    public StateWriter U64(ulong v) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); _hasher.Update(b); return this; }
    public StateWriter I64(long v) => U64((ulong)v);

    /// <summary>An optional value: 0, or 1 and the value.</summary>
    public StateWriter OptionalI64(long? v) => v is long x ? U8(1).I64(x) : U8(0);

    public StateWriter Bytes(ReadOnlySpan<byte> v) { U64((ulong)v.Length); _hasher.Update(v); return this; }
    public StateWriter String(string v) => Bytes(Encoding.UTF8.GetBytes(v));
    public StateWriter Strings(IReadOnlyList<string> v) { U64((ulong)v.Count); foreach (string s in v) String(s); return this; }

    /// <summary>A child node's hash (32 bytes, no length).</summary>
    public StateWriter Hash(byte[] child) { _hasher.Update(child); return this; }
}
