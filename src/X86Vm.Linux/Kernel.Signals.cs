using Iced.Intel;
using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;
using X86Vm.Linux.Syscalls;
using static X86Vm.Linux.Process.SignalNumbers;

namespace X86Vm.Linux;

// Signals (signal(7)): generation into per-thread and per-process queues, default actions, delivery to guest
// handlers through the x86-64 rt_sigframe (Process/SignalFrame.cs), CPU faults, and interrupted syscalls.
//
// Delivery happens only at scheduling points — before a thread runs, after its quantum or a syscall that
// stopped it (a signal to the running thread stops it after the current syscall), and when a CPU fault ends
// its run — so it always falls on an instruction-count boundary and a run can be replayed.
public sealed partial class Kernel
{
    const ulong SIG_DFL = SignalAction.SIG_DFL, SIG_IGN = SignalAction.SIG_IGN;

    public ulong HandlerOf(GuestProcess p, int sig) => BitConverter.ToUInt64(p.SignalActions[sig]);

    public static SignalAction ActionOf(GuestProcess p, int sig) => SignalAction.Decode(p.SignalActions[sig]);

    enum DefaultAction { Terminate, Core, Ignore, Stop, Continue }

    static DefaultAction DefaultOf(int sig) => sig switch
    {
        Signals.SIGCHLD or SIGURG or SIGWINCH => DefaultAction.Ignore,
        Signals.SIGCONT => DefaultAction.Continue,
        Signals.SIGSTOP or SIGTSTP or SIGTTIN or SIGTTOU => DefaultAction.Stop,
        Signals.SIGQUIT or Signals.SIGILL or Signals.SIGTRAP or Signals.SIGABRT or Signals.SIGBUS or Signals.SIGFPE
            or Signals.SIGSEGV or SIGXCPU or SIGXFSZ or Signals.SIGSYS => DefaultAction.Core,
        _ => DefaultAction.Terminate,
    };

    /// <summary>
    /// The disposition discards the signal: SIG_IGN, or SIG_DFL whose action is to ignore. SIGCONT's default counts as
    /// ignoring (SIG_KERNEL_IGNORE_MASK): its continuing happens when it is sent (<see cref="JobControlOnSend"/>).
    /// </summary>
    static bool Ignores(GuestProcess p, int sig)
    {
        ulong h = BitConverter.ToUInt64(p.SignalActions[sig]);
        return h == SIG_IGN || (h == SIG_DFL && DefaultOf(sig) is DefaultAction.Ignore or DefaultAction.Continue);
    }

    /// <summary>SI_USER siginfo from the running process (kill(2), and what the kernel sends "without info").</summary>
    SigInfo UserInfo(int sig, int code = SI_USER) => SigInfo.FromProcess(sig, code, _processes.Count > 0 && CurrentThread != null ? Current.Pid : 0, 0);

    // ---------------------------------------------------------------- generation

    /// <summary>Sends a signal to a process (kill(2)): it waits in the shared queue for a thread that does not block it.</summary>
    public bool SendSignal(GuestProcess p, int sig, SigInfo? info = null)
    {
        if (p.Exited || sig == 0) return false;
        if (sig == Signals.SIGKILL)
        {
            Terminate(p, sig);
            return true;
        }
        GuestThread? leader = p.Threads.FirstOrDefault(t => t.State != GuestThreadState.Exited);
        if (leader == null) return false;
        JobControlOnSend(p, sig);
        // Blocked signals are never ignored at generation: the disposition may change before they are unblocked.
        if ((leader.SignalMask & Bit(sig)) == 0 && Ignores(p, sig)) return false;
        if (!p.SharedPending.Add(info ?? UserInfo(sig))) return false;
        SignalQueued(p);
        GuestThread? current = CurrentThread;
        if (current != null && current.Process == p && (current.SignalMask & Bit(sig)) == 0) current.Cpu.StopRequested = true;
        return true;
    }

