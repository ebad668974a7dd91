using System.Diagnostics;

namespace X86Vm.Tests.Programs;

/// <summary>
/// Dynamically linked programs: the VM maps the program and its PT_INTERP interpreter (glibc's ld.so or
/// musl's), which then loads shared libraries through open/mmap/mprotect. Sources are
/// tests/programs/dynamic/*, compiled at test time with the host's default flags (Debian: PIE); stdout
/// and exit status must match native.
/// </summary>
public class DynamicProgramTests
{
    static readonly string[] Environment = GuestRunner.Environment;

    static string SourceDir => Path.Combine(TestPrograms.SourceDir, "dynamic");
    static string OutDir => Path.Combine(GuestRunner.RepoRoot, ".cache", "dynamic");

    /// <summary>name → (compiler, source, extra flags). Built once per test run, only when the source is newer.</summary>
    static readonly Dictionary<string, (string Compiler, string Source, string[] Flags)> Programs = new()
    {
        ["hello"] = ("gcc", "hello.c", []),
        ["hello-musl"] = ("musl-gcc", "hello.c", []),
        ["cxx"] = ("g++", "cxx.cpp", []),
        ["cxx_threads"] = ("g++", "cxx_threads.cpp", ["-pthread"]),
        ["dlopen"] = ("gcc", "dlopen.c", ["-ldl"]),
        ["mmapfile"] = ("gcc", "mmapfile.c", []),
        ["auxv"] = ("gcc", "auxv.c", []),
    };

    static readonly object BuildLock = new();

    static string Build(string name)
    {
        var (compiler, source, flags) = Programs[name];
        string src = Path.Combine(SourceDir, source), bin = Path.Combine(OutDir, name);
        lock (BuildLock)
        {
            if (File.Exists(bin) && File.GetLastWriteTimeUtc(bin) > File.GetLastWriteTimeUtc(src)) return bin;
            Directory.CreateDirectory(OutDir);
            var psi = new ProcessStartInfo(compiler, ["-O2", "-Wall", "-Wextra", "-o", bin + ".tmp", src, .. flags])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0 || output.Length > 0)
                throw new InvalidOperationException($"{compiler} {source} failed or warned:\n{output}");
            File.Move(bin + ".tmp", bin, true);
            return bin;
        }
    }

    static bool Installed(string command) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Any(d => d.Length > 0 && File.Exists(Path.Combine(d, command)));

    /// <summary>Programs whose compiler is installed (musl-gcc is optional, as in tests/programs/build.sh).</summary>
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var (name, p) in Programs)
            if (name != "auxv" && Installed(p.Compiler)) data.Add(name);
        return data;
    }

    static void AssertSame(GuestRunResult native, GuestRunResult vm, string what)
    {
        Assert.True(native.StdoutText == vm.StdoutText && native.ExitStatus == vm.ExitStatus,
            $"{what}: native exit {native.ExitStatus}, vm exit {vm.ExitStatus}\n" +
            $"native stdout:\n{native.StdoutText}\nvm stdout:\n{vm.StdoutText}\nvm stderr: {vm.Stderr}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SameOutputAndStatusAsNative(string name)
    {
        string bin = Build(name);
        string[] args = ["one", "two words"];
        AssertSame(GuestRunner.Native(bin, args, environment: Environment), GuestRunner.Vm(bin, args, environment: Environment), name);
    }

    /// <summary>Host programs from coreutils (dynamic PIE, linked with the host's libc).</summary>
    [Theory]
    [InlineData("/bin/true")]
    [InlineData("/bin/false")]
    [InlineData("/bin/echo", "hello", "-", "dynamic", "world")]
    public void HostProgram(string program, params string[] args)
    {
        AssertSame(GuestRunner.Native(program, args, environment: Environment), GuestRunner.Vm(program, args, environment: Environment), program);
    }

    /// <summary>The auxiliary vector: layout-independent facts (AT_PHNUM, AT_PAGESZ, AT_BASE set, AT_ENTRY = _start…).</summary>
    [Fact]
    public void AuxiliaryVector()
    {
        string bin = Build("auxv");
        GuestRunResult vm = GuestRunner.Vm(bin, [], environment: Environment);
        AssertSame(GuestRunner.Native(bin, [], environment: Environment), vm, "auxv");
        Assert.Contains("AT_BASE nonzero 1, page aligned 1, above program 1", vm.StdoutText);
        Assert.Contains("AT_ENTRY is _start 1, inside program 1", vm.StdoutText);
    }

    /// <summary>
    /// The VM lays out a process like Linux without randomisation, so absolute addresses (AT_BASE of ld.so
    /// at the top of the mmap area, the PIE at 0x555555554000, AT_EXECFN/AT_RANDOM/argv strings on the stack)
    /// equal native under <c>setarch -R</c>.
    /// </summary>
    [Fact]
    public void AuxiliaryVectorAddressesMatchNativeWithoutRandomisation()
    {
        string bin = Build("auxv");
        GuestRunResult native = GuestRunner.Native("setarch", ["-R", bin, "exact"], environment: Environment);
        if (native.ExitStatus != 0 && native.Stderr.Contains("setarch"))
            return; // personality(ADDR_NO_RANDOMIZE) refused (some sandboxes): the layout-independent test still runs
        GuestRunResult vm = GuestRunner.Vm(bin, ["exact"], environment: Environment);
        AssertSame(native, vm, "auxv exact");
        Assert.Contains("AT_BASE 0x7ffff7", vm.StdoutText);
        Assert.Contains("l_addr 0x555555554000", vm.StdoutText);
    }
}
