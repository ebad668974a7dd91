using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// AVX2 gathers (SDM Vol. 2 VPGATHERDD/DQ/QD/QQ, VGATHERDPS/DPD/QPS/QPD): element i of the destination is loaded from
/// base + sign-extended index element i · scale + displacement when the sign bit of mask element i is set. Elements are
/// loaded in order, each clearing its mask element, so a fault leaves the completed elements loaded and the rest of the
/// mask as it was (the instruction restarts from there, as on hardware). Afterwards the whole mask is zero and destination
/// elements beyond the index count are zeroed. The same register as two of destination, index and mask is #UD.
/// </summary>
[InstructionFamily]
static class Avx2Gather
{
    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Vpgatherdd, Bind<uint, uint>());
        t.Add(Mnemonic.Vgatherdps, Bind<uint, uint>());
        t.Add(Mnemonic.Vpgatherdq, Bind<uint, ulong>());
        t.Add(Mnemonic.Vgatherdpd, Bind<uint, ulong>());
        t.Add(Mnemonic.Vpgatherqd, Bind<ulong, uint>());
        t.Add(Mnemonic.Vgatherqps, Bind<ulong, uint>());
        t.Add(Mnemonic.Vpgatherqq, Bind<ulong, ulong>());
        t.Add(Mnemonic.Vgatherqpd, Bind<ulong, ulong>());
    }

    /// <summary>Index element type <typeparamref name="TIndex"/>, data element type <typeparamref name="TData"/>.</summary>
    static Binder Bind<TIndex, TData>() where TIndex : unmanaged, IBinaryInteger<TIndex> where TData : unmanaged, IBinaryInteger<TData> =>
        (in Instruction insn, ref DecodedOp op, Type[] o) =>
        {
            if (o.Length != 3 || o[1] != typeof(Mem)) return 0;
            Register index = insn.MemoryIndex;
            int dest = OperandDecoder.VectorIndex(insn.Op0Register), mask = OperandDecoder.VectorIndex(insn.Op2Register);
            int idx = OperandDecoder.VectorIndex(index);
            if (dest == mask || dest == idx || mask == idx) return 0;
            op.Imm2 = (ulong)idx;
            op.Index = RegisterFile.Zero; // the vector index is applied per element
            Type destWidth = insn.Op0Register.IsYMM() ? typeof(W256) : typeof(W128);
            Type indexWidth = index.IsYMM() ? typeof(W256) : typeof(W128);
            return Handlers.Get(typeof(Avx2Gather), nameof(Gather), typeof(TIndex), typeof(TData), destWidth, indexWidth);
        };

    public static void Gather<TIndex, TData, WD, WI>(Cpu c, ref DecodedOp op)
        where TIndex : unmanaged, IBinaryInteger<TIndex> where TData : unmanaged, IBinaryInteger<TData>
        where WD : struct, IWidth where WI : struct, IWidth
    {
        int data = Unsafe.SizeOf<TData>(), indexSize = Unsafe.SizeOf<TIndex>();
        int count = Math.Min(16 * WD.Lanes / data, 16 * WI.Lanes / indexSize);
        ulong baseAddress = c.EffectiveAddress(ref op);
        Vector256<byte> index = YmmAccess.Read<WI>(c, (byte)op.Imm2);
        for (int i = 0; i < count; i++)
        {
            Vector256<byte> mask = YmmAccess.Read<WD>(c, op.R2);
            ref TData m = ref Unsafe.Add(ref Unsafe.As<Vector256<byte>, TData>(ref mask), i);
            if (((ulong.CreateTruncating(m) >> (data * 8 - 1)) & 1) == 0) continue;
            TIndex x = Unsafe.Add(ref Unsafe.As<Vector256<byte>, TIndex>(ref index), i);
            long offset = indexSize == 4 ? (int)uint.CreateTruncating(x) : long.CreateTruncating(x);
            ulong address = (baseAddress + ((ulong)offset << op.Scale)) & op.EaMask;
            TData value = c.Memory.Read<TData>(address);
            Vector256<byte> d = YmmAccess.Read<WD>(c, op.R1);
            Unsafe.Add(ref Unsafe.As<Vector256<byte>, TData>(ref d), i) = value;
            m = TData.Zero;
            YmmAccess.Write<WD>(c, op.R1, d);
            YmmAccess.Write<WD>(c, op.R2, mask);
        }
        Vector256<byte> result = YmmAccess.Read<WD>(c, op.R1);
        for (int i = count; i < 32 / data; i++) Unsafe.Add(ref Unsafe.As<Vector256<byte>, TData>(ref result), i) = TData.Zero;
        YmmAccess.Write<WD>(c, op.R1, result);
        YmmAccess.Write<WD>(c, op.R2, Vector256<byte>.Zero);
    }
}
