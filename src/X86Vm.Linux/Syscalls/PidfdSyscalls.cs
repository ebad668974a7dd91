using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Syscalls;

/// <summary>pidfd_open(2) and pidfd_send_signal(2): descriptors that name a process.</summary>
[SyscallFamily]
static class PidfdSyscalls
{
    const int PIDFD_NONBLOCK = OpenFlags.NonBlock, PIDFD_THREAD = OpenFlags.Exclusive;

    /// <summary>pidfd_open: a live or zombie thread-group leader (a thread id with PIDFD_THREAD); the descriptor is
    /// close-on-exec.</summary>
    [Syscall(434, "d,x")]
    static long PidfdOpen(GuestProcess p, in SyscallArgs a)
    {
        int pid = (int)a.A0;
        int flags = (int)a.A1;
        if ((flags & ~(PIDFD_NONBLOCK | PIDFD_THREAD)) != 0 || pid <= 0) return -Errno.EINVAL;
        GuestProcess? target = p.Kernel.FindProcess(pid);
        if (target == null)
        {
            if ((flags & PIDFD_THREAD) != 0 && p.Kernel.Processes.FirstOrDefault(x => x.Threads.Any(t => t.Tid == pid && t.State != GuestThreadState.Exited)) is { } owner)
                target = owner;
            else return p.Kernel.Processes.Any(x => x.Threads.Any(t => t.Tid == pid)) ? -Errno.ENOENT : -Errno.ESRCH;
        }
        if (target.State == ProcessState.Reaped) return -Errno.ESRCH;
        return p.Files.Add(new PidFd(target, flags), closeOnExec: true);
    }

    /// <summary>pidfd_send_signal: like kill(2) to the pidfd's process; with a siginfo, only to oneself or with a
    /// negative si_code (rt_sigqueueinfo's rule); flags must be 0.</summary>
    [Syscall(424, "d,d,p,x")]
    static long PidfdSendSignal(GuestProcess p, in SyscallArgs a)
    {
        int sig = (int)a.A1;
        // PIDFD_SIGNAL_THREAD (1), _THREAD_GROUP (2), _PROCESS_GROUP (4) since Linux 6.9: at most one.
        ulong scope = a.A3;
        if (scope is not (0 or 1 or 2 or 4)) return -Errno.EINVAL;
        if (p.Files.Get((int)a.A0) is not { } f) return -Errno.EBADF;
        if (f is not PidFd pidfd) return -Errno.EBADF;
        if (sig < 0 || sig > SignalNumbers.SIGRTMAX) return -Errno.EINVAL;
        GuestProcess target = pidfd.Process;
        if (target.State != ProcessState.Alive) return -Errno.ESRCH;
        SigInfo info = SigInfo.FromProcess(sig, 0 /* SI_USER */, p.Pid, (int)p.Credentials.Uid);
        if (a.A2 != 0)
        {
            var raw = new byte[128];
            if (!p.Memory.TryRead(a.A2, raw)) return -Errno.EFAULT;
            if (BitConverter.ToInt32(raw, 0) != sig) return -Errno.EINVAL;
            int code = BitConverter.ToInt32(raw, 8);
            if (target != p && (code >= 0 || code == -6 /* SI_TKILL */)) return -Errno.EPERM;
            info = SigInfo.FromUser(sig, raw);
        }
        if (scope == 4)
        {
            var group = p.Kernel.Processes.Where(x => !x.Exited && x.ProcessGroup == target.ProcessGroup && SignalSyscalls.MaySignal(p, x)).ToList();
            if (group.Count == 0) return -Errno.EPERM;
            foreach (GuestProcess member in group)
                if (sig != 0) p.Kernel.SendSignal(member, sig, info);
            return 0;
        }
        if (!SignalSyscalls.MaySignal(p, target)) return -Errno.EPERM;
        if (sig == 0) return 0;
        if (scope == 1) p.Kernel.SendSignal(target.Threads[0], sig, info); // the thread the pidfd names: the leader
        else p.Kernel.SendSignal(target, sig, info);
        return 0;
    }
}
