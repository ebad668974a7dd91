using X86Vm.Linux.Process;

namespace X86Vm.Linux.Syscalls;

/// <summary>wait4 and waitid (wait(2)): reaping children that exited.</summary>
[SyscallFamily]
static class WaitSyscalls
{
    const int WNOHANG = 1, WUNTRACED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x1000000;
    const int P_ALL = 0, P_PID = 1, P_PGID = 2;
    const int CLD_EXITED = 1, CLD_KILLED = 2;

    /// <summary>Children selected by wait4's pid argument.</summary>
    static List<GuestProcess> Selected(GuestProcess p, int pid) => p.Children.Where(c =>
        pid == -1 || (pid > 0 && c.Pid == pid) || (pid == 0 && c.ProcessGroup == p.ProcessGroup) || (pid < -1 && c.ProcessGroup == -pid)).ToList();

    [Syscall(61, "d,p,x,p", Partial = "stopped/continued children (WUNTRACED/WCONTINUED) are not reported; rusage is zero")]
    static long Wait4(GuestProcess p, in SyscallArgs a)
    {
        int pid = (int)a.A0, options = (int)a.A2;
        if ((options & ~(WNOHANG | WUNTRACED | WCONTINUED | 0x40000000 | unchecked((int)0x80000000))) != 0) return -Errno.EINVAL;
        List<GuestProcess> candidates = Selected(p, pid);
        if (candidates.Count == 0) return -Errno.ECHILD;
        GuestProcess? zombie = candidates.FirstOrDefault(c => c.State == ProcessState.Zombie);
        if (zombie == null)
        {
            if ((options & WNOHANG) != 0) return 0;
            return p.Kernel.Block(new WaitFor(_ => Selected(p, pid).Any(c => c.State == ProcessState.Zombie) || Selected(p, pid).Count == 0,
                null, $"wait4({pid})"));
        }
        if (a.A1 != 0 && !GuestIo.WriteU32(p, a.A1, (uint)zombie.WaitStatus)) return -Errno.EFAULT;
        if (a.A3 != 0 && !p.Memory.TryWrite(a.A3, new byte[144])) return -Errno.EFAULT; // struct rusage: all zero
        p.Kernel.Reap(zombie);
        return zombie.Pid;
    }

    [Syscall(247, "d,d,p,x,p", Partial = "P_PIDFD unsupported; stopped/continued children not reported")]
    static long Waitid(GuestProcess p, in SyscallArgs a)
    {
        int idtype = (int)a.A0, id = (int)a.A1, options = (int)a.A3;
        if ((options & (WEXITED | WUNTRACED | WCONTINUED)) == 0) return -Errno.EINVAL;
        int pid = idtype switch { P_ALL => -1, P_PID => id, P_PGID => id == 0 ? 0 : -id, _ => int.MinValue };
        if (pid == int.MinValue) return -Errno.EINVAL;
        List<GuestProcess> candidates = Selected(p, pid);
        if (candidates.Count == 0) return -Errno.ECHILD;
        GuestProcess? zombie = (options & WEXITED) != 0 ? candidates.FirstOrDefault(c => c.State == ProcessState.Zombie) : null;
        if (zombie == null)
        {
            if ((options & WNOHANG) != 0)
            {
                if (a.A2 != 0 && !p.Memory.TryWrite(a.A2, new byte[128])) return -Errno.EFAULT; // si_pid = 0
                return 0;
            }
            return p.Kernel.Block(new WaitFor(_ => Selected(p, pid).Any(c => c.State == ProcessState.Zombie) || Selected(p, pid).Count == 0,
                null, $"waitid({idtype},{id})"));
        }
        if (a.A2 != 0)
        {
            // siginfo_t for SIGCHLD: signo, errno, code, then pid, uid, status.
            var info = new byte[128];
            bool killed = (zombie.WaitStatus & 0x7F) != 0;
            BitConverter.TryWriteBytes(info.AsSpan(0), X86Vm.Cpu.Memory.Signals.SIGCHLD);
            BitConverter.TryWriteBytes(info.AsSpan(8), killed ? CLD_KILLED : CLD_EXITED);
            BitConverter.TryWriteBytes(info.AsSpan(16), zombie.Pid);
            BitConverter.TryWriteBytes(info.AsSpan(24), killed ? zombie.WaitStatus & 0x7F : (zombie.WaitStatus >> 8) & 0xFF);
            if (!p.Memory.TryWrite(a.A2, info)) return -Errno.EFAULT;
        }
        if ((options & WNOWAIT) == 0) p.Kernel.Reap(zombie);
        return 0;
    }
}
