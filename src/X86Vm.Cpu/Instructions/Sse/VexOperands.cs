using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Memory;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// The vector length of a VEX-encoded instruction (VEX.L): 128 bits (one lane) or 256 bits (two 128-bit lanes).
/// AVX/AVX2 operations on 256 bits act on each 128-bit lane independently unless they say otherwise (SDM Vol. 1
/// §14.1), so one 128-bit operation serves both lengths.
/// </summary>
public interface IWidth
{
    static abstract int Lanes { get; }
}

/// <summary>VEX.128: one lane; a register destination's bits 255:128 are zeroed (SDM Vol. 1 §14.1.2).</summary>
public struct W128 : IWidth
{
    public static int Lanes => 1;
}

/// <summary>VEX.256: two lanes.</summary>
public struct W256 : IWidth
{
    public static int Lanes => 2;
}

/// <summary>
/// A vector operand of a VEX instruction, read and written as 256 bits (<see cref="Vector256{T}"/>: lane 0 in the
/// lower half). A 128-bit (<see cref="W128"/>) read gives zero upper bits; a 128-bit register write zeroes them.
/// Memory kinds access exactly the width's bytes (or their own fixed size, for the narrow kinds).
/// </summary>
public interface IYmmOperand
{
    static abstract Vector256<byte> Read<W>(Cpu c, ref DecodedOp op) where W : struct, IWidth;
    static abstract void Write<W>(Cpu c, ref DecodedOp op, Vector256<byte> value) where W : struct, IWidth;
}

public static class YmmAccess
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Read<W>(Cpu c, byte reg) where W : struct, IWidth =>
        W.Lanes == 1
            ? Vector256.Create(XmmAccess.At(c, reg), Vector128<byte>.Zero)
            : Vector256.Create(XmmAccess.At(c, reg), High(c, reg));

    /// <summary>A VEX register write: bits 255:128 become <paramref name="value"/>'s upper half, or zero for VEX.128.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<W>(Cpu c, byte reg, Vector256<byte> value) where W : struct, IWidth
    {
        XmmAccess.At(c, reg) = value.GetLower();
        High(c, reg) = W.Lanes == 1 ? Vector128<byte>.Zero : value.GetUpper();
    }

    /// <summary>Bits 255:128 of YMM register <paramref name="reg"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref Vector128<byte> High(Cpu c, byte reg) =>
        ref Unsafe.As<UInt128, Vector128<byte>>(ref Unsafe.Add(ref c.YmmHigh[0], reg));

    /// <summary>
    /// Effective address of an operand that must be aligned to its size (VMOVAPS/VMOVDQA/VMOVNT*: SDM Vol. 2 Table
    /// 2-19, #GP for a misaligned 16- or 32-byte operand). Other VEX memory operands have no alignment requirement.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AlignedAddress<W>(Cpu c, ref DecodedOp op) where W : struct, IWidth
    {
        ulong address = c.EffectiveAddress(ref op);
        if ((address & (ulong)(16 * W.Lanes - 1)) != 0) ThrowMisaligned();
        return address;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void ThrowMisaligned() => throw GuestFault.GeneralProtection("misaligned VEX memory operand");
}

/// <summary>The vector register in the first register slot.</summary>
public struct Y1 : IYmmOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Read<W>(Cpu c, ref DecodedOp op) where W : struct, IWidth => YmmAccess.Read<W>(c, op.R1);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<W>(Cpu c, ref DecodedOp op, Vector256<byte> value) where W : struct, IWidth => YmmAccess.Write<W>(c, op.R1, value);
}

/// <summary>The vector register in the second register slot (VEX.vvvv in three-operand forms).</summary>
public struct Y2 : IYmmOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Read<W>(Cpu c, ref DecodedOp op) where W : struct, IWidth => YmmAccess.Read<W>(c, op.R2);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<W>(Cpu c, ref DecodedOp op, Vector256<byte> value) where W : struct, IWidth => YmmAccess.Write<W>(c, op.R2, value);
}

/// <summary>The vector register in the third register slot.</summary>
public struct Y3 : IYmmOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Read<W>(Cpu c, ref DecodedOp op) where W : struct, IWidth => YmmAccess.Read<W>(c, op.R3);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<W>(Cpu c, ref DecodedOp op, Vector256<byte> value) where W : struct, IWidth => YmmAccess.Write<W>(c, op.R3, value);
}

