using System.Buffers.Binary;
using X86Vm.Cpu.Instructions.Sse;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu;

public sealed partial class Cpu
{
    /// <summary>The x87 FPU (registers, control, status and tag words).</summary>
    public X87State Fpu = new();

    partial void CloneExtraState(Cpu clone) => clone.Fpu = Fpu.Clone();

    /// <summary>MXCSR bits software may set (FXSAVE's MXCSR_MASK).</summary>
    public const uint MxcsrMask = SseControl.MxcsrMask;

    /// <summary>Bytes of the FXSAVE image the CPU writes (the rest of the 512-byte area is left to software).</summary>
    public const int FxsaveImageSize = 416;

    /// <summary>
    /// The FXSAVE image (SDM Vol. 1 §10.5.1): x87 state, MXCSR, MXCSR_MASK, XMM0–15. Used by FXSAVE and by the
    /// signal frames of the OS layer, so both always agree.
    /// </summary>
    public void SaveFxsave(Span<byte> image, bool rexW = true)
    {
        Fpu.SaveFxsave(image, rexW);
        BinaryPrimitives.WriteUInt32LittleEndian(image[24..], Mxcsr);
        BinaryPrimitives.WriteUInt32LittleEndian(image[28..], SseControl.MxcsrMask);
        for (int i = 0; i < 16; i++)
            BinaryPrimitives.WriteUInt128LittleEndian(image[(160 + 16 * i)..], Xmm[i]);
    }

    /// <summary>Loads an FXSAVE image; false (nothing loaded) when MXCSR has reserved bits set (FXRSTOR raises #GP).</summary>
    public bool LoadFxsave(ReadOnlySpan<byte> image, bool rexW = true)
    {
        uint mxcsr = BinaryPrimitives.ReadUInt32LittleEndian(image[24..]);
        if ((mxcsr & ~SseControl.MxcsrMask) != 0) return false;
        Fpu.LoadFxsave(image, rexW);
        Mxcsr = mxcsr;
        for (int i = 0; i < 16; i++)
            Xmm[i] = BinaryPrimitives.ReadUInt128LittleEndian(image[(160 + 16 * i)..]);
        return true;
    }
}
