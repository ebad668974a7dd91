using System.Text;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Syscalls;

/// <summary>Process identity, exit, thread-area setup (arch_prctl, set_tid_address, robust lists, rseq) and resource limits.</summary>
[SyscallFamily]
static class ProcessSyscalls
{
    [Syscall(60, "d")]
    static long Exit(GuestProcess p, in SyscallArgs a)
    {
        p.Kernel.ExitThread(p.Kernel.CurrentThread, (int)a.A0);
        return 0;
    }

    [Syscall(231, "d")]
    static long ExitGroup(GuestProcess p, in SyscallArgs a)
    {
        p.Exit((int)a.A0);
        return 0;
    }

    [Syscall(39)] static long Getpid(GuestProcess p, in SyscallArgs a) => p.Pid;
    [Syscall(186)] static long Gettid(GuestProcess p, in SyscallArgs a) => p.Kernel.CurrentThread.Tid;
    [Syscall(110)] static long Getppid(GuestProcess p, in SyscallArgs a) => p.ParentPid;
    [Syscall(111)] static long Getpgrp(GuestProcess p, in SyscallArgs a) => p.ProcessGroup;

    static GuestProcess? Target(GuestProcess p, ulong pid) => pid == 0 ? p : p.Kernel.FindProcess((int)pid);

    // pid 1 is the VM's implicit init, leader of its own group and session (InitProcess).
    [Syscall(121, "d")] static long Getpgid(GuestProcess p, in SyscallArgs a) =>
        Target(p, a.A0)?.ProcessGroup ?? ((int)a.A0 == InitProcess.Pid ? InitProcess.Pid : -Errno.ESRCH);
    [Syscall(124, "d")] static long Getsid(GuestProcess p, in SyscallArgs a) =>
        Target(p, a.A0)?.Session ?? ((int)a.A0 == InitProcess.Pid ? InitProcess.Pid : -Errno.ESRCH);

    /// <summary>setpgid(2): a process may move itself or a child into a group of its session.</summary>
    [Syscall(109, "d,d")]
    static long Setpgid(GuestProcess p, in SyscallArgs a)
    {
        if ((int)a.A1 < 0) return -Errno.EINVAL;
        GuestProcess? target = Target(p, a.A0);
        if (target == null || (target != p && target.Parent != p)) return -Errno.ESRCH;
        if (target.Session != p.Session) return -Errno.EPERM;
        if (target.Pid == target.Session) return -Errno.EPERM; // a session leader cannot move
        int group = a.A1 == 0 ? target.Pid : (int)a.A1;
        if (group != target.Pid && !p.Kernel.Processes.Any(x => x.ProcessGroup == group && x.Session == p.Session)) return -Errno.EPERM;
        target.ProcessGroup = group;
        return 0;
    }

    [Syscall(112)]
    static long Setsid(GuestProcess p, in SyscallArgs a)
    {
        if (p.Kernel.Processes.Any(x => x.ProcessGroup == p.Pid)) return -Errno.EPERM;
        p.Session = p.ProcessGroup = p.Pid;
        return p.Pid;
    }
    [Syscall(158, "x,p")]
    static long ArchPrctl(GuestProcess p, in SyscallArgs a)
    {
        const int ARCH_SET_GS = 0x1001, ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, ARCH_GET_GS = 0x1004;
        var cpu = p.Kernel.CurrentThread.Cpu;
        switch ((int)a.A0)
        {
            case ARCH_SET_FS:
            case ARCH_SET_GS:
                if (a.A1 >= 0x0000_8000_0000_0000) return -Errno.EPERM; // non-canonical user address
                if ((int)a.A0 == ARCH_SET_FS) cpu.FsBase = a.A1; else cpu.GsBase = a.A1;
                return 0;
            case ARCH_GET_FS: return GuestIo.WriteU64(p, a.A1, cpu.FsBase) ? 0 : -Errno.EFAULT;
            case ARCH_GET_GS: return GuestIo.WriteU64(p, a.A1, cpu.GsBase) ? 0 : -Errno.EFAULT;
            default: return -Errno.EINVAL;
        }
    }

    [Syscall(218, "p")]
    static long SetTidAddress(GuestProcess p, in SyscallArgs a)
    {
        p.Kernel.CurrentThread.ClearChildTid = a.A0;
        return p.Kernel.CurrentThread.Tid;
    }

    [Syscall(273, "p,u")]
    static long SetRobustList(GuestProcess p, in SyscallArgs a)
    {
        if (a.A1 != 24) return -Errno.EINVAL;
        p.Kernel.CurrentThread.RobustList = a.A0;
        return 0;
    }

