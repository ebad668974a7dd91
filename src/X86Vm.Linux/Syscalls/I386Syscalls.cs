using System.Collections.Immutable;
using System.Reflection;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// The i386 system call table (arch/x86/entry/syscalls/syscall_32.tbl) over the x86-64 implementations: one
/// implementation per syscall, as Linux's compat layer has. A call whose arguments mean the same in both ABIs (ints,
/// pointers zero-extended, structures of identical layout, or layouts the implementation already writes per ABI:
/// struct stat64, iovec, execve's pointer arrays) maps to the x86-64 entry by name; the others have an
/// <see cref="I386SyscallAttribute"/> entry in <see cref="I386CompatSyscalls"/>. Everything else is ENOSYS, reported
/// once in the --strace log like any unknown call.
/// </summary>
public static class I386Syscalls
{
    /// <summary>i386 calls served by the x86-64 call of the same name.</summary>
    static readonly string[] SameName =
    [
        "exit", "fork", "read", "write", "open", "close", "creat", "link", "unlink", "execve", "chdir", "mknod", "chmod",
        "getpid", "access", "sync", "kill", "rename", "mkdir", "rmdir", "dup", "pipe", "brk", "ioctl", "umask", "chroot",
        "dup2", "getppid", "getpgrp", "setsid", "symlink", "readlink", "munmap", "fchmod", "fchdir", "getpriority",
        "setpriority", "uname", "mprotect", "getpgid", "setpgid", "getsid", "flock", "msync", "fdatasync", "fsync",
        "mlock", "munlock", "sched_yield", "sched_getaffinity", "sched_setaffinity", "mremap", "poll", "prctl",
        "rt_sigprocmask", "rt_sigpending", "rt_sigsuspend", "getcwd", "vfork", "gettid", "tkill", "tgkill", "exit_group",
        "set_tid_address", "openat", "mkdirat", "mknodat", "fchownat", "unlinkat", "renameat", "linkat", "symlinkat",
        "readlinkat", "fchmodat", "faccessat", "pipe2", "dup3", "eventfd2", "eventfd", "epoll_create", "epoll_create1",
        "epoll_ctl", "epoll_wait", "getrandom", "statx", "memfd_create", "renameat2", "faccessat2", "socket", "bind",
        "connect", "listen", "accept4", "getsockname", "getpeername", "socketpair", "sendto", "recvfrom", "shutdown",
        "setsockopt", "getsockopt", "prlimit64", "getcpu", "membarrier", "close_range", "execveat", "sethostname",
        "setdomainname", "madvise", "mincore", "pause", "alarm", "getdents64", "readv", "writev", "sched_getparam",
        "sched_setparam", "sched_getscheduler", "sched_setscheduler", "sched_get_priority_max", "sched_get_priority_min",
        "personality", "setns", "unshare", "pidfd_open", "pidfd_send_signal", "inotify_init1", "timerfd_create",
        "signalfd4", "fchown", "chown", "lchown", "truncate", "ftruncate", "splice", "tee", "setitimer", "getitimer", "gettimeofday", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "timer_create", "timer_delete", "timer_getoverrun",
    ];

    /// <summary>i386 calls served by an x86-64 call of another name: the uid/gid "32" calls and the 64-bit time and offset variants.</summary>
    static readonly (string I386, string X86_64)[] Renamed =
    [
        ("getuid32", "getuid"), ("getgid32", "getgid"), ("geteuid32", "geteuid"), ("getegid32", "getegid"),
        ("setuid32", "setuid"), ("setgid32", "setgid"), ("setreuid32", "setreuid"), ("setregid32", "setregid"),
        ("setresuid32", "setresuid"), ("getresuid32", "getresuid"), ("setresgid32", "setresgid"),
        ("getresgid32", "getresgid"), ("getgroups32", "getgroups"), ("setgroups32", "setgroups"),
        ("setfsuid32", "setfsuid"), ("setfsgid32", "setfsgid"), ("chown32", "chown"), ("fchown32", "fchown"),
        ("lchown32", "lchown"), ("stat64", "stat"), ("lstat64", "lstat"), ("fstat64", "fstat"), ("fstatat64", "newfstatat"),
        ("futex_time64", "futex"), ("clock_gettime64", "clock_gettime"), ("clock_settime64", "clock_settime"),
        ("clock_getres_time64", "clock_getres"), ("clock_nanosleep_time64", "clock_nanosleep"), ("ppoll_time64", "ppoll"),
        ("utimensat_time64", "utimensat"), ("timerfd_settime64", "timerfd_settime"), ("timerfd_gettime64", "timerfd_gettime"),
        ("sendfile64", "sendfile"), ("sched_rr_get_interval_time64", "sched_rr_get_interval"),
        ("epoll_pwait", "epoll_pwait"), ("rt_sigtimedwait_time64", "rt_sigtimedwait"),
        ("_newselect", "select"), ("timer_settime64", "timer_settime"), ("timer_gettime64", "timer_gettime"), ("pselect6_time64", "pselect6"),
    ];

    /// <summary>The table by i386 number, built once per host process (immutable, shared by every VM).</summary>
    internal static readonly ImmutableArray<SyscallTable.Entry?> Entries;

    /// <summary>i386 number → the x86-64 number of the implementation it runs (-1: none, or an i386-only call).</summary>
    static readonly ImmutableArray<int> Native;

    static I386Syscalls() => (Entries, Native) = Build();

    /// <summary>
    /// The x86-64 number of the call i386 call <paramref name="number"/> runs, for the kernel's per-call decisions
    /// (which calls restart after a handler); -1 when there is none.
    /// </summary>
    public static int NativeNumber(int number) => (uint)number < (uint)Native.Length ? Native[number] : -1;

    static (ImmutableArray<SyscallTable.Entry?>, ImmutableArray<int>) Build()
    {
        var entries = new SyscallTable.Entry?[512];
        var native = Enumerable.Repeat(-1, 512).ToArray();
        var i386 = I386SyscallNames.ByNumber.ToDictionary(kv => kv.Value, kv => kv.Key);
        var x64 = SyscallNames.ByNumber.ToDictionary(kv => kv.Value, kv => kv.Key);
        foreach (var (from, to) in SameName.Select(n => (n, n)).Concat(Renamed))
        {
            if (!i386.TryGetValue(from, out int n) || !x64.TryGetValue(to, out int m))
                throw new InvalidOperationException($"i386 syscall table: unknown name {from} or {to}");
            if (SyscallTable.X86_64Entry(m) is { } e) entries[n] = e with { Number = n, Name = from };
            native[n] = m;
        }
        foreach (MethodInfo method in typeof(I386CompatSyscalls).GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public))
        {
            var attr = method.GetCustomAttribute<I386SyscallAttribute>();
            if (attr == null) continue;
            if (entries[attr.Number] != null) throw new InvalidOperationException($"i386 syscall {attr.Number} mapped twice");
            entries[attr.Number] = new SyscallTable.Entry(attr.Number, NameOf(attr.Number), method.CreateDelegate<SyscallHandler>(),
                attr.Format, nameof(I386CompatSyscalls), attr.Partial);
            native[attr.Number] = attr.Native;
        }
        return ([.. entries], [.. native]);
    }

    /// <summary>An i386 syscall's name, or "syscall_N".</summary>
    public static string NameOf(int number) => I386SyscallNames.ByNumber.TryGetValue(number, out string? n) ? n : $"syscall_{number}";

    /// <summary>The implemented i386 syscalls.</summary>
    public static IEnumerable<SyscallTable.Entry> Implemented => Entries.Where(e => e != null)!;
}
