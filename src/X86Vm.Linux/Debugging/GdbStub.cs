using System.Net;
using System.Net.Sockets;
using System.Text;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Debugging;

/// <summary>
/// A GDB remote-protocol stub for the VM's first process (all-stop). It listens on a host socket, waits for the
/// debugger before the first instruction, and from then on the scheduler consults it (<see cref="IDebugger"/>):
/// whenever a thread of the process stops — breakpoint, watchpoint, single step, signal, interrupt — the whole VM
/// stops while the stub serves the debugger's packets, until a resume packet says which threads continue or step.
/// Breakpoints are INT3 bytes patched into guest code (<see cref="BreakpointTable"/>); a single step is a run
/// limited to one more retired instruction; watchpoints are watched ranges of the address space
/// (<see cref="WatchpointTable"/>). Other processes (children) are not debugged: they run whenever the VM runs.
/// When the connection ends the program goes on without a debugger.
/// </summary>
public sealed partial class GdbStub : IDebugger, IDisposable
{
    /// <summary>Instructions a thread runs between checks for an interrupt request from the debugger.</summary>
    const ulong PollQuantum = Kernel.Quantum;

    readonly Kernel _kernel;
    readonly TextWriter _diagnostics;
    readonly Socket _listener;
    readonly string? _unixPath;
    Socket? _socket;
    GdbPacketChannel? _channel;
    GuestProcess _process = null!;

    readonly BreakpointTable _breakpoints = new();
    readonly WatchpointTable _watchpoints = new();

    /// <summary>How the debugger last resumed the VM.</summary>
    ResumePlan _plan = ResumePlan.ContinueAll;
    /// <summary>Threads single-stepping: where they were when the step began (it ends once either moved).</summary>
    readonly Dictionary<GuestThread, (ulong Retired, ulong Rip)> _steps = new();
    /// <summary>Threads reported at one of our breakpoints: resuming them steps over it first.</summary>
    readonly Dictionary<GuestThread, ulong> _atBreakpoint = new();
    /// <summary>The breakpoint lifted while a thread steps over it (put back after that run).</summary>
    (GuestThread Thread, ulong Address)? _lifted;
    /// <summary>Signals reported for threads the debugger has not resumed since: delivered or dropped when it does.</summary>
    readonly Dictionary<GuestThread, SigInfo> _heldSignals = new();
    /// <summary>Signals that reached threads the debugger holds stopped: queued again (unreported) once it resumes them.</summary>
    readonly Dictionary<GuestThread, List<SigInfo>> _deferredSignals = new();
    /// <summary>The thread whose signal is being reported (its fate is decided by <see cref="OnSignal"/> itself).</summary>
    GuestThread? _signalThread;
    /// <summary>Linux signals (bit n-1) the debugger asked to pass to the program without stopping (QPassSignals).</summary>
    ulong _passSignals;

    /// <summary>The last stop, for '?'.</summary>
    GuestThread? _lastStopThread;
    int _lastStopSignal = Signals.SIGTRAP;
    string _lastStopReason = "";
    /// <summary>The siginfo of the last stop (qXfer:siginfo:read, gdb's $_siginfo), for its thread.</summary>
    SigInfo? _lastStopInfo;
    bool _multiprocess;
    bool _killed;
    bool _detached;
    long _nextPoll;
    int _refusals;

    GdbStub(Kernel kernel, Socket listener, TextWriter diagnostics)
    {
        _kernel = kernel;
        _listener = listener;
        _diagnostics = diagnostics;
        EndPoint = listener.LocalEndPoint!;
        if (EndPoint is UnixDomainSocketEndPoint u) _unixPath = u.ToString();
    }

    /// <summary>Listens at <paramref name="spec"/> (see <see cref="GdbEndpoint.Parse"/>) for the debugger of <paramref name="kernel"/>'s first process.</summary>
    public static GdbStub Listen(string spec, Kernel kernel, TextWriter diagnostics) =>
        new(kernel, GdbEndpoint.Listen(GdbEndpoint.Parse(spec)), diagnostics);

    /// <summary>The bound endpoint (with the real port when port 0 was asked for).</summary>
    public EndPoint EndPoint { get; }

    /// <summary>Every packet in and out, when set (for diagnosing the stub).</summary>
    public TextWriter? PacketLog { get; set; }

    bool Connected => _channel != null && !_detached;

    // ---------------------------------------------------------------- connection

