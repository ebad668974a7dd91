using X86Vm.Linux;
using X86Vm.Linux.Host;

namespace X86Vm;

/// <summary>How a mount presents its files.</summary>
public enum MountKind
{
    /// <summary>A host directory the guest can read but not change (EROFS).</summary>
    ReadOnly,
    /// <summary>A host directory whose changes reach the host.</summary>
    ReadWrite,
    /// <summary>A host directory overlaid copy-on-write: the guest's changes stay in VM memory, the host is never written.</summary>
    CopyOnWrite,
    /// <summary>An empty in-memory file system (no host directory).</summary>
    Tmpfs,
}

/// <summary>A directory placed into the guest's file view at <paramref name="GuestPath"/> (absolute). Later mounts shadow earlier ones.</summary>
public sealed record MountSpec(string? HostPath, string GuestPath, MountKind Kind)
{
    /// <summary>A host directory mounted read-only or read-write.</summary>
    public MountSpec(string hostPath, string guestPath, bool readOnly)
        : this(hostPath, guestPath, readOnly ? MountKind.ReadOnly : MountKind.ReadWrite) { }

    /// <summary>True for <see cref="MountKind.ReadOnly"/>.</summary>
    public bool ReadOnly => Kind == MountKind.ReadOnly;

    /// <summary>An empty in-memory file system at <paramref name="guestPath"/>.</summary>
    public static MountSpec Tmpfs(string guestPath) => new(null, guestPath, MountKind.Tmpfs);

    /// <summary>The default view: the host root read-only, a private tmpfs at /tmp, <paramref name="workingDirectory"/> read-write.</summary>
    public static IReadOnlyList<MountSpec> DefaultView(string workingDirectory) =>
        [new("/", "/", MountKind.ReadOnly), Tmpfs("/tmp"), new(workingDirectory, workingDirectory, MountKind.ReadWrite)];

    /// <summary>
    /// Parses the command line's <c>HOST:GUEST[:ro|:rw|:cow]</c> (default rw); relative host paths start at the
    /// current directory. Returns null and an explanation when malformed.
    /// </summary>
    public static MountSpec? Parse(string text, out string? error)
    {
        error = null;
        string[] parts = text.Split(':');
        MountKind kind = MountKind.ReadWrite;
        if (parts.Length == 3)
        {
            switch (parts[2])
            {
                case "ro": kind = MountKind.ReadOnly; break;
                case "rw": kind = MountKind.ReadWrite; break;
                case "cow": kind = MountKind.CopyOnWrite; break;
                default: error = $"--mount {text}: the mode must be ro, rw or cow"; return null;
            }
        }
        else if (parts.Length != 2)
        {
            error = $"--mount {text}: expected HOST:GUEST[:ro|:rw|:cow]";
            return null;
        }
        if (parts[0].Length == 0 || parts[1].Length == 0)
        {
            error = $"--mount {text}: expected HOST:GUEST[:ro|:rw|:cow]";
            return null;
        }
        if (!parts[1].StartsWith('/'))
        {
            error = $"--mount {text}: the guest path must be absolute";
            return null;
        }
        return new MountSpec(Path.GetFullPath(parts[0]), parts[1], kind);
    }
}

/// <summary>Which network a guest's inet sockets reach.</summary>
public enum NetworkMode
{
    /// <summary>A loopback network of its own inside the VM: deterministic, invisible to the host.</summary>
    Private,
    /// <summary>The host's network: the guest may connect out and listen on host ports.</summary>
    Host,
}

/// <summary>What a <see cref="VirtualMachine"/> runs and what it may see.</summary>
public sealed class VirtualMachineOptions
{
    /// <summary>The program, as a path in the guest's view (relative paths start at <see cref="WorkingDirectory"/>).</summary>
    public required string Program { get; init; }

    /// <summary>argv[1..]; argv[0] is <see cref="Program"/> unless <see cref="Argv0"/> is set.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];
    /// <summary>argv[0] when it should differ from <see cref="Program"/> (a busybox applet name, say).</summary>
    public string? Argv0 { get; init; }

