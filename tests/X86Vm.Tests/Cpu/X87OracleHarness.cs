using System.Buffers.Binary;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Float;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using X86Vm.Tests.Oracle;

namespace X86Vm.Tests.Cpu;

/// <summary>
/// Runs an <see cref="OracleState"/> case in the emulator (instruction at
/// <see cref="OracleState.InstructionAddress"/>, same data windows) and returns the state in the same
/// shape as the native oracle, plus random x87 operand generators.
/// </summary>
public static class X87OracleHarness
{
    /// <param name="wholeSequence">Run every instruction of <see cref="OracleState.Code"/> (as the native
    /// oracle does), not just the first.</param>
    public static OracleState RunVm(OracleState input, bool wholeSequence = false)
    {
        var h = new CpuHarness();
        h.Memory.Map(OracleState.InstructionAddress, 0x1000, Protection.ReadExecute, MappingFlags.None, "code");
        var code = new byte[0x1000];
        input.Code.CopyTo(code, 0);
        code[input.Code.Length] = 0x90;
        h.Memory.Poke(OracleState.InstructionAddress, code);
        var c = h.Cpu;
        c.Rip = OracleState.InstructionAddress;
        for (int i = 0; i < 16; i++) c.R(i) = input.Gpr[i];
        c.Rflags = (input.Rflags & 0xCD5) | 2;
        c.Mxcsr = input.Mxcsr;
        for (int i = 0; i < 16; i++) c.Xmm[i] = input.Xmm[i];
        var fx = new byte[512];
        WriteFx(input, fx);
        c.Fpu.LoadFxsave(fx, true);
        h.Memory.Poke(OracleState.DataAddress, input.Data);
        h.Memory.Poke(OracleState.StackAddress, input.Stack);
        h.Memory.ClearDirty();

        StopReason stop = h.Run(1);
        ulong end = OracleState.InstructionAddress + (ulong)input.Code.Length;
        for (int n = 1; wholeSequence && stop != StopReason.Fault && c.Rip != end && n < 15; n++) stop = h.Run(1);
        var r = input.Clone();
        if (stop == StopReason.Fault)
        {
            GuestFault f = c.PendingFault!;
            r.Signal = f.Signal;
            r.SiCode = f.SiCode;
            r.SiAddr = f.SiAddr;
        }
        for (int i = 0; i < 16; i++) r.Gpr[i] = c.R(i);
        r.Rflags = c.Rflags;
        r.Mxcsr = c.Mxcsr;
        for (int i = 0; i < 16; i++) r.Xmm[i] = c.Xmm[i];
        c.Fpu.SaveFxsave(fx, true);
        r.Fcw = BinaryPrimitives.ReadUInt16LittleEndian(fx);
        r.Fsw = BinaryPrimitives.ReadUInt16LittleEndian(fx.AsSpan(2));
        r.Ftw = fx[4];
        for (int i = 0; i < 8; i++)
            r.St[i] = BinaryPrimitives.ReadUInt128LittleEndian(fx.AsSpan(32 + 16 * i)) & ((UInt128.One << 80) - 1);
        h.Memory.Read(OracleState.DataAddress, r.Data);
        h.Memory.Read(OracleState.StackAddress, r.Stack);
        return r;
    }

    static void WriteFx(OracleState s, Span<byte> fx)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(fx, s.Fcw);
        BinaryPrimitives.WriteUInt16LittleEndian(fx[2..], s.Fsw);
        fx[4] = s.Ftw;
        for (int i = 0; i < 8; i++)
            BinaryPrimitives.WriteUInt128LittleEndian(fx[(32 + 16 * i)..], s.St[i] & ((UInt128.One << 80) - 1));
    }

    // ---------------------------------------------------------------- random operands

    public static UInt128 Bits(ushort se, ulong sig) => ((UInt128)se << 64) | sig;

    /// <summary>A random extended value biased towards edge cases.</summary>
    public static UInt128 RandomF80(Random r, int expCentre = 0x3FFF, int expSpread = 70)
    {
        ushort s = (ushort)(r.Next(2) << 15);
        ulong sig = (ulong)r.NextInt64() << 1 ^ (ulong)r.Next(2);
        switch (r.Next(24))
        {
            case 0: return Bits(s, 0);
            case 1: return Bits((ushort)(s | 0x7FFF), 1UL << 63);
            case 2: return Bits((ushort)(s | 0x7FFF), sig | (3UL << 62));             // QNaN
            case 3: return Bits((ushort)(s | 0x7FFF), (sig & ~(1UL << 62)) | (1UL << 63) | 1); // SNaN
            case 4: return Bits(s, sig >> r.Next(1, 64));                              // denormal
            case 5: return Bits(s, sig | (1UL << 63));                                 // pseudo-denormal
            case 6: return Bits((ushort)(s | r.Next(1, 0x7FFF)), sig & ~(1UL << 63));  // unnormal
            case 7: return Bits((ushort)(s | 0x7FFF), sig & ~(1UL << 63));             // pseudo-NaN/∞
            case 8: return Bits((ushort)(s | (0x7FFE - r.Next(3))), sig | (1UL << 63)); // near the top
            case 9: return Bits((ushort)(s | (1 + r.Next(3))), sig | (1UL << 63));     // near the bottom
            case 10:
            {
                long v = r.Next(-1000, 1000);
                return Float80.FromInt64(v).ToBits();
            }
            case 11: return Bits((ushort)(s | (expCentre + r.Next(-expSpread, expSpread + 1))), (sig | (1UL << 63)) & (ulong.MaxValue << r.Next(10, 60)));
            case 12: return Bits((ushort)(s | (expCentre + r.Next(-expSpread, expSpread + 1))), ulong.MaxValue << r.Next(0, 3));
            case 13: return Float80.Indefinite.ToBits();
            default: return Bits((ushort)(s | (expCentre + r.Next(-expSpread, expSpread + 1))), sig | (1UL << 63));
        }
    }

    /// <summary>A second operand related to the first (close exponents, sometimes nearly equal).</summary>
    public static UInt128 Related(Random r, UInt128 a)
    {
        int e = (int)(a >> 64) & 0x7FFF;
        if (e is 0 or 0x7FFF || r.Next(4) == 0) return RandomF80(r);
        ushort s = (ushort)(r.Next(2) << 15);
        int ne = Math.Clamp(e + r.Next(-66, 67), 1, 0x7FFE);
        if (r.Next(4) == 0)
        {
            ulong sig = (ulong)a ^ (ulong)r.Next(1, 8);
            return Bits((ushort)(s | e), sig | (1UL << 63));
        }
        return Bits((ushort)(s | ne), (ulong)r.NextInt64() << 1 | (1UL << 63));
    }

    /// <summary>A random control word: any RC and PC, exceptions usually all masked.</summary>
    public static ushort RandomControl(Random r)
    {
        int pc = r.Next(8) switch { 0 => 0, 1 => 2, 2 => 1, _ => 3 };
        int masks = r.Next(8) == 0 ? r.Next(64) : 0x3F;
        return (ushort)(0x40 | masks | (pc << 8) | (r.Next(4) << 10));
    }

    public static string Describe(OracleState s) =>
        $"fcw={s.Fcw:X4} fsw={s.Fsw:X4} ftw={s.Ftw:X2} st0={s.St[0]:X20} st1={s.St[1]:X20} st2={s.St[2]:X20} data={Convert.ToHexString(s.Data, 0, 16)}";
}
