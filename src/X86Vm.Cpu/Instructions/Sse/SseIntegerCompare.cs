using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>Packed integer compares and min/max (SDM Vol. 2): PCMPEQB/W/D PCMPGTB/W/D (signed) PMINUB PMAXUB PMINSW PMAXSW.</summary>
[InstructionFamily]
static class SseIntegerCompare
{
    static void Register(InstructionTable t)
    {
        t.AddWithVex(Mnemonic.Pcmpeqb, SseBind.Binary<CmpEqB>());
        t.AddWithVex(Mnemonic.Pcmpeqw, SseBind.Binary<CmpEqW>());
        t.AddWithVex(Mnemonic.Pcmpeqd, SseBind.Binary<CmpEqD>());
        t.AddWithVex(Mnemonic.Pcmpgtb, SseBind.Binary<CmpGtB>());
        t.AddWithVex(Mnemonic.Pcmpgtw, SseBind.Binary<CmpGtW>());
        t.AddWithVex(Mnemonic.Pcmpgtd, SseBind.Binary<CmpGtD>());
        t.AddWithVex(Mnemonic.Pminub, SseBind.Binary<MinUB>());
        t.AddWithVex(Mnemonic.Pmaxub, SseBind.Binary<MaxUB>());
        t.AddWithVex(Mnemonic.Pminsw, SseBind.Binary<MinSW>());
        t.AddWithVex(Mnemonic.Pmaxsw, SseBind.Binary<MaxSW>());
    }

    public struct CmpEqB : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.Equals(a, b); }
    public struct CmpEqW : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.Equals(a.AsUInt16(), b.AsUInt16()).AsByte(); }
    public struct CmpEqD : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.Equals(a.AsUInt32(), b.AsUInt32()).AsByte(); }
    public struct CmpGtB : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.GreaterThan(a.AsSByte(), b.AsSByte()).AsByte(); }
    public struct CmpGtW : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.GreaterThan(a.AsInt16(), b.AsInt16()).AsByte(); }
    public struct CmpGtD : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.GreaterThan(a.AsInt32(), b.AsInt32()).AsByte(); }
    public struct MinUB : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.Min(a, b); }
    public struct MaxUB : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.Max(a, b); }
    public struct MinSW : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.Min(a.AsInt16(), b.AsInt16()).AsByte(); }
    public struct MaxSW : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.Max(a.AsInt16(), b.AsInt16()).AsByte(); }
}
