using System.Globalization;
using System.Text;
using X86Vm.Cpu.Instructions;
using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// /proc, synthesised from the VM's own state (never the host's): self, /proc/PID/{exe, cwd, root, fd/,
/// fdinfo/, task/, maps, status, stat, statm, cmdline, environ, comm, auxv, mounts} for every guest process
/// (zombies included, with what Linux keeps of them), cpuinfo (from the CPUID the guest sees), meminfo,
/// uptime, version, loadavg, mounts and sys/kernel/{hostname, osrelease, ostype}. Files are generated when
/// opened, so a reader sees one consistent snapshot; a reaped pid is simply gone (ENOENT).
/// </summary>
public sealed partial class ProcFileSystem(Func<GuestProcess> current) : IFileSystem
{
    const ulong ProcDevice = 0x16;
    public const string OsRelease = "6.1.0-x86vm", KernelVersion = "#1 SMP PREEMPT_DYNAMIC x86vm";

    /// <summary>Like Linux's proc: not a read-only mount, but nothing can be created, removed or renamed.</summary>
    public bool ReadOnly => false;
    public string TypeName => "proc";

    public int MakeDirectory(string relativePath, uint mode) => Errno.ENOENT;
    public int MakeNode(string relativePath, FileKind kind, uint mode) => Errno.ENOENT;
    public int Remove(string relativePath, bool directory) => Errno.EPERM;
    public int Rename(string from, string to, uint flags) => Errno.EPERM;
    public int Link(string existing, string newPath) => Errno.EPERM;
    public int Symlink(string target, string relativePath) => Errno.ENOENT;
    public int SetAttributes(string relativePath, in AttributeChange change) => Errno.EPERM;
    public int Truncate(string relativePath, long length) => Errno.EPERM;
    public long Magic => 0x9fa0;

    /// <summary>What a path names: a directory (with its entries), a symlink (with its target) or a file (with its content).</summary>
    sealed record Entry(FileKind Kind, uint Permissions, Func<IEnumerable<(string Name, FileKind Kind)>>? List = null,
        Func<string?>? Target = null, Func<byte[]>? Content = null, GuestProcess? Setting = null, string SettingName = "");

    /// <summary>A writable per-process setting (<see cref="ProcSettingFile"/>).</summary>
    static Entry SettingEntry(GuestProcess p, string name) =>
        new(FileKind.Regular, 0x1A4, Content: () => [], Setting: p, SettingName: name);

    static Entry Dir(Func<IEnumerable<(string, FileKind)>> list, uint perm = 0x16D) => new(FileKind.Directory, perm, List: list);
    static Entry Link(Func<string?> target, uint perm = 0x1FF) => new(FileKind.Symlink, perm, Target: target);
    static Entry File(Func<string> text, uint perm = 0x124) => new(FileKind.Regular, perm, Content: () => GuestNames.ToBytes(text()));
    static Entry Bytes(Func<byte[]> content, uint perm = 0x100) => new(FileKind.Regular, perm, Content: content);

    static readonly string[] TopFiles = ["cpuinfo", "meminfo", "uptime", "version", "loadavg", "filesystems"];
    static readonly string[] ProcessFiles = ["maps", "status", "stat", "statm", "cmdline", "environ", "comm", "auxv", "mounts",
        "oom_score_adj", "oom_score", "oom_adj", "timerslack_ns", "loginuid"];

