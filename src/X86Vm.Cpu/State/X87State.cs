using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using X86Vm.Cpu.Float;

namespace X86Vm.Cpu.State;

/// <summary>The eight physical x87 data registers R0–R7.</summary>
[InlineArray(8)]
public struct X87Registers
{
    Float80 _element;
}

/// <summary>
/// x87 FPU state (Intel SDM Vol. 1 §8.1): eight physical registers, TOP, status word, control word and
/// tag word. The tag word is kept as "empty or not" per physical register; the full 2-bit tag
/// (valid/zero/special/empty) is derived from the register contents when stored (FSTENV/FSAVE), as
/// processors since the Pentium Pro do. FIP/FDP/FOP are not tracked: they are stored as zeros (an AMD
/// CPU stores zeros as well while no exception is pending).
/// </summary>
public sealed class X87State
{
    public X87Registers Regs;
    /// <summary>TOP (0–7): the physical register that is ST(0).</summary>
    public int Top;
    /// <summary>Status word without TOP (bits 13:11) and without ES/B (derived: see <see cref="StatusWord"/>).</summary>
    public ushort Status;
    public ushort Control = 0x037F;

    /// <summary>A control word as loaded: reserved bits 15:13 and 7 read as zero, bit 6 as one.</summary>
    public static ushort CanonicalControl(ushort value) => (ushort)((value & 0x1F3F) | 0x40);
    /// <summary>Bit i set: physical register i is not empty (the FXSAVE abridged tag format).</summary>
    public byte Valid;
    public ulong Fip, Fdp;
    public ushort Fop;

    /// <summary>
    /// The architectural status word: TOP inserted, and ES and B set whenever an exception flag is set
    /// whose mask bit is clear (so FLDCW unmasking a raised exception makes it pending, as on hardware).
    /// </summary>
    public ushort StatusWord
    {
        get
        {
            int s = (Status & 0x47FF & ~0x80) | (Top << 11);
            if ((Status & ~Control & 0x3F) != 0) s |= 0x8080;
            return (ushort)s;
        }
        set
        {
            Status = (ushort)(value & 0x477F);
            Top = (value >> 11) & 7;
        }
    }

    /// <summary>True when an unmasked exception is pending: the next waiting x87 instruction raises #MF.</summary>
    public bool ExceptionPending => (Status & ~Control & 0x3F) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Physical(int i) => (Top + i) & 7;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref Float80 St(int i) => ref Regs[(Top + i) & 7];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsEmpty(int i) => (Valid & (1 << ((Top + i) & 7))) == 0;

    /// <summary>Writes ST(i) and marks it valid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int i, Float80 value)
    {
        int p = (Top + i) & 7;
        Regs[p] = value;
        Valid |= (byte)(1 << p);
    }

    /// <summary>Decrements TOP and writes the new ST(0).</summary>
    public void Push(Float80 value)
    {
        Top = (Top - 1) & 7;
        Set(0, value);
    }

    /// <summary>Marks ST(0) empty and increments TOP.</summary>
    public void Pop()
    {
        Valid &= (byte)~(1 << Top);
        Top = (Top + 1) & 7;
    }

    public void Free(int i) => Valid &= (byte)~(1 << ((Top + i) & 7));

    /// <summary>FNINIT: control 0x037F, status 0, all registers empty, pointers cleared (register contents are kept).</summary>
    public void Init()
    {
        Control = 0x037F;
        Status = 0;
        Top = 0;
        Valid = 0;
        Fip = Fdp = 0;
        Fop = 0;
    }

    /// <summary>The 2-bit tag of physical register p: 0 valid, 1 zero, 2 special (NaN, ∞, denormal, unsupported), 3 empty.</summary>
    public int Tag(int p)
    {
        if ((Valid & (1 << p)) == 0) return 3;
        Float80 v = Regs[p];
        int e = v.BiasedExponent;
        if (e == 0x7FFF) return 2;
        if (e == 0) return v.Significand == 0 ? 1 : 2;
        return (v.Significand >> 63) != 0 ? 0 : 2;
    }

    public ushort TagWord
    {
        get
        {
            int t = 0;
            for (int p = 0; p < 8; p++) t |= Tag(p) << (2 * p);
            return (ushort)t;
        }
        set
        {
            Valid = 0;
            for (int p = 0; p < 8; p++)
                if (((value >> (2 * p)) & 3) != 3) Valid |= (byte)(1 << p);
        }
    }

    // ---------------------------------------------------------------- memory images

