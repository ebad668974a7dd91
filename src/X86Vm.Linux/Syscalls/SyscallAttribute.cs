namespace X86Vm.Linux.Syscalls;

/// <summary>
/// Marks a syscall implementation: <c>static long Name(GuestProcess p, in SyscallArgs a)</c>, returning the
/// result or a negative errno. <paramref name="format"/> describes the arguments for --strace, one code per
/// argument separated by commas (see <see cref="StraceFormatter"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SyscallAttribute(int number, string format = "") : Attribute
{
    public int Number { get; } = number;
    public string Format { get; } = format;

    /// <summary>What is missing, for a partial implementation (docs/syscalls.md); null when complete.</summary>
    public string? Partial { get; init; }
}

/// <summary>Marks a class holding one family of syscalls.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SyscallFamilyAttribute : Attribute;

/// <summary>The six syscall arguments (RDI, RSI, RDX, R10, R8, R9).</summary>
public readonly record struct SyscallArgs(ulong A0, ulong A1, ulong A2, ulong A3, ulong A4, ulong A5)
{
    public ulong this[int i] => i switch { 0 => A0, 1 => A1, 2 => A2, 3 => A3, 4 => A4, _ => A5 };
}
