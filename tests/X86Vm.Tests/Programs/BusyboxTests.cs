namespace X86Vm.Tests.Programs;

/// <summary>
/// Debian's busybox-static (static glibc) runs shell one-liners identically to native, and its network applets
/// talk over the VM's private network. (Longer scripts with pipelines and applets: RealProgramTests.)
/// </summary>
public class BusyboxTests
{
    const string Busybox = "/bin/busybox";

    public static TheoryData<string> Scripts() =>
    [
        "echo hello world",
        "printf '%s-%d-%x-%5s|%-4d|\\n' abc 42 255 right 7",
        "echo ${undefined:-default} ${#undefined} ${HOME:+set}",
        "echo $((6 * 7 + 2 ** 10 - 17 / 3 % 4)) $((0x10 << 3)) $(( -5 >> 1 ))",
        "i=0; s=0; while [ $i -lt 200 ]; do s=$((s + i * i)); i=$((i + 1)); done; echo $s",
        "for w in alpha beta gamma; do echo ${#w} ${w%a} ${w#?}; done",
        "f() { echo \"args=$# first=$1\"; shift; echo \"rest=$*\"; }; f one two three",
        "x=abcdef; case $x in a*f) echo match;; *) echo no;; esac; echo ${x:2:3}",
        "set -- 3 1 2; for n; do printf '%s,' $n; done; echo; [ 3 -gt 2 ] && echo yes || echo no",
        "echo $((123456789 * 987654321)) $((9223372036854775807 + 1))",
        "test -d / && echo dir; test -e /nonexistent-path || echo missing; echo done; exit 7",
        // Job control without a terminal: stopped children keep existing, continue, and die by SIGKILL.
        "sleep 0.2 & p=$!; kill -STOP $p; kill -0 $p && echo alive; kill -CONT $p; wait $p; echo status $?",
        "sleep 5 & p=$!; kill -STOP $p; kill -KILL $p; wait $p; echo status $?",
        "trap 'echo cont' CONT; kill -CONT $$; echo done",
    ];

    [Theory]
    [MemberData(nameof(Scripts))]
    public void ShellScriptMatchesNative(string script)
    {
        string[] args = ["sh", "-c", script];
        GuestRunResult native = GuestRunner.Native(Busybox, args);
        GuestRunResult vm = GuestRunner.Vm(Busybox, args);
        Assert.True(native.ExitStatus == vm.ExitStatus, $"exit native {native.ExitStatus} vm {vm.ExitStatus}; vm stderr: {vm.Stderr}");
        Assert.Equal(native.StdoutText, vm.StdoutText);
    }

    /// <summary>
    /// busybox httpd serves a file to busybox wget, and nc carries a line, over the VM's private loopback network. The
    /// fixed ports are safe: they exist only inside the VM. (Natively they could collide with host services, so the
    /// reference is the files themselves.)
    /// </summary>
    [Fact]
    public void HttpdAndNcTalkOverThePrivateNetwork()
    {
        string dir = Directory.CreateTempSubdirectory("x86vm-www-").FullName;
        try
        {
            string page = $"page {Guid.NewGuid()}\n";
            File.WriteAllText(Path.Combine(dir, "index.html"), page);
            string script = $"busybox httpd -f -p 127.0.0.1:8080 -h {dir} & sleep 0.3; busybox wget -q -O - http://127.0.0.1:8080/index.html; " +
                            $"echo wget=$?; busybox nc -l -p 9000 > {dir}/nc.out & sleep 0.2; echo piped | busybox nc 127.0.0.1 9000; " +
                            $"wait %2; kill %1; cat {dir}/nc.out";
            GuestRunResult vm = GuestRunner.Vm(Busybox, ["sh", "-c", script], cwd: dir,
                mounts: GuestRunner.WithRepository(MountSpec.DefaultView(dir)));
            Assert.Equal(page + "wget=0\npiped\n", vm.StdoutText);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>
    /// A VM whose only process stopped itself can never continue (natively a shell would resume it): it ends with the
    /// deadlock report and SIGKILL's status instead of hanging.
    /// </summary>
    [Fact]
    public void StoppedVmEndsWithDeadlockReport()
    {
        GuestRunResult vm = GuestRunner.Vm(Busybox, ["sh", "-c", "echo before; kill -STOP $$; echo after"]);
        Assert.Equal("before\n", vm.StdoutText);
        Assert.Equal(137, vm.ExitStatus);
        Assert.Contains("deadlock", vm.Stderr);
    }
}
