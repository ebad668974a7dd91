namespace X86Vm.Fuzz;

/// <summary>
/// Syscall inputs: a few syscalls with hostile arguments (random numbers, pointers at unmapped and page-boundary
/// addresses, huge lengths, stray descriptors and flags). Input i's first call is syscall number i mod
/// <see cref="Numbers"/>, so a run of that many inputs calls every number the kernel defines and a few past them.
/// </summary>
public static class SyscallGenerator
{
    /// <summary>Syscall numbers cycled through: Linux x86-64 defines 0–462; the rest are unknown numbers and the x32 range.</summary>
    public const int Numbers = 480;

    static readonly int[] ArgumentRegisters = [7, 6, 2, 10, 8, 9]; // rdi rsi rdx r10 r8 r9

    // Calls that end the program or replace it; they would cut the sequence short most of the time.
    static readonly HashSet<ulong> Ending = [15, 60, 231, 59, 322];

    public static FuzzInput Generate(ulong seed, long index)
    {
        Rng r = Rng.ForInput(seed, index);
        var code = new CodeWriter();
        int calls = 1 + r.Next(8);
        for (int c = 0; c < calls; c++)
        {
            ulong number = c == 0 ? (ulong)(index % Numbers) : NextNumber(r);
            if (number >= 463 && c == 0) number = r.Chance(50) ? number + 512 - 463 : r.NextU64();
            code.MovImmediate(0, number);
            foreach (int reg in ArgumentRegisters) code.MovImmediate(reg, Argument(r));
            code.Syscall();
        }
        code.ExitGroup(0);
        byte[] text = code.ToArray();
        var segments = new List<Segment>
        {
            new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_X, GuestLayout.Code, text, (ulong)text.Length),
            new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_W, GuestLayout.Data, GuestLayout.DataPage(r), GuestLayout.DataSize),
            new(Segment.PT_LOAD, Segment.PF_R, GuestLayout.ReadOnly, GuestLayout.DataPage(r)[..0x1000], 0x1000),
        };
        return new FuzzInput(FuzzKind.Syscall, seed, index, ElfWriter.Build(segments, GuestLayout.Code), null, r.Chance(10));
    }

    static ulong NextNumber(Rng r)
    {
        ulong n = r.Chance(95) ? (ulong)r.Next(463) : r.NextU64();
        return Ending.Contains(n) && r.Chance(90) ? 39 /* getpid */ : n;
    }

    static ulong Argument(Rng r) => r.Next(8) switch
    {
        0 => (ulong)r.Next(8),                                   // descriptors, small flags and modes
        1 => unchecked((ulong)-1),
        2 => 1UL << r.Next(64),                                  // one flag bit
        3 => GuestLayout.Data + (ulong)(r.Next(GuestLayout.DataSize / 8) * 8), // an aligned pointer to planted data
        _ => GuestLayout.Value(r),
    };
}