/// <summary>The register in the fourth operand (VEX /is4: imm8[7:4], kept in <see cref="DecodedOp.Imm2"/>).</summary>
public struct Y4 : IYmmOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Read<W>(Cpu c, ref DecodedOp op) where W : struct, IWidth => YmmAccess.Read<W>(c, (byte)op.Imm2);
    public static void Write<W>(Cpu c, ref DecodedOp op, Vector256<byte> value) where W : struct, IWidth =>
        throw new InvalidOperationException("write to an is4 operand");
}

/// <summary>A memory operand of the width's size, no alignment requirement.</summary>
public struct YMem : IYmmOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Read<W>(Cpu c, ref DecodedOp op) where W : struct, IWidth =>
        W.Lanes == 1
            ? Vector256.Create(c.Memory.Read<Vector128<byte>>(c.EffectiveAddress(ref op)), Vector128<byte>.Zero)
            : c.Memory.Read<Vector256<byte>>(c.EffectiveAddress(ref op));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<W>(Cpu c, ref DecodedOp op, Vector256<byte> value) where W : struct, IWidth
    {
        if (W.Lanes == 1) c.Memory.Write(c.EffectiveAddress(ref op), value.GetLower());
        else c.Memory.Write(c.EffectiveAddress(ref op), value);
    }
}

/// <summary>A memory operand of the width's size that must be aligned to it (VMOVAPS, VMOVDQA, VMOVNTDQ…).</summary>
public struct YMemAligned : IYmmOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Read<W>(Cpu c, ref DecodedOp op) where W : struct, IWidth =>
        W.Lanes == 1
            ? Vector256.Create(c.Memory.Read<Vector128<byte>>(YmmAccess.AlignedAddress<W>(c, ref op)), Vector128<byte>.Zero)
            : c.Memory.Read<Vector256<byte>>(YmmAccess.AlignedAddress<W>(c, ref op));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<W>(Cpu c, ref DecodedOp op, Vector256<byte> value) where W : struct, IWidth
    {
        if (W.Lanes == 1) c.Memory.Write(YmmAccess.AlignedAddress<W>(c, ref op), value.GetLower());
        else c.Memory.Write(YmmAccess.AlignedAddress<W>(c, ref op), value);
    }
}

/// <summary>
/// A fixed-size memory operand whatever the width (m8…m128: scalar sources, broadcasts, half-width widening
/// sources), through the legacy kind <typeparamref name="S"/> (<see cref="XMem32"/>, <see cref="XMem64"/>…): read
/// zero-extended into the low lane, written from the low bits.
/// </summary>
public struct YNarrow<S> : IYmmOperand where S : struct, IXmmOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Read<W>(Cpu c, ref DecodedOp op) where W : struct, IWidth =>
        Vector256.Create(S.Read(c, ref op), Vector128<byte>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<W>(Cpu c, ref DecodedOp op, Vector256<byte> value) where W : struct, IWidth =>
        S.Write(c, ref op, value.GetLower());
}

/// <summary>An 8-bit memory operand (VPBROADCASTB m8, VPINSRB): read zero-extended.</summary>
public struct XMem8 : IXmmOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Read(Cpu c, ref DecodedOp op) => Vector128.CreateScalar(c.Memory.Read<byte>(c.EffectiveAddress(ref op)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Cpu c, ref DecodedOp op, Vector128<byte> value) => c.Memory.Write(c.EffectiveAddress(ref op), value.ToScalar());
}

/// <summary>The low quadword of a register operand, zero-extended (VMOVQ xmm1, xmm2).</summary>
public struct YLow64<S> : IYmmOperand where S : struct, IYmmOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Read<W>(Cpu c, ref DecodedOp op) where W : struct, IWidth =>
        Vector256.CreateScalar(S.Read<W128>(c, ref op).AsUInt64().ToScalar()).AsByte();
    public static void Write<W>(Cpu c, ref DecodedOp op, Vector256<byte> value) where W : struct, IWidth =>
        throw new InvalidOperationException("write to a zero-extending source");
}
