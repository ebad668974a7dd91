using System.Net;
using System.Net.Sockets;
using System.Text;
using X86Vm.Cpu.Memory;
using X86Vm.Linux;
using X86Vm.Linux.Debugging;
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
public sealed partial class VirtualMachine
{
    readonly Kernel _kernel;
    X86Vm.Cpu.Execution.BlockCompiler? _compiler;
    readonly MemoryAccount _memory;
    readonly GuestProcess _process;
    readonly GdbStub? _gdb;
    readonly InstructionMeter _meter;
    readonly bool _deterministic;

    /// <summary>
    /// Builds the VM and loads the program into its first process, ready to <see cref="Run(ulong)"/>. Throws
    /// <see cref="VirtualMachineStartException"/> when the program cannot start or an option is out of range.
    /// </summary>
    public VirtualMachine(VirtualMachineOptions options)
    {
        string cwd = options.WorkingDirectory ?? (options.Mounts == null ? Directory.GetCurrentDirectory() : "/");
        if (options.Deterministic)
        {
            if (options.Network == NetworkMode.Host)
                throw new VirtualMachineStartException("--net host cannot be deterministic: the host network's timing and data are outside the VM", 125);
            if (options.Clock != null || options.Entropy != null)
                throw new VirtualMachineStartException("a deterministic VM uses its own virtual clock and seeded entropy", 125);
        }
        _meter = new InstructionMeter { Budget = options.MaxInstructions };
        IEntropy entropy = options.Entropy ?? (options.Deterministic ? new SeededEntropy(options.Seed) : new HostEntropy());
        IClock clock = options.Clock ?? (options.Deterministic ? new VirtualClock(_meter) : new HostClock());
        _deterministic = options.Deterministic;
        _memory = CreateMemoryAccount(options);
        if (options.MaxProcesses < 1) throw new VirtualMachineStartException("the process limit must be at least 1", 125);
        if (options.MaxOpenFiles is < 1 or > 1 << 20) throw new VirtualMachineStartException("the open-file limit must be between 1 and 1048576", 125);
        if (options.MaxTime is { } t && t <= TimeSpan.Zero) throw new VirtualMachineStartException("the time limit must be positive", 125);
        GuestProcess? current = null;
        Kernel? kernel = null;
        // /proc/self and /dev/fd name the process whose thread runs the call (also while the program loads, when the
        // process exists only as the kernel's current thread); the first process before any thread has run.
        var vfs = BuildFileSystem(options.Mounts ?? MountSpec.DefaultView(cwd), clock, entropy, () => kernel?.CurrentThread?.Process ?? current!, _memory,
            options.Deterministic);

        Stream stderr = options.Stderr ?? Stream.Null;
        TextWriter diagnostics = DiagnosticsWriter(options.Diagnostics, stderr);
        var terminal = new TerminalInfo(options.TerminalSize.Rows, options.TerminalSize.Columns);
        _kernel = kernel = new Kernel(new KernelOptions
        {
            FileSystem = vfs,
            Stdin = options.Stdin ?? Stream.Null,
            Stdout = options.Stdout ?? Stream.Null,
            Stderr = stderr,
            StdinTerminal = options.StdinIsTerminal ? terminal : null,
            StdoutTerminal = options.StdoutIsTerminal ? terminal : null,
            StderrTerminal = options.StderrIsTerminal ? terminal : null,
            Clock = clock,
            Entropy = entropy,
            Meter = _meter,
            Deterministic = options.Deterministic,
            Strace = options.Strace,
            Diagnostics = diagnostics,
            WorkingDirectory = cwd,
            HostNetwork = options.Network == NetworkMode.Host,
            Compiler = _compiler = Compiler(options.Jit, options.JitThreshold, options.JitSynchronous),
            Cpu = options.Cpu,
            Memory = _memory,
            MaxTasks = options.MaxProcesses,
            OpenFiles = options.MaxOpenFiles is int n ? (n, n) : KernelOptions.DefaultOpenFiles,
            OpenFilesCeiling = options.MaxOpenFiles ?? KernelOptions.DefaultOpenFilesCeiling,
            TimeLimit = options.MaxTime,
        });
        var argv = new List<string> { options.Argv0 ?? options.Program };
        argv.AddRange(options.Arguments);
        try
        {
            _process = current = _kernel.Start(options.Program, argv, options.Environment);
        }
        catch (Exception) when (Abandon(kernel)) { throw; } // never caught: releases the mounts, then the catches below
        catch (GuestFault f) when (f.IsOutOfMemory)
        {
            throw new VirtualMachineStartException(
                $"{options.Program}: does not fit in the memory limit of {ByteSize.Format(_memory.LimitBytes)}", 128 + X86Vm.Cpu.Memory.Signals.SIGKILL);
        }
        catch (BadExecutableException e)
        {
            throw new VirtualMachineStartException(e.Message,
                e.Message.EndsWith("No such file or directory", StringComparison.Ordinal) ||
                e.Message.EndsWith(" not found", StringComparison.Ordinal) ? 127 : 126); // a missing interpreter is ENOENT too
        }
        if (options.Gdb != null)
        {
            try { _gdb = GdbStub.Listen(options.Gdb, _kernel, diagnostics); }
            catch (Exception) when (Abandon(kernel)) { throw; }
            catch (FormatException e) { throw new VirtualMachineStartException(e.Message, 125); }
            catch (SocketException e) { throw new VirtualMachineStartException($"--gdb {options.Gdb}: cannot listen: {e.Message}", 125); }
            _kernel.Debugger = _gdb;
            string where = GdbEndpoint.Describe(_gdb.EndPoint);
            diagnostics.WriteLine($"x86vm: waiting for gdb on {where} (in gdb: target remote {where})");
        }
    }

