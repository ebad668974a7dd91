using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using X86Vm.Linux.Debugging;
using X86Vm.Linux.Elf;
using X86Vm.Linux.Process;
using X86Vm.Linux.Syscalls;
using X86Vm.Linux.Vfs;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Linux;

/// <summary>
/// The Linux personality of one VM: syscalls, the file view, processes and threads, and the scheduler
/// that runs them. It owns no host resources beyond what its <see cref="KernelOptions"/> hand it.
/// </summary>
public sealed partial class Kernel
{
    public KernelOptions Options { get; private set; }
    [field: NotSnapshot] public SyscallTable Syscalls { get; private set; }
    public Host.IClock Clock => Options.Clock;
    /// <summary>The VM's instruction counter and budget (docs/metering.md).</summary>
    public InstructionMeter Meter => Options.Meter;
    public VirtualFileSystem Vfs => Options.FileSystem;
    public Futexes Futexes { get; } = new();
    /// <summary>System V shared memory segments (shmget).</summary>
    public SharedMemorySegments SharedMemory { get; } = new();
    /// <summary>System V semaphore sets (semget).</summary>
    public SemaphoreSets Semaphores { get; } = new();
    /// <summary>System V message queues (msgget).</summary>
    public MessageQueues MessageQueues { get; } = new();
    /// <summary>POSIX message queues by name (mq_open).</summary>
    public PosixMessageQueues PosixMessageQueues { get; } = new();

    /// <summary>An attached debugger (the GDB stub), consulted at scheduling points; null when none.</summary>
    [field: NotSnapshot] public IDebugger? Debugger { get; set; }

    /// <summary>Live and zombie processes by pid: iterated in pid order, which does not depend on the history of the table.</summary>
    readonly SortedDictionary<int, GuestProcess> _processes = new();
    /// <summary>Every live thread in creation order: the scheduler's round-robin order.</summary>
    readonly List<GuestThread> _threads = new();
    int _nextId = 1000;

    /// <summary>Open file descriptions released in this VM (epoll's purge hint).</summary>
    public ReleaseCounter DescriptionReleases { get; } = new();

    /// <summary>TimerFd creation order in this VM: timers expiring together fire in this order.</summary>
    public long NextTimerFdOrder() => ++_timerFdsCreated;
    long _timerFdsCreated;

    /// <summary>Decoded guest code shared by the VM's processes (same bytes at the same address decode once).</summary>
    [field: NotSnapshot] public X86Vm.Cpu.Execution.DecodedBlocks DecodedCode { get; private set; } = new();

    /// <summary>The internal tmpfs memfds live on (the kernel's shm_mnt), made at the first memfd_create.</summary>
    public MemoryFileSystem MemfdMount => _memfdMount ??= new MemoryFileSystem(Clock, 0x1, account: Options.Memory);
    MemoryFileSystem? _memfdMount;

    public Kernel(KernelOptions options)
    {
        Options = options;
        Syscalls = new SyscallTable(this);
    }

    /// <summary>The thread running now.</summary>
    public GuestThread CurrentThread { get; private set; } = null!;

    /// <summary>The process whose thread is running now.</summary>
    public GuestProcess Current => CurrentThread.Process;

    public GuestProcess? FindProcess(int pid) => _processes.GetValueOrDefault(pid);
    public IEnumerable<GuestProcess> Processes => _processes.Values;
    public IEnumerable<GuestThread> Threads => _threads;

    int AllocateId() => _nextId++;

    ulong _lastAnonymousInode = 0x10000;

    /// <summary>
    /// Inode numbers for pipes and sockets (pipefs/sockfs): per VM and in creation order, so what fstat and
    /// /proc/PID/fd show does not depend on other VMs in the same host process.
    /// </summary>
    public ulong NextAnonymousInode() => ++_lastAnonymousInode;

    internal GuestProcess NewProcess(AddressSpace memory, GuestProcess? parent)
    {
        var p = new GuestProcess(this, AllocateId(), memory) { Parent = parent };
        _processes[p.Pid] = p;
        parent?.Children.Add(p);
        if (parent != null) Debugger?.OnFork(parent, p);
        return p;
    }

