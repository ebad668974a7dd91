using System.Buffers.Binary;

namespace X86Vm.Fuzz;

/// <summary>
/// Structure-aware damage to an ELF file: header and program-header fields set to edge values (huge sizes, offsets
/// past the end, addresses outside user space, overlaps, bad alignments, absurd counts), plus byte flips and
/// truncation for whatever the fields miss.
/// </summary>
public static class ElfMutator
{
    static readonly uint[] SegmentTypes =
        [Segment.PT_LOAD, Segment.PT_LOAD, Segment.PT_INTERP, Segment.PT_PHDR, Segment.PT_TLS, Segment.PT_DYNAMIC, Segment.PT_GNU_STACK, 0, 0x70000000];

    public static byte[] Mutate(byte[] file, Rng r, int mutations)
    {
        byte[] f = (byte[])file.Clone();
        for (int m = 0; m < mutations; m++)
        {
            switch (r.Next(10))
            {
                case 0: f = PatchHeader(f, r); break;
                case 1: case 2: case 3: case 4: f = PatchProgramHeader(f, r); break;
                case 5: if (f.Length > 0) f[r.Next(Math.Min(f.Length, 512))] ^= (byte)(1 << r.Next(8)); break;
                case 6: if (f.Length > 0) f[r.Next(f.Length)] = r.NextByte(); break;
                case 7: f = f[..r.Next(f.Length + 1)]; break;
                case 8: f = [.. f, .. Noise(r, r.Next(8192))]; break;
                default: f = CopyProgramHeader(f, r); break;
            }
        }
        return f;
    }

    static byte[] Noise(Rng r, int n)
    {
        var b = new byte[n];
        r.Fill(b);
        return b;
    }

    static int ProgramHeaderCount(byte[] f) => f.Length >= 64 ? BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(ElfWriter.E_PHNUM)) : 0;

    static byte[] PatchHeader(byte[] f, Rng r)
    {
        if (f.Length < 64) return f;
        Span<byte> s = f;
        switch (r.Next(5))
        {
            case 0: BinaryPrimitives.WriteUInt16LittleEndian(s[ElfWriter.E_TYPE..], r.Pick<ushort>([0, 1, 2, 3, 4, 0xFFFF])); break;
            case 1: BinaryPrimitives.WriteUInt64LittleEndian(s[ElfWriter.E_ENTRY..], GuestLayout.Value(r)); break;
            case 2:
                BinaryPrimitives.WriteUInt64LittleEndian(s[ElfWriter.E_PHOFF..],
                    r.Pick<ulong>([0, 1, 63, (ulong)f.Length, (ulong)f.Length - 56, (ulong)f.Length - 1, r.Pick(GuestLayout.SpecialNumbers)]));
                break;
            case 3: BinaryPrimitives.WriteUInt16LittleEndian(s[ElfWriter.E_PHENTSIZE..], r.Pick<ushort>([0, 1, 55, 56, 57, 64, 0xFFFF])); break;
            default: BinaryPrimitives.WriteUInt16LittleEndian(s[ElfWriter.E_PHNUM..], r.Pick<ushort>([0, 1, 2, 3, 5, 100, 0xFFFF])); break;
        }
        return f;
    }

    static byte[] PatchProgramHeader(byte[] f, Rng r)
    {
        int n = ProgramHeaderCount(f);
        if (n == 0) return f;
        int at = ElfWriter.PhdrOffset(r.Next(Math.Min(n, 16)));
        if (at + ElfWriter.PhdrSize > f.Length) return f;
        Span<byte> p = f.AsSpan(at);
        ulong Other(int field) // another header's field: the source of overlaps and near-misses
        {
            int other = ElfWriter.PhdrOffset(r.Next(Math.Min(n, 16)));
            return other + ElfWriter.PhdrSize <= f.Length ? BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan(other + field)) : 0;
        }
        switch (r.Next(7))
        {
            case 0: BinaryPrimitives.WriteUInt32LittleEndian(p[ElfWriter.P_TYPE..], r.Chance(90) ? r.Pick(SegmentTypes) : (uint)r.NextU64()); break;
            case 1: BinaryPrimitives.WriteUInt32LittleEndian(p[ElfWriter.P_FLAGS..], r.Chance(80) ? (uint)r.Next(8) : (uint)r.NextU64()); break;
            case 2:
                BinaryPrimitives.WriteUInt64LittleEndian(p[ElfWriter.P_OFFSET..],
                    r.Chance(50) ? r.Pick(GuestLayout.SpecialNumbers) : (ulong)r.Next(f.Length + 8));
                break;
            case 3:
                BinaryPrimitives.WriteUInt64LittleEndian(p[ElfWriter.P_VADDR..], r.Next(3) switch
                {
                    0 => r.Pick(GuestLayout.SpecialAddresses),
                    1 => Other(ElfWriter.P_VADDR) + (ulong)(r.Next(0x3000) - 0x1800),
                    _ => GuestLayout.Value(r),
                });
                break;
            case 4:
                BinaryPrimitives.WriteUInt64LittleEndian(p[ElfWriter.P_FILESZ..],
                    r.Chance(50) ? r.Pick(GuestLayout.SpecialNumbers) : (ulong)r.Next(f.Length + 8));
                break;
            case 5:
                BinaryPrimitives.WriteUInt64LittleEndian(p[ElfWriter.P_MEMSZ..],
                    r.Chance(50) ? r.Pick(GuestLayout.SpecialNumbers) : Other(ElfWriter.P_FILESZ) + (ulong)r.Next(0x10000));
                break;
            default: BinaryPrimitives.WriteUInt64LittleEndian(p[ElfWriter.P_ALIGN..], r.Pick(GuestLayout.SpecialNumbers)); break;
        }
        return f;
    }

    /// <summary>One program header copied over another: duplicate and overlapping segments, two PT_INTERPs.</summary>
    static byte[] CopyProgramHeader(byte[] f, Rng r)
    {
        int n = Math.Min(ProgramHeaderCount(f), 16);
        if (n < 2) return f;
        int from = ElfWriter.PhdrOffset(r.Next(n)), to = ElfWriter.PhdrOffset(r.Next(n));
        if (Math.Max(from, to) + ElfWriter.PhdrSize > f.Length) return f;
        f.AsSpan(from, ElfWriter.PhdrSize).CopyTo(f.AsSpan(to));
        return f;
    }
}