    /// <summary>rseq is optional: glibc falls back when it returns ENOSYS.</summary>
    [Syscall(334, "p,u,x,x", Partial = "always ENOSYS (restartable sequences are optional for glibc)")]
    static long Rseq(GuestProcess p, in SyscallArgs a) => -Errno.ENOSYS;

    [Syscall(63, "p")]
    static long Uname(GuestProcess p, in SyscallArgs a)
    {
        // struct utsname: six 65-byte fields.
        string[] fields = ["Linux", p.Kernel.Options.HostName, Vfs.ProcFileSystem.OsRelease, Vfs.ProcFileSystem.KernelVersion, "x86_64", "(none)"];
        var buffer = new byte[65 * 6];
        for (int i = 0; i < fields.Length; i++) Encoding.ASCII.GetBytes(fields[i]).CopyTo(buffer, 65 * i);
        return p.Memory.TryWrite(a.A0, buffer) ? 0 : -Errno.EFAULT;
    }

    internal const int RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RlimitCount = 16;
    const ulong RlimInfinity = ulong.MaxValue;

    /// <summary>
    /// A new process's limits: Linux's defaults, with the VM's task and descriptor limits as RLIMIT_NPROC and
    /// RLIMIT_NOFILE (a fresh copy per process; fork copies the parent's).
    /// </summary>
    internal static (ulong Soft, ulong Hard)[] DefaultLimits(KernelOptions options)
    {
        var l = Enumerable.Repeat((RlimInfinity, RlimInfinity), RlimitCount).ToArray();
        l[3] = (8UL << 20, RlimInfinity);     // RLIMIT_STACK
        l[4] = (0, RlimInfinity);             // RLIMIT_CORE
        l[RLIMIT_NPROC] = ((ulong)options.MaxTasks, (ulong)options.MaxTasks);
        l[RLIMIT_NOFILE] = ((ulong)options.OpenFiles.Soft, (ulong)options.OpenFiles.Hard);
        l[8] = (8UL << 20, 8UL << 20);        // RLIMIT_MEMLOCK
        l[11] = (63432, 63432);               // RLIMIT_SIGPENDING
        l[12] = (819200, 819200);             // RLIMIT_MSGQUEUE
        l[13] = (0, 0);                       // RLIMIT_NICE
        l[14] = (0, 0);                       // RLIMIT_RTPRIO
        return l;
    }

    /// <summary>The limits of <paramref name="p"/>: RLIMIT_NOFILE's soft limit is what its descriptor table enforces.</summary>
    internal static (ulong Soft, ulong Hard) GetLimit(GuestProcess p, int resource) =>
        resource == RLIMIT_NOFILE ? ((ulong)p.Files.MaxDescriptors, p.ResourceLimits[resource].Hard) : p.ResourceLimits[resource];

    /// <summary>
    /// do_prlimit's checks and update; the guest runs as root, so raising a hard limit is allowed (CAP_SYS_RESOURCE) —
    /// RLIMIT_NOFILE's only up to the VM's ceiling (fs.nr_open, <see cref="KernelOptions.OpenFilesCeiling"/>). As for
    /// root on Linux, RLIMIT_NPROC does not limit its forks: the VM's task limit does (threads-max).
    /// </summary>
    static long SetLimit(GuestProcess p, int resource, ulong soft, ulong hard)
    {
        if (soft > hard) return -Errno.EINVAL;
        if (resource == RLIMIT_NOFILE)
        {
            if (hard > (ulong)p.Kernel.Options.OpenFilesCeiling) return -Errno.EPERM;
            p.Files.MaxDescriptors = (int)soft;
        }
        p.ResourceLimits[resource] = (soft, hard);
        return 0;
    }

    static bool ReadLimit(GuestProcess p, ulong address, out ulong soft, out ulong hard)
    {
        hard = 0;
        return GuestIo.ReadU64(p, address, out soft) && GuestIo.ReadU64(p, address + 8, out hard);
    }

    static bool WriteLimit(GuestProcess p, ulong address, (ulong Soft, ulong Hard) limit) =>
        GuestIo.WriteU64(p, address, limit.Soft) && GuestIo.WriteU64(p, address + 8, limit.Hard);

    [Syscall(97, "d,p")]
    static long Getrlimit(GuestProcess p, in SyscallArgs a)
    {
        if (a.A0 >= RlimitCount) return -Errno.EINVAL;
        return WriteLimit(p, a.A1, GetLimit(p, (int)a.A0)) ? 0 : -Errno.EFAULT;
    }

