using System.Runtime.CompilerServices;
using System.Numerics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Flags;

namespace X86Vm.Cpu.Instructions;

/// <summary>
/// Integer arithmetic and logic: ADD ADC SUB SBB AND OR XOR CMP TEST INC DEC NEG NOT (SDM Vol. 2).
/// Each is written once, generic over operand size T and operand kinds D (destination) and S (source).
/// LOCK needs no extra work: guest threads never run in parallel within one VM.
/// </summary>
[InstructionFamily]
static class InstAlu
{
    static void Register(InstructionTable t)
    {
        foreach (var (m, name) in new[]
                 {
                     (Mnemonic.Add, nameof(Add)), (Mnemonic.Adc, nameof(Adc)), (Mnemonic.Sub, nameof(Sub)),
                     (Mnemonic.Sbb, nameof(Sbb)), (Mnemonic.And, nameof(And)), (Mnemonic.Or, nameof(Or)),
                     (Mnemonic.Xor, nameof(Xor)), (Mnemonic.Cmp, nameof(Cmp)), (Mnemonic.Test, nameof(Test)),
                     (Mnemonic.Inc, nameof(Inc)), (Mnemonic.Dec, nameof(Dec)), (Mnemonic.Neg, nameof(Neg)),
                     (Mnemonic.Not, nameof(Not)),
                 })
            t.Add(m, Bind.SizedWithFlags(typeof(InstAlu), name));
    }

    static ulong U<T>(T v) where T : IBinaryInteger<T> => ulong.CreateTruncating(v);

    [MethodImpl(Hot.Handler)]
    public static void Add<T, D, S, F>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where F : IFlagsMode
    {
        T a = D.Read<T>(c, ref op), b = S.Read<T>(c, ref op), r = a + b;
        D.Write(c, ref op, r);
        if (F.Live) c.SetFlags(FlagOp.Add, LazyFlags.SizeLog2<T>(), U(a), U(b), U(r));
    }

    [MethodImpl(Hot.Handler)]
    public static void Adc<T, D, S, F>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where F : IFlagsMode
    {
        bool carry = c.Carry;
        T a = D.Read<T>(c, ref op), b = S.Read<T>(c, ref op), r = a + b + (carry ? T.One : T.Zero);
        D.Write(c, ref op, r);
        if (F.Live) c.SetFlags(carry ? FlagOp.Adc : FlagOp.Add, LazyFlags.SizeLog2<T>(), U(a), U(b), U(r));
    }

    [MethodImpl(Hot.Handler)]
    public static void Sub<T, D, S, F>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where F : IFlagsMode
    {
        T a = D.Read<T>(c, ref op), b = S.Read<T>(c, ref op), r = a - b;
        D.Write(c, ref op, r);
        if (F.Live) c.SetFlags(FlagOp.Sub, LazyFlags.SizeLog2<T>(), U(a), U(b), U(r));
    }

    [MethodImpl(Hot.Handler)]
    public static void Sbb<T, D, S, F>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where F : IFlagsMode
    {
        bool borrow = c.Carry;
        T a = D.Read<T>(c, ref op), b = S.Read<T>(c, ref op), r = a - b - (borrow ? T.One : T.Zero);
        D.Write(c, ref op, r);
        if (F.Live) c.SetFlags(borrow ? FlagOp.Sbb : FlagOp.Sub, LazyFlags.SizeLog2<T>(), U(a), U(b), U(r));
    }

    [MethodImpl(Hot.Handler)]
    public static void Cmp<T, D, S, F>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where F : IFlagsMode
    {
        T a = D.Read<T>(c, ref op), b = S.Read<T>(c, ref op);
        if (F.Live) c.SetFlags(FlagOp.Sub, LazyFlags.SizeLog2<T>(), U(a), U(b), U(a - b));
    }

    [MethodImpl(Hot.Handler)]
    public static void And<T, D, S, F>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where F : IFlagsMode
    {
        T r = D.Read<T>(c, ref op) & S.Read<T>(c, ref op);
        D.Write(c, ref op, r);
        if (F.Live) c.SetFlags(FlagOp.Logic, LazyFlags.SizeLog2<T>(), 0, 0, U(r));
    }

    [MethodImpl(Hot.Handler)]
    public static void Or<T, D, S, F>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where F : IFlagsMode
    {
        T r = D.Read<T>(c, ref op) | S.Read<T>(c, ref op);
        D.Write(c, ref op, r);
        if (F.Live) c.SetFlags(FlagOp.Logic, LazyFlags.SizeLog2<T>(), 0, 0, U(r));
    }

    [MethodImpl(Hot.Handler)]
    public static void Xor<T, D, S, F>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where F : IFlagsMode
    {
        T r = D.Read<T>(c, ref op) ^ S.Read<T>(c, ref op);
        D.Write(c, ref op, r);
        if (F.Live) c.SetFlags(FlagOp.Logic, LazyFlags.SizeLog2<T>(), 0, 0, U(r));
    }

    [MethodImpl(Hot.Handler)]
    public static void Test<T, D, S, F>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand where F : IFlagsMode
    {
        T r = D.Read<T>(c, ref op) & S.Read<T>(c, ref op);
        if (F.Live) c.SetFlags(FlagOp.Logic, LazyFlags.SizeLog2<T>(), 0, 0, U(r));
    }

    [MethodImpl(Hot.Handler)]
    public static void Inc<T, D, F>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where F : IFlagsMode
    {
        T a = D.Read<T>(c, ref op), r = a + T.One;
        D.Write(c, ref op, r);
        if (F.Live) c.SetFlagsKeepCarry(FlagOp.Inc, LazyFlags.SizeLog2<T>(), U(a), U(r));
    }

    [MethodImpl(Hot.Handler)]
    public static void Dec<T, D, F>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where F : IFlagsMode
    {
        T a = D.Read<T>(c, ref op), r = a - T.One;
        D.Write(c, ref op, r);
        if (F.Live) c.SetFlagsKeepCarry(FlagOp.Dec, LazyFlags.SizeLog2<T>(), U(a), U(r));
    }

    /// <summary>NEG: flags as for 0 − a (CF set unless a = 0).</summary>
    [MethodImpl(Hot.Handler)]
    public static void Neg<T, D, F>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where F : IFlagsMode
    {
        T a = D.Read<T>(c, ref op), r = T.Zero - a;
        D.Write(c, ref op, r);
        if (F.Live) c.SetFlags(FlagOp.Sub, LazyFlags.SizeLog2<T>(), 0, U(a), U(r));
    }

    [MethodImpl(Hot.Handler)]
    public static void Not<T, D, F>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where F : IFlagsMode =>
        D.Write(c, ref op, ~D.Read<T>(c, ref op));
}