    /// <summary>The guest environment as K=V strings.</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];

    /// <summary>
    /// The guest's view of files, in order (later mounts shadow earlier ones; the first should be "/"). Default:
    /// <see cref="MountSpec.DefaultView"/> of <see cref="WorkingDirectory"/>. /proc, /dev and /dev/shm are always
    /// synthesised on top.
    /// </summary>
    public IReadOnlyList<MountSpec>? Mounts { get; init; }

    /// <summary>The guest's starting directory (a guest path). Default: the host's current directory.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The guest's descriptor 0 (default: empty). The caller owns the stream; the VM never closes it.</summary>
    public Stream? Stdin { get; init; }
    /// <summary>The guest's descriptor 1 (default: discarded). The caller owns the stream.</summary>
    public Stream? Stdout { get; init; }
    /// <summary>The guest's descriptor 2 (default: discarded), and <see cref="Diagnostics"/> unless that is set. The caller owns the stream.</summary>
    public Stream? Stderr { get; init; }
    /// <summary>Present descriptor 0 to the guest as a terminal (isatty, termios ioctls).</summary>
    public bool StdinIsTerminal { get; init; }
    /// <summary>Present descriptor 1 to the guest as a terminal.</summary>
    public bool StdoutIsTerminal { get; init; }
    /// <summary>Present descriptor 2 to the guest as a terminal.</summary>
    public bool StderrIsTerminal { get; init; }
    /// <summary>The window size a terminal reports (TIOCGWINSZ).</summary>
    public (ushort Rows, ushort Columns) TerminalSize { get; init; } = (24, 80);

    /// <summary>strace-style syscall log, when set.</summary>
    public TextWriter? Strace { get; init; }

    /// <summary>x86vm's own one-line diagnostics (fatal signals, limits; unsupported syscalls go to <see cref="Strace"/>). Default: <see cref="Stderr"/>.</summary>
    public TextWriter? Diagnostics { get; init; }

    /// <summary>The guest's clocks (default: the host's; a deterministic VM uses its own virtual clock and must leave this unset).</summary>
    public IClock? Clock { get; init; }
    /// <summary>The network inet sockets use; Unix sockets always stay inside the VM.</summary>
    public NetworkMode Network { get; init; } = NetworkMode.Private;
    /// <summary>The guest's randomness (default: the host's; a deterministic VM seeds its own from <see cref="Seed"/>).</summary>
    public IEntropy? Entropy { get; init; }

    /// <summary>
    /// Debug the program with GDB: where the GDB remote-protocol stub listens — <c>PORT</c> or <c>localhost:PORT</c>
    /// (TCP on the loopback interface), <c>HOST:PORT</c>, or a Unix socket path (anything with a slash). Port 0 picks a
    /// free port (<see cref="VirtualMachine.GdbEndPoint"/>). <see cref="VirtualMachine.Run(CancellationToken)"/> then waits for the
    /// debugger before the first instruction. See docs/gdb.md.
    /// </summary>
    public string? Gdb { get; init; }

    /// <summary>
    /// Compile hot guest code to .NET code (default on). The interpreter stays the reference; both tiers compute
    /// bit-identical results and count instructions exactly.
    /// </summary>
    public bool Jit { get; init; } = true;

    /// <summary>
    /// The instruction-set level the guest's CPU offers (--cpu baseline|v2|v3|max): what CPUID, /proc/cpuinfo and AT_HWCAP
    /// report, and which instructions run (the others raise SIGILL as on a CPU without them). Default: v3 (x86-64-v3;
    /// docs/isa.md). Kept in snapshots.
    /// </summary>
    public X86Vm.Cpu.Instructions.CpuLevel Cpu { get; init; } = X86Vm.Cpu.Instructions.CpuLevels.Default;

    /// <summary>Interpreted executions of a block before it is compiled (with <see cref="Jit"/>); at least 1.</summary>
    public int JitThreshold { get; init; } = 10000;