    /// <summary>Where x86vm's own lines go: the given writer, else the guest's stderr stream (UTF-8, flushed per write).</summary>
    static TextWriter DiagnosticsWriter(TextWriter? given, Stream stderr) =>
        given ?? new StreamWriter(stderr, new UTF8Encoding(false)) { AutoFlush = true };

    /// <summary>The JIT tier of the options: a compiler with at least one interpreted run per block, or none.</summary>
    static X86Vm.Cpu.Execution.BlockCompiler? Compiler(bool jit, int threshold, bool synchronous) =>
        jit ? new X86Vm.Cpu.Execution.BlockCompiler { Threshold = Math.Max(1, threshold), Synchronous = synchronous } : null;

    /// <summary>The memory account of <see cref="VirtualMachineOptions.MaxMemory"/>: one per VM, checked before anything is built.</summary>
    static MemoryAccount CreateMemoryAccount(VirtualMachineOptions options)
    {
        long limit = options.MaxMemory ??
            (options.Deterministic ? VirtualMachineOptions.DeterministicMaxMemory : VirtualMachineOptions.DefaultMaxMemory);
        if (limit < Page.Size) throw new VirtualMachineStartException("the memory limit must be at least 4 KiB", 125);
        long files = options.MaxTmpfs ?? limit / 2;
        if (files < 0) throw new VirtualMachineStartException("the tmpfs limit must not be negative", 125);
        return new MemoryAccount(limit, files);
    }

    /// <summary>Guest memory in use now (pages of every process and in-memory file data), in bytes.</summary>
    public long MemoryInUse => _memory.Pages * Page.Size;

    /// <summary>The most guest memory the VM has held at once, in bytes (at most <see cref="VirtualMachineOptions.MaxMemory"/>).</summary>
    public long PeakMemory => _memory.PeakPages * Page.Size;

    /// <summary>True once <see cref="VirtualMachineOptions.MaxTime"/> stopped the VM (its line is written).</summary>
    public bool TimeLimitReached => _kernel.TimeLimitReached;

    /// <summary>Where the GDB stub listens (<see cref="VirtualMachineOptions.Gdb"/>), with the real port; null without one.</summary>
    public EndPoint? GdbEndPoint => _gdb?.EndPoint;

    /// <summary>Every GDB remote-protocol packet in and out, when set (diagnosing the stub).</summary>
    public TextWriter? GdbPacketLog
    {
        get => _gdb?.PacketLog;
        set { if (_gdb != null) _gdb.PacketLog = value; }
    }

