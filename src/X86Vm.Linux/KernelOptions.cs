using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using X86Vm.Linux.Host;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux;

/// <summary>Everything a VM's Linux personality is built from: its view of files, its streams, clock and entropy.</summary>
public sealed record KernelOptions
{
    public required VirtualFileSystem FileSystem { get; init; }
    [field: NotSnapshot] public Stream Stdin { get; init; } = Stream.Null;
    [field: NotSnapshot] public Stream Stdout { get; init; } = Stream.Null;
    [field: NotSnapshot] public Stream Stderr { get; init; } = Stream.Null;
    /// <summary>Set when the corresponding host stream is a terminal.</summary>
    public TerminalInfo? StdinTerminal { get; init; }
    public TerminalInfo? StdoutTerminal { get; init; }
    public TerminalInfo? StderrTerminal { get; init; }
    public IClock Clock { get; init; } = new HostClock();
    public IEntropy Entropy { get; init; } = new HostEntropy();
    /// <summary>The VM's instruction counter (share it with a <see cref="VirtualClock"/>); its budget stops <see cref="Kernel.Run"/>.</summary>
    public InstructionMeter Meter { get; init; } = new();
    /// <summary>
    /// Deterministic mode (docs/determinism.md): inputs from the host are presented deterministically (host files get
    /// virtual inode numbers, devices and timestamps, directories list in byte order, stdin reads are filled whole).
    /// The clock and entropy are chosen by whoever builds the options.
    /// </summary>
    public bool Deterministic { get; init; }
    /// <summary>Receives strace(1)-style lines when set.</summary>
    [field: NotSnapshot] public TextWriter? Strace { get; init; }
    /// <summary>Receives x86vm's own diagnostics (fatal signals, limits); unsupported syscalls are reported in <see cref="Strace"/>.</summary>
    [field: NotSnapshot] public TextWriter Diagnostics { get; init; } = TextWriter.Null;
    /// <summary>The guest's initial current directory (a guest path).</summary>
    public string WorkingDirectory { get; init; } = "/";
    /// <summary>
    /// Inet sockets use the host's network (--net host) instead of the VM's private loopback network. This is the
    /// only way a guest reaches the host's network; Unix sockets stay inside the VM either way.
    /// </summary>
    public bool HostNetwork { get; init; }
    /// <summary>
    /// The block compiler hot guest code is handed to (shared by every process of the VM); null runs everything in
    /// the interpreter. Both tiers compute bit-identical results.
    /// </summary>
    [field: NotSnapshot] public X86Vm.Cpu.Execution.BlockCompiler? Compiler { get; init; }
    /// <summary>The instruction-set level the CPU offers (--cpu): CPUID, /proc/cpuinfo and which instructions run (docs/isa.md).</summary>
    public X86Vm.Cpu.Instructions.CpuLevel Cpu { get; init; } = X86Vm.Cpu.Instructions.CpuLevels.Default;

    /// <summary>uname nodename.</summary>
    public string HostName { get; init; } = "x86vm";

    /// <summary>
    /// The VM's resident memory and its limits, shared by every address space and in-memory file system of the VM
    /// (docs/limits.md). Touching a page past the limit gets the process the OOM killer's SIGKILL. Default: no limit.
    /// </summary>
    public MemoryAccount Memory { get; init; } = MemoryAccount.Unlimited();

    /// <summary>The default task limit (Linux computes threads-max from RAM; this keeps a fork bomb small).</summary>
    public const int DefaultMaxTasks = 4096;
    /// <summary>The default RLIMIT_NOFILE: Linux's usual 1024 soft and 4096 hard.</summary>
    public static readonly (int Soft, int Hard) DefaultOpenFiles = (FileDescriptorTable.Limit, 4096);
    /// <summary>The default ceiling for raising RLIMIT_NOFILE (Linux's fs.nr_open is 1048576; this bounds descriptors).</summary>
    public const int DefaultOpenFilesCeiling = 65536;

    /// <summary>Processes and threads of the VM together (threads-max): fork, vfork and clone fail with EAGAIN at this many.</summary>
    public int MaxTasks { get; init; } = DefaultMaxTasks;

    /// <summary>RLIMIT_NOFILE of the first process (soft, hard): open, dup, socket… fail with EMFILE at the soft limit.</summary>
    public (int Soft, int Hard) OpenFiles { get; init; } = DefaultOpenFiles;

    /// <summary>
    /// How far any process may raise its RLIMIT_NOFILE hard limit (fs.nr_open; the guest is root, so it may raise it
    /// that far): EPERM beyond. At least <see cref="OpenFiles"/>' hard limit.
    /// </summary>
    public int OpenFilesCeiling { get; init; } = DefaultOpenFilesCeiling;

    /// <summary>Wall-clock time the VM may run: then it reports one line, kills every process and <see cref="Kernel.Run"/> returns 124.</summary>
    [field: NotSnapshot] public TimeSpan? TimeLimit { get; init; }
}
