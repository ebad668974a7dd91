using System.Buffers.Binary;

namespace X86Vm.Linux.Elf;

/// <summary>A program header (elf(5) Elf64_Phdr).</summary>
public readonly record struct ProgramHeader(uint Type, uint Flags, ulong Offset, ulong VirtualAddress, ulong FileSize, ulong MemorySize, ulong Align)
{
    public const uint PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_PHDR = 6, PT_TLS = 7, PT_GNU_STACK = 0x6474e551;
    public const uint PF_X = 1, PF_W = 2, PF_R = 4;
}

/// <summary>Thrown for files that are not runnable x86-64 or i386 ELF programs; the message is the one line the user sees.</summary>
public sealed class BadExecutableException(string message) : Exception(message);

/// <summary>
/// The parts of an ELF file the loader needs: header fields and program headers, validated against
/// the file's real size so that a truncated or corrupt file is rejected with a clear message.
/// (A small reader of our own: we only need the header and program headers, with exact errors.)
/// </summary>
public sealed class ElfImage
{
    public const ushort ET_EXEC = 2, ET_DYN = 3, EM_X86_64 = 62, EM_386 = 3;

    public byte[] Data { get; }
    public ushort Type { get; }
    public ushort Machine { get; }
    public ulong Entry { get; }
    public ulong ProgramHeaderOffset { get; }
    public ushort ProgramHeaderSize { get; }
    public IReadOnlyList<ProgramHeader> ProgramHeaders { get; }
    public string? Interpreter { get; }
    /// <summary>An ELFCLASS32 i386 program (run in 32-bit compatibility mode with the i386 system call ABI).</summary>
    public bool Is32Bit { get; }

    public ElfImage(byte[] data, string name)
    {
        Data = data;
        if (data.Length < 4 || data[0] != 0x7F || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
            throw new BadExecutableException($"{name}: not an ELF executable");
        if (data.Length < 64)
            throw new BadExecutableException($"{name}: truncated ELF header ({data.Length} bytes)");
        if (data[4] is not (1 or 2)) throw new BadExecutableException($"{name}: unknown ELF class {data[4]}");
        Is32Bit = data[4] == 1;
        if (data[5] != 1) throw new BadExecutableException($"{name}: big-endian ELF is not an x86 program");
        var s = data.AsSpan();
        Type = BinaryPrimitives.ReadUInt16LittleEndian(s[16..]);
        Machine = BinaryPrimitives.ReadUInt16LittleEndian(s[18..]);
        if (Machine != (Is32Bit ? EM_386 : EM_X86_64))
            throw new BadExecutableException(Is32Bit
                ? $"{name}: 32-bit ELF for {MachineName(Machine)}, not i386"
                : $"{name}: ELF for {MachineName(Machine)}, not x86-64");
        if (Type != ET_EXEC && Type != ET_DYN)
            throw new BadExecutableException($"{name}: ELF type {Type} is not an executable");
        // Elf32_Ehdr and Elf64_Ehdr differ only in the width of e_entry, e_phoff and e_shoff (elf(5)).
        ushort count;
        if (Is32Bit)
        {
            Entry = BinaryPrimitives.ReadUInt32LittleEndian(s[24..]);
            ProgramHeaderOffset = BinaryPrimitives.ReadUInt32LittleEndian(s[28..]);
            ProgramHeaderSize = BinaryPrimitives.ReadUInt16LittleEndian(s[42..]);
            count = BinaryPrimitives.ReadUInt16LittleEndian(s[44..]);
        }
        else
        {
            Entry = BinaryPrimitives.ReadUInt64LittleEndian(s[24..]);
            ProgramHeaderOffset = BinaryPrimitives.ReadUInt64LittleEndian(s[32..]);
            ProgramHeaderSize = BinaryPrimitives.ReadUInt16LittleEndian(s[54..]);
            count = BinaryPrimitives.ReadUInt16LittleEndian(s[56..]);
        }
        if (ProgramHeaderSize < (Is32Bit ? 32 : 56) || count == 0 || !Within(ProgramHeaderOffset, (ulong)count * ProgramHeaderSize, data.Length))
            throw new BadExecutableException($"{name}: truncated or corrupt ELF program headers");
        var headers = new List<ProgramHeader>();
        for (int i = 0; i < count; i++)
        {
            var p = s.Slice((int)ProgramHeaderOffset + i * ProgramHeaderSize);
            var ph = Is32Bit ? ReadHeader32(p) : new ProgramHeader(
                BinaryPrimitives.ReadUInt32LittleEndian(p), BinaryPrimitives.ReadUInt32LittleEndian(p[4..]),
                BinaryPrimitives.ReadUInt64LittleEndian(p[8..]), BinaryPrimitives.ReadUInt64LittleEndian(p[16..]),
                BinaryPrimitives.ReadUInt64LittleEndian(p[32..]), BinaryPrimitives.ReadUInt64LittleEndian(p[40..]),
                BinaryPrimitives.ReadUInt64LittleEndian(p[48..]));
            if (ph.Type == ProgramHeader.PT_LOAD && (!Within(ph.Offset, ph.FileSize, data.Length) || ph.FileSize > ph.MemorySize))
                throw new BadExecutableException($"{name}: truncated or corrupt ELF (segment {i} lies outside the file)");
            if (ph.Type == ProgramHeader.PT_INTERP)
            {
                if (!Within(ph.Offset, ph.FileSize, data.Length))
                    throw new BadExecutableException($"{name}: truncated ELF interpreter path");
                // binfmt_elf: 2 to PATH_MAX bytes ending in NUL, else ENOEXEC.
                var path = s.Slice((int)ph.Offset, (int)ph.FileSize);
                if (path.Length is < 2 or > 4096 || path[^1] != 0)
                    throw new BadExecutableException($"{name}: corrupt ELF interpreter path");
                Interpreter = Vfs.GuestNames.FromBytes(path[..path.IndexOf((byte)0)]);
            }
            headers.Add(ph);
        }
        if (!headers.Any(h => h.Type == ProgramHeader.PT_LOAD))
            throw new BadExecutableException($"{name}: ELF has no loadable segments");
        ProgramHeaders = headers;
    }

    /// <summary>An Elf32_Phdr: type, offset, vaddr, paddr, filesz, memsz, flags, align (all 32-bit; flags after the sizes).</summary>
    static ProgramHeader ReadHeader32(ReadOnlySpan<byte> p) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(p), BinaryPrimitives.ReadUInt32LittleEndian(p[24..]),
        BinaryPrimitives.ReadUInt32LittleEndian(p[4..]), BinaryPrimitives.ReadUInt32LittleEndian(p[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(p[16..]), BinaryPrimitives.ReadUInt32LittleEndian(p[20..]),
        BinaryPrimitives.ReadUInt32LittleEndian(p[28..]));

    /// <summary>[offset, offset+size) lies inside a file of <paramref name="length"/> bytes (without the sum wrapping around).</summary>
    static bool Within(ulong offset, ulong size, int length) => offset <= (ulong)length && size <= (ulong)length - offset;

    static string MachineName(ushort m) => m switch
    {
        3 => "i386", 40 => "ARM", 183 => "AArch64", 243 => "RISC-V", 8 => "MIPS", 20 => "PowerPC", 21 => "PowerPC64",
        _ => $"machine {m}",
    };
}
