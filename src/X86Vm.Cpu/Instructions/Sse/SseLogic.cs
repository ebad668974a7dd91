using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// 128-bit bitwise logic (SDM Vol. 2): PAND PANDN POR PXOR and their single/double-precision twins
/// ANDPS ANDPD ANDNPS ANDNPD ORPS ORPD XORPS XORPD, which are the same bit operations and raise no
/// floating-point exceptions.
/// </summary>
[InstructionFamily]
static class SseLogic
{
    static void Register(InstructionTable t)
    {
        foreach (Mnemonic m in new[] { Mnemonic.Pand, Mnemonic.Andps, Mnemonic.Andpd }) t.AddWithVex(m, SseBind.Binary<And>());
        foreach (Mnemonic m in new[] { Mnemonic.Pandn, Mnemonic.Andnps, Mnemonic.Andnpd }) t.AddWithVex(m, SseBind.Binary<AndNot>());
        foreach (Mnemonic m in new[] { Mnemonic.Por, Mnemonic.Orps, Mnemonic.Orpd }) t.AddWithVex(m, SseBind.Binary<Or>());
        foreach (Mnemonic m in new[] { Mnemonic.Pxor, Mnemonic.Xorps, Mnemonic.Xorpd }) t.AddWithVex(m, SseBind.Binary<Xor>());
    }

    public struct And : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => a & b; }
    /// <summary>dest = ~dest &amp; source.</summary>
    public struct AndNot : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.AndNot(b, a); }
    public struct Or : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => a | b; }
    public struct Xor : IVectorOp { public static Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => a ^ b; }
}
