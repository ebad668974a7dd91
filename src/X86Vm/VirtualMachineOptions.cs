using X86Vm.Linux.Host;

namespace X86Vm;

/// <summary>A host directory placed into the guest's file view.</summary>
public sealed record MountSpec(string HostPath, string GuestPath, bool ReadOnly);

/// <summary>What a <see cref="VirtualMachine"/> runs and what it may see.</summary>
public sealed class VirtualMachineOptions
{
    /// <summary>The program, as a path in the guest's view (relative paths start at <see cref="WorkingDirectory"/>).</summary>
    public required string Program { get; init; }

    /// <summary>argv[1..]; argv[0] is <see cref="Program"/> unless <see cref="Argv0"/> is set.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];
    public string? Argv0 { get; init; }

    /// <summary>The guest environment as K=V strings.</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];

    /// <summary>The guest's view of files. Default: the host root read-only and <see cref="WorkingDirectory"/> read-write.</summary>
    public IReadOnlyList<MountSpec>? Mounts { get; init; }

    /// <summary>The guest's starting directory (a guest path). Default: the host's current directory.</summary>
    public string? WorkingDirectory { get; init; }

    public Stream? Stdin { get; init; }
    public Stream? Stdout { get; init; }
    public Stream? Stderr { get; init; }
    public bool StdinIsTerminal { get; init; }
    public bool StdoutIsTerminal { get; init; }
    public bool StderrIsTerminal { get; init; }
    public (ushort Rows, ushort Columns) TerminalSize { get; init; } = (24, 80);

    /// <summary>strace-style syscall log, when set.</summary>
    public TextWriter? Strace { get; init; }

    /// <summary>x86vm's own one-line diagnostics (unsupported syscalls, fatal signals). Default: <see cref="Stderr"/>.</summary>
    public TextWriter? Diagnostics { get; init; }

    public IClock? Clock { get; init; }
    public IEntropy? Entropy { get; init; }
}
