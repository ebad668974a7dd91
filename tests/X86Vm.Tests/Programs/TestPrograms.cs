using System.Diagnostics;

namespace X86Vm.Tests.Programs;

/// <summary>One test program in one build variant, with how it is run (from tests/programs/cases.txt).</summary>
public sealed record ProgramCase(string Name, string Variant, string Binary, IReadOnlyList<string> Args, string? StdinFile)
{
    public override string ToString() => $"{Name}.{Variant}";
}

/// <summary>Builds tests/programs/*.c with every installed toolchain (once per test run) and lists the cases.</summary>
public static class TestPrograms
{
    static readonly Lazy<string> OutDir = new(Build);

    public static string SourceDir => Path.Combine(GuestRunner.RepoRoot, "tests", "programs");

    static string Build()
    {
        string outDir = Path.Combine(GuestRunner.RepoRoot, ".cache", "programs");
        Directory.CreateDirectory(outDir);
        var psi = new ProcessStartInfo("bash", [Path.Combine(SourceDir, "build.sh"), outDir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException("tests/programs/build.sh failed:\n" + output);
        return outDir;
    }

    /// <summary>Every built (program, variant) pair.</summary>
    public static IEnumerable<ProgramCase> All()
    {
        string outDir = OutDir.Value;
        var cases = ReadCases();
        foreach (string binary in Directory.GetFiles(outDir).Order(StringComparer.Ordinal))
        {
            string file = Path.GetFileName(binary);
            int dot = file.IndexOf('.');
            if (dot < 0) continue;
            string name = file[..dot], variant = file[(dot + 1)..];
            if (!File.Exists(Path.Combine(SourceDir, name + ".c"))) continue;
            cases.TryGetValue(name, out var c);
            yield return new ProgramCase(name, variant, binary, c.Args ?? [], c.Stdin);
        }
    }

    /// <summary>cases.txt: name TAB exit-status TAB stdin TAB args…</summary>
    static Dictionary<string, (IReadOnlyList<string>? Args, string? Stdin)> ReadCases()
    {
        var result = new Dictionary<string, (IReadOnlyList<string>?, string?)>();
        foreach (string line in File.ReadAllLines(Path.Combine(SourceDir, "cases.txt")))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            string[] f = line.Split('\t');
            result[f[0]] = (f.Skip(3).ToArray(), f.Length > 2 && f[2] != "-" ? f[2] : null);
        }
        return result;
    }
}