    /// <summary>Sends a signal to one thread (tgkill(2)).</summary>
    public bool SendSignal(GuestThread t, int sig, SigInfo? info = null)
    {
        GuestProcess p = t.Process;
        if (p.Exited || sig == 0 || t.State == GuestThreadState.Exited) return false;
        if (sig == Signals.SIGKILL)
        {
            Terminate(p, sig);
            return true;
        }
        JobControlOnSend(p, sig);
        if ((t.SignalMask & Bit(sig)) == 0 && Ignores(p, sig)) return false;
        if (!t.Pending.Add(info ?? UserInfo(sig))) return false;
        SignalQueued(p);
        if (t == CurrentThread && (t.SignalMask & Bit(sig)) == 0) t.Cpu.StopRequested = true; // deliver before the next instruction
        return true;
    }

    /// <summary>
    /// force_sig: a signal the thread cannot refuse (faults, a bad frame). If it is blocked or ignored its
    /// disposition is reset to the default and it is unblocked, so it terminates the process.
    /// </summary>
    void ForceSignal(GuestThread t, SigInfo info)
    {
        GuestProcess p = t.Process;
        int sig = info.Signo;
        ulong handler = HandlerOf(p, sig);
        bool blocked = (t.SignalMask & Bit(sig)) != 0;
        if (blocked || handler == SIG_IGN)
        {
            Array.Clear(p.SignalActions[sig], 0, 8);
            t.SignalMask &= ~Bit(sig);
        }
        t.Pending.Add(info, atFront: true);
        SignalQueued(p);
    }

    /// <summary>signalfd_notify: a signal was queued; signalfd pollers of the process are woken.</summary>
    static void SignalQueued(GuestProcess p)
    {
        p.SignalsQueued++;
        p.SignalPollers.Wake();
    }

    /// <summary>rt_sigreturn found a frame it cannot read: signal_fault forces SIGSEGV.</summary>
    internal void ForceBadFrame(GuestThread t)
    {
        ForceSignal(t, SigInfo.Kernel(Signals.SIGSEGV));
        RecalcSignalPending(t);
    }

    /// <summary>Signals (bit n-1 for n) pending for the thread, its own and its process's.</summary>
    public static ulong PendingFor(GuestThread t) => t.Pending.Mask | t.Process.SharedPending.Mask;

    /// <summary>A pending signal the thread does not block: it must run (or wake) to take it.</summary>
    public static bool HasDeliverableSignal(GuestThread t) => (PendingFor(t) & ~t.SignalMask) != 0;

    /// <summary>After a change of the mask or the queues: makes the running thread stop to take what became deliverable.</summary>
    internal void RecalcSignalPending(GuestThread t)
    {
        if (t == CurrentThread && HasDeliverableSignal(t)) t.Cpu.StopRequested = true;
    }

    /// <summary>
    /// dequeue_signal: takes the next signal in <paramref name="allowed"/>, the thread's own queue first, then the
    /// process's; synchronous signals (faults) go first. Accounts a POSIX timer's overruns.
    /// </summary>
    public SigInfo? DequeueSignal(GuestThread t, ulong allowed)
    {
        int sig = t.Pending.Next(allowed);
        SigInfo? info = sig != 0 ? t.Pending.Take(sig) : null;
        if (info == null)
        {
            sig = t.Process.SharedPending.Next(allowed);
            info = sig != 0 ? t.Process.SharedPending.Take(sig) : null;
        }
        if (info?.Timer is { } timer)
        {
            timer.Queued = false;
            timer.LastOverrun = timer.Overrun;
            timer.Overrun = 0;
            info.SetI32(20, timer.LastOverrun);
        }
        return info;
    }

    /// <summary>rt_sigaction to SIG_IGN (or a default that ignores) discards what is pending (do_sigaction).</summary>
    internal void FlushIgnored(GuestProcess p, int sig)
    {
        if (!Ignores(p, sig)) return;
        p.SharedPending.Flush(Bit(sig));
        foreach (GuestThread t in p.Threads) t.Pending.Flush(Bit(sig));
    }

    // ---------------------------------------------------------------- delivery

