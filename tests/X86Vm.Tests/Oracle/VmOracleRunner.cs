// VmOracleRunner: runs an OracleState in the emulator, laid out exactly as the native helper
// (tests/oracle/oracle-helper.c) lays it out on the host, and reports the result as an OracleState that
// OracleState.Compare can hold against the host's.
//
// Guest layout (same addresses as the helper):
//   0x10000000..0x1000FFFF  RW   data region: Data window at the start, Stack window at the end, zero between
//   0x10200000..0x10201FFF  RX   code pages, filled with 0xCC (int3), the instruction at InstructionAddress
// The host keeps its prologue just before InstructionAddress and its epilogue just after the instruction;
// both are unobservable as long as a test neither reads them nor branches into them.
//
// Execution mirrors the host: the code bytes run from InstructionAddress until RIP reaches the end of the
// code (where the host's epilogue starts) or something faults. A branch that leaves the code lands on
// an int3 (SIGTRAP, RIP after it) or faults on the fetch, exactly as on the host, because the emulator runs
// the instruction at the branch target too.
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Tests.Oracle;

public static class VmOracleRunner
{
    public const ulong CodePagesAddress = 0x1020_0000;
    public const int CodePagesSize = 0x2000;

    /// <summary>RFLAGS the host runs the instruction with: the input's status flags and DF, IF and bit 1.</summary>
    public static ulong EffectiveInputFlags(OracleState s) => (s.Rflags & OracleState.DefaultFlagsMask) | 0x202;

    /// <summary>
    /// Runs <paramref name="input"/> in the emulator. At most <paramref name="maxInstructions"/> instructions
    /// run before the case is reported as timed out (SIGALRM, as the helper reports an endless loop).
    /// </summary>
    public static OracleState Run(OracleState input, int maxInstructions = 16)
    {
        var memory = new AddressSpace();
        memory.Map(OracleState.RegionAddress, OracleState.RegionSize, Protection.ReadWrite, MappingFlags.None, "oracle-data");
        memory.Poke(OracleState.DataAddress, input.Data);
        memory.Poke(OracleState.StackAddress, input.Stack);
        memory.Map(CodePagesAddress, CodePagesSize, Protection.ReadExecute, MappingFlags.None, "oracle-code");
        var fill = new byte[CodePagesSize];
        fill.AsSpan().Fill(0xCC);
        input.Code.CopyTo(fill, (int)(OracleState.InstructionAddress - CodePagesAddress));
        memory.Poke(CodePagesAddress, fill);

        var c = new CpuCore(memory);
        for (int i = 0; i < 16; i++) c.R(i) = input.Gpr[i];
        c.Rflags = EffectiveInputFlags(input);
        c.FsBase = input.FsBase;
        c.GsBase = input.GsBase;
        for (int i = 0; i < 16; i++) c.Xmm[i] = input.Xmm[i];
        c.Mxcsr = input.Mxcsr;
        c.Fpu.Control = input.Fcw;
        c.Rip = OracleState.InstructionAddress;

        ulong end = OracleState.InstructionAddress + (ulong)input.Code.Length;
        GuestFault? fault = null;
        bool timedOut = true;
        for (int n = 0; n < maxInstructions; n++)
        {
            StopReason stop = Interpreter.Run(c, c.Retired + 1);
            if (stop == StopReason.Fault)
            {
                fault = c.PendingFault;
                timedOut = false;
                break;
            }
            if (c.Rip == end)
            {
                timedOut = false;
                break;
            }
        }

        var r = input.Clone();
        for (int i = 0; i < 16; i++) r.Gpr[i] = c.R(i);
        r.Rflags = c.Rflags;
        r.FsBase = c.FsBase;
        r.GsBase = c.GsBase;
        for (int i = 0; i < 16; i++) r.Xmm[i] = c.Xmm[i];
        r.Mxcsr = c.Mxcsr;
        r.Flags = 2; // FS/GS bases honoured
        r.Signal = 0;
        r.SiCode = 0;
        r.SiAddr = 0;
        r.FaultRipOffset = 0;
        if (fault != null)
        {
            r.Signal = fault.Signal;
            r.SiCode = fault.SiCode;
            r.SiAddr = fault.SiAddr;
            r.FaultRipOffset = (long)(c.Rip - OracleState.InstructionAddress);
        }
        else if (timedOut)
        {
            r.Signal = OracleState.SIGALRM;
            r.FaultRipOffset = (long)(c.Rip - OracleState.InstructionAddress);
        }
        memory.Read(OracleState.DataAddress, r.Data);
        memory.Read(OracleState.StackAddress, r.Stack);
        r.StrayWriteAddress = 0;
        // Stray writes: the first nonzero byte between the windows (only pages the emulator materialised can hold one).
        for (ulong page = OracleState.DataAddress + OracleState.DataSize; page < OracleState.StackAddress; page += 0x1000)
        {
            if (memory.PageAt(page) is not { } p) continue;
            int first = p.Data.AsSpan().IndexOfAnyExcept((byte)0);
            if (first < 0) continue;
            r.StrayWriteAddress = page + (ulong)first;
            break;
        }
        return r;
    }

    /// <summary>
    /// <see cref="OracleState.Compare"/> plus the fault RIP (which Compare leaves out): the differences between
    /// the host's result and the emulator's.
    /// </summary>
    public static List<string> Compare(OracleState host, OracleState vm, ulong flagsMask = OracleState.DefaultFlagsMask)
    {
        List<string> d = OracleState.Compare(host, vm, flagsMask);
        if (host.Signal != 0 && host.Signal == vm.Signal && host.Signal != OracleState.SIGALRM && host.FaultRipOffset != vm.FaultRipOffset)
            d.Add($"fault rip: expected IA{host.FaultRipOffset:+#;-#;+0} actual IA{vm.FaultRipOffset:+#;-#;+0}");
        return d;
    }
}
