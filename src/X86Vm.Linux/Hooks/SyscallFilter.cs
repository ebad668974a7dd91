namespace X86Vm.Linux.Hooks;

/// <summary>
/// Decides each system call a guest thread makes before the kernel runs it (a host-side seccomp). It runs on the VM's
/// thread, in the guest's order, so a deterministic VM calls it with the same requests every run. It must not run the
/// VM; it may read guest memory through the request.
/// </summary>
public delegate SyscallDecision SyscallFilter(SyscallRequest request);

/// <summary>What a <see cref="SyscallFilter"/> does with a call.</summary>
public enum SyscallAction
{
    /// <summary>The kernel runs the call.</summary>
    Allow,
    /// <summary>The call fails with <see cref="SyscallDecision.Value"/> as its errno, without running.</summary>
    Deny,
    /// <summary>The call returns <see cref="SyscallDecision.Value"/> to the guest, without running.</summary>
    Emulate,
}

/// <summary>A <see cref="SyscallFilter"/>'s answer: build it with <see cref="Allow"/>, <see cref="Deny"/> or <see cref="Emulate"/>.</summary>
public readonly record struct SyscallDecision(SyscallAction Action, long Value)
{
    /// <summary>Run the call.</summary>
    public static SyscallDecision Allow => default;

    /// <summary>Fail the call with <paramref name="errno"/> (a positive Linux errno, 1..4095): the guest sees -1 and errno.</summary>
    public static SyscallDecision Deny(int errno) => errno is >= 1 and <= 4095
        ? new(SyscallAction.Deny, errno)
        : throw new ArgumentOutOfRangeException(nameof(errno), errno, "a Linux errno is between 1 and 4095");

    /// <summary>
    /// Do not run the call; the guest's RAX becomes <paramref name="result"/> (a value in -4095..-1 reads as an error,
    /// as from the kernel). The filter does any effect the guest expects itself (filling a buffer, say).
    /// </summary>
    public static SyscallDecision Emulate(long result) => new(SyscallAction.Emulate, result);

    /// <summary>The value the guest's RAX receives when the call does not run.</summary>
    internal long Result => Action == SyscallAction.Deny ? -Value : Value;
}
