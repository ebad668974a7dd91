using X86Vm.Cpu.Execution;

namespace X86Vm.Linux.State;

/// <summary>
/// What a restored kernel gets from the host it now runs on instead of from its snapshot: the guest's standard streams,
/// the diagnostic writers, the compiler, the time limit, and the host directories of its mounts.
/// </summary>
public sealed class HostBindings
{
    public Stream Stdin { get; init; } = Stream.Null;
    public Stream Stdout { get; init; } = Stream.Null;
    public Stream Stderr { get; init; } = Stream.Null;
    public TextWriter? Strace { get; init; }
    public TextWriter Diagnostics { get; init; } = TextWriter.Null;
    public BlockCompiler? Compiler { get; init; }
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>Host directory by guest mount path; a mount not named here uses the host path it was saved with.</summary>
    public IReadOnlyDictionary<string, string> Mounts { get; init; } = new Dictionary<string, string>();
}