    [Syscall(160, "d,p", Partial = "limits are recorded per process; only RLIMIT_NOFILE is enforced (by the descriptor table)")]
    static long Setrlimit(GuestProcess p, in SyscallArgs a)
    {
        if (a.A0 >= RlimitCount) return -Errno.EINVAL;
        if (!ReadLimit(p, a.A1, out ulong soft, out ulong hard)) return -Errno.EFAULT;
        return SetLimit(p, (int)a.A0, soft, hard);
    }

    [Syscall(302, "d,d,p,p", Partial = "limits are recorded per process; only RLIMIT_NOFILE is enforced (by the descriptor table)")]
    static long Prlimit64(GuestProcess p, in SyscallArgs a)
    {
        if (a.A1 >= RlimitCount) return -Errno.EINVAL;
        int resource = (int)a.A1;
        ulong soft = 0, hard = 0;
        if (a.A2 != 0 && !ReadLimit(p, a.A2, out soft, out hard)) return -Errno.EFAULT;
        GuestProcess? target = a.A0 == 0 ? p : p.Kernel.FindProcess((int)a.A0);
        if (target == null || target.Exited) return -Errno.ESRCH;
        var old = GetLimit(target, resource);
        if (a.A2 != 0)
        {
            long e = SetLimit(target, resource, soft, hard);
            if (e != 0) return e;
        }
        if (a.A3 != 0 && !WriteLimit(p, a.A3, old)) return -Errno.EFAULT;
        return 0;
    }

    /// <summary>prctl(2) basics: the thread name, the parent-death signal and the dumpable flag.</summary>
    [Syscall(157, "d,x,x,x,x", Partial = "names, parent-death signal, dumpable, keep-caps, bounding set, ambient (empty), no-new-privs, TSC mode and timer slack (recorded); other options EINVAL")]
    static long Prctl(GuestProcess p, in SyscallArgs a)
    {
        const int PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4,
            PR_SET_NAME = 15, PR_GET_NAME = 16;
        switch ((int)a.A0)
        {
            case PR_SET_NAME:
            {
                // The name is truncated to 15 bytes; it need not be NUL-terminated within 16.
                var raw = new byte[16];
                int n = 0;
                while (n < 15 && p.Memory.TryRead(a.A1 + (ulong)n, raw.AsSpan(n, 1)) && raw[n] != 0) n++;
                if (n == 0 && !p.Memory.TryRead(a.A1, raw.AsSpan(0, 1))) return -Errno.EFAULT;
                p.ThreadName = Vfs.GuestNames.FromBytes(raw.AsSpan(0, n));
                return 0;
            }
            case PR_GET_NAME:
            {
                var buffer = new byte[16];
                Vfs.GuestNames.ToBytes(p.ThreadName).AsSpan(0, Math.Min(15, p.ThreadName.Length)).CopyTo(buffer);
                return p.Memory.TryWrite(a.A1, buffer) ? 0 : -Errno.EFAULT;
            }
            case PR_SET_PDEATHSIG:
                if (a.A1 > 64) return -Errno.EINVAL;
                p.ParentDeathSignal = (int)a.A1;
                return 0;
            case PR_GET_PDEATHSIG: return GuestIo.WriteU32(p, a.A1, (uint)p.ParentDeathSignal) ? 0 : -Errno.EFAULT;
            case PR_GET_DUMPABLE: return p.Dumpable ? 1 : 0;
            case PR_SET_DUMPABLE:
                if (a.A1 > 1) return -Errno.EINVAL;
                p.Dumpable = a.A1 == 1;
                return 0;
            default: return PrctlCapabilities(p, a);
        }
    }

