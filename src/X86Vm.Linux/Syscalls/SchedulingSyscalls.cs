using X86Vm.Linux.Process;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// CPU affinity, nice values, scheduling policies and getcpu. The VM has one virtual CPU and a round-robin scheduler
/// over retired instructions, so these are recorded per process and reported back, with Linux's argument checks and
/// permission rules (sched_setaffinity(2), getpriority(2), sched_setscheduler(2)).
/// </summary>
[SyscallFamily]
static class SchedulingSyscalls
{
    const int PRIO_PROCESS = 0, PRIO_PGRP = 1, PRIO_USER = 2;
    const int SCHED_OTHER = 0, SCHED_FIFO = 1, SCHED_RR = 2, SCHED_BATCH = 3, SCHED_IDLE = 5, SCHED_RESET_ON_FORK = 0x40000000;

    /// <summary>A process by pid (0: the caller); a thread id names its process.</summary>
    static GuestProcess? Target(GuestProcess p, long pid) =>
        pid == 0 ? p : p.Kernel.Processes.FirstOrDefault(x => x.Pid == pid || x.Threads.Any(t => t.Tid == pid && t.State != GuestThreadState.Exited));

    [Syscall(204, "d,u,p")]
    static long SchedGetaffinity(GuestProcess p, in SyscallArgs a)
    {
        if (a.A1 < 8 || (a.A1 & 7) != 0) return -Errno.EINVAL;
        if ((int)a.A0 < 0 || Target(p, (int)a.A0) == null) return -Errno.ESRCH;
        var mask = new byte[8];
        mask[0] = 1; // one virtual CPU
        return p.Memory.TryWrite(a.A2, mask) ? 8 : -Errno.EFAULT;
    }

    /// <summary>sched_setaffinity: the mask must contain the VM's one CPU; another user's process needs CAP_SYS_NICE.</summary>
    [Syscall(203, "d,u,p")]
    static long SchedSetaffinity(GuestProcess p, in SyscallArgs a)
    {
        var mask = new byte[(int)Math.Min(a.A1, 8)];
        if (mask.Length > 0 && !p.Memory.TryRead(a.A2, mask)) return -Errno.EFAULT;
        GuestProcess? target = (int)a.A0 < 0 ? null : Target(p, (int)a.A0);
        if (target == null) return -Errno.ESRCH;
        if (!MayChange(p, target)) return -Errno.EPERM;
        return mask.Length > 0 && (mask[0] & 1) != 0 ? 0 : -Errno.EINVAL;
    }

    /// <summary>check_same_owner or CAP_SYS_NICE.</summary>
    static bool MayChange(GuestProcess p, GuestProcess target)
    {
        Credentials c = p.Credentials, t = target.Credentials;
        return c.Has(Credentials.CAP_SYS_NICE) || c.Euid == t.Euid || c.Euid == t.Uid;
    }

    static IEnumerable<GuestProcess> Targets(GuestProcess p, int which, int who) => which switch
    {
        PRIO_PROCESS => Target(p, who) is { Exited: false } one ? [one] : [],
        PRIO_PGRP => p.Kernel.Processes.Where(x => !x.Exited && x.ProcessGroup == (who == 0 ? p.ProcessGroup : who)),
        _ => p.Kernel.Processes.Where(x => !x.Exited && x.Credentials.Uid == (who == 0 ? p.Credentials.Uid : (uint)who)),
    };

    /// <summary>getpriority: the raw call returns 20 - nice of the highest-priority target (glibc converts it back).</summary>
    [Syscall(140, "d,d")]
    static long Getpriority(GuestProcess p, in SyscallArgs a)
    {
        int which = (int)a.A0, who = (int)a.A1;
        if (which is < PRIO_PROCESS or > PRIO_USER) return -Errno.EINVAL;
        var targets = Targets(p, which, who).ToList();
        return targets.Count == 0 ? -Errno.ESRCH : targets.Max(t => 20 - t.Nice);
    }

