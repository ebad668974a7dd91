using System.Buffers.Binary;

namespace X86Vm.Fleet;

/// <summary>
/// A checkpoint blob: the VM's standard output and error so far, then (while it can still run) its snapshot. Output
/// and snapshot are one blob so that a VM resumed from it continues its output exactly where the snapshot stands.
/// Layout: "X86VMCKP", stdout length (int64 LE), stdout, stderr length, stderr, then the snapshot to the end (none
/// for an ended VM).
/// </summary>
static class Checkpoint
{
    static readonly byte[] Magic = "X86VMCKP"u8.ToArray();

    /// <summary>Writes the output and, when <paramref name="vm"/> is given, its snapshot.</summary>
    public static void Write(Stream destination, ReadOnlySpan<byte> stdout, ReadOnlySpan<byte> stderr, VirtualMachine? vm)
    {
        destination.Write(Magic);
        WritePart(destination, stdout);
        WritePart(destination, stderr);
        vm?.SaveSnapshot(destination);
    }

    static void WritePart(Stream destination, ReadOnlySpan<byte> bytes)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, bytes.Length);
        destination.Write(length);
        destination.Write(bytes);
    }

    /// <summary>Reads the output parts; <paramref name="source"/> is left at the snapshot (or its end).</summary>
    public static (byte[] Stdout, byte[] Stderr) ReadOutput(Stream source)
    {
        Span<byte> magic = stackalloc byte[8];
        source.ReadExactly(magic);
        if (!magic.SequenceEqual(Magic)) throw new InvalidDataException("not an x86vm fleet checkpoint");
        return (ReadPart(source), ReadPart(source));
    }

    static byte[] ReadPart(Stream source)
    {
        Span<byte> length = stackalloc byte[8];
        source.ReadExactly(length);
        long n = BinaryPrimitives.ReadInt64LittleEndian(length);
        if (n < 0 || n > Array.MaxLength) throw new InvalidDataException("damaged fleet checkpoint");
        byte[] bytes = new byte[n];
        source.ReadExactly(bytes);
        return bytes;
    }
}
