namespace X86Vm;

/// <summary>What an <see cref="InstructionCallback"/> wants the VM to do next.</summary>
public enum HookAction
{
    /// <summary>Go on running.</summary>
    Continue,
    /// <summary>
    /// Stop here: <see cref="VirtualMachine.Run(ulong)"/> returns <see cref="RunStatus.Stopped"/> (and
    /// <see cref="VirtualMachine.Run(CancellationToken)"/> <see cref="VirtualMachine.StoppedStatus"/>); the next run
    /// continues exactly where it stopped.
    /// </summary>
    Stop,
}

/// <summary>
/// Called by <see cref="VirtualMachine.SetInstructionCallback"/> every time the VM's meter
/// (<see cref="VirtualMachine.InstructionsExecuted"/>) reaches the next multiple of its interval, on the running
/// thread, between instructions. It may read and write the VM's memory and registers and take its
/// <see cref="VirtualMachine.StateHash"/>; it must not run the VM.
/// </summary>
public delegate HookAction InstructionCallback(VirtualMachine vm);