    public void Start(GuestProcess process)
    {
        _process = process;
        try
        {
            _socket = _listener.Accept();
        }
        catch (SocketException) when (_aborted)
        {
            throw new OperationCanceledException("x86vm: stopped while waiting for the debugger");
        }
        catch (ObjectDisposedException) when (_aborted)
        {
            throw new OperationCanceledException("x86vm: stopped while waiting for the debugger");
        }
        _listener.Dispose();
        DeleteUnixSocket();
        if (_socket.AddressFamily != AddressFamily.Unix) _socket.NoDelay = true;
        Socket s = _socket;
        _channel = new GdbPacketChannel(new NetworkStream(s, ownsSocket: false), () => s.Poll(0, SelectMode.SelectRead)) { Log = PacketLog };
        _kernel.ExternalEventSources++;
        _lastStopThread = process.Threads[0];
        _diagnostics.WriteLine("x86vm: debugger connected");
        ServeUntilResumed();
    }

    volatile bool _aborted;

    /// <summary>Ends the session from another host thread (cancellation): blocked reads and the accept fail at once.</summary>
    public void Abort()
    {
        _aborted = true;
        try { _listener.Dispose(); } catch (ObjectDisposedException) { }
        try { _socket?.Dispose(); } catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        if (Connected) Detach();
        _listener.Dispose();
        _socket?.Dispose();
        DeleteUnixSocket();
    }

