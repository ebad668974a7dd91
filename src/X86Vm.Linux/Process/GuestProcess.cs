using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Linux.Process;

public enum ProcessState { Alive, Zombie, Reaped }

/// <summary>
/// One guest process: its address space, threads, file descriptors and the per-process state the host
/// would otherwise keep (cwd, umask, rlimits, brk, signal dispositions). All of it is VM data.
/// </summary>
public sealed class GuestProcess
{
    public int Pid { get; }
    public Kernel Kernel { get; }
    public GuestProcess? Parent { get; internal set; }
    /// <summary>The parent's pid, or 1 (the VM's implicit init) for the first process and orphans.</summary>
    public int ParentPid => Parent?.Pid ?? 1;
    public List<GuestProcess> Children { get; } = new();

    public AddressSpace Memory { get; internal set; }
    /// <summary>The system call ABI of the program it runs (set by the ELF loader from the ELF class; execve may change it).</summary>
    public ProcessAbi Abi { get; private set; }
    /// <summary>Decoded code of <see cref="Memory"/>, shared by its threads.</summary>
    [field: NotSnapshot] public BlockCache Code { get; internal set; }
    public List<GuestThread> Threads { get; } = new();
    public FileDescriptorTable Files { get; internal set; }

    /// <summary>The thread-group leader's CPU (the process's first thread).</summary>
    public CpuCore MainThread => Threads[0].Cpu;

    /// <summary>Current directory as a resolved guest path.</summary>
    public string Cwd { get; set; } = "/";
    public uint Umask { get; set; } = 0x12; // 022
    /// <summary>User and group ids, groups and capabilities (replaced as a whole on every change, so a fork's copy is its own).</summary>
    public Credentials Credentials { get; set; } = new();
    /// <summary>The nice value (-20..19) getpriority/setpriority report and change; the VM's scheduler does not use it.</summary>
    public int Nice { get; set; }
    /// <summary>sched_setscheduler's policy and real-time priority, recorded (the VM's scheduler is round-robin for all).</summary>
    public int SchedulingPolicy { get; set; }
    public int RealtimePriority { get; set; }
    /// <summary>prctl(PR_SET_NO_NEW_PRIVS): kept across fork and exec; execve then ignores set-user-ID bits.</summary>
    public bool NoNewPrivileges { get; set; }
    /// <summary>prctl(PR_SET_TSC) mode (1 enable, 2 SIGSEGV), recorded; and the timer slack in ns (PR_SET_TIMERSLACK).</summary>
    public int TscMode { get; set; } = 1;
    public ulong TimerSlack { get; set; } = 50000;
    /// <summary>/proc/PID/oom_score_adj (-1000..1000), recorded.</summary>
    public int OomScoreAdjust { get; set; }

    /// <summary>The guest path of the running program (/proc/self/exe, AT_EXECFN).</summary>
    public string ExecutablePath { get; set; } = "";
    public IReadOnlyList<string> Argv { get; set; } = [];
    public IReadOnlyList<string> Environment { get; set; } = [];
    /// <summary>The auxiliary vector the program started with (key/value words up to AT_NULL), as the loader built it.</summary>
    public byte[] AuxiliaryVector { get; set; } = [];

    /// <summary>getrlimit/setrlimit/prlimit64 (soft, hard) by resource; RLIMIT_NOFILE's soft limit is <see cref="FileDescriptorTable.MaxDescriptors"/>.</summary>
    public (ulong Soft, ulong Hard)[] ResourceLimits { get; internal set; }

    public ulong BrkStart { get; set; }
    public ulong Brk { get; set; }

    /// <summary>prctl(PR_SET_NAME) / /proc/PID/comm: at most 15 bytes.</summary>
    public string ThreadName { get; set; } = "";
    public int ParentDeathSignal { get; set; }
    public bool Dumpable { get; set; } = true;

    public int ProcessGroup { get; set; }
    public int Session { get; set; }

    /// <summary>Signal dispositions as recorded by rt_sigaction (65 entries of 32 bytes: handler, flags, restorer, mask).</summary>
    public byte[][] SignalActions { get; internal set; } = Enumerable.Range(0, 65).Select(_ => new byte[32]).ToArray();