    /// <summary>The x87 part of an FXSAVE image (bytes 0–159); MXCSR and XMM are the caller's.</summary>
    public void SaveFxsave(Span<byte> image, bool rexW)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(image, Control);
        BinaryPrimitives.WriteUInt16LittleEndian(image[2..], StatusWord);
        image[4] = Valid;
        image[5] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(image[6..], Fop);
        if (rexW)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(image[8..], Fip);
            BinaryPrimitives.WriteUInt64LittleEndian(image[16..], Fdp);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(image[8..], (uint)Fip);
            BinaryPrimitives.WriteUInt64LittleEndian(image[16..], (uint)Fdp);
        }
        for (int i = 0; i < 8; i++)
        {
            Span<byte> slot = image.Slice(32 + 16 * i, 16);
            Float80 v = St(i);
            BinaryPrimitives.WriteUInt64LittleEndian(slot, v.Significand);
            BinaryPrimitives.WriteUInt16LittleEndian(slot[8..], v.SignExponent);
            slot[10..].Clear();
        }
    }

    public void LoadFxsave(ReadOnlySpan<byte> image, bool rexW)
    {
        Control = CanonicalControl(BinaryPrimitives.ReadUInt16LittleEndian(image));
        StatusWord = BinaryPrimitives.ReadUInt16LittleEndian(image[2..]);
        Valid = image[4];
        Fop = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(image[6..]) & 0x7FF);
        Fip = rexW ? BinaryPrimitives.ReadUInt64LittleEndian(image[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(image[8..]);
        Fdp = rexW ? BinaryPrimitives.ReadUInt64LittleEndian(image[16..]) : BinaryPrimitives.ReadUInt32LittleEndian(image[16..]);
        for (int i = 0; i < 8; i++)
        {
            ReadOnlySpan<byte> slot = image.Slice(32 + 16 * i, 10);
            St(i) = new Float80(BinaryPrimitives.ReadUInt16LittleEndian(slot[8..]), BinaryPrimitives.ReadUInt64LittleEndian(slot));
        }
    }

    /// <summary>The 28-byte protected-mode environment (FNSTENV/FNSAVE in 32/64-bit mode).</summary>
    public void SaveEnvironment(Span<byte> env)
    {
        env[..28].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(env, 0xFFFF0000u | Control);
        BinaryPrimitives.WriteUInt32LittleEndian(env[4..], 0xFFFF0000u | StatusWord);
        BinaryPrimitives.WriteUInt32LittleEndian(env[8..], 0xFFFF0000u | TagWord);
        BinaryPrimitives.WriteUInt32LittleEndian(env[12..], (uint)Fip);
        BinaryPrimitives.WriteUInt32LittleEndian(env[16..], (uint)Fop << 16);
        BinaryPrimitives.WriteUInt32LittleEndian(env[20..], (uint)Fdp);
        BinaryPrimitives.WriteUInt32LittleEndian(env[24..], 0xFFFF0000u);
    }

    /// <summary>
    /// The 14-byte environment of FNSTENV/FNSAVE with a 66h prefix (SDM Vol. 1 Figure 8-10, 16-bit protected mode):
    /// FCW, FSW, FTW, FIP[15:0], FCS, FDP[15:0], FDS, no opcode. Selectors and pointers are stored as 0, as in the
    /// 28-byte layout (not tracked: docs/x87.md).
    /// </summary>
    public void SaveEnvironment16(Span<byte> env)
    {
        env[..14].Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(env, Control);
        BinaryPrimitives.WriteUInt16LittleEndian(env[2..], StatusWord);
        BinaryPrimitives.WriteUInt16LittleEndian(env[4..], TagWord);
        BinaryPrimitives.WriteUInt16LittleEndian(env[6..], (ushort)Fip);
        BinaryPrimitives.WriteUInt16LittleEndian(env[10..], (ushort)Fdp);
    }

    /// <summary>FLDENV/FRSTOR with 66h: the 14-byte layout of <see cref="SaveEnvironment16"/>; FOP becomes 0 (as on the reference CPU).</summary>
    public void LoadEnvironment16(ReadOnlySpan<byte> env)
    {
        Control = CanonicalControl(BinaryPrimitives.ReadUInt16LittleEndian(env));
        StatusWord = BinaryPrimitives.ReadUInt16LittleEndian(env[2..]);
        TagWord = BinaryPrimitives.ReadUInt16LittleEndian(env[4..]);
        Fip = BinaryPrimitives.ReadUInt16LittleEndian(env[6..]);
        Fop = 0;
        Fdp = BinaryPrimitives.ReadUInt16LittleEndian(env[10..]);
    }

    public void LoadEnvironment(ReadOnlySpan<byte> env)
    {
        Control = CanonicalControl(BinaryPrimitives.ReadUInt16LittleEndian(env));
        StatusWord = BinaryPrimitives.ReadUInt16LittleEndian(env[4..]);
        TagWord = BinaryPrimitives.ReadUInt16LittleEndian(env[8..]);
        Fip = BinaryPrimitives.ReadUInt32LittleEndian(env[12..]);
        Fop = (ushort)((BinaryPrimitives.ReadUInt32LittleEndian(env[16..]) >> 16) & 0x7FF);
        Fdp = BinaryPrimitives.ReadUInt32LittleEndian(env[20..]);
    }

    public X87State Clone()
    {
        var c = (X87State)MemberwiseClone();
        return c;
    }
}