    internal GuestThread NewThread(GuestProcess p, CpuCore cpu)
    {
        BindCpu(cpu);
        var t = new GuestThread(p.Threads.Count == 0 ? p.Pid : AllocateId(), p, cpu);
        p.Threads.Add(t);
        _threads.Add(t);
        return t;
    }

    /// <summary>What the kernel sets on every CPU it runs (again after a restore): its syscall table and time-stamp counter.</summary>
    void BindCpu(CpuCore cpu)
    {
        cpu.Syscalls = Syscalls;
        cpu.TimeStampCounter = () => (ulong)Clock.MonotonicNanoseconds * 3;
    }

    /// <summary>Creates the first process running <paramref name="path"/> (a guest path) with the given argv and environment.</summary>
    public GuestProcess Start(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp)
    {
        // The host gives text; the guest sees its UTF-8 bytes (GuestNames).
        path = GuestNames.FromHost(path);
        argv = argv.Select(GuestNames.FromHost).ToList();
        envp = envp.Select(GuestNames.FromHost).ToList();
        var memory = new AddressSpace(Options.Memory);
        var p = NewProcess(memory, null);
        p.Cwd = GuestNames.FromHost(Options.WorkingDirectory);
        byte[] image = ReadProgram(p, path, out string resolved);
        var elf = new ElfImage(image, path);
        p.UseAbi(elf.Is32Bit ? ProcessAbi.I386 : ProcessAbi.X86_64);
        var t = NewThread(p, new CpuCore(memory, p.Code));
        CurrentThread = t;
        p.Files.Set(0, new StreamFile(StandardStream.Stdin, Options.Stdin, Options.StdinTerminal) { FillReads = Options.Deterministic, Path = "/dev/stdin", StatusFlags = OpenFlags.ReadOnly }, false);
        p.Files.Set(1, new StreamFile(StandardStream.Stdout, Options.Stdout, Options.StdoutTerminal) { Path = "/dev/stdout", StatusFlags = OpenFlags.WriteOnly }, false);
        p.Files.Set(2, new StreamFile(StandardStream.Stderr, Options.Stderr, Options.StderrTerminal) { Path = "/dev/stderr", StatusFlags = OpenFlags.WriteOnly }, false);
        p.Argv = argv;
        p.Environment = envp;
        ElfLoader.Load(p, elf, resolved, path, argv, envp, Options.Entropy, InterpreterReader(p));
        return p;
    }

    /// <summary>How the ELF loader reads a PT_INTERP file: through the guest's file view, like the program; null when unreadable.</summary>
    public Func<string, (byte[] Data, string ResolvedPath)?> InterpreterReader(GuestProcess p) => guestPath =>
    {
        try { return (ReadProgram(p, guestPath, out string resolved), resolved); }
        catch (BadExecutableException) { return null; }
    };

    internal byte[] ReadProgram(GuestProcess p, string path, out string resolvedPath)
    {
        int err = ReadFile(p, path, out byte[] data, out resolvedPath);
        if (err != 0) throw new BadExecutableException(err == Errno.EISDIR ? $"{path}: is a directory" : $"{path}: {Errno.Describe(err)}");
        return data;
    }

    /// <summary>Reads a whole file of the guest view for exec; returns 0 or a positive errno.</summary>
    internal int ReadFile(GuestProcess p, string path, out byte[] data, out string resolvedPath) =>
        ReadFile(p, path, out data, out resolvedPath, out _);

