using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// Packed integer arithmetic (SDM Vol. 2): PADDB/W/D/Q PSUBB/W/D/Q, saturating PADDUSB/W PSUBUSB/W PADDSB/W
/// PSUBSB/W, PAVGB/W, PSADBW, PMULLW PMULHW PMULHUW PMULUDQ PMADDWD. All wrap or saturate exactly as
/// specified; nothing here depends on the host's vector unit.
/// </summary>
[InstructionFamily]
static class SseIntegerArith
{
    static void Register(InstructionTable t)
    {
        t.AddWithVex(Mnemonic.Paddb, SseBind.Binary<AddB>());
        t.AddWithVex(Mnemonic.Paddw, SseBind.Binary<AddW>());
        t.AddWithVex(Mnemonic.Paddd, SseBind.Binary<AddD>());
        t.AddWithVex(Mnemonic.Paddq, SseBind.Binary<AddQ>());
        t.AddWithVex(Mnemonic.Psubb, SseBind.Binary<SubB>());
        t.AddWithVex(Mnemonic.Psubw, SseBind.Binary<SubW>());
        t.AddWithVex(Mnemonic.Psubd, SseBind.Binary<SubD>());
        t.AddWithVex(Mnemonic.Psubq, SseBind.Binary<SubQ>());
        t.AddWithVex(Mnemonic.Paddusb, SseBind.Binary<AddUSB>());
        t.AddWithVex(Mnemonic.Paddusw, SseBind.Binary<AddUSW>());
        t.AddWithVex(Mnemonic.Psubusb, SseBind.Binary<SubUSB>());
        t.AddWithVex(Mnemonic.Psubusw, SseBind.Binary<SubUSW>());
        t.AddWithVex(Mnemonic.Paddsb, SseBind.Binary<AddSB>());
        t.AddWithVex(Mnemonic.Paddsw, SseBind.Binary<AddSW>());
        t.AddWithVex(Mnemonic.Psubsb, SseBind.Binary<SubSB>());
        t.AddWithVex(Mnemonic.Psubsw, SseBind.Binary<SubSW>());
        t.AddWithVex(Mnemonic.Pavgb, SseBind.Binary<AvgB>());
        t.AddWithVex(Mnemonic.Pavgw, SseBind.Binary<AvgW>());
        t.AddWithVex(Mnemonic.Psadbw, SseBind.Binary<SadBW>());
        t.AddWithVex(Mnemonic.Pmullw, SseBind.Binary<MulLowW>());
        t.AddWithVex(Mnemonic.Pmulhw, SseBind.Binary<MulHighSW>());
        t.AddWithVex(Mnemonic.Pmulhuw, SseBind.Binary<MulHighUW>());
        t.AddWithVex(Mnemonic.Pmuludq, SseBind.Binary<MulUDQ>());
        t.AddWithVex(Mnemonic.Pmaddwd, SseBind.Binary<MulAddWD>());
    }

    public struct AddB : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => a + b; }
    public struct AddW : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt16() + b.AsUInt16()).AsByte(); }
    public struct AddD : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt32() + b.AsUInt32()).AsByte(); }
    public struct AddQ : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt64() + b.AsUInt64()).AsByte(); }
    public struct SubB : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => a - b; }
    public struct SubW : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt16() - b.AsUInt16()).AsByte(); }
    public struct SubD : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt32() - b.AsUInt32()).AsByte(); }
    public struct SubQ : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt64() - b.AsUInt64()).AsByte(); }

    public struct AddUSB : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.AddSaturate(a, b); }
    public struct AddUSW : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.AddSaturate(a.AsUInt16(), b.AsUInt16()).AsByte(); }
    public struct SubUSB : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.SubtractSaturate(a, b); }
    public struct SubUSW : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.SubtractSaturate(a.AsUInt16(), b.AsUInt16()).AsByte(); }
    public struct AddSB : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.AddSaturate(a.AsSByte(), b.AsSByte()).AsByte(); }
    public struct AddSW : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.AddSaturate(a.AsInt16(), b.AsInt16()).AsByte(); }
    public struct SubSB : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.SubtractSaturate(a.AsSByte(), b.AsSByte()).AsByte(); }
    public struct SubSW : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.SubtractSaturate(a.AsInt16(), b.AsInt16()).AsByte(); }

    /// <summary>(a + b + 1) >> 1 without overflow: (a | b) − ((a ^ b) >> 1).</summary>
    public struct AvgB : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => (a | b) - Vector128.ShiftRightLogical(a ^ b, 1);
    }

    public struct AvgW : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            Vector128<ushort> x = a.AsUInt16(), y = b.AsUInt16();
            return ((x | y) - Vector128.ShiftRightLogical(x ^ y, 1)).AsByte();
        }
    }

    /// <summary>Sum of absolute byte differences of each quadword, in the low word of that quadword.</summary>
    public struct SadBW : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            Vector128<ulong> diff = (Vector128.Max(a, b) - Vector128.Min(a, b)).AsUInt64();
            return Vector128.Create(SumBytes(diff.GetElement(0)), SumBytes(diff.GetElement(1))).AsByte();
        }

        static ulong SumBytes(ulong x)
        {
            x = (x & 0x00FF00FF00FF00FF) + ((x >> 8) & 0x00FF00FF00FF00FF);
            x = (x & 0x0000FFFF0000FFFF) + ((x >> 16) & 0x0000FFFF0000FFFF);
            return (x & 0xFFFFFFFF) + (x >> 32);
        }
    }

    public struct MulLowW : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => (a.AsUInt16() * b.AsUInt16()).AsByte();
    }

    /// <summary>High 16 bits of the signed 32-bit products.</summary>
    public struct MulHighSW : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            var (aLo, aHi) = Vector128.Widen(a.AsInt16());
            var (bLo, bHi) = Vector128.Widen(b.AsInt16());
            return Vector128.Narrow(Vector128.ShiftRightArithmetic(aLo * bLo, 16), Vector128.ShiftRightArithmetic(aHi * bHi, 16)).AsByte();
        }
    }

    /// <summary>High 16 bits of the unsigned 32-bit products.</summary>
    public struct MulHighUW : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            var (aLo, aHi) = Vector128.Widen(a.AsUInt16());
            var (bLo, bHi) = Vector128.Widen(b.AsUInt16());
            return Vector128.Narrow(Vector128.ShiftRightLogical(aLo * bLo, 16), Vector128.ShiftRightLogical(aHi * bHi, 16)).AsByte();
        }
    }

    /// <summary>Unsigned 64-bit products of the even (low) doublewords.</summary>
    public struct MulUDQ : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            Vector128<ulong> low = Vector128.Create(0xFFFF_FFFFUL);
            return ((a.AsUInt64() & low) * (b.AsUInt64() & low)).AsByte();
        }
    }

    /// <summary>
    /// Signed word products, adjacent pairs summed into doublewords. The sum wraps: only
    /// (−32768·−32768)·2 overflows, giving 0x80000000 as on hardware.
    /// </summary>
    public struct MulAddWD : IVectorOp
    {
        public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b)
        {
            Vector128<int> x = a.AsInt32(), y = b.AsInt32();
            Vector128<int> xEven = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(x, 16), 16), xOdd = Vector128.ShiftRightArithmetic(x, 16);
            Vector128<int> yEven = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(y, 16), 16), yOdd = Vector128.ShiftRightArithmetic(y, 16);
            return (xEven * yEven + xOdd * yOdd).AsByte();
        }
    }
}
