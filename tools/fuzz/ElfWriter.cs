using System.Buffers.Binary;
using System.Text;

namespace X86Vm.Fuzz;

/// <summary>One program header to write: its bytes go into the file, <see cref="MemorySize"/> may exceed them (bss).</summary>
public sealed record Segment(uint Type, uint Flags, ulong Address, byte[] Data, ulong MemorySize)
{
    public const uint PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_PHDR = 6, PT_TLS = 7, PT_GNU_STACK = 0x6474e551;
    public const uint PF_X = 1, PF_W = 2, PF_R = 4;
}

/// <summary>
/// Writes a minimal ELF64 x86-64 executable: the header, the program headers right after it, an optional PT_INTERP
/// path, then each segment's bytes at a file offset congruent to its address modulo the page size (as mmap needs).
/// The field offsets let mutators patch a header of a well-formed file.
/// </summary>
public static class ElfWriter
{
    public const int HeaderSize = 64, PhdrSize = 56;
    public const ushort ET_EXEC = 2, ET_DYN = 3, EM_X86_64 = 62;

    /// <summary>Offsets of the header fields (elf(5)).</summary>
    public const int E_TYPE = 16, E_MACHINE = 18, E_ENTRY = 24, E_PHOFF = 32, E_PHENTSIZE = 54, E_PHNUM = 56;

    /// <summary>Offsets of a program header's fields, from the start of that header.</summary>
    public const int P_TYPE = 0, P_FLAGS = 4, P_OFFSET = 8, P_VADDR = 16, P_FILESZ = 32, P_MEMSZ = 40, P_ALIGN = 48;

    public static int PhdrOffset(int index) => HeaderSize + index * PhdrSize;

    public static byte[] Build(IReadOnlyList<Segment> segments, ulong entry, ushort type = ET_EXEC, string? interpreter = null)
    {
        var headers = new List<(Segment S, ulong Offset)>();
        int count = segments.Count + (interpreter != null ? 1 : 0);
        ulong offset = (ulong)PhdrOffset(count);
        byte[]? interp = interpreter == null ? null : Encoding.UTF8.GetBytes(interpreter + "\0");
        ulong interpOffset = offset;
        if (interp != null) offset += (ulong)interp.Length;
        offset = (offset + 0xFFF) & ~0xFFFUL;
        foreach (Segment s in segments)
        {
            // Keep offset ≡ address (mod 4096) as binfmt_elf requires of PT_LOAD.
            offset += (s.Address - offset) & 0xFFF;
            headers.Add((s, offset));
            offset += (ulong)s.Data.Length;
            offset = (offset + 0xFFF) & ~0xFFFUL;
        }
        var file = new byte[Math.Max(offset, (ulong)PhdrOffset(count))];
        Span<byte> h = file;
        "\x7F"u8.CopyTo(h);
        "ELF"u8.CopyTo(h[1..]);
        h[4] = 2; h[5] = 1; h[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(h[E_TYPE..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(h[E_MACHINE..], EM_X86_64);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(h[E_ENTRY..], entry);
        BinaryPrimitives.WriteUInt64LittleEndian(h[E_PHOFF..], HeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(h[52..], HeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(h[E_PHENTSIZE..], PhdrSize);
        BinaryPrimitives.WriteUInt16LittleEndian(h[E_PHNUM..], (ushort)count);
        int i = 0;
        if (interp != null)
        {
            WritePhdr(h[PhdrOffset(i++)..], Segment.PT_INTERP, Segment.PF_R, interpOffset, 0, (ulong)interp.Length, (ulong)interp.Length, 1);
            interp.CopyTo(h[(int)interpOffset..]);
        }
        foreach (var (s, at) in headers)
        {
            WritePhdr(h[PhdrOffset(i++)..], s.Type, s.Flags, at, s.Address, (ulong)s.Data.Length, s.MemorySize, 0x1000);
            s.Data.CopyTo(h[(int)at..]);
        }
        return file;
    }

    static void WritePhdr(Span<byte> p, uint type, uint flags, ulong offset, ulong address, ulong fileSize, ulong memorySize, ulong align)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(p[P_TYPE..], type);
        BinaryPrimitives.WriteUInt32LittleEndian(p[P_FLAGS..], flags);
        BinaryPrimitives.WriteUInt64LittleEndian(p[P_OFFSET..], offset);
        BinaryPrimitives.WriteUInt64LittleEndian(p[P_VADDR..], address);
        BinaryPrimitives.WriteUInt64LittleEndian(p[24..], address);
        BinaryPrimitives.WriteUInt64LittleEndian(p[P_FILESZ..], fileSize);
        BinaryPrimitives.WriteUInt64LittleEndian(p[P_MEMSZ..], memorySize);
        BinaryPrimitives.WriteUInt64LittleEndian(p[P_ALIGN..], align);
    }
}
