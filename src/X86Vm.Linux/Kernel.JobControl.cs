using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;
using static X86Vm.Linux.Process.SignalNumbers;

namespace X86Vm.Linux;

// Job control (signal(7), kernel/signal.c): stop signals stop every thread of a process, SIGCONT continues it, and the
// parent hears of both through SIGCHLD (CLD_STOPPED/CLD_CONTINUED) and wait(WUNTRACED/WCONTINUED). A stopped process's
// threads are simply not scheduled; there is no terminal, so no foreground process group and no SIGTTIN/SIGTTOU from I/O.
public sealed partial class Kernel
{
    /// <summary>SIGSTOP, SIGTSTP, SIGTTIN and SIGTTOU (SIG_KERNEL_STOP_MASK).</summary>
    const ulong StopSignals = (1UL << (Signals.SIGSTOP - 1)) | (1UL << (SIGTSTP - 1)) | (1UL << (SIGTTIN - 1)) | (1UL << (SIGTTOU - 1));

    /// <summary>
    /// prepare_signal: whatever the disposition, a stop signal discards pending SIGCONT, and SIGCONT discards pending stop
    /// signals and continues a stopped process at once (its handler, if any, runs later like any signal's).
    /// </summary>
    void JobControlOnSend(GuestProcess p, int sig)
    {
        if ((Bit(sig) & StopSignals) != 0) FlushEverywhere(p, Bit(Signals.SIGCONT));
        else if (sig == Signals.SIGCONT)
        {
            FlushEverywhere(p, StopSignals);
            if (p.Stopped)
            {
                p.Stopped = false;
                p.StopReport = 0;
                p.ContinueReport = true;
                NotifyParentOfStop(p, CLD_CONTINUED);
            }
        }
    }

    static void FlushEverywhere(GuestProcess p, ulong set)
    {
        p.SharedPending.Flush(set);
        foreach (GuestThread t in p.Threads) t.Pending.Flush(set);
    }

    /// <summary>do_signal_stop: the process stops with <paramref name="sig"/> as its stop status.</summary>
    void StopProcess(GuestProcess p, int sig)
    {
        p.Stopped = true;
        p.StopReport = sig;
        p.ContinueReport = false; // signal_set_stop_flags replaces SIGNAL_STOP_CONTINUED
        if (CurrentThread?.Process == p) CurrentThread.Cpu.StopRequested = true;
        NotifyParentOfStop(p, CLD_STOPPED);
    }

    /// <summary>
    /// do_notify_parent_cldstop: SIGCHLD (whatever the exit signal) with CLD_STOPPED and the stop signal, or CLD_CONTINUED
    /// and SIGCONT; not sent when the parent ignores SIGCHLD or asked for SA_NOCLDSTOP. The VM's init hears nothing.
    /// </summary>
    void NotifyParentOfStop(GuestProcess child, int why)
    {
        GuestProcess? parent = child.Parent;
        if (parent == null || parent.Exited) return;
        SignalAction a = ActionOf(parent, Signals.SIGCHLD);
        if (a.Handler == SIG_IGN || a.Has(SignalAction.SA_NOCLDSTOP)) return;
        SendSignal(parent, Signals.SIGCHLD, SigInfo.Child(Signals.SIGCHLD, why, child.Pid, why == CLD_CONTINUED ? Signals.SIGCONT : child.StopReport));
    }

    /// <summary>
    /// will_become_orphaned_pgrp: no live member (but <paramref name="ignore"/>) has a parent in another process group of
    /// the same session. Members whose parent is the VM's init (pid 1, another session) do not count, as on Linux.
    /// </summary>
    bool IsOrphanedGroup(int pgrp, GuestProcess? ignore = null)
    {
        foreach (GuestProcess p in _processes.Values)
        {
            if (p.ProcessGroup != pgrp || p == ignore || p.Exited || p.Parent is not { } parent) continue;
            if (parent.ProcessGroup != pgrp && parent.Session == p.Session) return false;
        }
        return true;
    }

    /// <summary>
    /// exit_notify's kill_orphaned_pgrp, after <paramref name="exiting"/> became a zombie and its children were reparented:
    /// a process group that this exit orphans and that has a stopped member gets SIGHUP then SIGCONT (_exit(2)), so
    /// stopped jobs nobody can continue any more do not linger. Checked for each child's group and the process's own.
    /// </summary>
    void KillOrphanedGroups(GuestProcess exiting, IEnumerable<GuestProcess> formerChildren)
    {
        foreach (GuestProcess child in formerChildren)
            if (child.ProcessGroup != exiting.ProcessGroup && child.Session == exiting.Session)
                HangUpIfOrphanedWithStopped(child.ProcessGroup, null);
        if (exiting.Parent is { } parent && parent.ProcessGroup != exiting.ProcessGroup && parent.Session == exiting.Session)
            HangUpIfOrphanedWithStopped(exiting.ProcessGroup, exiting);
    }

    void HangUpIfOrphanedWithStopped(int pgrp, GuestProcess? ignore)
    {
        List<GuestProcess> members = _processes.Values.Where(p => p.ProcessGroup == pgrp && !p.Exited).ToList();
        if (!members.Any(p => p.Stopped) || !IsOrphanedGroup(pgrp, ignore)) return;
        foreach (GuestProcess p in members) SendSignal(p, Signals.SIGHUP, SigInfo.Kernel(Signals.SIGHUP));
        foreach (GuestProcess p in members) SendSignal(p, Signals.SIGCONT, SigInfo.Kernel(Signals.SIGCONT));
    }
}
