namespace X86Vm.Tests.Programs;

/// <summary>
/// Unmodified Debian programs doing real work, compared with native: a busybox shell script using
/// pipelines, subshells, command substitution, here-documents and file tools; sqlite3 running SQL; Debian's
/// python3 with threads, subprocess, sqlite3, tempfile, zlib, json and hashlib.
/// Each runs in its own fresh directory (the guest's read-write current directory).
/// </summary>
public class RealProgramTests : IDisposable
{
    readonly string _nativeDir = Fresh(), _vmDir = Fresh();

    static string Fresh()
    {
        // Not under /tmp: the guest's /tmp is a private tmpfs.
        string dir = Path.Combine(GuestRunner.RepoRoot, ".cache", "scratch", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public void Dispose()
    {
        Directory.Delete(_nativeDir, true);
        Directory.Delete(_vmDir, true);
    }

    static string Script(string name) => Path.Combine(TestPrograms.SourceDir, "scripts", name);

    static void AssertSame(RunResult native, RunResult vm)
    {
        Assert.True(native.ExitStatus == vm.ExitStatus, $"exit native {native.ExitStatus} vm {vm.ExitStatus}; vm stderr: {vm.Stderr}");
        Assert.Equal(native.StdoutText, vm.StdoutText);
    }

    [Fact]
    public void BusyboxShellScriptWithToolsAndPipelines()
    {
        string[] args = ["sh", Script("busybox-tools.sh")];
        AssertSame(GuestRunner.Native("/bin/busybox", args, cwd: _nativeDir), GuestRunner.Vm("/bin/busybox", args, cwd: _vmDir));
    }

    [Fact]
    public void Python3RunsAStandardLibraryWorkload()
    {
        string[] args = [Script("python-workload.py")];
        AssertSame(GuestRunner.Native("/usr/bin/python3", args, cwd: _nativeDir), GuestRunner.Vm("/usr/bin/python3", args, cwd: _vmDir));
    }

    [Fact]
    public void Python3ServesHttpOverLoopback()
    {
        string[] args = [Script("python-http.py")];
        AssertSame(GuestRunner.Native("/usr/bin/python3", args, cwd: _nativeDir), GuestRunner.Vm("/usr/bin/python3", args, cwd: _vmDir));
    }

    [Fact]
    public void Sqlite3ExecutesAScript()
    {
        byte[] sql = File.ReadAllBytes(Script("sqlite.sql"));
        AssertSame(GuestRunner.Native("/usr/bin/sqlite3", [], sql, _nativeDir), GuestRunner.Vm("/usr/bin/sqlite3", [], sql, _vmDir));
    }
}
