namespace X86Vm.Cpu.Memory;

/// <summary>Linux signal numbers for x86-64 (signal(7)); the CPU raises the ones faults map to.</summary>
public static class Signals
{
    public const int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7,
        SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14,
        SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGSYS = 31;

    // si_code values (siginfo.h).
    public const int SI_KERNEL = 0x80;
    public const int SEGV_MAPERR = 1, SEGV_ACCERR = 2;
    public const int ILL_ILLOPN = 2;
    public const int FPE_INTDIV = 1, FPE_INTOVF = 2;
    public const int TRAP_BRKPT = 1, TRAP_TRACE = 2, TRAP_HWBKPT = 4;
    public const int BUS_ADRALN = 1, BUS_ADRERR = 2;

    public static string Name(int sig) => sig switch
    {
        SIGHUP => "SIGHUP", SIGINT => "SIGINT", SIGQUIT => "SIGQUIT", SIGILL => "SIGILL", SIGTRAP => "SIGTRAP",
        SIGABRT => "SIGABRT", SIGBUS => "SIGBUS", SIGFPE => "SIGFPE", SIGKILL => "SIGKILL", SIGUSR1 => "SIGUSR1",
        SIGSEGV => "SIGSEGV", SIGUSR2 => "SIGUSR2", SIGPIPE => "SIGPIPE", SIGALRM => "SIGALRM", SIGTERM => "SIGTERM",
        SIGCHLD => "SIGCHLD", SIGCONT => "SIGCONT", SIGSTOP => "SIGSTOP", SIGSYS => "SIGSYS",
        _ => $"signal {sig}",
    };
}

/// <summary>
/// A synchronous CPU exception, already translated to the signal Linux would deliver
/// (Intel SDM Vol. 3 ch. 6 vectors → kernel arch/x86/kernel/traps.c). Thrown by memory accesses and
/// instruction handlers, caught by the interpreter loop, which rewinds RIP to the faulting instruction.
/// </summary>
public sealed class GuestFault : Exception
{
    public int Signal { get; }
    public int SiCode { get; }
    public ulong SiAddr { get; }

    /// <summary>A trap (INT3) completes its instruction: RIP is left after it and it retires.</summary>
    public bool IsTrap { get; init; }

    /// <summary>The exception vector and error code the kernel reports in the sigcontext (trapno, err), when the fault
    /// sets them itself (INT n); -1: the kernel derives them from the signal.</summary>
    public int Vector { get; init; } = -1;
    public ulong ErrorCode { get; init; }

    /// <summary>
    /// Set for a watch fault (<see cref="AddressSpace.AddWatch"/>): the instruction was about to make an access of
    /// kind <see cref="WatchAccess"/> to the range starting at <see cref="SiAddr"/>, watched for <see cref="WatchKind"/>.
    /// It did not run (RIP points at it). A debugger or the kernel's memory-watch hook consumes these faults.
    /// </summary>
    public WatchKind? WatchKind { get; init; }
    public WatchKind WatchAccess { get; init; }
    /// <summary>The first byte and the size of the access a watch fault stopped (not the watched range's).</summary>
    public ulong WatchAddress { get; init; }
    public int WatchSize { get; init; }

    /// <summary>
    /// The access needed a new page and the VM's memory limit (<see cref="MemoryAccount"/>) is reached: not a CPU
    /// exception but the OOM killer's SIGKILL, which the guest never sees. The instruction did not run.
    /// </summary>
    public bool IsOutOfMemory { get; init; }

    public GuestFault(int signal, int siCode, ulong siAddr, string? message = null)
        : base(message ?? $"{Signals.Name(signal)} code={siCode} addr=0x{siAddr:x}")
    {
        Signal = signal;
        SiCode = siCode;
        SiAddr = siAddr;
    }

    public static GuestFault PageFault(ulong address, bool mapped) =>
        new(Signals.SIGSEGV, mapped ? Signals.SEGV_ACCERR : Signals.SEGV_MAPERR, address);

    /// <summary>An access to a page of a shared file mapping wholly past the end of the file: SIGBUS with BUS_ADRERR.</summary>
    public static GuestFault BusError(ulong address) => new(Signals.SIGBUS, Signals.BUS_ADRERR, address);

    /// <summary>#GP: the kernel reports SIGSEGV with SI_KERNEL and a zero address.</summary>
    public static GuestFault GeneralProtection(string? why = null) => new(Signals.SIGSEGV, Signals.SI_KERNEL, 0, why);

    public static GuestFault WatchHit(ulong watchStart, WatchKind kind, WatchKind access, ulong address, int size) =>
        new(Signals.SIGTRAP, Signals.TRAP_HWBKPT, watchStart, $"watchpoint at 0x{watchStart:x}")
        {
            WatchKind = kind, WatchAccess = access, WatchAddress = address, WatchSize = size,
        };

    /// <summary>A page could not be charged to the VM's <see cref="MemoryAccount"/>: the process is to be killed.</summary>
    public static GuestFault OutOfMemory(ulong address) =>
        new(Signals.SIGKILL, Signals.SI_KERNEL, address, $"out of memory at 0x{address:x}") { IsOutOfMemory = true };

    /// <summary>#UD.</summary>
    public static GuestFault InvalidOpcode(ulong rip) => new(Signals.SIGILL, Signals.ILL_ILLOPN, rip);

    /// <summary>#DE (divide by zero and quotient overflow both report FPE_INTDIV on Linux).</summary>
    public static GuestFault DivideError(ulong rip) => new(Signals.SIGFPE, Signals.FPE_INTDIV, rip);
}
