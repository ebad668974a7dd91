using X86Vm.Linux.Process;

namespace X86Vm.Linux.Syscalls;

/// <summary>wait4 and waitid (wait(2)): children that exited, stopped (WUNTRACED/WSTOPPED) or continued (WCONTINUED).</summary>
[SyscallFamily]
static class WaitSyscalls
{
    const int WNOHANG = 1, WUNTRACED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x1000000;
    const int P_ALL = 0, P_PID = 1, P_PGID = 2;
    const int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_STOPPED = 5, CLD_CONTINUED = 6;
    const int SIGCONT = 18;

    /// <summary>Children selected by wait4's pid argument.</summary>
    static List<GuestProcess> Selected(GuestProcess p, int pid) => p.Children.Where(c =>
        pid == -1 || (pid > 0 && c.Pid == pid) || (pid == 0 && c.ProcessGroup == p.ProcessGroup) || (pid < -1 && c.ProcessGroup == -pid)).ToList();

    enum Event { None, Exited, Stopped, Continued }

    /// <summary>
    /// wait_consider_task, child by child in fork order: an exit (with WEXITED), else an unreported stop (with WUNTRACED),
    /// else an unreported continue (with WCONTINUED).
    /// </summary>
    static (GuestProcess? Child, Event What) Find(GuestProcess p, int pid, int options)
    {
        foreach (GuestProcess c in Selected(p, pid))
        {
            if (c.State == ProcessState.Zombie) { if ((options & WEXITED) != 0) return (c, Event.Exited); }
            else if (c.Stopped && c.StopReport != 0 && (options & WUNTRACED) != 0) return (c, Event.Stopped);
            else if (c.ContinueReport && (options & WCONTINUED) != 0) return (c, Event.Continued);
        }
        return (null, Event.None);
    }

    static long BlockUntilEvent(GuestProcess p, int pid, int options, string what) =>
        p.Kernel.Block(new ChildWait(p, pid, options, what));

    /// <summary>What a blocked wait4/waitid waits for: a selected child to report, or no child left to select.</summary>
    internal static bool HasEvent(GuestProcess p, int pid, int options) => Find(p, pid, options).Child != null || Selected(p, pid).Count == 0;

    /// <summary>Consumes a stop or continue report unless WNOWAIT (wait_task_stopped/wait_task_continued).</summary>
    static void Consume(GuestProcess child, Event what, int options)
    {
        if ((options & WNOWAIT) != 0) return;
        if (what == Event.Stopped) child.StopReport = 0;
        else if (what == Event.Continued) child.ContinueReport = false;
        else
        {
            // wait_task_zombie: the parent inherits the child's CPU time and its children's.
            if (child.Parent != null) child.Parent.ChildrenCpuTime += ChildCpuTime(child);
            child.Kernel.Reap(child);
        }
    }

    /// <summary>What a wait reports of a child: its own CPU time and that of the children it waited for.</summary>
    static long ChildCpuTime(GuestProcess child) => Kernel.CpuTime(child) + child.ChildrenCpuTime;

    /// <summary>The rusage of a waited-for child (only its CPU time: see getrusage).</summary>
    static bool WriteChildRusage(GuestProcess p, ulong address, GuestProcess child) =>
        address == 0 || ResourceUsageSyscalls.WriteRusage(p, address, ChildCpuTime(child), 0);

    [Syscall(61, "d,p,x,p", Partial = "rusage holds only the child's CPU time")]
    static long Wait4(GuestProcess p, in SyscallArgs a)
    {
        int pid = (int)a.A0, options = (int)a.A2;
        if ((options & ~(WNOHANG | WUNTRACED | WCONTINUED | 0x20000000 | 0x40000000 | unchecked((int)0x80000000))) != 0) return -Errno.EINVAL;
        options |= WEXITED;
        if (pid == int.MinValue) return -Errno.ESRCH; // kernel_wait4: -INT_MIN is no process group
        if (Selected(p, pid).Count == 0) return -Errno.ECHILD;
        var (child, what) = Find(p, pid, options);
        if (child == null)
        {
            if ((options & WNOHANG) != 0) return 0;
            return BlockUntilEvent(p, pid, options, $"wait4({pid})");
        }
        // wait(2) status: exit code << 8 or the signal; 0x7f | sig << 8 for a stop (WIFSTOPPED); 0xffff for WIFCONTINUED.
        int status = what switch { Event.Stopped => (child.StopReport << 8) | 0x7F, Event.Continued => 0xFFFF, _ => child.WaitStatus };
        if (a.A1 != 0 && !GuestIo.WriteU32(p, a.A1, (uint)status)) return -Errno.EFAULT;
        if (!WriteChildRusage(p, a.A3, child)) return -Errno.EFAULT;
        Consume(child, what, options);
        return child.Pid;
    }

    [Syscall(247, "d,d,p,x,p", Partial = "rusage holds only the child's CPU time")]
    static long Waitid(GuestProcess p, in SyscallArgs a)
    {
        int idtype = (int)a.A0, id = (int)a.A1, options = (int)a.A3;
        if ((options & ~(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | 0x20000000 | 0x40000000 | unchecked((int)0x80000000))) != 0)
            return -Errno.EINVAL;
        if ((options & (WEXITED | WUNTRACED | WCONTINUED)) == 0) return -Errno.EINVAL;
        const int P_PIDFD = 3;
        if (idtype == P_PIDFD && p.Files.Get(id) is not Vfs.PidFd) return -Errno.EBADF;
        int pid = idtype switch
        {
            P_ALL => -1, P_PID => id, P_PGID => id == 0 ? 0 : -id,
            P_PIDFD => ((Vfs.PidFd)p.Files.Get(id)!).Process.Pid,
            _ => int.MinValue,
        };
        if (pid == int.MinValue) return -Errno.EINVAL;
        if (Selected(p, pid).Count == 0) return -Errno.ECHILD;
        var (child, what) = Find(p, pid, options);
        if (child == null)
        {
            if ((options & WNOHANG) != 0)
            {
                if (a.A2 != 0 && !p.Memory.TryWrite(a.A2, new byte[128])) return -Errno.EFAULT; // si_pid = 0
                return 0;
            }
            return BlockUntilEvent(p, pid, options, $"waitid({idtype},{id})");
        }
        if (a.A2 != 0)
        {
            // siginfo_t for SIGCHLD: signo, errno, code, then pid, uid, status.
            int status = child.WaitStatus, code, value;
            switch (what)
            {
                case Event.Stopped: code = CLD_STOPPED; value = child.StopReport; break;
                case Event.Continued: code = CLD_CONTINUED; value = SIGCONT; break;
                default:
                    bool killed = (status & 0x7F) != 0;
                    code = killed ? ((status & 0x80) != 0 ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED;
                    value = killed ? status & 0x7F : (status >> 8) & 0xFF;
                    break;
            }
            var info = SigInfo.FromProcess(X86Vm.Cpu.Memory.Signals.SIGCHLD, code, child.Pid, 0);
            info.SetI32(24, value);
            if (!p.Memory.TryWrite(a.A2, SigInfoLayout.Of(p, info))) return -Errno.EFAULT;
        }
        if (!WriteChildRusage(p, a.A4, child)) return -Errno.EFAULT;
        Consume(child, what, options);
        return 0;
    }
}