    /// <summary>
    /// The guest's file view: the mounts in order, then the synthesised /proc, /dev and /dev/shm. Host
    /// directories that do not exist fail the start with one line.
    /// </summary>
    static VirtualFileSystem BuildFileSystem(IReadOnlyList<MountSpec> mounts, IClock clock, IEntropy entropy,
        Func<GuestProcess> current, MemoryAccount memory, bool deterministic)
    {
        var vfs = new VirtualFileSystem();
        ulong device = 0x30;
        if (mounts.Count == 0 || mounts[0].GuestPath.Trim('/').Length != 0)
            vfs.Mount("/", new MemoryFileSystem(clock, device++, rootMode: 0x1ED, account: memory));
        foreach (MountSpec m in mounts)
        {
            if (!m.GuestPath.StartsWith('/')) throw new VirtualMachineStartException($"mount {m.GuestPath}: the guest path must be absolute", 125);
            try
            {
                IFileSystem fs = m.Kind switch
                {
                    MountKind.Tmpfs => new MemoryFileSystem(clock, device, account: memory),
                    MountKind.CopyOnWrite => new MemoryFileSystem(clock, device,
                        new HostTree(m.HostPath!, deterministic ? new HostFilePresenter(device, clock) : null), account: memory),
                    _ => new HostDirectoryFileSystem(m.HostPath!, m.Kind == MountKind.ReadOnly, memory,
                        deterministic ? new HostFilePresenter(device, clock) : null),
                };
                device++;
                vfs.Mount(m.GuestPath, fs);
            }
            catch (Exception e) when (e is DirectoryNotFoundException or ArgumentException or IOException)
            {
                throw new VirtualMachineStartException($"mount {m.HostPath}: {e.Message}", 125);
            }
        }
        if (deterministic) vfs.Mount("/sys", SysFileSystem.Create(clock, device++, memory)); // not the host's CPUs and devices
        vfs.Mount("/proc", new ProcFileSystem(current));
        vfs.Mount("/dev", new DevFileSystem(entropy, current));
        vfs.Mount("/dev/shm", new MemoryFileSystem(clock, device++, account: memory));
        return vfs;
    }

    /// <summary>Instructions retired by the program so far.</summary>
    public ulong InstructionsRetired => _process.Threads.Count > 0 ? _process.MainThread.Retired : 0;

    /// <summary>
    /// Units the whole VM has consumed (docs/metering.md): instructions retired by every thread of every process, plus
    /// one per SYSCALL execution that blocked, plus each syscall's charge for its work (one unit per 64 bytes copied).
    /// What <see cref="VirtualMachineOptions.MaxInstructions"/> limits.
    /// </summary>
    public ulong InstructionsExecuted => _meter.Now;

    /// <summary>What the JIT tier has done so far, or null when it is off (a host-side statistic, never part of the VM's state).</summary>
    public JitStatistics? Jit => _compiler is { } c ? new JitStatistics(c.CompiledRegions, c.CompiledOps, c.CompileTime) : null;

    /// <summary>The status <see cref="Run(CancellationToken)"/> returns when the instruction budget is spent.</summary>
    public const int OutOfBudgetStatus = Kernel.OutOfBudgetStatus;

    /// <summary>True when the last run stopped because the instruction budget was spent; raise it and run again to continue.</summary>
    public bool OutOfBudget => _kernel.OutOfBudget;

    /// <summary>The instruction budget (units in total, not per run); null for none. Raise it to continue a VM that ran out.</summary>
    public ulong? InstructionBudget
    {
        get => _meter.Budget;
        set => _meter.Budget = value;
    }

    /// <summary>
    /// The 32-byte root of the VM's state hash (docs/state-hash.md): a BLAKE3 Merkle tree over guest memory, every
    /// thread's registers, the kernel's processes, descriptors, pipes, signals and timers, the VM's own files, the clock
    /// and the instruction count. Two deterministic VMs in the same state have the same hash. Call it between runs.
    /// </summary>
    public byte[] StateHash() => Live.StateHash();

    /// <summary>The pid of the program's first process (the one <see cref="Run(CancellationToken)"/> waits for).</summary>
    public int ProcessId => _process.Pid;

