using System.Diagnostics;
using X86Vm.Tests.Programs;

namespace X86Vm.Tests.Embedding;

/// <summary>tests/programs/embedding, and deterministic VMs running them as an embedding host would.</summary>
static class EmbeddingPrograms
{
    public static readonly StaticProgramSuite Suite = new("embedding");

    public static string Binary(string name, string variant = "gcc") =>
        Suite.Build(name, variant) ?? throw new InvalidOperationException($"{variant} is not installed");

    /// <summary>A deterministic VM of <paramref name="program"/>: interpreted, or (<paramref name="jit"/>) every block compiled from its second run.</summary>
    public static VirtualMachine Vm(string program, string[] args, MemoryStream stdout, bool jit = false, TextWriter? strace = null) =>
        new(GuestRunner.DeterministicOptions(program, args, stdout, strace: strace, jit: jit ? (1, true) : null));

    /// <summary>A symbol's address and size in a static (non-PIE) program, from nm.</summary>
    public static (ulong Address, ulong Size) Symbol(string binary, string name)
    {
        using var p = Process.Start(new ProcessStartInfo("nm", ["-S", binary]) { RedirectStandardOutput = true })!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        foreach (string line in output.Split('\n'))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 4 && f[3] == name) return (Convert.ToUInt64(f[0], 16), Convert.ToUInt64(f[1], 16));
        }
        throw new InvalidOperationException($"{name} not found in {binary}");
    }

    public static string Text(MemoryStream s) => System.Text.Encoding.UTF8.GetString(s.ToArray());
}
