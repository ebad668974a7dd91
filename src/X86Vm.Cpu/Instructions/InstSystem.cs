using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions;

/// <summary>
/// SYSCALL, CPUID, RDTSC, flag-bit instructions, hints and fences, and the instructions that fault at
/// user level (HLT and privileged ones → #GP → SIGSEGV; UD2 → SIGILL; INT3 → SIGTRAP).
/// </summary>
[InstructionFamily]
static class InstSystem
{
    static readonly Type Self = typeof(InstSystem);

    static void Register(InstructionTable t)
    {
        void Plain(Mnemonic m, string name) => t.Add(m, Bind.Fixed(Self, name));
        Plain(Mnemonic.Syscall, nameof(Syscall));
        Plain(Mnemonic.Cpuid, nameof(Cpuid));
        Plain(Mnemonic.Rdtsc, nameof(Rdtsc));
        foreach (Mnemonic m in new[] { Mnemonic.Nop, Mnemonic.Pause, Mnemonic.Lfence, Mnemonic.Sfence, Mnemonic.Mfence,
                     Mnemonic.Prefetchnta, Mnemonic.Prefetcht0, Mnemonic.Prefetcht1, Mnemonic.Prefetcht2, Mnemonic.Prefetchw,
                     Mnemonic.Endbr64, Mnemonic.Endbr32, Mnemonic.Prefetch, Mnemonic.Reservednop })
            Plain(m, nameof(Nop)); // PREFETCH (0F 0D /0) and the reserved hint NOPs (0F 19–1F) never fault
        Plain(Mnemonic.Clflush, nameof(Clflush));
        Plain(Mnemonic.Ud2, nameof(Undefined));
        Plain(Mnemonic.Ud0, nameof(Undefined));
        Plain(Mnemonic.Ud1, nameof(Undefined));
        Plain(Mnemonic.Int3, nameof(Breakpoint));
        t.Add(Mnemonic.Int, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            Handlers.Get(Self, insn.CodeSize == CodeSize.Code32 && (byte)insn.Immediate8 == 0x80 ? nameof(Int80) : nameof(SoftwareInterrupt)));
        Plain(Mnemonic.Int1, nameof(DebugTrap));
        foreach (Mnemonic m in new[] { Mnemonic.Hlt, Mnemonic.Cli, Mnemonic.Sti, Mnemonic.In, Mnemonic.Out,
                     Mnemonic.Insb, Mnemonic.Insw, Mnemonic.Insd, Mnemonic.Outsb, Mnemonic.Outsw, Mnemonic.Outsd,
                     Mnemonic.Lgdt, Mnemonic.Lidt, Mnemonic.Invlpg, Mnemonic.Wbinvd, Mnemonic.Invd, Mnemonic.Rdmsr,
                     Mnemonic.Wrmsr, Mnemonic.Rdpmc, Mnemonic.Swapgs, Mnemonic.Sysret, Mnemonic.Iretq, Mnemonic.Iretd, Mnemonic.Clts })
            Plain(m, nameof(Privileged));
        Plain(Mnemonic.Cld, nameof(Cld));
        Plain(Mnemonic.Std, nameof(Std));
        Plain(Mnemonic.Clc, nameof(Clc));
        Plain(Mnemonic.Stc, nameof(Stc));
        Plain(Mnemonic.Cmc, nameof(Cmc));
        Plain(Mnemonic.Lahf, nameof(Lahf));
        Plain(Mnemonic.Sahf, nameof(Sahf));
    }

    public static void Syscall(Cpu c, ref DecodedOp op)
    {
        // SYSCALL saves RIP in RCX and RFLAGS in R11 (SDM SYSCALL); Linux returns with both as saved.
        c.Rip = op.NextIp;
        c.R(Reg.RCX) = op.NextIp;
        c.R(Reg.R11) = c.Rflags;
        if (c.Syscalls == null) throw GuestFault.InvalidOpcode(op.Ip);
        c.Syscalls.Syscall(c);
    }

    /// <summary>
    /// INT 0x80 in 32-bit code: the i386 system call gate (arch/x86/entry/entry_64_compat.S). Number in EAX, arguments in
    /// EBX ECX EDX ESI EDI EBP, result in EAX; the OS layer picks the i386 table from the code's mode.
    /// </summary>
    public static void Int80(Cpu c, ref DecodedOp op)
    {
        c.Rip = op.NextIp;
        if (c.Syscalls == null) throw GuestFault.InvalidOpcode(op.Ip);
        c.Syscalls.Syscall(c);
    }

