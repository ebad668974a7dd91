using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Memory;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>LDMXCSR and STMXCSR (SDM Vol. 2; MXCSR layout Vol. 1 §10.2.3).</summary>
[InstructionFamily]
static class SseControl
{
    /// <summary>
    /// Writable MXCSR bits: flags, DAZ, masks, rounding control, FZ (the MXCSR_MASK FXSAVE reports).
    /// Bits 16–31 are reserved; setting one faults. (AMD's optional misaligned-SSE bit 17 is not modelled.)
    /// </summary>
    public const uint MxcsrMask = 0xFFFF;

    static void Register(InstructionTable t)
    {
        t.AddWithVex(Mnemonic.Ldmxcsr, Bind.Fixed(typeof(SseControl), nameof(Ldmxcsr)));
        t.AddWithVex(Mnemonic.Stmxcsr, Bind.Fixed(typeof(SseControl), nameof(Stmxcsr)));
    }

    public static void Ldmxcsr(Cpu c, ref DecodedOp op)
    {
        uint value = c.Memory.Read<uint>(c.EffectiveAddress(ref op));
        if ((value & ~MxcsrMask) != 0) throw GuestFault.GeneralProtection("LDMXCSR: reserved MXCSR bit set");
        c.Mxcsr = value;
    }

    public static void Stmxcsr(Cpu c, ref DecodedOp op) => c.Memory.Write(c.EffectiveAddress(ref op), c.Mxcsr);
}
