using System.Numerics;
using System.Runtime.CompilerServices;

namespace X86Vm.Cpu.Decoding;

/// <summary>
/// An operand kind known at decode time. Handlers are generic over these value types, so the JIT
/// compiles one specialised body per (operation, operand kinds, size) and no operand kind is
/// examined at execution time.
/// </summary>
public interface IOperand
{
    static abstract T Read<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T>;
    static abstract void Write<T>(Cpu c, ref DecodedOp op, T value) where T : unmanaged, IBinaryInteger<T>;
}

public static class GprAccess
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref byte At(Cpu c, byte offset) => ref Unsafe.AddByteOffset(ref Unsafe.As<ulong, byte>(ref c.Regs[0]), offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Read<T>(Cpu c, byte offset) where T : unmanaged => Unsafe.ReadUnaligned<T>(ref At(c, offset));

    /// <summary>Writes a GPR; a 32-bit write zero-extends into the upper half (SDM Vol. 1 §3.4.1.1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<T>(Cpu c, byte offset, T value) where T : unmanaged
    {
        if (Unsafe.SizeOf<T>() == 4)
            Unsafe.WriteUnaligned(ref At(c, offset), (ulong)Unsafe.As<T, uint>(ref value));
        else
            Unsafe.WriteUnaligned(ref At(c, offset), value);
    }
}

/// <summary>The first register operand (<see cref="DecodedOp.R1"/>).</summary>
public struct R1 : IOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Read<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> => GprAccess.Read<T>(c, op.R1);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<T>(Cpu c, ref DecodedOp op, T value) where T : unmanaged, IBinaryInteger<T> => GprAccess.Write(c, op.R1, value);
}

/// <summary>The second register operand (<see cref="DecodedOp.R2"/>).</summary>
public struct R2 : IOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Read<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> => GprAccess.Read<T>(c, op.R2);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<T>(Cpu c, ref DecodedOp op, T value) where T : unmanaged, IBinaryInteger<T> => GprAccess.Write(c, op.R2, value);
}

/// <summary>The third register operand (<see cref="DecodedOp.R3"/>).</summary>
public struct R3 : IOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Read<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> => GprAccess.Read<T>(c, op.R3);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<T>(Cpu c, ref DecodedOp op, T value) where T : unmanaged, IBinaryInteger<T> => GprAccess.Write(c, op.R3, value);
}

/// <summary>The memory operand.</summary>
public struct Mem : IOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Read<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> => c.Memory.Read<T>(c.EffectiveAddress(ref op));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<T>(Cpu c, ref DecodedOp op, T value) where T : unmanaged, IBinaryInteger<T> => c.Memory.Write(c.EffectiveAddress(ref op), value);
}

/// <summary>The immediate (<see cref="DecodedOp.Imm"/>), truncated to the operand size.</summary>
public struct Imm : IOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Read<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> => T.CreateTruncating(op.Imm);
    public static void Write<T>(Cpu c, ref DecodedOp op, T value) where T : unmanaged, IBinaryInteger<T> =>
        throw new InvalidOperationException("write to an immediate operand");
}

/// <summary>The constant 1 (the implicit count of the D0/D1 shift forms).</summary>
public struct One : IOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Read<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> => T.One;
    public static void Write<T>(Cpu c, ref DecodedOp op, T value) where T : unmanaged, IBinaryInteger<T> =>
        throw new InvalidOperationException("write to a constant operand");
}

