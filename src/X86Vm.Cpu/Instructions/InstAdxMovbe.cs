using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions;

/// <summary>
/// ADX (ADCX: add with CF, writes only CF; ADOX: add with OF as the carry, writes only OF) and MOVBE (a
/// byte-swapping load or store), SDM Vol. 2. Both are legacy-encoded general-register instructions.
/// </summary>
[InstructionFamily]
static class InstAdxMovbe
{
    static readonly Type Self = typeof(InstAdxMovbe);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Adcx, Bind.Sized(Self, nameof(Adcx)));
        t.Add(Mnemonic.Adox, Bind.Sized(Self, nameof(Adox)));
        t.Add(Mnemonic.Movbe, Bind.Sized(Self, nameof(Movbe)));
    }

    public static void Adcx<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand =>
        AddWithCarryFlag<T, D, S>(c, ref op, RFlags.CF);

    public static void Adox<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand =>
        AddWithCarryFlag<T, D, S>(c, ref op, RFlags.OF);

    /// <summary>dest = dest + src + flag; the carry out goes to that flag alone, the others are unchanged.</summary>
    static void AddWithCarryFlag<T, D, S>(Cpu c, ref DecodedOp op, ulong flag) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        ulong a = ulong.CreateTruncating(D.Read<T>(c, ref op)), b = ulong.CreateTruncating(S.Read<T>(c, ref op));
        ulong carryIn = (c.StatusFlags & flag) != 0 ? 1UL : 0;
        UInt128 sum = (UInt128)a + b + carryIn;
        int bits = Unsafe.SizeOf<T>() * 8;
        D.Write(c, ref op, T.CreateTruncating((ulong)sum));
        c.SetStatusFlags((sum >> bits) != 0 ? flag : 0, flag);
    }

    /// <summary>MOVBE r, m / m, r: the operand's bytes reversed (16, 32 or 64 bits; a 16-bit register keeps its upper bits).</summary>
    public static void Movbe<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        T v = S.Read<T>(c, ref op);
        D.Write(c, ref op, Swap(v));
    }

    static T Swap<T>(T v) where T : unmanaged, IBinaryInteger<T> => Unsafe.SizeOf<T>() switch
    {
        2 => T.CreateTruncating(BinaryPrimitives.ReverseEndianness(ushort.CreateTruncating(v))),
        4 => T.CreateTruncating(BinaryPrimitives.ReverseEndianness(uint.CreateTruncating(v))),
        _ => T.CreateTruncating(BinaryPrimitives.ReverseEndianness(ulong.CreateTruncating(v))),
    };
}
