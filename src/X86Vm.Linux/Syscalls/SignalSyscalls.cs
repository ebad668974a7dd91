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
        ulong old = p.SignalMask;
        if (a.A1 != 0)
        {
            if (!GuestIo.ReadU64(p, a.A1, out ulong set)) return -Errno.EFAULT;
            set &= ~((1UL << (Signals.SIGKILL - 1)) | (1UL << (Signals.SIGSTOP - 1)));
            switch ((int)a.A0)
            {
                case SIG_BLOCK: p.SignalMask |= set; break;
                case SIG_UNBLOCK: p.SignalMask &= ~set; break;
                case SIG_SETMASK: p.SignalMask = set; break;
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
    static long Kill(GuestProcess p, in SyscallArgs a) => SendToSelf(p, (int)a.A0, (int)a.A1);

    [Syscall(234, "d,d,d")]
    static long Tgkill(GuestProcess p, in SyscallArgs a) => SendToSelf(p, (int)a.A1, (int)a.A2);

    [Syscall(200, "d,d")]
    static long Tkill(GuestProcess p, in SyscallArgs a) => SendToSelf(p, (int)a.A0, (int)a.A1);

    static long SendToSelf(GuestProcess p, int pid, int sig)
    {
        if (pid != p.Pid && pid != 0 && pid != -1) return -Errno.ESRCH;
        if (sig < 0 || sig > 64) return -Errno.EINVAL;
        if (sig == 0) return 0;
        ulong handler = BitConverter.ToUInt64(p.SignalActions[sig]);
        bool blocked = (p.SignalMask & (1UL << (sig - 1))) != 0 && sig is not (Signals.SIGKILL or Signals.SIGSTOP);
        if (handler == SIG_IGN || blocked) return 0; // pending-signal queues arrive with signal delivery
        if (handler == SIG_DFL && sig is Signals.SIGCHLD or Signals.SIGCONT or 28 /* SIGWINCH */ or 23 /* SIGURG */) return 0;
        p.Kernel.Options.Diagnostics.WriteLine(handler == SIG_DFL
            ? $"x86vm: process {p.Pid} killed by {Signals.Name(sig)}"
            : $"x86vm: {Signals.Name(sig)} has a guest handler; signal delivery is not implemented yet, terminating");
        p.Kill(sig);
        return 0;
    }
}