    /// <summary>Reads a whole file of the guest view for exec, with its status; returns 0 or a positive errno.</summary>
    internal int ReadFile(GuestProcess p, string path, out byte[] data, out string resolvedPath, out FileStatus? status)
    {
        status = null;
        data = [];
        resolvedPath = path;
        int err = Vfs.Resolve(p.Cwd, path, followLast: true, out ResolvedPath r);
        if (err != 0) return -err;
        if (r.MagicFile is OpenFile magic) // /proc/self/fd/N (fexecve): the file the descriptor refers to
        {
            if (magic.FileSystem == null) return Errno.EACCES; // a pipe, socket or stream is not a regular file
            r = new ResolvedPath(magic.FileSystem, magic.RelativePath, magic.Path);
        }
        OpenFile? f = r.FileSystem.Open(r.RelativePath, r.GuestPath, OpenFlags.ReadOnly, 0, out err);
        if (f == null) return err;
        try
        {
            FileStatus st = f.Status();
            if (st.Kind == FileKind.Directory) return Errno.EISDIR;
            if (st.Kind != FileKind.Regular) return Errno.EACCES;
            status = r.FileSystem.Lstat(r.RelativePath, out _) ?? st; // with the owner the VM recorded (chown)
            data = new byte[st.Size];
            if (f.ReadAt(data, 0) != data.Length) return Errno.EIO;
            resolvedPath = r.GuestPath;
            return 0;
        }
        finally { f.Release(); }
    }

    // ---------------------------------------------------------------- blocking

    /// <summary>
    /// Blocks the current thread until <paramref name="condition"/> is ready; the syscall is then executed again.
    /// A syscall handler returns this value as its result.
    /// </summary>
    public long Block(IWaitCondition condition)
    {
        GuestThread t = CurrentThread;
        t.State = GuestThreadState.Blocked;
        t.Waiting = condition;
        return SyscallTable.Blocked;
    }

    // ---------------------------------------------------------------- exit

    /// <summary>Ends a process with a wait status: all its threads stop, it becomes a zombie for its parent.</summary>
    internal void ExitProcess(GuestProcess p, int waitStatus)
    {
        if (p.Exited) return;
        ReleaseVfork(p);
        p.WaitStatus = waitStatus;
        p.Stopped = false; // SIGKILL ends a stopped process too; a zombie reports only its exit
        p.StopReport = 0;
        p.ContinueReport = false;
        p.State = ProcessState.Zombie;
        foreach (GuestThread t in p.Threads.ToList()) RetireThread(t);
        foreach (var (fd, _) in p.Files.All.ToList()) X86Vm.Linux.Syscalls.FileSyscalls.BeforeClose(p, fd);
        Vfs.Locks.ReleaseProcess(p);
        Semaphores.ProcessExited(p);
        p.Files.CloseAll();
        MemorySyscalls.ReleaseAddressSpace(p, p.Memory); // shared file mappings are written back
        List<GuestProcess> children = p.Children.ToList();
        foreach (GuestProcess child in children)
        {
            child.Parent = null; // reparented to the VM's implicit init, which reaps it
            p.Children.Remove(child);
            if (child.State == ProcessState.Zombie) Reap(child);
        }
        KillOrphanedGroups(p, children);
        if (p.Parent == null) Reap(p);
        else NotifyParent(p);
    }

    /// <summary>The exit of one thread (exit(2)): the process ends with its last thread.</summary>
    internal void ExitThread(GuestThread t, int code)
    {
        GuestProcess p = t.Process;
        if (p.Threads.Count(x => x.State != GuestThreadState.Exited) <= 1)
        {
            ExitProcess(p, (code & 0xFF) << 8);
            return;
        }
        RetireThread(t);
    }

    void RetireThread(GuestThread t)
    {
        if (t.State == GuestThreadState.Exited) return;
        t.State = GuestThreadState.Exited;
        if (t.Waiting is Vfs.FifoOpenWait fifo) fifo.Abandon();
        t.Waiting = null;
        t.Cpu.StopRequested = true;
        Futexes.Forget(t);
        // CLONE_CHILD_CLEARTID: zero the tid word and wake one futex waiter (set_tid_address(2)).
        if (t.ClearChildTid != 0 && t.Process.Threads.Any(x => x != t && x.State != GuestThreadState.Exited))
        {
            if (t.Process.Memory.TryWrite(t.ClearChildTid, new byte[4]))
                Futexes.Wake(t.Process.Memory, t.ClearChildTid, 1, uint.MaxValue);
        }
        _threads.Remove(t);
    }