    /// <summary>
    /// Compile on the VM's own thread instead of in the background, so a block's compiled form is used from its next
    /// execution on (tests use this with <see cref="JitThreshold"/> 1 to run nearly everything compiled).
    /// </summary>
    public bool JitSynchronous { get; init; }

    /// <summary>
    /// The most guest memory the VM may hold, in bytes: materialised pages of all its processes (private, shared,
    /// the host page cache of shared file mappings) plus in-memory file data (tmpfs, copy-on-write overlays, memfd).
    /// A page fault past it kills the process with SIGKILL, as the OOM killer does, with one line on
    /// <see cref="Diagnostics"/>; a single mmap/brk/mremap asking for more than the limit fails with ENOMEM. Default:
    /// <see cref="DefaultMaxMemory"/>. See docs/limits.md.
    /// </summary>
    public long? MaxMemory { get; init; }

    /// <summary>
    /// The most in-memory file data (all tmpfs mounts, /dev/shm, memfds and copy-on-write overlays together), in bytes:
    /// writes past it fail with ENOSPC, as on a full tmpfs. Counted within <see cref="MaxMemory"/> too. Default: half of
    /// the memory limit (Linux's default tmpfs size is half of RAM).
    /// </summary>
    public long? MaxTmpfs { get; init; }

    /// <summary>Processes and threads together: fork, vfork, clone and pthread_create fail with EAGAIN at this many.</summary>
    public int MaxProcesses { get; init; } = KernelOptions.DefaultMaxTasks;

    /// <summary>
    /// RLIMIT_NOFILE, soft and hard, and the ceiling the guest may raise it to: open, dup, pipe, socket… fail with
    /// EMFILE at the soft limit. Default (null): soft 1024, hard 4096, raisable to 65536.
    /// </summary>
    public int? MaxOpenFiles { get; init; }

    /// <summary>
    /// Wall-clock time the VM may run; then it stops every process, writes one line on <see cref="Diagnostics"/> and
    /// <see cref="VirtualMachine.Run(CancellationToken)"/> returns 124 (as timeout(1)). Default: none.
    /// </summary>
    public TimeSpan? MaxTime { get; init; }

    /// <summary>
    /// Deterministic mode (docs/determinism.md): the same program, arguments, environment, files, stdin and
    /// <see cref="Seed"/> give the same output, instruction count and state hash on every run and host. Time is
    /// virtual (derived from the instruction count; waits skip ahead instead of sleeping), entropy is seeded, host
    /// files get virtual inode numbers and timestamps and list in byte order, stdin reads are filled whole, the memory
    /// limit's default does not depend on the host, /sys is the VM's own. <see cref="Clock"/> and <see cref="Entropy"/>
    /// must be left unset and <see cref="Network"/> private.
    /// </summary>
    public bool Deterministic { get; init; }

    /// <summary>The seed of the guest's entropy (getrandom, /dev/urandom, AT_RANDOM) in deterministic mode.</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// The instruction budget (docs/metering.md): <see cref="VirtualMachine.Run(CancellationToken)"/> stops after exactly this many
    /// units (retired instructions across all threads and processes, plus one per blocked SYSCALL execution, plus each
    /// syscall's charge for its work) and returns
    /// <see cref="VirtualMachine.OutOfBudgetStatus"/>. Default: none.
    /// </summary>
    public ulong? MaxInstructions { get; init; }

    /// <summary>The default <see cref="MaxMemory"/>: 4 GiB, or half of the host's memory when that is less (whole MiB).</summary>
    public static long DefaultMaxMemory { get; } = ComputeDefaultMaxMemory();

    /// <summary>The default <see cref="MaxMemory"/> in deterministic mode: 4 GiB whatever the host has.</summary>
    public const long DeterministicMaxMemory = 4L << 30;

    static long ComputeDefaultMaxMemory()
    {
        long host = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        long max = 4L << 30;
        return host > 0 ? Math.Min(max, host / 2 & ~((1L << 20) - 1)) : max;
    }
}