    /// <summary>
    /// Reads guest memory of process <paramref name="pid"/> as the kernel's copy from user would (read protection
    /// honoured); false when the process does not exist or part of the range is not readable.
    /// </summary>
    public bool ReadMemory(int pid, ulong address, Span<byte> destination) =>
        Live.FindProcess(pid) is { Exited: false } p && p.Memory.TryRead(address, destination);

    /// <summary>
    /// Writes guest memory of process <paramref name="pid"/> as the kernel's copy to user would (write protection
    /// honoured; decoded code of the range is dropped); false when the process does not exist or part of the range is
    /// not writable. Call it between runs.
    /// </summary>
    public bool WriteMemory(int pid, ulong address, ReadOnlySpan<byte> source) =>
        Live.FindProcess(pid) is { Exited: false } p && p.Memory.TryWrite(address, source);

    /// <summary>Thread <paramref name="tid"/>'s register (a process's main thread has the pid as its tid).</summary>
    public ulong ReadRegister(int tid, GuestRegister register)
    {
        X86Vm.Cpu.Cpu c = FindCpu(tid);
        return register switch
        {
            GuestRegister.Rip => c.Rip,
            GuestRegister.Rflags => c.Rflags,
            GuestRegister.FsBase => c.FsBase,
            GuestRegister.GsBase => c.GsBase,
            _ => c.R((int)register),
        };
    }

    /// <summary>Sets thread <paramref name="tid"/>'s register. Call it between runs.</summary>
    public void WriteRegister(int tid, GuestRegister register, ulong value)
    {
        X86Vm.Cpu.Cpu c = FindCpu(tid);
        switch (register)
        {
            case GuestRegister.Rip: c.Rip = value; break;
            case GuestRegister.Rflags: c.Rflags = value; break;
            case GuestRegister.FsBase: c.FsBase = value; break;
            case GuestRegister.GsBase: c.GsBase = value; break;
            default: c.R((int)register) = value; break;
        }
    }

    X86Vm.Cpu.Cpu FindCpu(int tid) =>
        Live.Threads.FirstOrDefault(t => t.Tid == tid)?.Cpu ?? throw new ArgumentException($"no live guest thread {tid}", nameof(tid));

    /// <summary>True when the VM was built deterministic (<see cref="VirtualMachineOptions.Deterministic"/>).</summary>
    public bool Deterministic => _deterministic;

    /// <summary>
    /// Runs until the program's first process ends or <paramref name="instructionBudget"/> more units (instructions and
    /// syscall charges, docs/metering.md) are spent, whichever comes first. After <see cref="RunStatus.OutOfBudget"/>
    /// call it again to continue exactly where it stopped: a run in slices computes what one run computes. It replaces
    /// <see cref="InstructionBudget"/> with the new end of the slice.
    /// </summary>
    public RunResult Run(ulong instructionBudget)
    {
        ThrowIfRunning();
        ulong now = _meter.Now;
        InstructionBudget = instructionBudget > ulong.MaxValue - now ? ulong.MaxValue : now + instructionBudget;
        int status = Run();
        if (_stopped) return new RunResult(RunStatus.Stopped, 0, 0, InstructionsExecuted);
        if (OutOfBudget) return new RunResult(RunStatus.OutOfBudget, 0, 0, InstructionsExecuted);
        if (TimeLimitReached) return new RunResult(RunStatus.TimeLimit, status, 0, InstructionsExecuted);
        int signal = _process.WaitStatus & 0x7F;
        return signal != 0
            ? new RunResult(RunStatus.Signaled, status, signal, InstructionsExecuted)
            : new RunResult(RunStatus.Exited, (_process.WaitStatus >> 8) & 0xFF, 0, InstructionsExecuted);
    }

    /// <summary>Runs the program to completion; returns its exit status (128 + signal if a signal ended it).</summary>
    public int Run(CancellationToken cancel = default)
    {
        if (_gdb == null) return RunKernel(cancel);
        using CancellationTokenRegistration abort = cancel.Register(_gdb.Abort);
        try
        {
            return RunKernel(cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancel);
        }
        finally
        {
            _gdb.Dispose();
        }
    }
}
