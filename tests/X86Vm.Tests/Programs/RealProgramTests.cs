namespace X86Vm.Tests.Programs;

/// <summary>
/// Unmodified Debian programs doing real work, compared with native: a busybox shell script using
/// pipelines, subshells, command substitution, here-documents and file tools; sqlite3 running SQL; Debian's
/// python3 with threads, subprocess, sqlite3, tempfile, zlib, json and hashlib; GNU make building a C project.
/// Each runs in its own fresh directory (the guest's read-write current directory).
/// </summary>
public class RealProgramTests : SideBySideTests
{
    static string Script(string name) => Path.Combine(TestPrograms.SourceDir, "scripts", name);

    [Fact]
    public void BusyboxShellScriptWithToolsAndPipelines()
    {
        string[] args = ["sh", Script("busybox-tools.sh")];
        var (native, vm) = Both("/bin/busybox", args);
        AssertSame(native, vm, "/bin/busybox");
    }

    [Fact]
    public void Python3RunsAStandardLibraryWorkload()
    {
        string[] args = [Script("python-workload.py")];
        var (native, vm) = Both("/usr/bin/python3", args);
        AssertSame(native, vm, "/usr/bin/python3");
    }

    [Fact]
    public void Python3ServesHttpOverLoopback()
    {
        string[] args = [Script("python-http.py")];
        var (native, vm) = Both("/usr/bin/python3", args);
        AssertSame(native, vm, "/usr/bin/python3");
    }

    /// <summary>
    /// GNU make builds a two-file C project with gcc, runs the result, finds nothing to do, rebuilds after a header
    /// changes and cleans (tests/programs/make). Its recipes start through posix_spawn with POSIX_SPAWN_RESETIDS, which
    /// calls setresuid/setresgid in the child.
    /// </summary>
    [Fact]
    public void GnuMakeBuildsACProject()
    {
        foreach (string dir in new[] { NativeDir, VmDir })
            foreach (string file in Directory.GetFiles(Path.Combine(TestPrograms.SourceDir, "make")))
                File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        var (native, vm) = Both("/bin/sh", ["build.sh"]);
        AssertSame(native, vm, "make");
    }

    /// <summary>busybox tar -czf and GNU tar -xzf, then the other way round (tests/programs/scripts/tar-roundtrip.sh).</summary>
    [Fact]
    public void TarRoundTripsBetweenBusyboxAndGnuTar()
    {
        var (native, vm) = Both("/bin/sh", [Script("tar-roundtrip.sh")]);
        AssertSame(native, vm, "tar round trip");
    }

    [Fact]
    public void Sqlite3ExecutesAScript()
    {
        byte[] sql = File.ReadAllBytes(Script("sqlite.sql"));
        AssertSame(GuestRunner.Native("/usr/bin/sqlite3", [], sql, NativeDir), GuestRunner.Vm("/usr/bin/sqlite3", [], sql, VmDir), "sqlite3");
    }
}