    public static void Cpuid(Cpu c, ref DecodedOp op)
    {
        var (a, b, cx, d) = CpuidTable.Query(c.Code.Level, (uint)c.R(Reg.RAX), (uint)c.R(Reg.RCX));
        c.R(Reg.RAX) = a;
        c.R(Reg.RBX) = b;
        c.R(Reg.RCX) = cx;
        c.R(Reg.RDX) = d;
    }

    public static void Rdtsc(Cpu c, ref DecodedOp op)
    {
        ulong tsc = c.TimeStampCounter?.Invoke() ?? c.Retired;
        c.R(Reg.RAX) = (uint)tsc;
        c.R(Reg.RDX) = tsc >> 32;
    }

    public static void Nop(Cpu c, ref DecodedOp op) { }

    /// <summary>CLFLUSH: no cache to flush, but the access is checked like a byte load (SDM CLFLUSH): an unmapped or unreadable line faults.</summary>
    public static void Clflush(Cpu c, ref DecodedOp op) => c.Memory.Read<byte>(c.EffectiveAddress(ref op));

    public static void Undefined(Cpu c, ref DecodedOp op) => throw GuestFault.InvalidOpcode(op.Ip);

    /// <summary>INT3 is a trap: Linux reports SIGTRAP (SI_KERNEL) with RIP after the instruction.</summary>
    public static void Breakpoint(Cpu c, ref DecodedOp op) =>
        throw new GuestFault(Signals.SIGTRAP, Signals.SI_KERNEL, 0) { IsTrap = true };

    /// <summary>
    /// INT n as Linux reports it (arch/x86/kernel/idt.c gives user privilege only to vectors 3, 4 and 0x80): INT 3 (CD 03)
    /// is the breakpoint trap like INT3 (CC); INT 4 is the overflow trap, SIGSEGV with RIP after it; every other vector
    /// is a #GP whose error code names the IDT entry (vector × 8 + 2), RIP at the instruction. INT 0x80 (the 32-bit
    /// system call gate) is the i386 system call in 32-bit code (<see cref="Int80"/>); in 64-bit code it faults like the
    /// others (docs/compatibility.md).
    /// </summary>
    public static void SoftwareInterrupt(Cpu c, ref DecodedOp op)
    {
        int vector = (byte)op.Imm;
        throw vector switch
        {
            3 => new GuestFault(Signals.SIGTRAP, Signals.SI_KERNEL, 0) { IsTrap = true, Vector = 3 },
            4 => new GuestFault(Signals.SIGSEGV, Signals.SI_KERNEL, 0) { IsTrap = true, Vector = 4 },
            _ => new GuestFault(Signals.SIGSEGV, Signals.SI_KERNEL, 0) { Vector = 13, ErrorCode = (ulong)vector * 8 + 2 },
        };
    }

    /// <summary>INT1 (F1, ICEBP): a debug trap; Linux sends SIGTRAP with TRAP_BRKPT and si_addr after the instruction.</summary>
    public static void DebugTrap(Cpu c, ref DecodedOp op) =>
        throw new GuestFault(Signals.SIGTRAP, Signals.TRAP_BRKPT, op.NextIp) { IsTrap = true, Vector = 1 };

    public static void Privileged(Cpu c, ref DecodedOp op) => throw GuestFault.GeneralProtection();

    public static void Cld(Cpu c, ref DecodedOp op) => c.FlagsOther &= ~RFlags.DF;
    public static void Std(Cpu c, ref DecodedOp op) => c.FlagsOther |= RFlags.DF;
    public static void Clc(Cpu c, ref DecodedOp op) => c.SetStatusFlags(0, RFlags.CF);
    public static void Stc(Cpu c, ref DecodedOp op) => c.SetStatusFlags(RFlags.CF, RFlags.CF);
    public static void Cmc(Cpu c, ref DecodedOp op) => c.SetStatusFlags(c.Carry ? 0 : RFlags.CF, RFlags.CF);

    /// <summary>LAHF: AH = SF:ZF:0:AF:0:PF:1:CF.</summary>
    public static void Lahf(Cpu c, ref DecodedOp op) =>
        GprAccess.Write(c, Reg.RAX * 8 + 1, (byte)((c.StatusFlags & 0xD5) | 2));

    public static void Sahf(Cpu c, ref DecodedOp op) =>
        c.SetStatusFlags(GprAccess.Read<byte>(c, Reg.RAX * 8 + 1), RFlags.CF | RFlags.PF | RFlags.AF | RFlags.ZF | RFlags.SF);
}
