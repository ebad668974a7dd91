namespace X86Vm.Cpu.Decoding;

/// <summary>
/// Whether a flag-setting instruction must record its flags. Decided once per decoded instruction by
/// flag liveness (<see cref="Execution.BlockBuilder"/>): when every flag it writes is overwritten later in
/// the same block before anything reads it, the handler is instantiated with <see cref="FlagsDead"/> and
/// the JIT removes the flag update entirely.
/// </summary>
public interface IFlagsMode
{
    static abstract bool Live { get; }
}

public struct FlagsLive : IFlagsMode
{
    public static bool Live => true;
}

public struct FlagsDead : IFlagsMode
{
    public static bool Live => false;
}
