using System.Diagnostics;

namespace X86Vm.Tests.Programs;

/// <summary>
/// Resource limits (tests/programs/limits/*.c, docs/limits.md): a fork bomb, a memory bomb, a file bomb in tmpfs, an
/// output flood into a pipe nobody reads and descriptors up to RLIMIT_NOFILE each end the way Linux ends them — EAGAIN,
/// the OOM killer's SIGKILL, ENOSPC, a blocked writer, EMFILE — or by the VM's time limit, quickly and without the host
/// noticing. Where Linux can be set up the same way here (RLIMIT_NPROC for a user, a small tmpfs, the default
/// RLIMIT_NOFILE), the native run's output is the expectation.
/// </summary>
public class LimitTests
{
    static readonly StaticProgramSuite Suite = new("limits", "syscalls/check.h");

    public static TheoryData<string> Variants() => new("gcc", "musl");

    sealed record LimitRun(string Stdout, string Stderr, int Status, long PeakMemory, long MemoryAtExit, TimeSpan Elapsed);

    static string Binary(string name, string variant) =>
        Suite.Build(name, variant) ?? throw new InvalidOperationException($"{variant} is not installed");

    static LimitRun Vm(string binary, string[] args, long? memory = null, long? tmpfs = null, int processes = 4096, int? openFiles = null,
        double? seconds = null)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        string cwd = Directory.GetCurrentDirectory();
        var vm = new VirtualMachine(new VirtualMachineOptions
        {
            Program = binary,
            Arguments = args,
            Environment = GuestRunner.Environment,
            Stdout = stdout,
            Stderr = stderr,
            WorkingDirectory = cwd,
            Mounts = GuestRunner.WithRepository(MountSpec.DefaultView(cwd)),
            Jit = JitMode.Enabled,
            JitThreshold = JitMode.Threshold,
            JitSynchronous = JitMode.Synchronous,
            MaxMemory = memory,
            MaxTmpfs = tmpfs,
            MaxProcesses = processes,
            MaxOpenFiles = openFiles,
            MaxTime = seconds is double s ? TimeSpan.FromSeconds(s) : null,
        });
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var clock = Stopwatch.StartNew();
        int status = vm.Run(cancel.Token);
        return new LimitRun(System.Text.Encoding.UTF8.GetString(stdout.ToArray()), System.Text.Encoding.UTF8.GetString(stderr.ToArray()),
            status, vm.PeakMemory, vm.MemoryInUse, clock.Elapsed);
    }

    static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>
    /// A time limit long enough for the guest to reach the state it is to be stopped in (blocked writer, forking
    /// processes) however the code runs: compiling every block first (X86VM_TEST_JIT=eager) makes start-up slow.
    /// </summary>
    static int TimeLimit => JitMode.Eager ? 8 : 2;

    /// <summary>
    /// The program run natively as an otherwise unused user with RLIMIT_NPROC = <paramref name="nproc"/>, which Linux
    /// enforces like the VM's task limit (root is exempt); null when this host cannot do that — also when that user
    /// cannot reach the binary (a clone in a private temporary directory: prlimit then fails to execute it).
    /// </summary>
    static GuestRunResult? NativeWithNproc(string binary, string[] args, int nproc)
    {
        if (!IsRoot || !File.Exists("/usr/bin/setpriv") || !File.Exists("/usr/bin/prlimit")) return null;
        GuestRunResult r = GuestRunner.Native("/usr/bin/setpriv",
            ["--reuid=64999", "--regid=64999", "--clear-groups", "/usr/bin/prlimit", $"--nproc={nproc}", binary, .. args]);
        return r.ExitStatus is 126 or 127 || r.Stderr.Contains("failed to execute", StringComparison.Ordinal) ? null : r;
    }

    /// <summary>The program run natively on a fresh tmpfs of <paramref name="size"/> in a private mount namespace; null when not possible.</summary>
    static GuestRunResult? NativeOnTmpfs(string binary, string size)
    {
        if (!IsRoot || !File.Exists("/usr/bin/unshare")) return null;
        string dir = Directory.CreateDirectory(Path.Combine(GuestRunner.RepoRoot, ".cache", "limits-tmpfs")).FullName;
        GuestRunResult r = GuestRunner.Native("/usr/bin/unshare",
            ["-m", "/bin/sh", "-c", $"mount -t tmpfs -o size={size} x86vm-limits \"$0\" 2>/dev/null || exit 97; exec \"$1\" \"$0\"", dir, binary]);
        return r.ExitStatus == 97 || r.Stderr.StartsWith("unshare:", StringComparison.Ordinal) ? null : r;
    }

    // ---------------------------------------------------------------- processes

    [Theory]
    [MemberData(nameof(Variants))]
    public void ForkBombGetsEagainAtTheTaskLimitAndUnwinds(string variant)
    {
        string bin = Binary("forkbomb", variant);
        const string expected = "fork failed with EAGAIN after 63 children\nreaped 63 children, all exited 7: yes\nfork after reaping: ok\n";
        LimitRun vm = Vm(bin, ["fork"], processes: 64);
        Assert.Equal(expected, vm.Stdout);
        Assert.Equal(0, vm.Status);
        Assert.Equal("", vm.Stderr);
        if (NativeWithNproc(bin, ["fork"], 64) is GuestRunResult native) Assert.Equal(native.StdoutText, vm.Stdout);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void ThreadsCountAgainstTheTaskLimit(string variant)
    {
        string bin = Binary("forkbomb", variant);
        LimitRun vm = Vm(bin, ["threads"], processes: 64);
        Assert.Equal("pthread_create failed with EAGAIN after 63 threads\njoined 63 threads\n", vm.Stdout);
        Assert.Equal(0, vm.Status);
        if (NativeWithNproc(bin, ["threads"], 64) is GuestRunResult native) Assert.Equal(native.StdoutText, vm.Stdout);
    }

    [Fact]
    public void ClassicForkBombIsEndedByTheTimeLimit()
    {
        LimitRun vm = Vm(Binary("forkbomb", "gcc"), ["classic"], processes: 64, seconds: TimeLimit);
        Assert.Equal(124, vm.Status);
        Assert.Equal("bombing\n", vm.Stdout);
        Assert.Equal($"x86vm: time limit of {TimeLimit} s reached\n", vm.Stderr);
        Assert.InRange(vm.Elapsed.TotalSeconds, TimeLimit - 0.1, TimeLimit + 60); // upper bound: ended, not hung (never a speed)
    }

    // ---------------------------------------------------------------- memory

    [Theory]
    [MemberData(nameof(Variants))]
    public void MemoryBombIsKilledAtTheLimitWithOneLine(string variant)
    {
        LimitRun vm = Vm(Binary("membomb", variant), [], memory: 64 << 20);
        Assert.Equal(137, vm.Status);
        Assert.Equal($"x86vm: memory limit of 64 MiB reached; killed process 1000 (membomb.{variant})\n", vm.Stderr);
        // Every MiB it reported was really touched, and it got close to the limit before it was stopped.
        string[] lines = vm.Stdout.TrimEnd('\n').Split('\n');
        int last = int.Parse(lines[^1].Split(' ')[0]);
        Assert.Equal(Enumerable.Range(1, last).Select(i => $"{i} MiB"), lines);
        Assert.InRange(last, 56, 63);
        Assert.InRange(vm.PeakMemory, 60 << 20, 64 << 20);
    }

    [Fact]
    public void KilledChildFreesItsMemoryAndTheParentGoesOn()
    {
        LimitRun vm = Vm(Binary("membomb", "gcc"), ["child"], memory: 64 << 20);
        Assert.Equal("child killed by signal 9\nparent still allocates: yes\n", vm.Stdout);
        Assert.Equal(0, vm.Status);
        Assert.Equal("x86vm: memory limit of 64 MiB reached; killed process 1001 (membomb.gcc)\n", vm.Stderr);
    }

    [Fact]
    public void OneMmapLargerThanTheLimitIsRefusedUpFront()
    {
        string bin = Binary("membomb", "gcc");
        LimitRun vm = Vm(bin, ["huge"], memory: 64 << 20);
        const string expected = "mmap 16 TiB: ENOMEM\nreserve 16 TiB PROT_NONE: ok\n";
        Assert.Equal(expected, vm.Stdout);
        Assert.Equal(0, vm.Status);
        if (File.ReadAllText("/proc/sys/vm/overcommit_memory").Trim() == "0") // Linux's heuristic refuses it as well
            Assert.Equal(expected, GuestRunner.Native(bin, ["huge"]).StdoutText);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void MemoryCountReturnsToZeroWhenEverythingIsGivenBack(string variant)
    {
        // Heap, brk, fork with copy-on-write, threads, vfork + execve, shared anonymous memory, mremap, MADV_DONTNEED,
        // an unlinked tmpfs file mapped shared, a memfd, the host page cache: each page counted once and uncounted once.
        string bin = Binary("accounting", variant);
        LimitRun vm = Vm(bin, [], memory: 256 << 20);
        Assert.Equal(GuestRunner.Native(bin, []).StdoutText, vm.Stdout);
        Assert.Equal(0, vm.Status);
        Assert.Equal(0, vm.MemoryAtExit);
        Assert.InRange(vm.PeakMemory, 2 << 20, 64 << 20);
    }

    // ---------------------------------------------------------------- files

    [Theory]
    [MemberData(nameof(Variants))]
    public void FileBombInTmpfsGetsEnospc(string variant)
    {
        string bin = Binary("filebomb", variant);
        const string expected =
            "write: ENOSPC after one short writes\n" +
            "wrote all the free space: yes\n" +
            "free when full: 0\n" +
            "write(fd, \"y\", 1)                                            -> -1 ENOSPC\n" +
            "ftruncate(fd, CHUNK)                                         -> 0 \n" +
            "write(fd, \"y\", 1)                                            -> 1 \n" +
            "unlink(path)                                                 -> 0 \n" +
            "free again after unlink: yes\n";
        LimitRun vm = Vm(bin, ["/tmp"], tmpfs: 1 << 20);
        Assert.Equal(expected, vm.Stdout);
        Assert.Equal(0, vm.Status);
        if (NativeOnTmpfs(bin, "1m") is GuestRunResult native) Assert.Equal(native.StdoutText, vm.Stdout);
    }

    [Fact]
    public void TmpfsDataDefaultsToHalfTheMemoryLimit()
    {
        LimitRun vm = Vm(Binary("filebomb", "gcc"), ["/dev/shm"], memory: 64 << 20);
        Assert.StartsWith("write: ENOSPC after one short writes\nwrote all the free space: yes\n", vm.Stdout);
        Assert.EndsWith("free again after unlink: yes\n", vm.Stdout);
        Assert.InRange(vm.PeakMemory, 32 << 20, 40 << 20);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void DescriptorsStopWithEmfileAtTheLimit(string variant)
    {
        string bin = Binary("openfiles", variant);
        LimitRun vm = Vm(bin, [], openFiles: 64);
        GuestRunResult native = GuestRunner.Native(bin, []); // at the host's own RLIMIT_NOFILE
        Assert.Equal(native.StdoutText, vm.Stdout);
        Assert.Contains("open: EMFILE\nlast descriptor is the soft limit - 1: yes\n", vm.Stdout);
        Assert.Equal(0, vm.Status);
    }

    [Fact]
    public void OpenFileLimitIsAlsoTheCeiling()
    {
        LimitRun vm = Vm(Binary("openfiles", "gcc"), ["ceiling"], openFiles: 64);
        Assert.EndsWith("setrlimit(RLIMIT_NOFILE, &raise)                             -> -1 EPERM\n", vm.Stdout);
        LimitRun byDefault = Vm(Binary("openfiles", "gcc"), ["ceiling"]);
        Assert.EndsWith("setrlimit(RLIMIT_NOFILE, &raise)                             -> 0 \n", byDefault.Stdout); // 4096 → 4097 ≤ 65536
    }

    // ---------------------------------------------------------------- output flood and time

    [Theory]
    [MemberData(nameof(Variants))]
    public void PipeNobodyReadsHoldsOnlyItsBuffer(string variant)
    {
        string bin = Binary("pipeflood", variant);
        LimitRun vm = Vm(bin, []);
        Assert.Equal("the writer got 65536 bytes into the pipe, then blocked\nwriter killed: yes\n", vm.Stdout);
        Assert.Equal(GuestRunner.Native(bin, []).StdoutText, vm.Stdout);
    }

    [Fact]
    public void FloodIntoAPipeIsEndedByTheTimeLimit()
    {
        LimitRun vm = Vm(Binary("pipeflood", "gcc"), ["forever"], seconds: TimeLimit);
        Assert.Equal(124, vm.Status);
        Assert.Equal("the writer got 65536 bytes into the pipe, then blocked\n", vm.Stdout);
        Assert.Equal($"x86vm: time limit of {TimeLimit} s reached\n", vm.Stderr);
        Assert.InRange(vm.Elapsed.TotalSeconds, TimeLimit - 0.1, TimeLimit + 60); // upper bound: ended, not hung (never a speed)
        Assert.InRange(vm.PeakMemory, 0, 8 << 20); // two small static processes: nothing grows
    }
}
