namespace X86Vm.Linux.State;

/// <summary>
/// What a snapshot holds, read without running or binding it to a host (`x86vm inspect`, docs/snapshots.md): its
/// format, the saved state hash, the meter and clock, every process with its threads, memory and descriptors, the
/// mounts, and the host files it read with their content hashes. Plain data, for text or JSON.
/// </summary>
public sealed record SnapshotSummary(
    int FormatVersion,
    // Which x86vm and .NET runtime wrote it ("x86vm 0.1.0+commit on .NET 10.0.0").
    string WrittenBy,
    string StateHash,
    // The graph read from the file hashes to StateHash again.
    bool StateHashVerified,
    bool Deterministic,
    ulong InstructionsExecuted,
    ulong? InstructionBudget,
    long MonotonicNs,
    // CLOCK_REALTIME of a deterministic VM's virtual clock; null for a VM on the host clock.
    long? RealtimeNs,
    // The process the VM's run waits for (the program started).
    int ProgramPid,
    IReadOnlyList<ProcessSummary> Processes,
    IReadOnlyList<MountSummary> Mounts,
    IReadOnlyList<HostInputSummary> HostInputs);

public sealed record ProcessSummary(
    int Pid, int ParentPid, int ProcessGroup, int Session,
    // "alive", "stopped" or "zombie (status N)".
    string State,
    // The name (comm) the process has.
    string Command,
    string Executable, IReadOnlyList<string> Argv, string Cwd,
    IReadOnlyList<ThreadSummary> Threads, MemorySummary Memory, IReadOnlyList<DescriptorSummary> Descriptors);

public sealed record ThreadSummary(
    int Tid,
    // "runnable", "blocked" or "exited".
    string State,
    ulong Rip,
    // What a blocked thread waits for ("futex", "read", "wait4", "nanosleep until …"); null when it does not wait.
    string? Wait,
    ulong InstructionsRetired);

/// <summary>An address space: its mappings and the pages materialised in it (4 KiB each).</summary>
public sealed record MemorySummary(IReadOnlyList<MappingSummary> Mappings, ulong MappedBytes, int ResidentPages, int SharedPages);

/// <summary>
/// One mapping: range, permissions as /proc/PID/maps shows them, what backs it (a file's guest path, [heap], [stack],
/// or "" for anonymous memory), the file offset, the pages materialised in it, and how many of those are shared with
/// another mapping (copy-on-write after fork, or MAP_SHARED).
/// </summary>
public sealed record MappingSummary(ulong Start, ulong End, string Permissions, string Backing, ulong Offset, int ResidentPages, int SharedPages);

public sealed record DescriptorSummary(int Fd, string Kind, string Path, string Access, bool CloseOnExec);

/// <summary>A mount: guest path, file system type, the host directory of a host-backed one, and its mode (ro, rw, cow, tmpfs…).</summary>
public sealed record MountSummary(string GuestPath, string Type, string? HostPath, string Mode);

/// <summary>A host file the VM opened, by guest path, with the BLAKE3 of its content at the save (null: it was absent).</summary>
public sealed record HostInputSummary(string GuestPath, string? ContentHash);
