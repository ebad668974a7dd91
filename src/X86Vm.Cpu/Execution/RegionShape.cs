using System.Runtime.InteropServices;
using X86Vm.Cpu.Decoding;

namespace X86Vm.Cpu.Execution;

/// <summary>
/// Everything a region's compiled code depends on: each block's start, its decoded ops (handlers and constant operand
/// fields, byte for byte), how it ends and which region blocks it may pass to. Compiled code refers to no block or
/// process at run time, so two regions of the same shape — the same program's hot loop in two processes, a child after
/// fork or exec — can run the same method. Equality compares all bytes; the hash only picks the bucket.
/// </summary>
public sealed class RegionShape : IEquatable<RegionShape>
{
    readonly byte[] _bytes;
    readonly int _hash;

    public RegionShape(CompiledRegion region)
    {
        var buffer = new MemoryStream();
        var writer = new BinaryWriter(buffer);
        for (int k = 0; k < region.Blocks.Length; k++)
        {
            BasicBlock b = region.Blocks[k];
            writer.Write(b.Start);
            writer.Write(b.Ops.Length);
            writer.Write(b.EndsWithControlTransfer);
            writer.Write(b.MayRequestStop);
            writer.Write(region.Successors[k].Length);
            foreach (int s in region.Successors[k]) writer.Write(s);
            writer.Write(MemoryMarshal.AsBytes(b.Ops.AsSpan()));
        }
        writer.Flush();
        _bytes = buffer.ToArray();
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        _hash = hash.ToHashCode();
    }

    public bool Equals(RegionShape? other) => other != null && other._hash == _hash && other._bytes.AsSpan().SequenceEqual(_bytes);

    public override bool Equals(object? obj) => Equals(obj as RegionShape);

    public override int GetHashCode() => _hash;
}
