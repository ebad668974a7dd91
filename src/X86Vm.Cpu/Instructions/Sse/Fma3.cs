using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Float;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// FMA3 (SDM Vol. 2 VFMADD132PS… VFNMSUB231SD, VFMADDSUB*, VFMSUBADD*): every form is one fused multiply-add of
/// <see cref="FusedMultiplyAdd{F}"/> per element. The digits name which operands are multiplied and which is added
/// (operand 1 is the destination, 2 is VEX.vvvv, 3 is r/m): 132 = op1·op3 + op2, 213 = op2·op1 + op3, 231 = op2·op3 + op1.
/// Scalar forms keep elements above 0 of operand 1 and zero bits 255:128.
/// </summary>
[InstructionFamily]
static class Fma3
{
    static readonly Type Self = typeof(Fma3);

    static void Register(InstructionTable t)
    {
        // (name, negate product, negate addend, alternate: 0 none, 1 addsub (even subtract), 2 subadd (even add))
        foreach (var (name, negP, negC, alt) in new (string, bool, bool, int)[]
                 {
                     ("Vfmadd", false, false, 0), ("Vfmsub", false, true, 0), ("Vfnmadd", true, false, 0), ("Vfnmsub", true, true, 0),
                     ("Vfmaddsub", false, false, 1), ("Vfmsubadd", false, false, 2),
                 })
            foreach (string order in new[] { "132", "213", "231" })
                foreach (string shape in alt == 0 ? new[] { "ps", "pd", "ss", "sd" } : new[] { "ps", "pd" })
                {
                    Mnemonic m = Enum.Parse<Mnemonic>(name + order + shape);
                    Type orderType = order switch { "132" => typeof(Order132), "213" => typeof(Order213), _ => typeof(Order231) };
                    Type signs = typeof(Signs<,,>).MakeGenericType(negP ? typeof(Yes) : typeof(No), negC ? typeof(Yes) : typeof(No),
                        alt switch { 1 => typeof(AddSub), 2 => typeof(SubAdd), _ => typeof(NoAlternation) });
                    bool dbl = shape[1] == 'd', scalar = shape[0] == 's';
                    t.Add(m, (in Instruction insn, ref DecodedOp op, Type[] o) =>
                        o.Length != 3 ? 0
                        : Handlers.Get(Self, scalar ? nameof(Scalar) : nameof(Packed), dbl ? typeof(ulong) : typeof(uint),
                            dbl ? typeof(F64) : typeof(F32), orderType, signs, VexBind.Width(insn),
                            VexBind.Ymm(o[2], scalar ? (dbl ? typeof(YNarrow<XMem64>) : typeof(YNarrow<XMem32>)) : typeof(YMem))));
                }
    }

    public interface IFlag { static abstract bool Value { get; } }
    public struct Yes : IFlag { public static bool Value => true; }
    public struct No : IFlag { public static bool Value => false; }

    /// <summary>How the addend's sign alternates by element: 0 none, 1 FMADDSUB (even elements subtract), 2 FMSUBADD (odd subtract).</summary>
    public interface IAlternation { static abstract int Kind { get; } }
    public struct NoAlternation : IAlternation { public static int Kind => 0; }
    public struct AddSub : IAlternation { public static int Kind => 1; }
    public struct SubAdd : IAlternation { public static int Kind => 2; }

    public interface ISigns
    {
        static abstract bool NegateProduct { get; }
        static abstract bool NegateAddend(int element);
    }

    public struct Signs<P, C, A> : ISigns where P : struct, IFlag where C : struct, IFlag where A : struct, IAlternation
    {
        public static bool NegateProduct => P.Value;
        public static bool NegateAddend(int element) => A.Kind switch
        {
            1 => (element & 1) == 0,
            2 => (element & 1) != 0,
            _ => C.Value,
        };
    }

    /// <summary>Which of operands 1, 2, 3 are the multiplicands and which the addend.</summary>
    public interface IOrder
    {
        static abstract (T, T, T) Pick<T>(T op1, T op2, T op3);
    }

    public struct Order132 : IOrder { public static (T, T, T) Pick<T>(T op1, T op2, T op3) => (op1, op3, op2); }
    public struct Order213 : IOrder { public static (T, T, T) Pick<T>(T op1, T op2, T op3) => (op2, op1, op3); }
    public struct Order231 : IOrder { public static (T, T, T) Pick<T>(T op1, T op2, T op3) => (op2, op3, op1); }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ref T At<T>(ref Vector256<byte> v, int i) where T : unmanaged => ref Unsafe.Add(ref Unsafe.As<Vector256<byte>, T>(ref v), i);

    static T Element<T, F, TOrder, TSigns>(T x1, T x2, T x3, int i, uint mx, ref uint flags)
        where T : unmanaged, IBinaryInteger<T> where F : struct, IFloatFormat where TOrder : struct, IOrder where TSigns : struct, ISigns
    {
        var (a, b, c) = TOrder.Pick(ulong.CreateTruncating(x1), ulong.CreateTruncating(x2), ulong.CreateTruncating(x3));
        return T.CreateTruncating(FusedMultiplyAdd<F>.MulAdd(a, b, c, TSigns.NegateProduct, TSigns.NegateAddend(i), mx, ref flags));
    }

    public static void Packed<T, F, TOrder, TSigns, W, S>(Cpu c, ref DecodedOp op)
        where T : unmanaged, IBinaryInteger<T> where F : struct, IFloatFormat where TOrder : struct, IOrder where TSigns : struct, ISigns
        where W : struct, IWidth where S : struct, IYmmOperand
    {
        Vector256<byte> v3 = S.Read<W>(c, ref op), v1 = Y1.Read<W>(c, ref op), v2 = Y2.Read<W>(c, ref op), r = default;
        uint mx = c.Mxcsr, flags = 0;
        for (int i = 0; i < 16 * W.Lanes / Unsafe.SizeOf<T>(); i++)
            At<T>(ref r, i) = Element<T, F, TOrder, TSigns>(At<T>(ref v1, i), At<T>(ref v2, i), At<T>(ref v3, i), i, mx, ref flags);
        if (flags != 0) Mxcsr.Commit(c, flags, op.Ip);
        YmmAccess.Write<W>(c, op.R1, r);
    }

    public static void Scalar<T, F, TOrder, TSigns, W, S>(Cpu c, ref DecodedOp op)
        where T : unmanaged, IBinaryInteger<T> where F : struct, IFloatFormat where TOrder : struct, IOrder where TSigns : struct, ISigns
        where W : struct, IWidth where S : struct, IYmmOperand
    {
        Vector256<byte> v3 = S.Read<W128>(c, ref op), v1 = Y1.Read<W128>(c, ref op), v2 = Y2.Read<W128>(c, ref op);
        uint flags = 0;
        T x = Element<T, F, TOrder, TSigns>(At<T>(ref v1, 0), At<T>(ref v2, 0), At<T>(ref v3, 0), 0, c.Mxcsr, ref flags);
        if (flags != 0) Mxcsr.Commit(c, flags, op.Ip);
        At<T>(ref v1, 0) = x;
        YmmAccess.Write<W128>(c, op.R1, v1);
    }
}