    /// <summary>Process-directed signals not yet taken by a thread (the kernel's shared_pending).</summary>
    public SignalQueue SharedPending { get; } = new();

    /// <summary>Woken by every signal queued for the process or one of its threads (sighand->signalfd_wqh): signalfd pollers.</summary>
    public Vfs.PollWaitQueue SignalPollers { get; } = new();
    /// <summary>Signals queued for the process or its threads so far (a signalfd's readiness generation).</summary>
    public ulong SignalsQueued { get; internal set; }

    /// <summary>setitimer(2): ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF (alarm(2) uses ITIMER_REAL).</summary>
    public IntervalTimer[] IntervalTimers { get; } = [new(), new(), new()];
    /// <summary>timer_create(2) timers by id.</summary>
    public SortedDictionary<int, PosixTimer> PosixTimers { get; } = new();

    /// <summary>The signal a child sends its parent when it exits (clone's low byte; SIGCHLD for fork).</summary>
    public int ExitSignal { get; set; } = 17;

    /// <summary>Set while a vfork parent waits for this child to exec or exit.</summary>
    public bool VforkPending { get; internal set; }

    /// <summary>
    /// Job control (signal(7) "Stop"/"Cont"): set when a stop signal's default action stopped every thread; none of
    /// them is scheduled until SIGCONT (or SIGKILL) arrives.
    /// </summary>
    public bool Stopped { get; internal set; }
    /// <summary>The stop signal not yet reported to wait(WUNTRACED) (the kernel's group_exit_code); 0 once reported.</summary>
    public int StopReport { get; internal set; }
    /// <summary>A continue not yet reported to wait(WCONTINUED) (SIGNAL_STOP_CONTINUED).</summary>
    public bool ContinueReport { get; internal set; }

    public ProcessState State { get; internal set; } = ProcessState.Alive;
    public bool Exited => State != ProcessState.Alive;
    /// <summary>The wait status (wait(2) encoding): exit code &lt;&lt; 8, or the terminating signal.</summary>
    public int WaitStatus { get; internal set; }
    /// <summary>CPU time (ns) of the children this process waited for, with what they had waited for (RUSAGE_CHILDREN).</summary>
    public long ChildrenCpuTime { get; internal set; }

    public GuestProcess(Kernel kernel, int pid, AddressSpace memory)
    {
        Kernel = kernel;
        Pid = pid;
        Memory = memory;
        Code = new BlockCache(memory, kernel.Options.Compiler, kernel.DecodedCode, kernel.Options.Cpu);
        Files = new FileDescriptorTable(kernel.DescriptionReleases);
        ResourceLimits = Syscalls.ProcessSyscalls.DefaultLimits(kernel.Options);
        Files.MaxDescriptors = kernel.Options.OpenFiles.Soft;
        ProcessGroup = pid;
        Session = pid;
    }

    /// <summary>
    /// Makes this process run <paramref name="abi"/> code in its current <see cref="Memory"/>: a decoded-code cache for the
    /// ABI's CPU mode (made afresh when the mode changes; the caller gives its threads' CPUs the new cache) and 4 GiB
    /// address wrap-around for 32-bit programs.
    /// </summary>
    internal void UseAbi(ProcessAbi abi)
    {
        Abi = abi;
        Memory.Wraps32 = abi == ProcessAbi.I386;
        if (Code.Bitness != abi.Bitness())
            Code = new BlockCache(Memory, Kernel.Options.Compiler, Kernel.DecodedCode, Kernel.Options.Cpu, abi.Bitness());
    }

    /// <summary>The exit status a shell would report: the code, or 128 + the signal number.</summary>
    public int ShellStatus => (WaitStatus & 0x7F) != 0 ? 128 + (WaitStatus & 0x7F) : (WaitStatus >> 8) & 0xFF;

    public GuestThread? FindThread(int tid) => Threads.FirstOrDefault(t => t.Tid == tid);

    /// <summary>Ends the whole process with an exit code (exit_group).</summary>
    public void Exit(int code) => Kernel.ExitProcess(this, (code & 0xFF) << 8);

    /// <summary>Ends the whole process by a signal's default action.</summary>
    public void Kill(int signal) => Kernel.ExitProcess(this, signal & 0x7F);

    public override string ToString() => $"process {Pid} ({ExecutablePath})";
}
