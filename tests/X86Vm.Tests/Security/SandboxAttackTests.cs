using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using X86Vm.Tests.Programs;
using X86Vm.Tests.Vfs;

namespace X86Vm.Tests.Security;

/// <summary>
/// Attacks on the sandbox (docs/security.md lists them): a hostile guest (tests/programs/sandbox/attack.c) tries to
/// reach host files, descriptors, devices, memory, processes and network. Each test checks on the host that nothing
/// was reached or changed, and that the guest got an error rather than the host's data.
/// The view: a temporary directory read-only as /, a private /tmp, a host directory read-write at /rw and one
/// copy-on-write at /cow. A secret lives outside all of them.
/// </summary>
public sealed class SandboxAttackTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("x86vm-attack-root-").FullName;
    readonly string _rw = Directory.CreateTempSubdirectory("x86vm-attack-rw-").FullName;
    readonly string _cow = Directory.CreateTempSubdirectory("x86vm-attack-cow-").FullName;
    readonly string _outside = Directory.CreateTempSubdirectory("x86vm-attack-outside-").FullName;
    const string Secret = "host secret";

    public SandboxAttackTests()
    {
        File.Copy(SyscallPrograms.Binary("attack"), Path.Combine(_root, "attack"));
        Directory.CreateDirectory(Path.Combine(_root, "data"));
        File.WriteAllText(Path.Combine(_root, "data", "inside.txt"), "inside\n");
        File.WriteAllText(Path.Combine(_cow, "keep.txt"), "original\n");
        File.WriteAllText(Path.Combine(_outside, "secret.txt"), Secret + "\n");
    }

    public void Dispose()
    {
        foreach (string d in new[] { _root, _rw, _cow, _outside }) Directory.Delete(d, true);
    }

    IReadOnlyList<MountSpec> Mounts =>
    [
        new MountSpec(_root, "/", MountKind.ReadOnly), MountSpec.Tmpfs("/tmp"), new MountSpec(_rw, "/rw", MountKind.ReadWrite),
        new MountSpec(_cow, "/cow", MountKind.CopyOnWrite),
    ];

    /// <summary>Runs the attacks; the guest must end normally and never print the secret or the host's passwd.</summary>
    string Attack(params string[] attacks)
    {
        GuestRunResult r = SyscallPrograms.Vm("/attack", attacks, Mounts, "/");
        Assert.True(r.ExitStatus == 0, $"status {r.ExitStatus}: {r.Stderr}\n{r.StdoutText}");
        Assert.DoesNotContain(Secret, r.StdoutText);
        Assert.DoesNotContain("root:x:0:0", r.StdoutText);
        Assert.DoesNotContain(_outside, r.StdoutText);
        return r.StdoutText;
    }

    static string Line(string output, string prefix) =>
        output.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) ?? throw new Xunit.Sdk.XunitException($"no line {prefix} in\n{output}");

    /// <summary>
    /// A host thread keeps swapping <c>flip</c> between a directory inside the mount and symlinks out of it (absolute,
    /// and relative with enough ".." to leave) while the guest opens <c>flip/secret.txt</c> over and over: whichever
    /// state the resolution sees, the host's openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) never follows it out.
    /// </summary>
    [Theory]
    [InlineData("rw")]
    [InlineData("cow")]
    [InlineData("ro")] // the read-only root
    public void SymlinkSwappedOnTheHostDuringResolution(string mount)
    {
        string dir = mount switch { "rw" => _rw, "cow" => _cow, _ => _root };
        string guest = mount == "ro" ? "" : "/" + mount;
        Directory.CreateDirectory(Path.Combine(dir, "real"));
        File.WriteAllText(Path.Combine(dir, "real", "secret.txt"), "inside\n");
        string flip = Path.Combine(dir, "flip");
        string[] targets = ["real", _outside, string.Concat(Enumerable.Repeat("../", 12)) + _outside.TrimStart('/')];
        File.CreateSymbolicLink(flip, "real");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // bounded even if the guest hangs
        long flips = 0;
        var flipper = new Thread(() =>
        {
            string tmp = flip + ".new";
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                File.Delete(tmp);
                File.CreateSymbolicLink(tmp, targets[i % targets.Length]);
                if (Rename(tmp, flip) == 0) Interlocked.Increment(ref flips); // atomic replacement, as an attacker would do it
            }
        });
        flipper.Start();
        string o;
        try { o = Attack($"race:{guest}/flip/secret.txt:3000"); }
        finally
        {
            stop.Cancel();
            flipper.Join();
        }
        Assert.True(Interlocked.Read(ref flips) > 3, "the host swapped the link while the guest ran");
        string line = Line(o, "race ");
        Assert.DoesNotContain("others: " + Secret, line);
        Assert.Equal(Secret + "\n", File.ReadAllText(Path.Combine(_outside, "secret.txt")));
    }

    /// <summary>rename(2) itself: File.Move follows a symlink source to check that it exists.</summary>
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    static extern int Rename(string from, string to);

    [Fact]
    public void HardLinksCannotCrossMounts()
    {
        File.WriteAllText(Path.Combine(_rw, "mine.txt"), "mine\n");
        string o = Attack("ln:/rw/mine.txt=/tmp/x", "ln:/cow/keep.txt=/rw/k", "ln:/data/inside.txt=/rw/i", "ln:/rw/mine.txt=/rw/same");
        Assert.Contains("ln /rw/mine.txt /tmp/x: EXDEV\n", o);
        Assert.Contains("ln /cow/keep.txt /rw/k: EXDEV\n", o);
        Assert.Contains("ln /data/inside.txt /rw/i: EXDEV\n", o);
        Assert.Contains("ln /rw/mine.txt /rw/same: ok\n", o); // within one mount it works, as on Linux
        Assert.False(File.Exists(Path.Combine(_rw, "k")));
    }

    /// <summary>/proc/self/fd lists the guest's descriptors only; numbers the host process has open lead nowhere.</summary>
    [Fact]
    public void ProcFdShowsOnlyGuestDescriptors()
    {
        string o = Attack("fdlinks");
        string links = Line(o, "fdlinks:");
        // 0-2, and perhaps the directory stream of /proc/self/fd itself (Linux lists it).
        string[] fds = links["fdlinks: ".Length..].Split(' ').Select(e => e.Split('=')[0]).ToArray();
        Assert.Equal(["0", "1", "2"], fds.Take(3));
        Assert.True(fds.Length == 3 || fds is [_, _, _, "3"], links);
        Assert.DoesNotContain(".dll", o);
        Assert.DoesNotContain(_root, o);
        Assert.DoesNotContain("fd 4:", o);
    }

    /// <summary>
    /// Two VMs in one host process: while the first holds a file of its own mount open, the second reads
    /// /proc/PID/fd/N for every pid it might guess. Pids and descriptors are per VM: it finds only its own processes.
    /// </summary>
    [Fact]
    public async Task ProcFdOfAnotherVmIsNotVisible()
    {
        string theirs = Directory.CreateTempSubdirectory("x86vm-attack-other-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(theirs, "held.txt"), "other vm secret\n");
            IReadOnlyList<MountSpec> otherMounts = [new MountSpec(_root, "/", MountKind.ReadOnly), new MountSpec(theirs, "/rw", MountKind.ReadWrite)];
            Task<GuestRunResult> other = Task.Run(() => SyscallPrograms.Vm("/attack", ["hold:/rw/held.txt"], otherMounts, "/"));
            var waited = Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(theirs, "held.txt.ready")) && !other.IsCompleted && waited.Elapsed < TimeSpan.FromSeconds(60))
                await Task.Delay(10);
            Assert.True(File.Exists(Path.Combine(theirs, "held.txt.ready")), "the other VM holds its file");
            string o = Attack("scanfd:1100");
            Assert.DoesNotContain("other vm secret", o);
            Assert.Contains("scanfd: 0 found\n", o);
            Assert.Contains("hold /rw/held.txt: ok\n", (await other).StdoutText);
        }
        finally { Directory.Delete(theirs, true); }
    }

    /// <summary>The host's own process (the x86vm test host) does not exist inside the VM's /proc.</summary>
    [Fact]
    public void ProcOfTheHostProcessIsNotVisible()
    {
        int host = Environment.ProcessId;
        string o = Attack($"proc:{host}", "proc:1");
        Assert.Contains($"proc {host}: cmdline=ENOENT root/etc/passwd=ENOENT fd/0=ENOENT environ=ENOENT exe=ENOENT maps=ENOENT\n", o);
        Assert.DoesNotContain("dotnet", o);
        Assert.DoesNotContain("testhost", o);
    }

    /// <summary>Climbing ".." through /proc/self/fd/N/.. (a magic link to an open directory) stops at the guest's root.</summary>
    [Fact]
    public void MagicLinksDoNotClimbOutOfTheRoot()
    {
        string o = Attack("magic:/data", "magic:/rw", "magic:/cow", "magic:/proc/self");
        foreach (string d in new[] { "/data", "/rw", "/cow", "/proc/self" })
            Assert.Contains($"magic {d}: cwd /, etc/passwd ENOENT\n", o);
    }

    /// <summary>File handles name inodes, not paths: they would bypass the view entirely, so both calls fail.</summary>
    [Fact]
    public void FileHandlesAreRefused()
    {
        File.WriteAllText(Path.Combine(_rw, "h.txt"), "handle\n");
        string o = Attack("handle:/rw/h.txt", "handle:/data/inside.txt", "handle:/");
        foreach (string line in o.Split('\n').Where(l => l.StartsWith("handle ", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain("name_to_handle_at ok", line);
            Assert.Matches(@"forged 2 E[A-Z]+, forged 16 E[A-Z]+$", line);
        }
    }

    /// <summary>mount, umount, unshare and pivot_root are refused; chroot plus the classic ".." climb stays in the view.</summary>
    [Fact]
    public void MountAndChrootTricksStayInside()
    {
        string o = Attack("mount:/tmp");
        foreach (string call in new[] { "mount tmpfs", "mount bind /", "mount proc", "mount sysfs", "umount /proc", "umount /", "pivot_root" })
            Assert.Matches($"{call}: E[A-Z]+\n", o);
        Assert.Contains("etc/passwd ENOENT\n", Line(o, "chroot:") + "\n");
    }

    /// <summary>SCM_RIGHTS carries the guest's own descriptors only: numbers it has not opened (the host's) are EBADF.</summary>
    [Fact]
    public void ScmRightsCannotNameHostDescriptors()
    {
        string o = Attack("scm");
        Assert.Contains("scm unknown fds: EBADF, own fd: ok, received same file\n", o);
    }

    /// <summary>
    /// Device nodes made by the guest never reach the host's devices: on a read-write host mount nothing is created on
    /// the host (x86vm may well run as root), and nothing made anywhere reads a disk, memory or ports.
    /// </summary>
    [Theory]
    [InlineData("/rw")]
    [InlineData("/tmp")]
    [InlineData("/cow")]
    public void DeviceNodesDoNotReachHostDevices(string dir)
    {
        string o = Attack($"mknod:{dir}");
        Assert.Equal(7, o.Split('\n').Count(l => l.StartsWith("mknod ", StringComparison.Ordinal)));
        Assert.DoesNotContain("DATA", o);
        Assert.Empty(HostDeviceNodes(_rw).Concat(HostDeviceNodes(_cow)));
    }

    static IEnumerable<string> HostDeviceNodes(string dir)
    {
        var psi = new ProcessStartInfo("find", [dir, "(", "-type", "b", "-o", "-type", "c", ")", "-print"]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        string found = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return found.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>ptrace of the host process (its real pid) finds nothing; tracing guest processes is not offered.</summary>
    [Fact]
    public void PtraceReachesNoHostProcess()
    {
        string o = Attack($"ptrace:{Environment.ProcessId}");
        string line = Line(o, "ptrace ");
        Assert.Matches(@"^ptrace attach host: E[A-Z]+, seize host: E[A-Z]+, peek host: E[A-Z]+, attach child: E[A-Z]+, traceme: (refused|accepted)$", line);
    }

    /// <summary>/proc/self/mem and process_vm_readv see guest memory only: host-looking addresses are errors, the host pid unknown.</summary>
    [Fact]
    public void HostMemoryIsUnreachable()
    {
        string o = Attack($"mem:{Environment.ProcessId}");
        string line = Line(o, "mem: ");
        Assert.DoesNotContain("DATA", line);
        Assert.DoesNotContain("wrong", line);
        Assert.Contains("vm_readv host E", line);
        Assert.Matches("vm_readv self far E[A-Z]+$", line);
    }

    /// <summary>
    /// Without --net host the guest's 127.0.0.1 is the VM's private loopback: a host listener on a port is not
    /// reachable (ECONNREFUSED, the listener sees nothing), and the guest can listen on the same port the host holds.
    /// </summary>
    [Fact]
    public void HostNetworkIsUnreachableWithoutNetHost()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
        string o = Attack($"net:{port}");
        Assert.Contains("net: connect ECONNREFUSED, udp send ok, bind ok, listen ok\n", o);
        Assert.False(listener.Pending());
        Assert.Equal(0, udp.Available);
    }

    static int Mode(string path) => OperatingSystem.IsWindows() ? 0 : (int)File.GetUnixFileMode(path);

    /// <summary>Every way to write a file of a read-only mount fails; on a copy-on-write mount writes stay in the VM.</summary>
    [Fact]
    public void ReadOnlyAndCopyOnWriteMountsNeverWriteTheHost()
    {
        string ro = Path.Combine(_root, "data", "inside.txt"), cow = Path.Combine(_cow, "keep.txt");
        var before = (File.ReadAllText(ro), Mode(ro), File.GetLastWriteTimeUtc(ro),
            File.ReadAllText(cow), Mode(cow), File.GetLastWriteTimeUtc(cow));
        string o = Attack("rofile:/data/inside.txt", "rofile:/cow/keep.txt");
        string roLine = Line(o, "rofile /data/inside.txt:");
        Assert.DoesNotContain(" ok", roLine);
        Assert.Contains(", now inside,", roLine);
        Assert.Contains(", write ok", Line(o, "rofile /cow/keep.txt:")); // the guest can write its copy…
        var after = (File.ReadAllText(ro), Mode(ro), File.GetLastWriteTimeUtc(ro),
            File.ReadAllText(cow), Mode(cow), File.GetLastWriteTimeUtc(cow));
        Assert.Equal(before, after); // …and the host files are untouched
        Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(_cow).Select(Path.GetFileName));
    }
}