    /// <summary>
    /// Acts on the pending signals the thread does not block, until none is left: default actions, or a frame per
    /// handled signal (nested, so the last one set up runs first, as Linux's exit-to-user loop does). A thread parked
    /// in a syscall is interrupted by the first handler: it is restarted or returns EINTR (<see cref="Interrupt"/>).
    /// </summary>
    internal void DeliverPendingSignals(GuestThread t)
    {
        GuestProcess p = t.Process;
        // A vfork parent is not in a syscall that can be interrupted: it takes its signals once it runs again.
        if (t.Waiting is { RestartsSyscall: false }) return;
        while (!p.Exited && t.State != GuestThreadState.Exited)
        {
            SigInfo? info = DequeueSignal(t, ~t.SignalMask);
            if (info == null) break;
            // An attached debugger sees each signal first (ptrace's signal-delivery-stop) and may discard or replace it.
            if (Debugger != null && !info.DebuggerSeen && !Debugger.OnSignal(t, info, fault: false)) continue;
            int sig = info.Signo;
            SignalAction action = ActionOf(p, sig);
            if (action.Handler == SIG_IGN) continue;
            if (action.Handler == SIG_DFL)
            {
                if (DefaultOf(sig) is DefaultAction.Ignore or DefaultAction.Continue) continue;
                if (DefaultOf(sig) == DefaultAction.Stop)
                {
                    // get_signal: SIGTSTP/SIGTTIN/SIGTTOU do nothing in an orphaned process group; otherwise the whole
                    // process stops, and the rest of its signals wait until it continues.
                    if (sig != Signals.SIGSTOP && IsOrphanedGroup(p.ProcessGroup)) continue;
                    StopProcess(p, sig);
                    break;
                }
                Terminate(p, sig);
                return;
            }
            if (t.Waiting != null) Interrupt(t, action);
            ulong oldMask = t.SavedSignalMask ?? t.SignalMask;
            if (!SignalFrame.Setup(t, info, action, oldMask))
            {
                if (SettleMemory()) return; // the frame's page was past the memory limit: the OOM kill, not SIGSEGV
                // force_sigsegv: a SIGSEGV that cannot be handled on this frame kills; others become SIGSEGV.
                if (sig == Signals.SIGSEGV) Array.Clear(p.SignalActions[sig], 0, 8);
                ForceSignal(t, SigInfo.Kernel(Signals.SIGSEGV));
                continue;
            }
            t.SavedSignalMask = null;
            // signal_delivered: block sa_mask and (unless SA_NODEFER) the signal itself; SA_RESETHAND is one-shot.
            t.SignalMask |= action.Mask & ~Unblockable;
            if (!action.Has(SignalAction.SA_NODEFER)) t.SignalMask |= Bit(sig);
            if (action.Has(SignalAction.SA_RESETHAND)) Array.Clear(p.SignalActions[sig], 0, 8);
        }
        // Woken for signals that turned out to be discarded: back to the wait.
        if (t.Waiting != null && t.State == GuestThreadState.Runnable && !p.Exited) t.State = GuestThreadState.Blocked;
    }

    /// <summary>
    /// A handler interrupts the syscall the thread is parked in (RIP on the SYSCALL, RAX = its number). With SA_RESTART
    /// and a call that restarts (ERESTARTSYS) the parked state is the frame's saved state, so sigreturn executes the call
    /// again; otherwise the call completes with EINTR (signal(7) "Interruption of system calls and library functions").
    /// </summary>
    void Interrupt(GuestThread t, SignalAction action)
    {
        var c = t.Cpu;
        int nr = NativeNumber(t.Process, (int)c.Rax);
        bool restart = action.Has(SignalAction.SA_RESTART) && !NeverRestarts(t, nr);
        if (t.Waiting is SleepUntil sleep && nr is 35 or 230) WriteRemainingSleep(t, nr, sleep);
        // A write interrupted after some of its data went out returns that count (pipe(7)).
        long? partial = t.Waiting is PartialWrite { Done: > 0 } w ? w.Done : null;
        Futexes.Forget(t);
        if (t.Waiting is Vfs.FifoOpenWait fifo) fifo.Abandon();
        t.Waiting = null;
        t.Resumed = null;
        t.State = GuestThreadState.Runnable;
        if (restart && partial == null) return;
        c.Rax = partial != null ? (ulong)partial.Value : unchecked((ulong)-Errno.EINTR);
        c.Rip += 2; // past the SYSCALL, which now retires
        c.Retired++;
    }

