using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// Signal syscalls. Dispositions and the mask are recorded; delivery to guest handlers arrives with the
/// process model, until then a signal whose action would run a handler terminates the process.
/// </summary>
[SyscallFamily]
static class SignalSyscalls
{
    const ulong SIG_DFL = 0, SIG_IGN = 1;

    [Syscall(13, "d,p,p,u")]
    static long RtSigaction(GuestProcess p, in SyscallArgs a)
    {
        int sig = (int)a.A0;
        if (sig < 1 || sig > 64 || a.A3 != 8) return -Errno.EINVAL;
        if (a.A2 != 0 && !p.Memory.TryWrite(a.A2, p.SignalActions[sig])) return -Errno.EFAULT;
        if (a.A1 != 0)
        {
            if (sig is Signals.SIGKILL or Signals.SIGSTOP) return -Errno.EINVAL;
            var action = new byte[32];
            if (!p.Memory.TryRead(a.A1, action)) return -Errno.EFAULT;
            p.SignalActions[sig] = action;
        }
        return 0;
    }

    [Syscall(14, "d,p,p,u")]
    static long RtSigprocmask(GuestProcess p, in SyscallArgs a)
    {
        const int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
        if (a.A3 != 8) return -Errno.EINVAL;
        GuestThread t = p.Kernel.CurrentThread;
        ulong old = t.SignalMask;
        if (a.A1 != 0)
        {
            if (!GuestIo.ReadU64(p, a.A1, out ulong set)) return -Errno.EFAULT;
            set &= ~((1UL << (Signals.SIGKILL - 1)) | (1UL << (Signals.SIGSTOP - 1)));
            switch ((int)a.A0)
            {
                case SIG_BLOCK: t.SignalMask |= set; break;
                case SIG_UNBLOCK: t.SignalMask &= ~set; break;
                case SIG_SETMASK: t.SignalMask = set; break;
                default: return -Errno.EINVAL;
            }
        }
        if (a.A2 != 0 && !GuestIo.WriteU64(p, a.A2, old)) return -Errno.EFAULT;
        return 0;
    }

    [Syscall(131, "p,p")]
    static long Sigaltstack(GuestProcess p, in SyscallArgs a)
    {
        if (a.A1 != 0)
        {
            var old = new byte[24];
            BitConverter.TryWriteBytes(old.AsSpan(8), 2); // SS_DISABLE
            if (!p.Memory.TryWrite(a.A1, old)) return -Errno.EFAULT;
        }
        return 0;
    }

    [Syscall(62, "d,d")]
    static long Kill(GuestProcess p, in SyscallArgs a)
    {
        int pid = (int)a.A0, sig = (int)a.A1;
        if (sig < 0 || sig > 64) return -Errno.EINVAL;
        Kernel k = p.Kernel;
        List<GuestProcess> targets = pid switch
        {
            > 0 => k.FindProcess(pid) is { } one ? [one] : [],
            0 => k.Processes.Where(x => x.ProcessGroup == p.ProcessGroup).ToList(),
            -1 => k.Processes.Where(x => x != p).Append(p).ToList(),
            _ => k.Processes.Where(x => x.ProcessGroup == -pid).ToList(),
        };
        targets = targets.Where(x => !x.Exited).ToList();
        if (targets.Count == 0) return -Errno.ESRCH;
        foreach (GuestProcess target in targets) k.SendSignal(target, sig);
        return 0;
    }

    [Syscall(234, "d,d,d")]
    static long Tgkill(GuestProcess p, in SyscallArgs a)
    {
        GuestProcess? target = p.Kernel.FindProcess((int)a.A0);
        return SendToThread(p, target?.FindThread((int)a.A1), (int)a.A2);
    }

    [Syscall(200, "d,d")]
    static long Tkill(GuestProcess p, in SyscallArgs a)
    {
        int tid = (int)a.A0;
        return SendToThread(p, p.Kernel.Threads.FirstOrDefault(t => t.Tid == tid), (int)a.A1);
    }

    static long SendToThread(GuestProcess p, GuestThread? t, int sig)
    {
        if (sig < 0 || sig > 64) return -Errno.EINVAL;
        if (t == null || t.State == GuestThreadState.Exited) return -Errno.ESRCH;
        p.Kernel.SendSignal(t, sig);
        return 0;
    }
}
