using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>SSE4.2 other than the string compares (<see cref="Sse42String"/>): PCMPGTQ and CRC32 (SDM Vol. 2).</summary>
[InstructionFamily]
static class Sse42
{
    static readonly Type Self = typeof(Sse42);

    static void Register(InstructionTable t)
    {
        t.AddWithVex(Mnemonic.Pcmpgtq, SseBind.Binary<CmpGtQ>());
        // CRC32 r32/r64, r/m8/16/32/64: T is the source size; a 64-bit destination gets the CRC zero-extended.
        t.Add(Mnemonic.Crc32, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            Handlers.Get(Self, nameof(Crc32), OperandDecoder.UnsignedType(OperandDecoder.OperandSize(insn, 1)), o[1]));
    }

    public struct CmpGtQ : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.GreaterThan(a.AsInt64(), b.AsInt64()).AsByte();
    }

    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), no pre/post inversion, bytes low first; flags unchanged.</summary>
    public static void Crc32<T, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where S : IOperand
    {
        ulong data = ulong.CreateTruncating(S.Read<T>(c, ref op));
        uint crc = GprAccess.Read<uint>(c, op.R1);
        for (int i = 0; i < Unsafe.SizeOf<T>(); i++) crc = Table[(crc ^ (byte)(data >> (8 * i))) & 0xFF] ^ (crc >> 8);
        GprAccess.Write(c, op.R1, crc);
    }

    static readonly uint[] Table = MakeTable();

    static uint[] MakeTable()
    {
        var t = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint v = i;
            for (int k = 0; k < 8; k++) v = (v & 1) != 0 ? (v >> 1) ^ 0x82F63B78u : v >> 1;
            t[i] = v;
        }
        return t;
    }
}