    Entry? Find(string[] p)
    {
        GuestProcess proc = current();
        if (p.Length == 0)
            return Dir(() => new (string, FileKind)[] { ("self", FileKind.Symlink), ("thread-self", FileKind.Symlink),
                ("mounts", FileKind.Symlink), ("sys", FileKind.Directory), ("sysvipc", FileKind.Directory) }.Concat(TopFiles.Select(f => (f, FileKind.Regular)))
                .Concat(InitListed(proc).Concat(proc.Kernel.Processes.Select(x => x.Pid)).Order().Select(pid => (pid.ToString(), FileKind.Directory))));
        switch (p[0])
        {
            case "self" when p.Length == 1: return Link(() => proc.Pid.ToString());
            case "thread-self" when p.Length == 1: return Link(() => $"{proc.Pid}/task/{proc.Kernel.CurrentThread.Tid}");
            case "mounts" when p.Length == 1: return Link(() => "self/mounts");
            case "sys": return FindSys(p);
            case "sysvipc" when p.Length == 1: return Dir(() => SysvIpcTables.Names.Select(n => (n, FileKind.Regular)));
            case "sysvipc" when p.Length == 2 && SysvIpcTables.Names.Contains(p[1]):
                return File(() => SysvIpcTables.Text(proc.Kernel, p[1])!, 0x124);
            case "cpuinfo" when p.Length == 1: return File(() => CpuInfo(proc.Kernel.Options.Cpu));
            case "meminfo" when p.Length == 1: return File(() => MemInfo(current()));
            case "uptime" when p.Length == 1: return File(() => Uptime(proc));
            case "version" when p.Length == 1: return File(() => $"Linux version {OsRelease} (x86vm@x86vm) (gcc) {KernelVersion}\n");
            case "loadavg" when p.Length == 1:
                return File(() => $"0.00 0.00 0.00 1/{proc.Kernel.Threads.Count()} {proc.Kernel.Processes.Max(x => x.Pid)}\n");
            case "filesystems" when p.Length == 1: return File(() => "nodev\tproc\nnodev\ttmpfs\nnodev\tdevtmpfs\nnodev\toverlay\n\thostfs\n");
        }
        GuestProcess? target = ByPid(proc, p[0]);
        if (target == null && p[0] == "1" && InitListed(proc).Any()) return FindInit(p.AsSpan(1));
        return target == null ? null : FindProcess(target, p.AsSpan(1), tid: 0);
    }