    /// <summary>The x86-64 number of the call a parked thread is in (an i386 process parks with its i386 number in EAX).</summary>
    static int NativeNumber(GuestProcess p, int nr) =>
        p.Abi == ProcessAbi.I386 ? X86Vm.Linux.Syscalls.I386Syscalls.NativeNumber(nr) : nr;

    /// <summary>Calls that fail with EINTR after a handler whatever SA_RESTART says (ERESTARTNOHAND, restart blocks).</summary>
    static bool NeverRestarts(GuestThread t, int nr)
    {
        switch (nr)
        {
            case 7: case 23: case 270: case 271: // poll, select, pselect6, ppoll
            case 232: case 281: case 441: // epoll_wait, epoll_pwait, epoll_pwait2
            case 35: case 230: // nanosleep, clock_nanosleep
            case 34: case 130: case 128: // pause, rt_sigsuspend, rt_sigtimedwait
            case 64: case 65: case 220: case 68: case 69: case 70: // semget family: semop, semtimedop, msgsnd, msgrcv
            case 208: // io_getevents
                return true;
            case 202: // futex: waits with a timeout use a restart block → EINTR (i386: op in ECX, timeout in ESI)
                bool i386 = t.Process.Abi == ProcessAbi.I386;
                ulong timeout = t.Cpu.R(i386 ? X86Vm.Cpu.State.Reg.RSI : X86Vm.Cpu.State.Reg.R10);
                int op = (int)t.Cpu.R(i386 ? X86Vm.Cpu.State.Reg.RCX : X86Vm.Cpu.State.Reg.RSI);
                return timeout != 0 && (op & 0x7F) is 0 or 9;
            default:
                return false;
        }
    }

    /// <summary>nanosleep/clock_nanosleep (relative) interrupted: the remaining time goes to *rem.</summary>
    void WriteRemainingSleep(GuestThread t, int nr, SleepUntil sleep)
    {
        var c = t.Cpu;
        // The remaining-time pointer and clock flags by ABI: x86-64 RSI/R10 and RSI; i386 ECX/ESI and ECX, with
        // old_timespec32 for nanosleep and clock_nanosleep and the 64-bit layout for clock_nanosleep_time64.
        bool i386 = t.Process.Abi == ProcessAbi.I386;
        ulong rem = nr == 35 ? c.R(i386 ? X86Vm.Cpu.State.Reg.RCX : X86Vm.Cpu.State.Reg.RSI)
            : c.R(i386 ? X86Vm.Cpu.State.Reg.RSI : X86Vm.Cpu.State.Reg.R10);
        if (nr == 230 && ((int)c.R(i386 ? X86Vm.Cpu.State.Reg.RCX : X86Vm.Cpu.State.Reg.RSI) & 1) != 0) return; // TIMER_ABSTIME: nothing to report
        if (rem == 0) return;
        long left = Math.Max(0, sleep.DeadlineNs - Clock.MonotonicNanoseconds);
        Timespec layout = i386 && (int)c.Rax != 407 ? Timespec.Old32 : Timespec.Time64;
        layout.Write(t.Process, rem, left);
    }

    void Terminate(GuestProcess p, int sig)
    {
        if (p.Parent == null) // the VM's first process: x86vm reports its death like a shell would
            Options.Diagnostics.WriteLine($"x86vm: process {p.Pid} killed by {Signals.Name(sig)}");
        // WCOREDUMP is set only when a core was written; RLIMIT_CORE is 0 here, so never.
        p.Kill(sig);
    }

    // ---------------------------------------------------------------- faults

