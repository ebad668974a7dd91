using System.Text;
using X86Vm.Linux;
using X86Vm.Linux.Elf;
using X86Vm.Linux.Host;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm;

/// <summary>Thrown when a program cannot be started (missing, not an x86-64 ELF, truncated…); the message is one line for the user.</summary>
public sealed class VirtualMachineStartException(string message, int exitCode) : Exception(message)
{
    /// <summary>126 for a file that is not runnable, 127 for a missing one (as shells report).</summary>
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// One isolated x86-64 Linux virtual machine running one program. Everything it does to the host goes
/// through its options: the mounted directories, the given streams, the clock and entropy source.
/// </summary>
public sealed class VirtualMachine
{
    readonly Kernel _kernel;
    readonly GuestProcess _process;

    public VirtualMachine(VirtualMachineOptions options)
    {
        string cwd = options.WorkingDirectory ?? Directory.GetCurrentDirectory();
        var vfs = new VirtualFileSystem();
        IReadOnlyList<MountSpec> mounts = options.Mounts ?? [new MountSpec("/", "/", true), new MountSpec(cwd, cwd, false)];
        foreach (MountSpec m in mounts) vfs.Mount(m.GuestPath, new HostDirectoryFileSystem(m.HostPath, m.ReadOnly));
        IEntropy entropy = options.Entropy ?? new HostEntropy();
        GuestProcess? current = null;
        vfs.Mount("/proc", new ProcFileSystem(() => current!));
        vfs.Mount("/dev", new DevFileSystem(entropy));

        Stream stderr = options.Stderr ?? Stream.Null;
        var terminal = new TerminalInfo(options.TerminalSize.Rows, options.TerminalSize.Columns);
        _kernel = new Kernel(new KernelOptions
        {
            FileSystem = vfs,
            Stdin = options.Stdin ?? Stream.Null,
            Stdout = options.Stdout ?? Stream.Null,
            Stderr = stderr,
            StdinTerminal = options.StdinIsTerminal ? terminal : null,
            StdoutTerminal = options.StdoutIsTerminal ? terminal : null,
            StderrTerminal = options.StderrIsTerminal ? terminal : null,
            Clock = options.Clock ?? new HostClock(),
            Entropy = entropy,
            Strace = options.Strace,
            Diagnostics = options.Diagnostics ?? new StreamWriter(stderr, new UTF8Encoding(false)) { AutoFlush = true },
            WorkingDirectory = cwd,
        });
        var argv = new List<string> { options.Argv0 ?? options.Program };
        argv.AddRange(options.Arguments);
        try
        {
            _process = current = _kernel.Start(options.Program, argv, options.Environment);
        }
        catch (BadExecutableException e)
        {
            throw new VirtualMachineStartException(e.Message,
                e.Message.EndsWith("No such file or directory", StringComparison.Ordinal) ||
                e.Message.EndsWith(" not found", StringComparison.Ordinal) ? 127 : 126); // a missing interpreter is ENOENT too
        }
    }

    /// <summary>Instructions retired by the program so far.</summary>
    public ulong InstructionsRetired => _process.Threads.Count > 0 ? _process.MainThread.Retired : 0;

    /// <summary>Runs the program to completion; returns its exit status (128 + signal if a signal ended it).</summary>
    public int Run(CancellationToken cancel = default) => _kernel.Run(_process, cancel);
}
