namespace X86Vm;

/// <summary>How a <see cref="VirtualMachine.Run(ulong)"/> ended.</summary>
public enum RunStatus
{
    /// <summary>The program's first process exited; <see cref="RunResult.ExitCode"/> is its status.</summary>
    Exited,
    /// <summary>A signal ended the program's first process; <see cref="RunResult.Signal"/> names it.</summary>
    Signaled,
    /// <summary>The budget is spent; the VM is resumable exactly there: call <see cref="VirtualMachine.Run(ulong)"/> again.</summary>
    OutOfBudget,
    /// <summary><see cref="VirtualMachineOptions.MaxTime"/> passed.</summary>
    TimeLimit,
    /// <summary>An <see cref="InstructionCallback"/> returned <see cref="HookAction.Stop"/>; call <see cref="VirtualMachine.Run(ulong)"/> again to continue.</summary>
    Stopped,
}

/// <summary>
/// The outcome of one <see cref="VirtualMachine.Run(ulong)"/>: why it stopped, the exit code or signal, and the units the
/// whole VM has consumed since it was created (<see cref="VirtualMachine.InstructionsExecuted"/>, docs/metering.md).
/// </summary>
public readonly record struct RunResult(RunStatus Status, int ExitCode, int Signal, ulong InstructionsRetired);