    /// <summary>setpriority: the value is clamped to -20..19; lowering it needs CAP_SYS_NICE (EACCES), changing another
    /// user's process too (EPERM).</summary>
    [Syscall(141, "d,d,d")]
    static long Setpriority(GuestProcess p, in SyscallArgs a)
    {
        int which = (int)a.A0, who = (int)a.A1, nice = Math.Clamp((int)a.A2, -20, 19);
        if (which is < PRIO_PROCESS or > PRIO_USER) return -Errno.EINVAL;
        var targets = Targets(p, which, who).ToList();
        if (targets.Count == 0) return -Errno.ESRCH;
        long error = 0;
        foreach (GuestProcess t in targets)
        {
            if (!MayChange(p, t)) { error = -Errno.EPERM; continue; }
            if (nice < t.Nice && !p.Credentials.Has(Credentials.CAP_SYS_NICE)) { error = -Errno.EACCES; continue; }
            t.Nice = nice;
        }
        return error;
    }

    /// <summary>getcpu: always CPU 0 of node 0.</summary>
    [Syscall(309, "p,p,p")]
    static long Getcpu(GuestProcess p, in SyscallArgs a)
    {
        if (a.A0 != 0 && !GuestIo.WriteU32(p, a.A0, 0)) return -Errno.EFAULT;
        if (a.A1 != 0 && !GuestIo.WriteU32(p, a.A1, 0)) return -Errno.EFAULT;
        return 0;
    }

    [Syscall(146, "d")]
    static long SchedGetPriorityMax(GuestProcess p, in SyscallArgs a) => (int)a.A0 switch
    {
        SCHED_FIFO or SCHED_RR => 99,
        SCHED_OTHER or SCHED_BATCH or SCHED_IDLE => 0,
        _ => -Errno.EINVAL,
    };

    [Syscall(147, "d")]
    static long SchedGetPriorityMin(GuestProcess p, in SyscallArgs a) => (int)a.A0 switch
    {
        SCHED_FIFO or SCHED_RR => 1,
        SCHED_OTHER or SCHED_BATCH or SCHED_IDLE => 0,
        _ => -Errno.EINVAL,
    };

    [Syscall(145, "d")]
    static long SchedGetscheduler(GuestProcess p, in SyscallArgs a)
    {
        if ((int)a.A0 < 0) return -Errno.EINVAL;
        return Target(p, (int)a.A0) is { } t ? t.SchedulingPolicy : -Errno.ESRCH;
    }

    [Syscall(143, "d,p")]
    static long SchedGetparam(GuestProcess p, in SyscallArgs a)
    {
        if ((int)a.A0 < 0 || a.A1 == 0) return -Errno.EINVAL;
        if (Target(p, (int)a.A0) is not { } t) return -Errno.ESRCH;
        return GuestIo.WriteU32(p, a.A1, (uint)t.RealtimePriority) ? 0 : -Errno.EFAULT;
    }

    [Syscall(144, "d,d,p", Partial = "policies and priorities are recorded; the VM's scheduler treats every thread alike")]
    static long SchedSetscheduler(GuestProcess p, in SyscallArgs a) => SetScheduler(p, (int)a.A0, (int)a.A1, a.A2);

    [Syscall(142, "d,p", Partial = "recorded only")]
    static long SchedSetparam(GuestProcess p, in SyscallArgs a) => SetScheduler(p, (int)a.A0, -1, a.A1);

    /// <summary>sched_setscheduler/sched_setparam (policy -1: keep it): real-time policies take priorities 1..99 and
    /// CAP_SYS_NICE; the others priority 0.</summary>
    static long SetScheduler(GuestProcess p, int pid, int policy, ulong param)
    {
        if (pid < 0 || param == 0) return -Errno.EINVAL;
        var raw = new byte[4];
        if (!p.Memory.TryRead(param, raw)) return -Errno.EFAULT;
        int priority = BitConverter.ToInt32(raw);
        if (Target(p, pid) is not { } t) return -Errno.ESRCH;
        if (policy != -1) policy &= ~SCHED_RESET_ON_FORK;
        int effective = policy == -1 ? t.SchedulingPolicy : policy;
        bool realtime = effective is SCHED_FIFO or SCHED_RR;
        if (effective is not (SCHED_OTHER or SCHED_FIFO or SCHED_RR or SCHED_BATCH or SCHED_IDLE)) return -Errno.EINVAL;
        if (realtime ? priority is < 1 or > 99 : priority != 0) return -Errno.EINVAL;
        if (!MayChange(p, t)) return -Errno.EPERM;
        if (realtime && !p.Credentials.Has(Credentials.CAP_SYS_NICE)) return -Errno.EPERM;
        t.SchedulingPolicy = effective;
        t.RealtimePriority = priority;
        return 0;
    }
}
