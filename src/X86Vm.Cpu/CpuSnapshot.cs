using System.Buffers.Binary;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu;

public sealed partial class Cpu
{
    /// <summary>Bytes of the image <see cref="SaveState"/> writes.</summary>
    public const int StateImageSize = 8 + 8 + 16 * 8 + 8 + 8 + FxsaveImageSize + 16 * 16 + 8 + 8 + 1 + SegmentImageSize;

    /// <summary>The six selectors (2 bytes each) and the three TLS descriptors (base, limit, flags: 4 bytes each).</summary>
    public const int SegmentImageSize = 6 * 2 + Segments.TlsEntries * 12;

    /// <summary>
    /// The CPU's state for a snapshot, between runs: RIP, RFLAGS as the guest reads it (the lazy-flag record is
    /// materialised, not saved), the general registers, FS/GS base, the FXSAVE image (x87, MXCSR, XMM), the YMM upper
    /// halves, the retired count, the run's remaining budget, a pending stop, and the segment selectors and TLS
    /// descriptors. Nothing that only caches: decoded blocks, a pending fault.
    /// </summary>
    public void SaveState(Span<byte> image)
    {
        image[..StateImageSize].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(image, Rip);
        BinaryPrimitives.WriteUInt64LittleEndian(image[8..], Rflags);
        for (int i = 0; i < 16; i++) BinaryPrimitives.WriteUInt64LittleEndian(image[(16 + 8 * i)..], R(i));
        int at = 16 + 16 * 8;
        BinaryPrimitives.WriteUInt64LittleEndian(image[at..], FsBase);
        BinaryPrimitives.WriteUInt64LittleEndian(image[(at + 8)..], GsBase);
        at += 16;
        SaveFxsave(image.Slice(at, FxsaveImageSize));
        at += FxsaveImageSize;
        SaveYmmHigh(image.Slice(at, 16 * 16));
        at += 16 * 16;
        BinaryPrimitives.WriteUInt64LittleEndian(image[at..], Retired);
        BinaryPrimitives.WriteUInt64LittleEndian(image[(at + 8)..], InstructionBudget);
        image[at + 16] = StopRequested ? (byte)1 : (byte)0;
        SaveSegments(image.Slice(at + 17, SegmentImageSize));
    }

    /// <summary>The segment part of the state image (also what the state hash covers).</summary>
    public void SaveSegments(Span<byte> image)
    {
        for (int i = 0; i < 6; i++) BinaryPrimitives.WriteUInt16LittleEndian(image[(2 * i)..], Selectors[i]);
        for (int i = 0; i < Segments.TlsEntries; i++)
        {
            Span<byte> d = image[(12 + 12 * i)..];
            BinaryPrimitives.WriteUInt32LittleEndian(d, Tls[i].Base);
            BinaryPrimitives.WriteUInt32LittleEndian(d[4..], Tls[i].Limit);
            BinaryPrimitives.WriteUInt32LittleEndian(d[8..], Tls[i].Flags);
        }
    }

    /// <summary>
    /// Sets every field of this CPU (which may be an uninitialised instance a snapshot reader made) from an image of
    /// <see cref="SaveState"/>, running in <paramref name="memory"/>. <see cref="Code"/>, <see cref="Syscalls"/> and
    /// <see cref="TimeStampCounter"/> are left for the operating-system layer to bind. False when the image is invalid.
    /// </summary>
    public bool RestoreState(ReadOnlySpan<byte> image, AddressSpace memory)
    {
        if (image.Length != StateImageSize) return false;
        Memory = memory;
        Code = null!;
        Fpu = new X87State();
        PendingFault = null;
        CurrentBlock = null;
        CurrentOpIndex = 0;
        Syscalls = null;
        TimeStampCounter = null;
        Regs = default;
        SegBase = default;
        Xmm = default;
        YmmHigh = default;
        FlagA = FlagB = FlagAux = 0;
        FlagKind2 = 0;
        FlagA2 = FlagB2 = FlagRes2 = FlagAux2 = 0;
        Rip = BinaryPrimitives.ReadUInt64LittleEndian(image);
        Rflags = BinaryPrimitives.ReadUInt64LittleEndian(image[8..]);
        for (int i = 0; i < 16; i++) R(i) = BinaryPrimitives.ReadUInt64LittleEndian(image[(16 + 8 * i)..]);
        int at = 16 + 16 * 8;
        FsBase = BinaryPrimitives.ReadUInt64LittleEndian(image[at..]);
        GsBase = BinaryPrimitives.ReadUInt64LittleEndian(image[(at + 8)..]);
        at += 16;
        if (!LoadFxsave(image.Slice(at, FxsaveImageSize))) return false;
        at += FxsaveImageSize;
        LoadYmmHigh(image.Slice(at, 16 * 16));
        at += 16 * 16;
        Retired = BinaryPrimitives.ReadUInt64LittleEndian(image[at..]);
        InstructionBudget = BinaryPrimitives.ReadUInt64LittleEndian(image[(at + 8)..]);
        StopRequested = image[at + 16] != 0;
        ReadOnlySpan<byte> seg = image.Slice(at + 17, SegmentImageSize);
        for (int i = 0; i < 6; i++) Selectors[i] = BinaryPrimitives.ReadUInt16LittleEndian(seg[(2 * i)..]);
        for (int i = 0; i < Segments.TlsEntries; i++)
        {
            ReadOnlySpan<byte> d = seg[(12 + 12 * i)..];
            Tls[i] = new SegmentDescriptor(BinaryPrimitives.ReadUInt32LittleEndian(d), BinaryPrimitives.ReadUInt32LittleEndian(d[4..]),
                BinaryPrimitives.ReadUInt32LittleEndian(d[8..]));
        }
        return true;
    }

    /// <summary>Bits 255:128 of YMM0–15, 16 bytes each, little-endian (the layout of XSAVE's YMM_Hi128 component).</summary>
    public void SaveYmmHigh(Span<byte> image)
    {
        for (int i = 0; i < 16; i++) BinaryPrimitives.WriteUInt128LittleEndian(image[(16 * i)..], YmmHigh[i]);
    }

    public void LoadYmmHigh(ReadOnlySpan<byte> image)
    {
        for (int i = 0; i < 16; i++) YmmHigh[i] = BinaryPrimitives.ReadUInt128LittleEndian(image[(16 * i)..]);
    }
}
