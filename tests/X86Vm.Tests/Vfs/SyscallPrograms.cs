using System.Diagnostics;
using X86Vm.Tests.Programs;

namespace X86Vm.Tests.Vfs;

/// <summary>Builds tests/programs/{syscalls,sandbox,net}/*.c (gcc -O2 -static) once per test run, and runs them in the VM with a given view.</summary>
public static class SyscallPrograms
{
    static readonly Lazy<string> OutDir = new(Build);
    static readonly object BuildLock = new();

    public static string SourceDir => Path.Combine(GuestRunner.RepoRoot, "tests", "programs");

    public static IEnumerable<string> Names =>
        Directory.GetFiles(Path.Combine(SourceDir, "syscalls"), "*.c").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal);

    public static string Binary(string name) => Path.Combine(OutDir.Value, name);

    static string Build()
    {
        lock (BuildLock)
        {
            string outDir = Path.Combine(GuestRunner.RepoRoot, ".cache", "syscalls");
            Directory.CreateDirectory(outDir);
            // A program is rebuilt when it or any shared header changed.
            DateTime headers = Directory.GetFiles(Path.Combine(SourceDir, "syscalls"), "*.h").Max(File.GetLastWriteTimeUtc);
            foreach (string src in new[] { "syscalls", "sandbox", "net" }.SelectMany(d => Directory.GetFiles(Path.Combine(SourceDir, d), "*.c")))
            {
                string bin = Path.Combine(outDir, Path.GetFileNameWithoutExtension(src));
                if (File.Exists(bin) && File.GetLastWriteTimeUtc(bin) > File.GetLastWriteTimeUtc(src) && File.GetLastWriteTimeUtc(bin) > headers)
                    continue;
                var psi = new ProcessStartInfo("gcc", ["-O2", "-static", "-Wall", "-Wextra", "-Werror", src, "-o", bin + ".tmp"])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                };
                using var p = Process.Start(psi)!;
                string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0) throw new InvalidOperationException($"gcc {src} failed:\n{output}");
                File.Move(bin + ".tmp", bin, overwrite: true);
            }
            return outDir;
        }
    }

    /// <summary>Runs <paramref name="program"/> in a VM with the given mounts and working directory.</summary>
    public static GuestRunResult Vm(string program, IReadOnlyList<string> args, IReadOnlyList<MountSpec> mounts, string cwd) =>
        GuestRunner.Vm(program, args, cwd: cwd, mounts: mounts);
}
