namespace X86Vm.Linux.Debugging;

/// <summary>
/// The remote protocol numbers signals with GDB's own target-independent numbering (include/gdb/signals.def), not
/// the host's: SIGBUS is 10 there, SIGUSR1 30, SIGCHLD 20… These are the x86-64 Linux numbers in both directions.
/// </summary>
public static class GdbSignals
{
    const int Unknown = 143;

    /// <summary>Linux signal 1–31 → GDB signal (index 0 unused).</summary>
    static readonly int[] FromLinuxTable =
    [
        0, 1, 2, 3, 4, 5, 6,
        10, // 7 SIGBUS
        8, 9,
        30, // 10 SIGUSR1
        11,
        31, // 12 SIGUSR2
        13, 14, 15,
        Unknown, // 16 SIGSTKFLT
        20, // 17 SIGCHLD
        19, // 18 SIGCONT
        17, // 19 SIGSTOP
        18, // 20 SIGTSTP
        21, 22,
        16, // 23 SIGURG
        24, 25, 26, 27, 28,
        23, // 29 SIGIO
        32, // 30 SIGPWR
        12, // 31 SIGSYS
    ];

    public static int FromLinux(int sig) => sig switch
    {
        >= 0 and < 32 => FromLinuxTable[sig],
        32 => 77,               // SIG32
        >= 33 and <= 63 => sig + 12, // SIG33 is 45 … SIG63 is 75
        64 => 78,
        _ => Unknown,
    };

    /// <summary>GDB signal → Linux signal; 0 for one Linux does not have.</summary>
    public static int ToLinux(int gdbSignal)
    {
        if (gdbSignal == 0) return 0;
        for (int sig = 1; sig < FromLinuxTable.Length; sig++)
            if (FromLinuxTable[sig] == gdbSignal) return sig;
        return gdbSignal switch
        {
            77 => 32,
            >= 45 and <= 75 => gdbSignal - 12,
            78 => 64,
            33 => 29, // SIGPOLL is SIGIO on Linux
            _ => 0,
        };
    }
}