    /// <summary>
    /// A CPU fault. With a handler that is installed and not blocked it is delivered like any signal (before the
    /// others: it is synchronous); otherwise it terminates the process with one line of explanation (force_sig).
    /// </summary>
    void DeliverFault(GuestThread t, GuestFault fault)
    {
        GuestProcess p = t.Process;
        SigInfo info = FaultInfo(t, fault);
        // An attached debugger sees the fault first; one it does not pass on makes the instruction run again.
        if (Debugger != null && !Debugger.OnSignal(t, info, fault: true)) return;
        info.DebuggerSeen = true;
        ulong handler = HandlerOf(p, fault.Signal);
        bool blocked = (t.SignalMask & Bit(fault.Signal)) != 0;
        if (handler == SIG_DFL || handler == SIG_IGN || blocked)
        {
            ulong rip = fault.IsTrap ? t.Cpu.Rip - 1 : t.Cpu.Rip;
            Options.Diagnostics.WriteLine($"x86vm: {DescribeFault(fault)} at rip 0x{rip:x}: {Disassemble(p.Memory, rip, p.Abi.Bitness())}");
            p.Kill(fault.Signal);
            return;
        }
        ForceSignal(t, info);
        DeliverPendingSignals(t);
    }

    /// <summary>siginfo and sigcontext trap fields for a fault, as arch/x86/kernel/traps.c and fault.c report them.</summary>
    static SigInfo FaultInfo(GuestThread t, GuestFault f)
    {
        const ulong PfProt = 1, PfWrite = 2, PfUser = 4, PfInstr = 16;
        if (f.Vector >= 0) return SigInfo.Fault(f.Signal, f.SiCode, f.SiAddr, (ulong)f.Vector, f.ErrorCode, 0);
        switch (f.Signal, f.SiCode)
        {
            case (Signals.SIGSEGV, Signals.SEGV_MAPERR or Signals.SEGV_ACCERR):
            {
                // The access kind is not recorded by the CPU; infer it: a fetch faults at RIP, and a protection fault
                // on a readable page must have been a write.
                ulong err = PfUser;
                Mapping? m = t.Process.Memory.Mappings.Find(f.SiAddr);
                if (f.SiCode == Signals.SEGV_ACCERR) err |= PfProt;
                if (f.SiAddr >= t.Cpu.Rip && f.SiAddr < t.Cpu.Rip + 16 && (m == null || (m.Protection & Protection.Execute) == 0))
                    err |= PfInstr;
                else if (m != null && (m.Protection & Protection.Read) != 0 && (m.Protection & Protection.Write) == 0) err |= PfWrite;
                return SigInfo.Fault(f.Signal, f.SiCode, f.SiAddr, 14, err, f.SiAddr);
            }
            case (Signals.SIGSEGV, _):
                return SigInfo.Fault(f.Signal, f.SiCode, f.SiAddr, 13, 0, 0); // #GP
            case (Signals.SIGFPE, _):
                return SigInfo.Fault(f.Signal, f.SiCode, f.SiAddr, 0, 0, 0); // #DE
            case (Signals.SIGILL, _):
                return SigInfo.Fault(f.Signal, f.SiCode, f.SiAddr, 6, 0, 0); // #UD
            case (Signals.SIGTRAP, _):
                return SigInfo.Fault(f.Signal, f.SiCode, f.SiAddr, 3, 0, 0); // #BP
            case (Signals.SIGBUS, Signals.BUS_ADRALN):
                return SigInfo.Fault(f.Signal, f.SiCode, f.SiAddr, 17, 0, 0); // #AC
            default:
                return SigInfo.Fault(f.Signal, f.SiCode, f.SiAddr, 14, PfUser, f.SiAddr);
        }
    }

    static string DescribeFault(GuestFault f)
    {
        string code = (f.Signal, f.SiCode) switch
        {
            (Signals.SIGSEGV, Signals.SEGV_MAPERR) => $"SEGV_MAPERR, address 0x{f.SiAddr:x}",
            (Signals.SIGSEGV, Signals.SEGV_ACCERR) => $"SEGV_ACCERR, address 0x{f.SiAddr:x}",
            (_, Signals.SI_KERNEL) => "SI_KERNEL",
            (Signals.SIGFPE, Signals.FPE_INTDIV) => "FPE_INTDIV",
            (Signals.SIGILL, _) => "ILL_ILLOPN",
            _ => $"code {f.SiCode}",
        };
        return $"{Signals.Name(f.Signal)} ({code})";
    }