    void DeleteUnixSocket()
    {
        try
        {
            if (_unixPath != null && Host.HostStat.Lstat(_unixPath, out _)?.Kind == Vfs.FileKind.Socket) File.Delete(_unixPath);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>The debugger left (D, or the connection ended): breakpoints and watchpoints go, everything runs freely.</summary>
    void Detach()
    {
        if (_detached) return;
        _detached = true;
        _breakpoints.Clear();
        _watchpoints.Clear();
        _steps.Clear();
        _atBreakpoint.Clear();
        _lifted = null;
        foreach (var (t, info) in _heldSignals) Requeue(t, info); // as if continued with the signal
        _heldSignals.Clear();
        foreach (var (t, list) in _deferredSignals) RequeueUnseen(t, list);
        _deferredSignals.Clear();
        _plan = ResumePlan.ContinueAll;
        CloseHostFiles();
        if (_kernel.Debugger == this) _kernel.Debugger = null;
        if (_channel != null) _kernel.ExternalEventSources--;
        _socket?.Dispose();
    }

    // ---------------------------------------------------------------- scheduler hooks

    public void Poll()
    {
        if (!Connected) return;
        long now = Environment.TickCount64;
        if (now < _nextPoll) return;
        _nextPoll = now + 10;
        switch (_channel!.Poll())
        {
            case PollResult.Interrupt:
                GuestThread? t = _kernel.CurrentThread is { } c && c.Process == _process && c.State != GuestThreadState.Exited
                    ? c : LiveThreads().FirstOrDefault();
                if (t != null) ReportStop(t, Signals.SIGINT, "");
                break;
            case PollResult.Closed:
                _diagnostics.WriteLine("x86vm: the debugger disconnected; the program continues");
                Detach();
                break;
        }
    }

    public bool BeforeRun(GuestThread t, ref ulong retiredLimit)
    {
        if (!Connected) return true;
        var cpu = t.Cpu;
        retiredLimit = Math.Min(retiredLimit, cpu.Retired + PollQuantum);
        if (t.Process == _process)
        {
            if (_plan.For(_process.Pid, t.Tid) == null)
            {
                // Held by the debugger (scheduler locking). When only held threads can run, do not spin.
                if (++_refusals > _process.Threads.Count + 1)
                {
                    Thread.Sleep(1);
                    _refusals = 0;
                    Poll();
                }
                return false;
            }
            if (_steps.TryGetValue(t, out var start) && (cpu.Retired != start.Retired || cpu.Rip != start.Rip))
            {
                // The step ended before running: a signal handler's frame was set up, or an interrupted call returned.
                ReportStop(t, Signals.SIGTRAP, "");
                return Connected ? BeforeRun(t, ref retiredLimit) : !_process.Exited;
            }
            if (_steps.ContainsKey(t)) retiredLimit = Math.Min(retiredLimit, cpu.Retired + 1);
        }
        _refusals = 0;
        if (_atBreakpoint.Remove(t, out ulong at) && cpu.Rip == at && _breakpoints.IsInserted(t.Process.Memory, at))
        {
            // Resuming from a breakpoint: execute the instruction under it first, with the INT3 lifted.
            _breakpoints.Lift(t.Process.Memory, at);
            _lifted = (t, at);
            retiredLimit = Math.Min(retiredLimit, cpu.Retired + 1);
        }
        return true;
    }

    public bool OnFault(GuestThread t, GuestFault fault)
    {
        if (!Connected) return false;
        var cpu = t.Cpu;
        if (fault.WatchKind is { } kind)
        {
            // The instruction was about to touch a watched range and did nothing yet: complete it, then stop.
            AddressSpace memory = t.Process.Memory;
            memory.WatchesSuspended = true;
            StopReason reason;
            try { reason = Interpreter.Run(cpu, cpu.Retired + 1); }
            finally { memory.WatchesSuspended = false; }
            if (reason == StopReason.Fault) return OnFault(t, cpu.PendingFault!); // it faulted on something else
            if (t.Process == _process) ReportStop(t, Signals.SIGTRAP, $"{WatchpointTable.StopKey(kind)}:{fault.SiAddr:x};");
            return true;
        }
        if (fault is { Signal: Signals.SIGTRAP, IsTrap: true } && _breakpoints.IsInserted(t.Process.Memory, cpu.Rip - 1))
        {
            // Our INT3: back to the breakpoint's address, as if the instruction never ran.
            cpu.Rip--;
            cpu.Retired--;
            _atBreakpoint[t] = cpu.Rip;
            // A process sharing the memory (a vfork child) is not debugged: it steps over the breakpoint silently.
            if (t.Process == _process) ReportStop(t, Signals.SIGTRAP, _breakpoints.IsHardwareOnly(cpu.Rip) ? "hwbreak:;" : "swbreak:;");
            return true;
        }
        return false;
    }

    public void AfterRun(GuestThread t)
    {
        if (_lifted is { } lifted && lifted.Thread == t)
        {
            _lifted = null;
            _breakpoints.Reinsert(lifted.Address);
        }
        if (!Connected || t.Process != _process || !_steps.TryGetValue(t, out var start)) return;
        if (t.State == GuestThreadState.Exited)
        {
            // The stepping thread ended (exit(2)): report the stop on a thread that is left.
            _steps.Remove(t);
            GuestThread? other = LiveThreads().FirstOrDefault();
            if (other != null && _steps.Count == 0) ReportStop(other, Signals.SIGTRAP, "");
            return;
        }
        if (t.Cpu.Retired != start.Retired || t.Cpu.Rip != start.Rip) ReportStop(t, Signals.SIGTRAP, "");
    }

    public bool OnSignal(GuestThread t, SigInfo info, bool fault)
    {
        if (!Connected || t.Process != _process) return true;
        if (!fault && _plan.For(_process.Pid, t.Tid) == null)
        {
            // A thread the debugger holds stopped takes no signal until it is resumed (then it is reported).
            if (!_deferredSignals.TryGetValue(t, out var list)) _deferredSignals[t] = list = new();
            list.Add(info);
            return false;
        }
        int sig = info.Signo;
        if ((_passSignals & (1UL << (sig - 1))) != 0) return true;
        _signalThread = t;
        try { ReportStop(t, sig, "", info); }
        finally { _signalThread = null; }
        if (!Connected) return !_process.Exited;
        ResumeAction? action = _plan.For(_process.Pid, t.Tid);
        if (action == null)
        {
            // Not resumed: a fault comes back when the instruction runs again; another signal waits for the thread.
            if (!fault) _heldSignals[t] = info;
            return false;
        }
        if (action.Value.Signal == sig) return true;
        if (action.Value.Signal != 0) Requeue(t, SigInfo.Kernel(action.Value.Signal)); // "signal SIGx": another one
        return false;
    }

    public void OnFork(GuestProcess parent, GuestProcess child)
    {
        if (!Connected) return;
        // A copy of the debugged memory must not keep our INT3s: the child is not debugged (gdb's detach-on-fork).
        if (child.Memory != parent.Memory && parent.Memory == _process.Memory)
            _breakpoints.RemoveFromCopy(parent.Memory, child.Memory);
    }

    public void Exited(GuestProcess process)
    {
        if (!Connected) return;
        if (!_killed)
        {
            int status = process.WaitStatus;
            string reply = (status & 0x7F) != 0
                ? $"X{GdbSignals.FromLinux(status & 0x7F):x2}"
                : $"W{(status >> 8) & 0xFF:x2}";
            if (_multiprocess) reply += $";process:{process.Pid:x}";
            _channel!.Send(reply);
        }
        Detach();
    }

    // ---------------------------------------------------------------- stopping and resuming

    IEnumerable<GuestThread> LiveThreads() => _process.Threads.Where(x => x.State != GuestThreadState.Exited);

    /// <summary>
    /// A stop of thread <paramref name="t"/> with Linux signal <paramref name="sig"/>: tells the debugger (which is
    /// waiting for it) and serves its packets until it resumes the VM, detaches or kills the program.
    /// </summary>
    void ReportStop(GuestThread t, int sig, string reason, SigInfo? info = null)
    {
        _steps.Clear();
        _plan = new ResumePlan([]); // everything stays stopped until the debugger says otherwise
        (_lastStopThread, _lastStopSignal, _lastStopReason) = (t, sig, reason);
        _lastStopInfo = info ?? SigInfo.Kernel(sig);
        _generalThread = t;
        _continueThread = null;
        _channel!.Send(StopReply(t, sig, reason));
        ServeUntilResumed();
    }

    /// <summary>The T stop reply, with the registers GDB needs first (rbp, rsp, rip) sent along.</summary>
    string StopReply(GuestThread t, int sig, string reason)
    {
        var sb = new StringBuilder();
        sb.Append($"T{GdbSignals.FromLinux(sig):x2}").Append(reason);
        sb.Append("thread:").Append(ThreadId.Format(_process.Pid, t.Tid, _multiprocess)).Append(';');
        foreach (int n in (int[])[6, 7, RegisterLayout.Rip])
            sb.Append($"{n:x2}:").Append(RegisterLayout.ReadOne(t.Cpu, n)).Append(';');
        return sb.ToString();
    }

    void ServeUntilResumed()
    {
        while (Connected)
        {
            string? packet = _channel!.ReadPacket();
            if (packet == null)
            {
                if (!_aborted) _diagnostics.WriteLine("x86vm: the debugger disconnected; the program continues");
                Detach();
                return;
            }
            string? reply;
            try
            {
                reply = packet == GdbPacketChannel.Oversized ? Error : Handle(packet);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A malformed packet or a bug in a handler must not take the VM down.
                _diagnostics.WriteLine($"x86vm: gdb stub: {packet.Split(':', ',', ';')[0]}: {e.GetType().Name}: {e.Message}");
                reply = Error;
                _next = Next.Serve;
            }
            if (reply != null) _channel.Send(reply);
            if (packet == "QStartNoAckMode") _channel.NoAck = true;
            switch (_next)
            {
                case Next.Resume:
                    return;
                case Next.Detach:
                    _diagnostics.WriteLine("x86vm: the debugger detached; the program continues");
                    Detach();
                    return;
                case Next.Close:
                    Detach();
                    return;
            }
        }
    }

    /// <summary>Applies a resume packet: which threads run, which step, which signals they take.</summary>
    void Resume(ResumePlan plan)
    {
        _plan = plan;
        _steps.Clear();
        foreach (GuestThread t in LiveThreads().ToList())
        {
            if (plan.For(_process.Pid, t.Tid) is not { } action) continue;
            if (action.Kind == ResumeKind.Step) _steps[t] = (t.Cpu.Retired, t.Cpu.Rip);
            if (_deferredSignals.Remove(t, out var deferred)) RequeueUnseen(t, deferred);
            if (t == _signalThread) continue; // OnSignal decides for the signal it reported
            if (_heldSignals.Remove(t, out SigInfo? held))
            {
                if (action.Signal == held.Signo) Requeue(t, held);
                else if (action.Signal != 0) Requeue(t, SigInfo.Kernel(action.Signal));
            }
            else if (action.Signal != 0) Requeue(t, SigInfo.Kernel(action.Signal));
        }
    }

    /// <summary>Queues a signal the debugger let through (it is not reported again).</summary>
    static void Requeue(GuestThread t, SigInfo info)
    {
        info.DebuggerSeen = true;
        t.Pending.Add(info, atFront: true);
    }

    /// <summary>Queues signals again, in their order, still to be reported.</summary>
    static void RequeueUnseen(GuestThread t, List<SigInfo> signals)
    {
        for (int i = signals.Count - 1; i >= 0; i--) t.Pending.Add(signals[i], atFront: true);
    }

    void Kill()
    {
        _killed = true;
        _breakpoints.Clear();
        _watchpoints.Clear();
        _kernel.SendSignal(_process, Signals.SIGKILL);
    }
}
