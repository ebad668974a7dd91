namespace X86Vm.Tests.Programs;

/// <summary>
/// Real language runtimes, compared with native (stdout bytes and exit status): a Rust program built by the
/// machine's rustc (std threads, sync, mpsc, fs, process, env, panics, formatting) dynamically and statically
/// linked, optimised and debug; and static Go programs (goroutines, channels, timers, asynchronous preemption,
/// GC, files, os/exec, panics; net/http over loopback). Sources are tests/programs/runtimes; builds are cached
/// in .cache/runtimes by source hash (<see cref="RuntimeBuilds"/>). Each run has its own fresh working directory.
/// </summary>
public class RuntimeProgramTests : SideBySideTests
{

    public static TheoryData<string> RustVariants() => [.. RuntimeBuilds.RustVariants.Keys];

    [Theory]
    [MemberData(nameof(RustVariants))]
    public void RustStandardLibraryWorkload(string variant)
    {
        string bin = RuntimeBuilds.Rust("workload.rs", variant);
        var (native, vm) = Both(bin, ["one", "two words"]);
        Assert.Equal(3, native.ExitStatus);
        AssertSame(native, vm, $"rust {variant}");
    }

    /// <summary>std's guard-page handler (SIGSEGV on its sigaltstack) reports the overflow and aborts: SIGABRT, status 134.</summary>
    [Theory]
    [InlineData("O", "overflow")]
    [InlineData("O", "overflow-thread")]
    [InlineData("O-static", "overflow")]
    [InlineData("O-static", "overflow-thread")]
    public void RustStackOverflowAborts(string variant, string mode)
    {
        string bin = RuntimeBuilds.Rust("workload.rs", variant);
        var (native, vm) = Both(bin, [mode]);
        Assert.Equal(134, native.ExitStatus);
        AssertSame(native, vm, $"rust {variant} {mode}");
        Assert.Contains("has overflowed its stack", vm.Stderr);
    }

    /// <summary>
    /// Children std cannot start with posix_spawn (a pre_exec hook; a working directory when statically linked):
    /// recent Rust forks and reports exec errors over an AF_UNIX SOCK_SEQPACKET socketpair.
    /// </summary>
    [Theory]
    [MemberData(nameof(RustVariants))]
    public void RustForkPathChildren(string variant)
    {
        string bin = RuntimeBuilds.Rust("workload.rs", variant);
        var (native, vm) = Both(bin, ["fork-path"]);
        Assert.Equal(0, native.ExitStatus);
        AssertSame(native, vm, $"rust {variant} fork-path");
    }

    [Fact]
    public void GoRuntimeWorkload()
    {
        string bin = RuntimeBuilds.GoProgram("workload.go");
        var (native, vm) = Both(bin, ["one", "two words"]);
        Assert.Equal(3, native.ExitStatus);
        AssertSame(native, vm, "go workload");
    }

    /// <summary>The same workload with the whole program on one P (GOMAXPROCS=1 in the environment).</summary>
    [Fact]
    public void GoRuntimeWorkloadOnOneProcessor()
    {
        string bin = RuntimeBuilds.GoProgram("workload.go");
        var (native, vm) = Both(bin, ["one"], [.. GuestRunner.Environment, "GOMAXPROCS=1"]);
        Assert.Equal(3, native.ExitStatus);
        AssertSame(native, vm, "go workload GOMAXPROCS=1");
    }

    /// <summary>
    /// net/http over loopback (httptest server on 127.0.0.1:0, client GET/POST, keep-alive, concurrent
    /// clients) and a TCP echo with deadlines, on the VM's private loopback network and Go's epoll netpoller.
    /// </summary>
    [Fact]
    public void GoNetHttpOverLoopback()
    {
        string bin = RuntimeBuilds.GoProgram("httpserver.go");
        var (native, vm) = Both(bin, []);
        Assert.Equal(0, native.ExitStatus);
        AssertSame(native, vm, "go net/http");
    }

    /// <summary>net.Interfaces and friends over a NETLINK_ROUTE socket: the loopback interface and its addresses.</summary>
    [Fact]
    public void GoNetInterfaces()
    {
        string bin = RuntimeBuilds.GoProgram("interfaces.go");
        var (native, vm) = Both(bin, []);
        Assert.Equal(0, native.ExitStatus);
        AssertSame(native, vm, "go net.Interfaces");
    }
}
