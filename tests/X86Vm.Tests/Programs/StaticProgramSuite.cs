using System.Diagnostics;

namespace X86Vm.Tests.Programs;

/// <summary>
/// A directory of C test programs under tests/programs, each built with gcc -O2 -static and musl-gcc -O2 -static into
/// .cache/&lt;directory&gt; (again only when the source or one of its headers changed), run natively and in the VM: stdout
/// and exit status must be equal. Test classes (signals, events…) hold one suite each.
/// </summary>
public sealed class StaticProgramSuite(string directory, params string[] headers)
{
    static readonly string[] Variants = ["gcc", "musl"];
    static readonly object BuildLock = new();

    string SourceDir => Path.Combine(TestPrograms.SourceDir, directory);

    /// <summary>Every (program, toolchain) pair.</summary>
    public TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string src in Directory.GetFiles(SourceDir, "*.c").Order(StringComparer.Ordinal))
            foreach (string v in Variants)
                data.Add(Path.GetFileNameWithoutExtension(src), v);
        return data;
    }

    /// <summary>Builds one program with one toolchain; null when the toolchain is not installed.</summary>
    public string? Build(string name, string variant)
    {
        lock (BuildLock)
        {
            string outDir = Path.Combine(GuestRunner.RepoRoot, ".cache", directory);
            Directory.CreateDirectory(outDir);
            string src = Path.Combine(SourceDir, name + ".c");
            string bin = Path.Combine(outDir, $"{name}.{variant}");
            DateTime newest = headers.Select(h => Path.Combine(TestPrograms.SourceDir, h)).Append(src).Max(File.GetLastWriteTimeUtc);
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
                return null;
            }
            return bin;
        }
    }

    /// <summary>Runs the program natively and in the VM; asserts identical stdout and exit status.</summary>
    public void AssertSameAsNative(string name, string variant, bool mustSucceedNatively = false)
    {
        string? bin = Build(name, variant);
        if (bin == null) return;
        GuestRunResult native = GuestRunner.Native(bin, []);
        if (mustSucceedNatively) Assert.True(native.ExitStatus == 0, $"{name}.{variant} fails natively:\n{native.StdoutText}");
        GuestRunResult vm = GuestRunner.Vm(bin, []);
        Assert.True(native.StdoutText == vm.StdoutText && native.ExitStatus == vm.ExitStatus,
            $"{name}.{variant}: native exit {native.ExitStatus}, vm exit {vm.ExitStatus}\n--- native stdout:\n{native.StdoutText}\n" +
            $"--- vm stdout:\n{vm.StdoutText}\n--- vm stderr:\n{vm.Stderr}");
    }
}