    // ---------------------------------------------------------------- process events

    /// <summary>
    /// do_notify_parent: the exit signal with CLD_EXITED/CLD_KILLED siginfo. If the parent ignores SIGCHLD (SIG_IGN)
    /// or set SA_NOCLDWAIT, the child is reaped at once and wait(2) will not see it.
    /// </summary>
    void NotifyParentOfExit(GuestProcess child)
    {
        GuestProcess parent = child.Parent!;
        int sig = child.ExitSignal;
        int status = child.WaitStatus;
        bool killed = (status & 0x7F) != 0;
        var info = SigInfo.Child(sig, killed ? ((status & 0x80) != 0 ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED, child.Pid,
            killed ? status & 0x7F : (status >> 8) & 0xFF);
        bool autoreap = false;
        if (sig == Signals.SIGCHLD)
        {
            SignalAction a = ActionOf(parent, Signals.SIGCHLD);
            if (a.Handler == SIG_IGN || a.Has(SignalAction.SA_NOCLDWAIT))
            {
                autoreap = true;
                if (a.Handler == SIG_IGN) sig = 0;
            }
        }
        if (sig is > 0 and <= 64) SendSignal(parent, sig, info); // clone's exit signal may be any byte; Linux sends only valid ones
        if (autoreap) Reap(child);
    }

    /// <summary>fork/clone: the child's signal state (mask; alternate stack unless it shares memory without vfork).</summary>
    internal static void InheritSignalState(GuestThread parent, GuestThread child, bool sharesMemoryWithoutVfork)
    {
        child.SignalMask = parent.SignalMask;
        if (sharesMemoryWithoutVfork) return;
        child.AltStackBase = parent.AltStackBase;
        child.AltStackSize = parent.AltStackSize;
        child.AltStackFlags = parent.AltStackFlags;
    }

    /// <summary>execve: handlers reset to SIG_DFL (ignored stay ignored), no alternate stack, POSIX timers deleted.
    /// The mask, pending signals and interval timers are kept.</summary>
    internal static void ResetSignalsOnExec(GuestThread t)
    {
        GuestProcess p = t.Process;
        for (int sig = 1; sig <= 64; sig++)
        {
            byte[] action = p.SignalActions[sig];
            ulong h = BitConverter.ToUInt64(action);
            if (h != SIG_DFL && h != SIG_IGN) Array.Clear(action);
        }
        AltStack.Reset(t);
        t.SavedSignalMask = null;
        foreach (PosixTimer timer in p.PosixTimers.Values) timer.Expiry = null;
        p.PosixTimers.Clear();
    }

    /// <summary>"mnemonic operands (bytes …)" for the instruction at <paramref name="rip"/>, for diagnostics.</summary>
    public static string Disassemble(AddressSpace memory, ulong rip, int bitness = 64)
    {
        var bytes = new List<byte>();
        for (int i = 0; i < 15; i++)
        {
            try { bytes.Add(memory.Read<byte>(rip + (ulong)i)); }
            catch (GuestFault) { break; }
        }
        if (bytes.Count == 0) return "(instruction not readable)";
        var decoder = Decoder.Create(bitness, new ByteArrayCodeReader(bytes.ToArray()));
        decoder.IP = rip;
        decoder.Decode(out Instruction insn);
        var formatter = new IntelFormatter();
        var output = new StringOutput();
        formatter.Format(insn, output);
        int len = insn.IsInvalid ? Math.Min(bytes.Count, 4) : insn.Length;
        string hex = string.Join(' ', bytes.Take(len).Select(b => b.ToString("x2")));
        return insn.IsInvalid ? $"invalid instruction (bytes {hex})" : $"{output.ToStringAndReset()} (bytes {hex})";
    }
}