    /// <summary>The live or zombie process a /proc name refers to ("self" or a canonical pid), or null.</summary>
    static GuestProcess? ByPid(GuestProcess reader, string name)
    {
        if (name == "self") return reader;
        if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || name != pid.ToString()) return null;
        return reader.Kernel.FindProcess(pid);
    }

    static bool IsThread(GuestProcess proc, string tid) => proc.Threads.Any(t => t.State != GuestThreadState.Exited && t.Tid.ToString() == tid);

    /// <summary>
    /// /proc/sys: the values a Debian system shows that programs read (sysctl names as proc(5) lists them), fixed for the
    /// VM. They are read-only here: a write is refused as for every synthetic file.
    /// </summary>
    static readonly Dictionary<string, Dictionary<string, Func<GuestProcess, string>>> SysValues = new()
    {
        ["kernel"] = new()
        {
            ["hostname"] = p => p.Kernel.Options.HostName, ["domainname"] = _ => "(none)", ["osrelease"] = _ => OsRelease,
            ["ostype"] = _ => "Linux", ["version"] = _ => KernelVersion, ["pid_max"] = _ => "4194304",
            ["threads-max"] = p => p.Kernel.Options.MaxTasks.ToString(CultureInfo.InvariantCulture),
            ["core_pattern"] = _ => "core", ["core_uses_pid"] = _ => "0", ["ngroups_max"] = _ => "65536",
            ["cap_last_cap"] = _ => Credentials.LastCapability.ToString(CultureInfo.InvariantCulture),
            ["overflowuid"] = _ => "65534", ["overflowgid"] = _ => "65534", ["randomize_va_space"] = _ => "0",
            ["tainted"] = _ => "0", ["panic"] = _ => "0", ["printk"] = _ => "4\t4\t1\t7", ["dmesg_restrict"] = _ => "0",
            ["kptr_restrict"] = _ => "0", ["perf_event_paranoid"] = _ => "2", ["sched_child_runs_first"] = _ => "0",
            ["shmmax"] = _ => "18446744073692774399", ["shmall"] = _ => "18446744073692774399", ["shmmni"] = _ => "4096",
            ["msgmax"] = _ => "8192", ["msgmnb"] = _ => "16384", ["msgmni"] = _ => "32000", ["sem"] = _ => "32000\t1024000000\t500\t32000",
            ["unprivileged_userns_clone"] = _ => "0",
        },
        ["vm"] = new()
        {
            ["overcommit_memory"] = _ => "0", ["overcommit_ratio"] = _ => "50", ["overcommit_kbytes"] = _ => "0",
            ["max_map_count"] = _ => "65530", ["swappiness"] = _ => "60", ["mmap_min_addr"] = _ => "65536",
            ["page-cluster"] = _ => "3", ["dirty_ratio"] = _ => "20", ["dirty_background_ratio"] = _ => "10",
            ["vfs_cache_pressure"] = _ => "100", ["min_free_kbytes"] = _ => "67584", ["nr_hugepages"] = _ => "0",
            ["overcommit_hugepages"] = _ => "0", ["drop_caches"] = _ => "0", ["mmap_rnd_bits"] = _ => "28",
        },
        ["fs"] = new()
        {
            ["file-max"] = _ => "9223372036854775807", ["nr_open"] = _ => "1048576", ["pipe-max-size"] = _ => "1048576",
            ["protected_symlinks"] = _ => "1", ["protected_hardlinks"] = _ => "1", ["protected_fifos"] = _ => "1",
            ["protected_regular"] = _ => "2", ["suid_dumpable"] = _ => "0",
        },
        ["fs/mqueue"] = new()
        {
            ["msg_max"] = _ => "10", ["msgsize_max"] = _ => "8192", ["queues_max"] = _ => "256", ["msg_default"] = _ => "10",
            ["msgsize_default"] = _ => "8192",
        },
        ["fs/inotify"] = new()
        {
            ["max_user_instances"] = _ => "128", ["max_user_watches"] = _ => "8192", ["max_queued_events"] = _ => "16384",
        },
    };

    /// <summary>/proc/sys/…: a directory of <see cref="SysValues"/> (by its path below /proc/sys) or one of its values.</summary>
    Entry? FindSys(string[] p)
    {
        GuestProcess proc = current();
        string dir = string.Join('/', p.Skip(1));
        if (p.Length == 1 || SysValues.ContainsKey(dir))
            return Dir(() => SysDirectories(dir).Select(d => (d, FileKind.Directory))
                .Concat((SysValues.GetValueOrDefault(dir)?.Keys.AsEnumerable() ?? []).Order(StringComparer.Ordinal).Select(n => (n, FileKind.Regular))));
        if (SysValues.TryGetValue(string.Join('/', p[1..^1]), out var values) && values.TryGetValue(p[^1], out var value))
            return File(() => value(proc) + "\n", 0x1A4);
        return null;
    }

    /// <summary>The directories directly inside /proc/sys/<paramref name="dir"/>.</summary>
    static IEnumerable<string> SysDirectories(string dir) =>
        SysValues.Keys.Where(k => dir.Length == 0 ? !k.Contains('/') : k.StartsWith(dir + "/", StringComparison.Ordinal) && !k[(dir.Length + 1)..].Contains('/'))
            .Select(k => k[(k.LastIndexOf('/') + 1)..]).Order(StringComparer.Ordinal);

    /// <summary>/proc/PID/… or, with <paramref name="tid"/>, /proc/PID/task/TID/… (stat and status then name the thread).</summary>
    Entry? FindProcess(GuestProcess proc, ReadOnlySpan<string> p, int tid)
    {
        if (p.Length == 0)
            return Dir(() => new (string, FileKind)[] { ("exe", FileKind.Symlink), ("cwd", FileKind.Symlink), ("root", FileKind.Symlink),
                ("fd", FileKind.Directory), ("fdinfo", FileKind.Directory), ("task", FileKind.Directory) }
                .Concat(ProcessFiles.Select(f => (f, FileKind.Regular))), 0x16D);
        string name = p[0];
        // A zombie keeps only its pid, state and exit details: no memory, files, cwd or program (proc_pid_readlink → ENOENT).
        bool dead = proc.Exited;
        if (p.Length == 1)
        {
            switch (name)
            {
                case "exe": return Link(() => dead ? null : proc.ExecutablePath);
                case "cwd": return Link(() => dead ? null : proc.Cwd);
                case "root": return Link(() => dead ? null : "/");
                case "fd": return Dir(() => dead ? [] : proc.Files.All.Select(x => (x.Fd.ToString(), FileKind.Symlink)), 0x140);
                case "fdinfo": return Dir(() => dead ? [] : proc.Files.All.Select(x => (x.Fd.ToString(), FileKind.Regular)), 0x16D);
                case "task" when tid == 0:
                    return Dir(() => proc.Threads.Where(t => dead || t.State != GuestThreadState.Exited).Take(dead ? 1 : int.MaxValue)
                        .Select(t => (t.Tid.ToString(), FileKind.Directory)));
                case "maps": return File(() => dead ? "" : Maps(proc));
                case "status": return File(() => Status(proc, current(), tid));
                case "stat": return File(() => Stat(proc, current(), tid));
                case "statm": return File(() => dead ? "0 0 0 0 0 0 0\n" : Statm(proc));
                case "cmdline": return Bytes(() => dead ? [] : GuestNames.ToBytes(string.Concat(proc.Argv.Select(a => a + "\0"))), 0x124);
                case "environ": return Bytes(() => dead ? [] : GuestNames.ToBytes(string.Concat(proc.Environment.Select(a => a + "\0"))));
                case "comm": return SettingEntry(proc, "comm");
                case "oom_score_adj": return SettingEntry(proc, "oom_score_adj");
                case "oom_score": return File(() => "0\n");
                case "oom_adj": return File(() => $"{proc.OomScoreAdjust * 17 / 1000}\n", 0x1A4);
                case "timerslack_ns": return File(() => $"{proc.TimerSlack}\n", 0x1A4);
                case "loginuid": return File(() => "4294967295\n", 0x1A4);
                case "auxv": return Bytes(() => dead ? [] : proc.AuxiliaryVector);
                case "mounts": return File(() => Mounts(proc));
            }
            return null;
        }
        if (p.Length == 2 && name is "fd" or "fdinfo" && int.TryParse(p[1], NumberStyles.None, CultureInfo.InvariantCulture, out int fd) && p[1] == fd.ToString())
        {
            OpenFile? f = proc.Files.Get(fd);
            if (f == null) return null;
            if (name == "fd")
            {
                uint perm = (f.StatusFlags & OpenFlags.AccessMode) switch { OpenFlags.ReadOnly => 0x140u, OpenFlags.WriteOnly => 0x80u, _ => 0x1C0u };
                return Link(() => LinkText(f), perm);
            }
            if (name == "fdinfo")
                return File(() =>
                {
                    FileStatus st = f.Status();
                    int flags = f.StatusFlags | OpenFlags.LargeFile | (proc.Files.GetCloseOnExec(fd) ? OpenFlags.CloseOnExec : 0);
                    return $"pos:\t{f.Offset}\nflags:\t0{Convert.ToString(flags, 8)}\nmnt_id:\t{MountId(proc, f)}\nino:\t{st.Inode}\n";
                }, 0x100);
        }
        if (name == "task" && tid == 0 && p.Length >= 2 && IsThread(proc, p[1])) return FindProcess(proc, p[2..], tid: int.Parse(p[1], CultureInfo.InvariantCulture));
        return null;
    }

    /// <summary>What readlink shows for a descriptor: its path, or for the VM's standard streams what Linux shows for a pipe or terminal.</summary>
    static string LinkText(OpenFile f) => f switch
    {
        StreamFile s when s.Status().Kind == FileKind.CharDevice => "/dev/tty",
        StreamFile s => $"pipe:[{s.Status().Inode}]",
        _ => f.Path,
    };

    /// <summary>The open file a /proc/PID/fd/N link refers to, or null when <paramref name="relativePath"/> is not one.</summary>
    public OpenFile? MagicLink(string relativePath)
    {
        string[] p = Parts(relativePath);
        GuestProcess? proc = p.Length >= 1 ? ByPid(current(), p[0]) : null;
        if (proc == null || proc.Exited) return null;
        int i = 1;
        if (p.Length == i + 4 && p[i] == "task" && IsThread(proc, p[i + 1])) i += 2;
        if (p.Length != i + 2 || p[i] != "fd" || !int.TryParse(p[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int fd)) return null;
        return proc.Files.Get(fd);
    }

    static int MountId(GuestProcess proc, OpenFile f)
    {
        var mounts = proc.Kernel.Vfs.Mounts;
        for (int i = 0; i < mounts.Count; i++)
            if (mounts[i].Fs == f.FileSystem) return 20 + i;
        return 15;
    }

    string[] Parts(string relativePath) => relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);

    static ulong InodeOf(string relativePath)
    {
        if (relativePath.Length == 0) return 1;
        ulong h = 14695981039346656037;
        foreach (char c in relativePath) h = (h ^ c) * 1099511628211;
        return 0x1000 + (h & 0xFFFFFFF);
    }

    public FileStatus? Lstat(string relativePath, out int errno)
    {
        Entry? e = Find(Parts(relativePath));
        if (e == null) { errno = Errno.ENOENT; return null; }
        errno = 0;
        long boot = current().Kernel.Clock.RealtimeNanoseconds;
        return new FileStatus
        {
            Kind = e.Kind, Permissions = e.Permissions, Inode = InodeOf(relativePath), Device = ProcDevice,
            Links = e.Kind == FileKind.Directory ? 2u : 1u, Size = e.Kind == FileKind.Symlink ? (ulong)(e.Target!()?.Length ?? 0) : 0,
            AccessNs = boot, ModifyNs = boot, ChangeNs = boot, BlockSize = 1024,
        };
    }

    public string? ReadLink(string relativePath) => Find(Parts(relativePath)) is { Kind: FileKind.Symlink } e ? e.Target!() : null;

    public OpenFile? Open(string relativePath, string guestPath, int flags, uint mode, out int errno)
    {
        FileStatus? st = Lstat(relativePath, out errno);
        if (st == null)
        {
            if ((flags & OpenFlags.Create) != 0) errno = Errno.EACCES;
            return null;
        }
        if ((flags & OpenFlags.Create) != 0 && (flags & OpenFlags.Exclusive) != 0) { errno = Errno.EEXIST; return null; }
        Entry e = Find(Parts(relativePath))!;
        if (e.Kind == FileKind.Directory)
        {
            if ((flags & OpenFlags.AccessMode) != OpenFlags.ReadOnly) { errno = Errno.EISDIR; return null; }
            string prefix = relativePath.Length == 0 ? "" : relativePath + "/";
            string parent = relativePath.Contains('/') ? relativePath[..relativePath.LastIndexOf('/')] : "";
            var entries = new List<DirectoryEntry> { new(".", st.Inode, FileKind.Directory), new("..", InodeOf(parent), FileKind.Directory) };
            foreach (var (name, kind) in e.List!()) entries.Add(new(name, InodeOf(prefix + name), kind));
            return new SyntheticDirectory(entries, st) { Path = guestPath, StatusFlags = flags };
        }
        if ((flags & OpenFlags.Directory) != 0) { errno = Errno.ENOTDIR; return null; }
        if (e.Content == null) { errno = Errno.ELOOP; return null; } // a link reached unfollowed, as open(O_NOFOLLOW)
        if (e.Setting is { } owner) { errno = 0; return new ProcSettingFile(owner, e.SettingName, st) { Path = guestPath, StatusFlags = flags & ~(OpenFlags.Create | OpenFlags.Truncate) }; }
        errno = 0; // the guest is root: opening for writing succeeds, writes are refused
        return new SyntheticFile(e.Content!(), st) { Path = guestPath, StatusFlags = flags & ~(OpenFlags.Create | OpenFlags.Truncate) };
    }

    // ---- contents ---------------------------------------------------------------------------------

    /// <summary>A mapping's permissions as /proc/PID/maps shows them: "r-xp", "rw-s"…</summary>
    internal static string Permissions(Mapping m) => string.Concat(
        (m.Protection & Protection.Read) != 0 ? "r" : "-",
        (m.Protection & Protection.Write) != 0 ? "w" : "-",
        (m.Protection & Protection.Execute) != 0 ? "x" : "-",
        (m.Flags & MappingFlags.Shared) != 0 ? "s" : "p");

    static string Maps(GuestProcess p)
    {
        var sb = new StringBuilder();
        foreach (Mapping m in p.Memory.Mappings.All)
        {
            var line = new StringBuilder();
            line.Append(CultureInfo.InvariantCulture, $"{m.Start:x8}-{m.End:x8} ");
            line.Append(Permissions(m));
            line.Append(CultureInfo.InvariantCulture, $" {m.FileOffset:x8} 00:00 0 ");
            if (m.Name.Length > 0)
            {
                // Linux pads the columns to 72 characters, then one space and the name.
                if (line.Length < 72) line.Append(' ', 72 - line.Length);
                line.Append(' ').Append(m.Name);
            }
            sb.Append(line).Append('\n');
        }
        return sb.ToString();
    }

    static (ulong Size, ulong Data, ulong Stack, ulong Exec) MemoryTotals(GuestProcess p)
    {
        ulong size = 0, data = 0, stack = 0, exec = 0;
        foreach (Mapping m in p.Memory.Mappings.All)
        {
            size += m.Length;
            if ((m.Flags & MappingFlags.GrowsDown) != 0) stack += m.Length;
            else if ((m.Protection & Protection.Execute) != 0) exec += m.Length;
            else if ((m.Protection & Protection.Write) != 0) data += m.Length;
        }
        return (size, data, stack, exec);
    }

    /// <summary>
    /// The state letter of the process's leader thread, as Linux shows it for /proc/PID: Z zombie, T stopped (job
    /// control), D waiting for a vfork child, S in a blocking syscall, R running or runnable (the reader is always R).
    /// </summary>
    static char StateOf(GuestProcess p, GuestProcess reader)
    {
        if (p.Exited) return 'Z';
        if (p.Stopped) return 'T';
        if (p == reader || p.Threads.Count == 0) return 'R';
        GuestThread leader = p.Threads[0];
        return leader.State switch
        {
            GuestThreadState.Blocked => leader.Waiting is VforkWait ? 'D' : 'S',
            GuestThreadState.Exited => 'Z',
            _ => 'R',
        };
    }

    static string StateName(char c) => c switch
    {
        'Z' => "Z (zombie)", 'T' => "T (stopped)", 'D' => "D (disk sleep)", 'S' => "S (sleeping)", _ => "R (running)",
    };

    static string Status(GuestProcess p, GuestProcess reader, int tid = 0)
    {
        var (size, data, stack, exec) = p.Exited ? default : MemoryTotals(p);
        ulong kb(ulong b) => b / 1024;
        // The leader thread's signal state, as proc_pid_status shows it; a zombie has no pending signals left.
        bool dead = p.Exited;
        GuestThread? leader = dead || p.Threads.Count == 0 ? null : p.Threads[0];
        int live = Math.Max(1, p.Threads.Count(t => t.State != GuestThreadState.Exited));
        Credentials c = p.Credentials;
        return $"Name:\t{p.ThreadName}\nUmask:\t{Convert.ToString(p.Umask, 8).PadLeft(4, '0')}\nState:\t{StateName(StateOf(p, reader))}\nTgid:\t{p.Pid}\nNgid:\t0\n" +
            $"Pid:\t{(tid != 0 ? tid : p.Pid)}\nPPid:\t{p.ParentPid}\nTracerPid:\t0\nUid:\t{c.Uid}\t{c.Euid}\t{c.Suid}\t{c.Fsuid}\n" +
            $"Gid:\t{c.Gid}\t{c.Egid}\t{c.Sgid}\t{c.Fsgid}\nFDSize:\t64\nGroups:\t{string.Concat(c.Groups.Select(g => $"{g} "))}\n" +
            $"VmPeak:\t{kb(size),8} kB\nVmSize:\t{kb(size),8} kB\nVmLck:\t       0 kB\nVmPin:\t       0 kB\nVmHWM:\t{kb(size),8} kB\n" +
            $"VmRSS:\t{kb(size),8} kB\nVmData:\t{kb(data),8} kB\nVmStk:\t{kb(stack),8} kB\nVmExe:\t{kb(exec),8} kB\nVmLib:\t       0 kB\n" +
            $"VmSwap:\t       0 kB\nThreads:\t{live}\nSigQ:\t0/63432\nSigPnd:\t{(leader?.Pending.Mask ?? 0):x16}\n" +
            $"ShdPnd:\t{(dead ? 0 : p.SharedPending.Mask):x16}\nSigBlk:\t{(leader?.SignalMask ?? 0):x16}\n" +
            $"SigIgn:\t{Dispositions(p, h => h == SignalAction.SIG_IGN):x16}\nSigCgt:\t{Dispositions(p, h => h > SignalAction.SIG_IGN):x16}\n" +
            $"CapInh:\t{c.Inheritable:x16}\nCapPrm:\t{c.Permitted:x16}\nCapEff:\t{c.Effective:x16}\nCapBnd:\t{c.Bounding:x16}\nCapAmb:\t0000000000000000\n" +
            $"NoNewPrivs:\t{(p.NoNewPrivileges ? 1 : 0)}\nSeccomp:\t0\nSeccomp_filters:\t0\nCpus_allowed:\t1\nCpus_allowed_list:\t0\n" +
            "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n";
    }

    /// <summary>Bit n-1 for each signal n whose handler (SIG_DFL 0, SIG_IGN 1, else a function) matches.</summary>
    static ulong Dispositions(GuestProcess p, Func<ulong, bool> match)
    {
        ulong set = 0;
        for (int sig = 1; sig <= 64; sig++)
            if (match(BitConverter.ToUInt64(p.SignalActions[sig]))) set |= 1UL << (sig - 1);
        return set;
    }

    static string Stat(GuestProcess p, GuestProcess reader, int tid = 0)
    {
        var (size, _, _, _) = p.Exited ? default : MemoryTotals(p);
        ulong pages = size / 4096;
        // pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
        // priority nice num_threads itrealvalue starttime vsize rss rsslim … (52 fields)
        var f = new List<string>
        {
            (tid != 0 ? tid : p.Pid).ToString(), $"({p.ThreadName})", StateOf(p, reader).ToString(), p.ParentPid.ToString(), p.ProcessGroup.ToString(),
            p.Session.ToString(), "0", "-1", "4194304", "0", "0", "0", "0", "0", "0", "0", "0", (20 + p.Nice).ToString(), p.Nice.ToString(),
            Math.Max(1, p.Threads.Count(t => t.State != GuestThreadState.Exited)).ToString(), "0", "0", size.ToString(), pages.ToString(),
            "18446744073709551615",
        };
        while (f.Count < 52) f.Add("0");
        f[37] = p.ExitSignal.ToString();
        return string.Join(' ', f) + "\n";
    }

    static string Statm(GuestProcess p)
    {
        var (size, data, stack, exec) = MemoryTotals(p);
        return $"{size / 4096} {size / 4096} 0 {exec / 4096} 0 {(data + stack) / 4096} 0\n";
    }

    static string Mounts(GuestProcess p)
    {
        var sb = new StringBuilder();
        foreach (var (at, fs) in p.Kernel.Vfs.Mounts)
        {
            string source = fs.TypeName switch { "hostfs" => "host", "overlay" => "overlay", "proc" => "proc", "devtmpfs" => "udev", _ => "tmpfs" };
            sb.Append(CultureInfo.InvariantCulture, $"{source} {at} {fs.TypeName} {(fs.ReadOnly && fs.TypeName != "proc" ? "ro" : "rw")},relatime 0 0\n");
        }
        return sb.ToString();
    }

    static string Uptime(GuestProcess p)
    {
        double up = p.Kernel.Clock.MonotonicNanoseconds / 1e9;
        return string.Create(CultureInfo.InvariantCulture, $"{up:F2} {up:F2}\n");
    }

    /// <summary>The VM's memory: its limit is the machine's RAM, what its processes and files hold is used (no swap).</summary>
    static string MemInfo(GuestProcess p)
    {
        X86Vm.Cpu.Memory.MemoryAccount m = p.Kernel.Options.Memory;
        ulong totalKb = (ulong)Math.Min(m.LimitBytes >> 10, 1L << 40), freeKb = totalKb - (ulong)Math.Min(m.Pages * 4, (long)totalKb);
        ulong shmemKb = (ulong)m.FilePages * 4;
        return $"MemTotal:       {totalKb,8} kB\nMemFree:        {freeKb,8} kB\nMemAvailable:   {freeKb,8} kB\nBuffers:               0 kB\n" +
            $"Cached:         {shmemKb,8} kB\nSwapCached:            0 kB\nActive:                0 kB\nInactive:              0 kB\n" +
            $"SwapTotal:             0 kB\nSwapFree:              0 kB\nDirty:                 0 kB\nShmem:          {shmemKb,8} kB\n" +
            $"CommitLimit:    {totalKb,8} kB\nCommitted_AS:          0 kB\nVmallocTotal:   34359738367 kB\nHugePages_Total:       0\n" +
            "Hugepagesize:       2048 kB\n";
    }

    // Linux's names for CPUID bits, in the order /proc/cpuinfo prints them (arch/x86/include/asm/cpufeatures.h words).
    static readonly (uint Leaf, uint Sub, int Reg, string?[] Names)[] FlagWords =
    [
        (1, 0, 3, ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", null, "sep", "mtrr", "pge", "mca", "cmov",
            "pat", "pse36", "pn", "clflush", null, "dts", "acpi", "mmx", "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe"]),
        (0x80000001, 0, 3, [null, null, null, null, null, null, null, null, null, null, null, "syscall", null, null, null, null,
            null, null, null, "mp", "nx", null, "mmxext", null, null, "fxsr_opt", "pdpe1gb", "rdtscp", null, "lm", "3dnowext", "3dnow"]),
        (1, 0, 2, ["pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est", "tm2", "ssse3", "cid", "sdbg", "fma", "cx16",
            "xtpr", "pdcm", null, "pcid", "dca", "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt", "tsc_deadline_timer", "aes", "xsave",
            null, "avx", "f16c", "rdrand", "hypervisor"]),
        (0x80000001, 0, 2, ["lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm", "sse4a", "misalignsse", "3dnowprefetch",
            "osvw", "ibs", "xop", "skinit", "wdt", null, "lwp", "fma4", "tce", null, "nodeid_msr", null, "tbm", "topoext",
            "perfctr_core", "perfctr_nb", null, "bpext", "ptsc", "perfctr_llc", "mwaitx", null, null]),
        (7, 0, 1, ["fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2", null, "smep", "bmi2", "erms", "invpcid", "rtm", "cqm", null,
            "mpx", "rdt_a", "avx512f", "avx512dq", "rdseed", "adx", "smap", "avx512ifma", null, "clflushopt", "clwb", "intel_pt",
            "avx512pf", "avx512er", "avx512cd", "sha_ni", "avx512bw", "avx512vl"]),
        (7, 0, 2, [null, "avx512vbmi", "umip", "pku", "ospke", "waitpkg", "avx512_vbmi2", null, "gfni", "vaes", "vpclmulqdq",
            "avx512_vnni", "avx512_bitalg", "tme", "avx512_vpopcntdq", null, "la57", null, null, null, null, null, "rdpid", null, null,
            "cldemote", null, "movdiri", "movdir64b", null, null, null]),
        (7, 0, 3, [null, null, "avx512_4vnniw", "avx512_4fmaps", "fsrm", null, null, null, "avx512_vp2intersect", null, "md_clear",
            null, null, null, "serialize", null, "tsxldtrk", null, "pconfig", "arch_lbr", null, null, "amx_bf16", "avx512_fp16",
            "amx_tile", "amx_int8", null, null, "flush_l1d", "arch_capabilities", null, null]),
    ];

    static uint Reg((uint Eax, uint Ebx, uint Ecx, uint Edx) r, int i) => i switch { 0 => r.Eax, 1 => r.Ebx, 2 => r.Ecx, _ => r.Edx };

    static string Chars(params uint[] words)
    {
        var sb = new StringBuilder();
        foreach (uint w in words)
            for (int i = 0; i < 4; i++)
            {
                char c = (char)((w >> (8 * i)) & 0xFF);
                if (c != 0) sb.Append(c);
            }
        return sb.ToString().Trim();
    }

    static string CpuInfo(CpuLevel level)
    {
        var l0 = CpuidTable.Query(level, 0, 0);
        var l1 = CpuidTable.Query(level, 1, 0);
        uint maxExt = CpuidTable.Query(level, 0x80000000, 0).Eax;
        string vendor = Chars(l0.Ebx, l0.Edx, l0.Ecx);
        uint family = (l1.Eax >> 8) & 0xF, model = (l1.Eax >> 4) & 0xF, stepping = l1.Eax & 0xF;
        if (family == 0xF) family += (l1.Eax >> 20) & 0xFF;
        if (family >= 6) model |= ((l1.Eax >> 16) & 0xF) << 4;
        string brand = maxExt >= 0x80000004
            ? string.Concat(Enumerable.Range(0, 3).Select(i => { var r = CpuidTable.Query(level, 0x80000002 + (uint)i, 0); return Chars(r.Eax, r.Ebx, r.Ecx, r.Edx); }))
            : "unknown";
        var flags = new List<string>();
        foreach (var (leaf, sub, reg, names) in FlagWords)
        {
            if (leaf >= 0x80000000 ? leaf > maxExt : leaf > l0.Eax) continue;
            uint bits = Reg(CpuidTable.Query(level, leaf, sub), reg);
            for (int b = 0; b < 32; b++)
                if ((bits & (1u << b)) != 0 && names[b] != null) flags.Add(names[b]!);
        }
        // Last-level cache from leaf 4.
        ulong cacheKb = 0;
        for (uint i = 0; i < 8 && l0.Eax >= 4; i++)
        {
            var c = CpuidTable.Query(level, 4, i);
            if ((c.Eax & 0x1F) == 0) break;
            ulong bytes = ((c.Ebx >> 22) + 1UL) * (((c.Ebx >> 12) & 0x3FF) + 1UL) * ((c.Ebx & 0xFFF) + 1UL) * (c.Ecx + 1UL);
            cacheKb = bytes / 1024;
        }
        uint addr = maxExt >= 0x80000008 ? CpuidTable.Query(level, 0x80000008, 0).Eax : 0x3028;
        bool fpu = (l1.Edx & 1) != 0;
        return $"processor\t: 0\nvendor_id\t: {vendor}\ncpu family\t: {family}\nmodel\t\t: {model}\nmodel name\t: {brand}\n" +
            $"stepping\t: {stepping}\nmicrocode\t: 0x1\ncpu MHz\t\t: 3000.000\ncache size\t: {cacheKb} KB\nphysical id\t: 0\n" +
            $"siblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\napicid\t\t: 0\ninitial apicid\t: 0\nfpu\t\t: {(fpu ? "yes" : "no")}\n" +
            $"fpu_exception\t: {(fpu ? "yes" : "no")}\ncpuid level\t: {l0.Eax}\nwp\t\t: yes\nflags\t\t: {string.Join(' ', flags)}\n" +
            $"bugs\t\t:\nbogomips\t: 6000.00\nclflush size\t: {((l1.Ebx >> 8) & 0xFF) * 8}\ncache_alignment\t: 64\n" +
            $"address sizes\t: {addr & 0xFF} bits physical, {(addr >> 8) & 0xFF} bits virtual\npower management:\n\n";
    }
}
