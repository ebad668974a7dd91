using X86Vm.Linux;
using X86Vm.Linux.State;

namespace X86Vm;

// Snapshots (docs/snapshots.md): the whole VM written to a stream between runs, and rebuilt from one, on this host or
// another, continuing exactly where it stopped.
public sealed partial class VirtualMachine
{
    /// <summary>A VM rebuilt by <see cref="LoadSnapshot"/>: its kernel, and the process its run waits for.</summary>
    VirtualMachine(Kernel kernel, int rootPid)
    {
        _kernel = kernel;
        _meter = kernel.Meter;
        _memory = kernel.Options.Memory;
        _deterministic = kernel.Options.Deterministic;
        _process = kernel.FindProcess(rootPid)!;
    }

    /// <summary>
    /// Writes the whole VM to <paramref name="destination"/>: every process, thread, register, page of memory, open
    /// file, pipe, socket, signal, timer and in-memory file, the clock, the instruction count and the entropy position,
    /// with the state hash (<see cref="StateHash"/>) of what was saved. Call it between runs: before the first, or after
    /// <see cref="Run(ulong)"/> returned <see cref="RunStatus.OutOfBudget"/>. The VM is unchanged and can run on.
    /// </summary>
    /// <exception cref="SnapshotNotSupportedException">The VM holds something that cannot move to another host (a host
    /// network socket, a host file open for writing, a shared mapping of a host file, an attached debugger); the
    /// message names it.</exception>
    /// <exception cref="InvalidOperationException">The program has ended.</exception>
    public void SaveSnapshot(Stream destination)
    {
        ThrowIfRunning();
        if (_process.Exited) throw new InvalidOperationException("the program has ended: there is nothing to continue");
        _kernel.SaveSnapshot(destination, _process.Pid);
    }

    /// <summary>
    /// Rebuilds a VM from a snapshot <see cref="SaveSnapshot"/> wrote (by this build of x86vm, on any host), bound to
    /// the host things in <paramref name="host"/>. Running it continues exactly where the saved VM stopped: the same
    /// output, instruction counts and state hashes as if it had never stopped.
    /// </summary>
    /// <exception cref="SnapshotFormatException">Not a snapshot, another format version or build, damaged or truncated,
    /// a mount's host directory or an open host file missing, or a rebuilt VM whose state hash differs from the saved one.</exception>
    /// <exception cref="ArgumentException">A re-bound mount names a guest path where the snapshot has no host directory.</exception>
    public static VirtualMachine LoadSnapshot(Stream source, RestoreOptions host)
    {
        Stream stderr = host.Stderr ?? Stream.Null;
        var compiler = Compiler(host.Jit, host.JitThreshold, host.JitSynchronous);
        var bindings = new HostBindings
        {
            Stdin = host.Stdin ?? Stream.Null,
            Stdout = host.Stdout ?? Stream.Null,
            Stderr = stderr,
            Strace = host.Strace,
            Diagnostics = DiagnosticsWriter(host.Diagnostics, stderr),
            Compiler = compiler,
            TimeLimit = host.MaxTime,
            Mounts = (host.Mounts ?? []).ToDictionary(m => m.GuestPath.Length > 1 ? m.GuestPath.TrimEnd('/') : m.GuestPath, m => m.HostPath ??
                throw new ArgumentException($"mount {m.GuestPath}: a re-bound mount needs a host path", nameof(host))),
        };
        var (kernel, rootPid) = Kernel.LoadSnapshot(source, bindings);
        return new VirtualMachine(kernel, rootPid) { _compiler = compiler };
    }

    /// <summary>
    /// Describes a snapshot without restoring or running it: format version, state hash (checked against what was read),
    /// meter and clock, processes with their threads, memory mappings and descriptors, mounts and host inputs. Needs
    /// nothing of the host the snapshot came from.
    /// </summary>
    /// <exception cref="SnapshotFormatException">Not a snapshot, another format version or build, damaged or truncated.</exception>
    public static SnapshotSummary InspectSnapshot(Stream source) => Kernel.InspectSnapshot(source);
}
