namespace X86Vm.Linux.Syscalls;

/// <summary>
/// Marks the i386 entry point of a syscall whose arguments or structures differ from x86-64 (Linux's
/// COMPAT_SYSCALL_DEFINE): it converts them and calls the one shared implementation. Same signature as
/// <see cref="SyscallAttribute"/>; i386 calls with identical arguments map straight to the x86-64 entry
/// (<see cref="I386Syscalls"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class I386SyscallAttribute(int number, string format = "") : Attribute
{
    public int Number { get; } = number;
    public string Format { get; } = format;
    public string? Partial { get; init; }
    /// <summary>The x86-64 call it converts to, when the kernel's per-call rules (restart after a handler) apply to it.</summary>
    public int Native { get; init; } = -1;
}
