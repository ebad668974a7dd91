using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// Element access for operations written once over their element type (SSSE3, SSE4.1, SSE4.2): a 128-bit
/// value viewed as <c>16 / sizeof(T)</c> lanes of <typeparamref name="T"/>, lane 0 in the low bits.
/// </summary>
public static class Lane<T> where T : unmanaged, IBinaryInteger<T>
{
    public static int Count => 16 / Unsafe.SizeOf<T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Get(Vector128<byte> v, int i) => v.As<byte, T>().GetElement(i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref T At(ref Vector128<byte> v, int i) => ref Unsafe.Add(ref Unsafe.As<Vector128<byte>, T>(ref v), i);

    /// <summary>The lane as a signed or unsigned 64-bit value, as <typeparamref name="T"/> is signed or not.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Wide(Vector128<byte> v, int i) => long.CreateTruncating(Get(v, i));

    /// <summary>True when <typeparamref name="T"/> is a signed type (sbyte, short, int, long).</summary>
    public static bool Signed => T.IsNegative(T.Zero - T.One);
}

/// <summary>A combining operation on two elements (horizontal adds, blends…).</summary>
public interface IElementOp
{
    static abstract T Apply<T>(T x, T y) where T : unmanaged, IBinaryInteger<T>;
}

/// <summary>Wrapping addition.</summary>
public struct AddWrap : IElementOp
{
    public static T Apply<T>(T x, T y) where T : unmanaged, IBinaryInteger<T> => unchecked(x + y);
}

/// <summary>Wrapping subtraction x − y.</summary>
public struct SubWrap : IElementOp
{
    public static T Apply<T>(T x, T y) where T : unmanaged, IBinaryInteger<T> => unchecked(x - y);
}

/// <summary>Addition saturated to <c>T</c>'s range (signed T: signed saturation).</summary>
public struct AddSat : IElementOp
{
    public static T Apply<T>(T x, T y) where T : unmanaged, IBinaryInteger<T> =>
        T.CreateSaturating(long.CreateTruncating(x) + long.CreateTruncating(y));
}

/// <summary>Subtraction x − y saturated to <c>T</c>'s range.</summary>
public struct SubSat : IElementOp
{
    public static T Apply<T>(T x, T y) where T : unmanaged, IBinaryInteger<T> =>
        T.CreateSaturating(long.CreateTruncating(x) - long.CreateTruncating(y));
}
