using System.Diagnostics;

namespace X86Vm.Tests.Programs;

/// <summary>
/// Event-descriptor programs (tests/programs/events/*.c: epoll, eventfd, timerfd and an epoll stress run with thousands
/// of pipes and many waiting threads) built with gcc -O2 -static and musl-gcc -O2 -static. They use no files, so one
/// view is enough: stdout and exit status in the VM must equal the native run.
/// </summary>
public class EventTests
{
    static readonly string[] Variants = ["gcc", "musl"];

    static string SourceDir => Path.Combine(TestPrograms.SourceDir, "events");

    static readonly Lazy<string> OutDir = new(() =>
    {
        string outDir = Path.Combine(GuestRunner.RepoRoot, ".cache", "events");
        Directory.CreateDirectory(outDir);
        return outDir;
    });

    static readonly object BuildLock = new();

    /// <summary>Builds one program with one toolchain (once, or when it or a header changed); null when the toolchain is missing.</summary>
    static string? Build(string name, string variant)
    {
        lock (BuildLock)
        {
            string src = Path.Combine(SourceDir, name + ".c");
            string bin = Path.Combine(OutDir.Value, $"{name}.{variant}");
            DateTime newest = new[] { src, Path.Combine(SourceDir, "events.h"), Path.Combine(TestPrograms.SourceDir, "syscalls", "check.h") }
                .Max(File.GetLastWriteTimeUtc);
            if (File.Exists(bin) && File.GetLastWriteTimeUtc(bin) >= newest) return bin;
            string compiler = variant == "gcc" ? "gcc" : "musl-gcc";
            try
            {
                using var p = Process.Start(new ProcessStartInfo(compiler, ["-O2", "-static", "-Wall", "-Wextra", "-Werror", "-o", bin + ".tmp", src])
                {
                    RedirectStandardError = true,
                    RedirectStandardOutput = true,
                })!;
                string err = p.StandardError.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0) throw new InvalidOperationException($"{compiler} failed for {name}.c:\n{err}");
                File.Move(bin + ".tmp", bin, overwrite: true);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return null; // toolchain not installed
            }
            return bin;
        }
    }

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string src in Directory.GetFiles(SourceDir, "*.c").Order(StringComparer.Ordinal))
            foreach (string v in Variants)
                data.Add(Path.GetFileNameWithoutExtension(src), v);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SameOutputAndStatusAsNative(string name, string variant)
    {
        string? bin = Build(name, variant);
        if (bin == null) return;
        RunResult native = GuestRunner.Native(bin, []);
        Assert.True(native.ExitStatus == 0, $"{name}.{variant} fails natively:\n{native.StdoutText}");
        RunResult vm = GuestRunner.Vm(bin, []);
        Assert.True(native.StdoutText == vm.StdoutText && native.ExitStatus == vm.ExitStatus,
            $"{name}.{variant}: native exit {native.ExitStatus}, vm exit {vm.ExitStatus}\n--- native stdout:\n{native.StdoutText}\n" +
            $"--- vm stdout:\n{vm.StdoutText}\n--- vm stderr:\n{vm.Stderr}");
    }
}