    /// <summary>prctl's capability, privilege and per-process mode options (prctl(2)); the TSC mode and timer slack
    /// are recorded only (the VM's RDTSC and timers do not change).</summary>
    static long PrctlCapabilities(GuestProcess p, in SyscallArgs a)
    {
        const int PR_GET_KEEPCAPS = 7, PR_SET_KEEPCAPS = 8, PR_GET_TSC = 25, PR_SET_TSC = 26, PR_GET_SECUREBITS = 27,
            PR_SET_TIMERSLACK = 29, PR_GET_TIMERSLACK = 30, PR_CAPBSET_READ = 23, PR_CAPBSET_DROP = 24,
            PR_SET_NO_NEW_PRIVS = 38, PR_GET_NO_NEW_PRIVS = 39, PR_CAP_AMBIENT = 47;
        Credentials c = p.Credentials;
        switch ((int)a.A0)
        {
            case PR_GET_KEEPCAPS: return c.KeepCapabilities ? 1 : 0;
            case PR_SET_KEEPCAPS:
                if (a.A1 > 1) return -Errno.EINVAL;
                p.Credentials = c.Clone();
                p.Credentials.KeepCapabilities = a.A1 == 1;
                return 0;
            case PR_GET_SECUREBITS: return c.KeepCapabilities ? 0x10 : 0; // SECBIT_KEEP_CAPS
            case PR_CAPBSET_READ: return a.A1 > Credentials.LastCapability ? -Errno.EINVAL : (long)(c.Bounding >> (int)a.A1 & 1);
            case PR_CAPBSET_DROP:
                if (a.A1 > Credentials.LastCapability) return -Errno.EINVAL;
                if (!c.Has(Credentials.CAP_SETPCAP)) return -Errno.EPERM;
                p.Credentials = c.Clone();
                p.Credentials.Bounding &= ~(1UL << (int)a.A1);
                return 0;
            case PR_CAP_AMBIENT:
                // The ambient set stays empty: IS_SET answers 0, CLEAR_ALL succeeds, RAISE is refused as Linux does for a
                // capability not both permitted and inheritable.
                return (int)a.A1 switch
                {
                    1 => a.A2 > Credentials.LastCapability ? -Errno.EINVAL : 0, // PR_CAP_AMBIENT_IS_SET
                    2 => a.A2 > Credentials.LastCapability ? -Errno.EINVAL : -Errno.EPERM, // RAISE
                    3 => a.A2 > Credentials.LastCapability ? -Errno.EINVAL : 0, // LOWER
                    4 => 0, // CLEAR_ALL
                    _ => -Errno.EINVAL,
                };
            case PR_SET_NO_NEW_PRIVS:
                if (a.A1 != 1 || a.A2 != 0 || a.A3 != 0 || a.A4 != 0) return -Errno.EINVAL;
                p.NoNewPrivileges = true;
                return 0;
            case PR_GET_NO_NEW_PRIVS: return a.A1 != 0 || a.A2 != 0 || a.A3 != 0 || a.A4 != 0 ? -Errno.EINVAL : p.NoNewPrivileges ? 1 : 0;
            case PR_GET_TSC: return GuestIo.WriteU32(p, a.A1, (uint)p.TscMode) ? 0 : -Errno.EFAULT;
            case PR_SET_TSC:
                if (a.A1 is not (1 or 2)) return -Errno.EINVAL; // PR_TSC_ENABLE, PR_TSC_SIGSEGV
                p.TscMode = (int)a.A1;
                return 0;
            case PR_GET_TIMERSLACK: return (long)p.TimerSlack;
            case PR_SET_TIMERSLACK:
                p.TimerSlack = a.A1 == 0 ? 50000 : a.A1;
                return 0;
            default: return -Errno.EINVAL;
        }
    }

    /// <summary>sched_yield(2): the thread gives up the rest of its quantum.</summary>
    [Syscall(24)]
    static long SchedYield(GuestProcess p, in SyscallArgs a)
    {
        p.Kernel.CurrentThread.Cpu.StopRequested = true;
        return 0;
    }

    [Syscall(99, "p")]
    static long Sysinfo(GuestProcess p, in SyscallArgs a)
    {
        var info = new byte[112];
        BitConverter.TryWriteBytes(info.AsSpan(0), p.Kernel.Clock.MonotonicNanoseconds / 1_000_000_000L); // uptime
        // The VM's memory limit is its RAM (as /proc/meminfo reports it).
        var memory = p.Kernel.Options.Memory;
        ulong total = (ulong)Math.Min(memory.LimitBytes, 1L << 50), used = (ulong)memory.Pages * 4096;
        BitConverter.TryWriteBytes(info.AsSpan(32), total);                                 // totalram
        BitConverter.TryWriteBytes(info.AsSpan(40), total - Math.Min(used, total));         // freeram
        BitConverter.TryWriteBytes(info.AsSpan(48), (ulong)memory.FilePages * 4096);        // sharedram
        BitConverter.TryWriteBytes(info.AsSpan(80), (ushort)1);  // procs
        BitConverter.TryWriteBytes(info.AsSpan(104), 1u);        // mem_unit
        return p.Memory.TryWrite(a.A0, info) ? 0 : -Errno.EFAULT;
    }

}