    /// <summary>execve: every other thread of the process ends.</summary>
    internal void RetireOtherThreads(GuestThread keep)
    {
        foreach (GuestThread t in keep.Process.Threads.ToList())
            if (t != keep) RetireThread(t);
        keep.Process.Threads.RemoveAll(t => t != keep);
        keep.Tid = keep.Process.Pid; // de_thread: the exec'ing thread takes over the leader's id (execve(2))
    }

    void NotifyParent(GuestProcess child) => NotifyParentOfExit(child);

    internal void Reap(GuestProcess p)
    {
        p.State = ProcessState.Reaped;
        _processes.Remove(p.Pid);
        p.Parent?.Children.Remove(p);
    }

    // ---------------------------------------------------------------- the scheduler

    /// <summary>Instructions a thread runs before the next one gets the CPU.</summary>
    public const ulong Quantum = 100_000;
    /// <summary>Instructions between checks for cancellation when only one thread runs.</summary>
    const ulong Slice = 50_000_000;

    /// <summary>The shell status <see cref="Run"/> returns when the instruction budget ran out (docs/metering.md).</summary>
    public const int OutOfBudgetStatus = 122;

    /// <summary>True when the last <see cref="Run"/> stopped because the instruction budget was spent.</summary>
    public bool OutOfBudget { get; private set; }

    /// <summary>The round-robin position: the next thread <see cref="PickNext"/> looks at.</summary>
    int _cursor;

    /// <summary>
    /// A quantum the budget cut short: the thread and the retired count its quantum ends at. The next
    /// <see cref="Run"/> finishes it first, so a run in slices schedules exactly as one run.
    /// </summary>
    (GuestThread Thread, ulong Limit)? _cut;

