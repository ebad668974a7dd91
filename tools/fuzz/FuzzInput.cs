using System.Globalization;

namespace X86Vm.Fuzz;

/// <summary>What a fuzz input mutates.</summary>
public enum FuzzKind { Elf, Insn, Syscall }

/// <summary>
/// One generated input: the program file (/prog in the guest), an optional interpreter file (/interp) that PT_INTERP
/// may name, and whether the JIT compiles from a block's second run. It is its own reproducer: <see cref="Save"/>
/// writes the files, <see cref="Load"/> reads them back.
/// </summary>
public sealed record FuzzInput(FuzzKind Kind, ulong Seed, long Index, byte[] Program, byte[]? Interpreter, bool EagerJit)
{
    public string Name => $"{Kind.ToString().ToLowerInvariant()}-{Seed}-{Index}";

    public void Save(string directory, string description)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, "prog"), Program);
        if (Interpreter != null) File.WriteAllBytes(Path.Combine(directory, "interp"), Interpreter);
        File.WriteAllText(Path.Combine(directory, "input.txt"),
            $"kind {Kind}\nseed {Seed}\nindex {Index}\njit {(EagerJit ? "eager" : "default")}\n\n{description}\n" +
            $"reproduce: dotnet run --project tools/fuzz -c Release -- --repro {directory}\n");
    }

    public static FuzzInput Load(string directory)
    {
        var fields = File.ReadLines(Path.Combine(directory, "input.txt")).TakeWhile(l => l.Length > 0)
            .Select(l => l.Split(' ', 2)).ToDictionary(p => p[0], p => p[1]);
        string interp = Path.Combine(directory, "interp");
        return new FuzzInput(Enum.Parse<FuzzKind>(fields["kind"]), ulong.Parse(fields["seed"], CultureInfo.InvariantCulture),
            long.Parse(fields["index"], CultureInfo.InvariantCulture), File.ReadAllBytes(Path.Combine(directory, "prog")),
            File.Exists(interp) ? File.ReadAllBytes(interp) : null, fields["jit"] == "eager");
    }
}
