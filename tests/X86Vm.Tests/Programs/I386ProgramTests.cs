using System.Diagnostics;

namespace X86Vm.Tests.Programs;

/// <summary>
/// 32-bit x86 programs (gcc -m32 with gcc-multilib: static -O0 and -O2, and dynamic with /lib/ld-linux.so.2) built at
/// test time and run under qemu-i386, the reference on hosts without IA32 emulation, and in the VM: stdout and exit
/// status must be identical. The sources are the 64-bit differential programs that are portable to i386, the dynamic
/// ones, the signal programs, tests/programs/i386/legacy.c (the instructions that exist only outside 64-bit mode, %gs
/// TLS) and tests/programs/i386/x87.c (long double, printf of long double, conversions, libm on the x87 unit).
/// </summary>
public class I386ProgramTests
{
    static string OutDir => Path.Combine(GuestRunner.RepoRoot, ".cache", "i386");

    /// <summary>Portable programs of tests/programs (the others use __int128, x86-64 assembly or x86-64 intrinsics).</summary>
    static readonly string[] Static =
        ["hello", "args", "arith", "control", "float", "format", "hashes", "heap", "strings", "structs", "sort", "stdin_sum",
         "processes", "threads", "exit42"];

    static readonly string[] Dynamic = ["dynamic/hello.c", "dynamic/cxx.cpp", "dynamic/cxx_threads.cpp", "dynamic/dlopen.c"];

    /// <summary>
    /// The signal programs (sig_jobctl is left out: qemu-i386 itself deviates from Linux there, leaving waitid's si_status
    /// unwritten and queueing SIGCHLD under SA_NOCLDSTOP; sig_faults uses x86-64 assembly).
    /// </summary>
    static readonly string[] Signals =
        ["signals/sig_abort.c", "signals/sig_altstack.c", "signals/sig_proc.c", "signals/sig_basic.c", "signals/sig_restart.c",
         "signals/sig_threads.c", "signals/sig_timers.c", "signals/sig_wait.c", "signals/sig_waitmask.c"];

    static readonly object BuildLock = new();

    static string Build(string source, string variant)
    {
        string src = Path.Combine(TestPrograms.SourceDir, source);
        string bin = Path.Combine(OutDir, $"{source.Replace('/', '_')}.{variant}");
        lock (BuildLock)
        {
            if (File.Exists(bin) && File.GetLastWriteTimeUtc(bin) > File.GetLastWriteTimeUtc(src)) return bin;
            Directory.CreateDirectory(OutDir);
            string compiler = source.EndsWith(".cpp") ? "g++" : "gcc";
            List<string> flags = ["-m32", "-w", variant == "O0" ? "-O0" : "-O2", "-o", bin + ".tmp", src, "-pthread"];
            if (variant != "dyn") flags.Add("-static");
            if (source.Contains("dlopen")) flags.Add("-ldl");
            if (source.StartsWith("signals/")) flags.Add("-lrt");
            flags.Add("-lm");
            var psi = new ProcessStartInfo(compiler, flags) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"{compiler} -m32 {source} failed:\n{output}");
            File.Move(bin + ".tmp", bin, true);
            return bin;
        }
    }

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string name in Static)
            foreach (string v in new[] { "O0", "O2" }) data.Add(name + ".c", v);
        foreach (string s in Dynamic) data.Add(s, "dyn");
        foreach (string s in Signals) data.Add(s, "O2");
        foreach (string own in new[] { "i386/legacy.c", "i386/x87.c" })
        {
            data.Add(own, "O0");
            data.Add(own, "O2");
        }
        return data;
    }

    /// <summary>The arguments and stdin tests/programs/cases.txt gives a program.</summary>
    static (string[] Args, byte[]? Stdin) Inputs(string source)
    {
        string name = Path.GetFileNameWithoutExtension(source);
        foreach (string line in File.ReadAllLines(Path.Combine(TestPrograms.SourceDir, "cases.txt")))
        {
            string[] f = line.Split('\t');
            if (line.StartsWith('#') || f[0] != name) continue;
            byte[]? stdin = f.Length > 2 && f[2] != "-" ? File.ReadAllBytes(Path.Combine(TestPrograms.SourceDir, f[2])) : null;
            return (f.Skip(3).ToArray(), stdin);
        }
        return (source.StartsWith("dynamic/") ? ["one", "two words"] : [], null);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SameOutputAndStatusAsQemuI386(string source, string variant)
    {
        string bin = Build(source, variant);
        var (args, stdin) = Inputs(source);
        GuestRunResult reference = GuestRunner.Native("qemu-i386", [bin, .. args], stdin);
        GuestRunResult vm = GuestRunner.Vm(bin, args, stdin);
        Assert.True(reference.StdoutText == vm.StdoutText && reference.ExitStatus == vm.ExitStatus,
            $"{source} ({variant}): qemu-i386 exit {reference.ExitStatus}, vm exit {vm.ExitStatus}\n" +
            $"qemu-i386 stdout:\n{reference.StdoutText}\nvm stdout:\n{vm.StdoutText}\nvm stderr: {vm.Stderr}");
    }

    /// <summary>
    /// A deterministic 32-bit run (threads, fork, pipes, signals: tests/programs/snapshots/workers.c) cut into pieces, each
    /// continued from the previous one's snapshot, ends exactly like one run: same output, count and state hash (the
    /// segment registers, TLS descriptors and the process ABI are in both).
    /// </summary>
    [Fact]
    public void ACut32BitRunFinishesLikeOneRun()
    {
        string program = Build("snapshots/workers.c", "O2");
        var whole = Snapshots.SnapshotRuns.Whole(program, []);
        Assert.Equal(RunStatus.Exited, whole.Result.Status);
        Assert.Contains("child reaped exit 7", whole.Stdout);
        ulong total = whole.Result.InstructionsRetired;
        var cut = Snapshots.SnapshotRuns.Cut(program, [], Enumerable.Range(1, 15).Select(i => total * (ulong)i / 16 + (ulong)i * 7));
        Assert.Equal(whole.Stdout, cut.Stdout);
        Assert.Equal(whole.Result, cut.Result);
        Assert.Equal(whole.Hash, cut.Hash);
    }
}