    /// <summary>
    /// Runs every thread of the VM until <paramref name="initial"/> exits (or <paramref name="cancel"/> fires);
    /// returns its shell exit status, or <see cref="TimeLimitStatus"/> when <see cref="KernelOptions.TimeLimit"/>
    /// passed first, or <see cref="OutOfBudgetStatus"/> when the <see cref="InstructionMeter.Budget"/> is spent (then
    /// raise the budget and call again to continue exactly where it stopped). Threads take turns in creation order,
    /// each for a quantum of retired instructions or until it blocks; a blocked thread becomes runnable when its
    /// condition is ready.
    /// </summary>
    public int Run(GuestProcess initial, CancellationToken cancel = default)
    {
        using var runTime = new RunTimeScope(this);
        using var timeLimit = Options.TimeLimit is TimeSpan limit ? new CancellationTokenSource(TimeLeft(limit)) : new CancellationTokenSource();
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancel, timeLimit.Token);
        // The limit ends a long run of one thread at its next block boundary instead of the end of its slice.
        using var stop = timeLimit.Token.Register(() => { if (_running is CpuCore c) c.StopRequested = true; });
        _wake = wake.Token;
        OutOfBudget = false;
        if (!_started)
        {
            _started = true;
            Debugger?.Start(initial);
        }
        while (!initial.Exited)
        {
            cancel.ThrowIfCancellationRequested();
            if (timeLimit.IsCancellationRequested)
            {
                int status = StopForTimeLimit();
                Debugger?.Exited(initial);
                return status;
            }
            PayDebt();
            if (Meter.Remaining == 0)
            {
                OutOfBudget = true;
                return OutOfBudgetStatus;
            }
            GuestThread t;
            ulong retiredLimit;
            if (_cut is var (cutThread, cutLimit))
            {
                // The rest of the quantum the budget interrupted, as if it had not stopped.
                _cut = null;
                t = cutThread;
                retiredLimit = cutLimit;
            }
            else
            {
                SettleMemory();
                if (initial.Exited) break;
                if (Debugger != null)
                {
                    Debugger.Poll();
                    if (initial.Exited) break; // killed from the debugger
                }
                FireTimers();
                GuestThread? next = PickNext(ref _cursor);
                if (next == null)
                {
                    if (!WaitForEvent(initial)) break;
                    continue;
                }
                t = next;
                CurrentThread = t;
                ulong quantum = _threads.Count == 1 && !TimersArmed() ? Slice : Quantum;
                if (t.Resumed != null && HasDeliverableSignal(t))
                    quantum = 1; // finish the woken syscall first (its result is the handler's saved RAX), then take the signal
                else
                {
                    DeliverPendingSignals(t);
                    if (t.State != GuestThreadState.Runnable || t.Process.Stopped) continue;
                }
                retiredLimit = t.Cpu.Retired + quantum;
                if (Debugger != null && !Debugger.BeforeRun(t, ref retiredLimit)) continue;
            }
            CurrentThread = t;
            CpuCore cpu = t.Cpu;
            ulong runLimit = retiredLimit;
            if (Meter.Remaining < retiredLimit - cpu.Retired) runLimit = cpu.Retired + Meter.Remaining;
            _running = cpu;
            _runLimit = runLimit;
            Meter.Begin(cpu);
            StopReason reason = Interpreter.Run(cpu, runLimit);
            Meter.End();
            _running = null;
            if ((reason == StopReason.InstructionLimit && runLimit < retiredLimit) || (reason == StopReason.Requested && _stoppedForCharge))
            {
                // Out of budget inside the quantum, or stopped only to put a syscall's charge on the meter: the same
                // thread goes on with the rest of its quantum (after the next Run call when the budget is spent).
                _stoppedForCharge = false;
                _cut = (t, retiredLimit);
                continue;
            }
            _stoppedForCharge = false;
            if (reason == StopReason.Fault && cpu.PendingFault!.WatchKind != null && Hooks != null &&
                CompleteWatchedAccess(t, cpu.PendingFault) is StopReason completed)
            {
                // A memory watch saw the instruction complete: the thread goes on with its quantum, as unwatched.
                reason = completed;
                if (reason == StopReason.InstructionLimit)
                {
                    _cut = (t, retiredLimit);
                    continue;
                }
            }
            if (reason == StopReason.Fault && cpu.PendingFault!.IsOutOfMemory) KillForMemory(t.Process); // SIGKILL: no debugger stop
            else if (reason == StopReason.Fault && Debugger?.OnFault(t, cpu.PendingFault!) != true) DeliverFault(t, cpu.PendingFault!);
            Debugger?.AfterRun(t);
            DeliverPendingSignals(t);
        }
        Debugger?.Exited(initial);
        return initial.ShellStatus;
    }

    bool _started;

    /// <summary>Bytes of kernel work (<see cref="X86Vm.Cpu.Memory.MemoryAccount.KernelWork"/>) per unit of a syscall's charge.</summary>
    public const ulong WorkPerUnit = 64;

    /// <summary>The retired count the running thread's run stops at (what its instructions may still take of the budget).</summary>
    ulong _runLimit;

    /// <summary>Charged units not yet on the meter: paid before anything runs again, across budget stops if need be.</summary>
    ulong _debt;

    /// <summary>The running thread was stopped only so that a charge could be paid without passing the budget.</summary>
    bool _stoppedForCharge;

    /// <summary>
    /// A syscall's charge for its work (docs/metering.md). It goes on the meter at once when the budget leaves room for
    /// it beside everything the current run may still retire; otherwise the run stops after this SYSCALL and the charge
    /// is paid before the thread goes on, so the meter never passes the budget and a run in slices counts like one run.
    /// </summary>
    internal void ChargeSyscall(CpuCore cpu, ulong units)
    {
        if (units == 0) return;
        ulong mayStillRetire = _runLimit > cpu.Retired ? _runLimit - cpu.Retired : 0;
        if (_debt == 0 && Meter.Remaining >= mayStillRetire && Meter.Remaining - mayStillRetire >= units)
        {
            Meter.Charge(units);
            return;
        }
        _debt += units;
        if (!cpu.StopRequested)
        {
            cpu.StopRequested = true;
            _stoppedForCharge = true;
        }
    }

    /// <summary>Puts as much of the owed charge on the meter as the budget allows.</summary>
    void PayDebt()
    {
        if (_debt == 0) return;
        ulong paid = Math.Min(_debt, Meter.Remaining);
        Meter.Charge(paid);
        _debt -= paid;
    }

    /// <summary>The CPU inside <see cref="Interpreter.Run"/> now, for the time limit to stop from its timer thread.</summary>
    [NotSnapshot] volatile CpuCore? _running;

    /// <summary>Cancelled by the caller's token or the time limit: ends the scheduler's sleeps early.</summary>
    [NotSnapshot] CancellationToken _wake;

    /// <summary>The next runnable thread after <paramref name="cursor"/> in round-robin order, waking ready ones.</summary>
    GuestThread? PickNext(ref int cursor)
    {
        int n = _threads.Count;
        for (int k = 0; k < n; k++)
        {
            int i = (cursor + k) % n;
            GuestThread t = _threads[i];
            if (t.Process.Stopped) continue; // job control: nothing of a stopped process runs until SIGCONT
            if (t.State == GuestThreadState.Blocked && t.Waiting!.IsReady(this))
            {
                t.Resumed = t.Waiting.RestartsSyscall ? t.Waiting : null;
                t.Waiting = null;
                t.State = GuestThreadState.Runnable;
            }
            else if (t.State == GuestThreadState.Blocked && t.Waiting!.RestartsSyscall && HasDeliverableSignal(t))
                t.State = GuestThreadState.Runnable; // a signal interrupts the wait (DeliverPendingSignals decides how)
            if (t.State == GuestThreadState.Runnable)
            {
                cursor = i + 1;
                return t;
            }
        }
        return null;
    }

    /// <summary>
    /// Open host-backed objects (host-network sockets, a debugger connection) whose readiness changes outside the VM.
    /// While any exist, "every thread blocked without a deadline" is not a deadlock: the scheduler polls them.
    /// </summary>
    public int ExternalEventSources { get; set; }

    /// <summary>How long the scheduler sleeps between polls of external event sources when nothing else can wake.</summary>
    static readonly TimeSpan ExternalPollInterval = TimeSpan.FromMilliseconds(1);

    /// <summary>Nothing can run: sleep until the earliest deadline. False when nothing can ever wake (deadlock).</summary>
    bool WaitForEvent(GuestProcess initial)
    {
        long? earliest = null;
        foreach (GuestThread t in _threads)
        {
            if (t.Process.Stopped) continue; // its deadline cannot make it run
            long? d = t.Waiting?.Deadline;
            if (d != null && (earliest == null || d < earliest)) earliest = d;
        }
        long? timer = NextTimerDeadline();
        if (timer != null && (earliest == null || timer < earliest)) earliest = timer;
        if (ExternalEventSources > 0)
        {
            long poll = Clock.MonotonicNanoseconds + (long)ExternalPollInterval.TotalNanoseconds;
            if (earliest == null || poll < earliest) earliest = poll;
        }
        if (earliest == null)
        {
            Options.Diagnostics.WriteLine("x86vm: every guest thread is blocked or stopped and nothing can wake them (deadlock)");
            initial.Kill(Signals.SIGKILL);
            return false;
        }
        if (Clock.IsVirtual && ExternalEventSources == 0)
        {
            // Deterministic time: nothing can happen before the earliest deadline, so it is now.
            Clock.AdvanceTo(earliest.Value);
            return true;
        }
        long wait = earliest.Value - Clock.MonotonicNanoseconds;
        if (wait <= 0) return true;
        var span = TimeSpan.FromTicks(Math.Min(Math.Max(1, wait / 100), int.MaxValue));
        if (span < TimeSpan.FromMilliseconds(1)) Thread.Sleep(span); // yields the host CPU; a wait handle would spin
        else _wake.WaitHandle.WaitOne(span); // the time limit or the caller's cancellation cuts it short
        return true;
    }
}
