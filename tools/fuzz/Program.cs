using System.Globalization;
using X86Vm.Fuzz;

// x86vm's fuzzer: dotnet run --project tools/fuzz -c Release -- --seed S --count N --kind elf|insn|syscall [--first I] [--out DIR]
//                 dotnet run --project tools/fuzz -c Release -- --repro DIR
// --verbose prints every input's outcome, instructions and time; --save writes every input as a reproducer. Exit status: 0 without findings, 1 with findings, 2 for a usage error.
ulong seed = 1;
long count = 1000, first = 0;
var kinds = new List<FuzzKind>();
string outDir = Path.Combine(Directory.GetCurrentDirectory(), "fuzz-findings");
string? repro = null;
bool verbose = false, save = false;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    try
    {
        switch (args[i])
        {
            case "--seed": seed = ulong.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--count": count = long.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--first": first = long.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--kind": kinds.AddRange(Value().Split(',').Select(k => Enum.Parse<FuzzKind>(k, ignoreCase: true))); break;
            case "--out": outDir = Path.GetFullPath(Value()); break;
            case "--repro": repro = Value(); break;
            case "--verbose": verbose = true; break;
            case "--save": save = true; break;
            default: throw new ArgumentException($"unknown option {args[i]}");
        }
    }
    catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
    {
        Console.Error.WriteLine($"x86vm-fuzz: {e.Message}");
        Console.Error.WriteLine("usage: x86vm-fuzz --seed S --count N --kind elf|insn|syscall[,...] [--first I] [--out DIR] [--verbose] [--save] | --repro DIR");
        return 2;
    }
}

if (repro != null)
{
    FuzzInput input = FuzzInput.Load(repro);
    using var runner = new FuzzRunner();
    Outcome o = runner.Run(input);
    Console.WriteLine($"{input.Name}: {o.Kind} status {o.Status}, {o.Retired} instructions");
    if (o.Detail.Length > 0) Console.WriteLine(o.Detail);
    return o.IsFinding ? 1 : 0;
}

if (kinds.Count == 0) kinds.AddRange(Enum.GetValues<FuzzKind>());
int findings = 0;
foreach (FuzzKind kind in kinds)
{
    var session = new FuzzSession(kind, seed, outDir);
    Console.WriteLine($"{kind}: seed {seed}, inputs {first}..{first + count - 1}");
    session.Run(first, count,
        f => Console.WriteLine($"FINDING {f.Input.Name}: {f.Outcome.Signature}\n  {f.Outcome.Detail.Split('\n')[0]}\n  reproducer: {f.Reproducer}"),
        s => Console.WriteLine($"  {s.Inputs} inputs, {s.Rate:0} inputs/s, {s.Findings.Count} distinct findings"),
        verbose || save ? (input, o, time) =>
        {
            if (save) input.Save(Path.Combine(outDir, input.Name), $"{o.Kind} status {o.Status}");
            if (verbose) Console.WriteLine($"  {input.Name}: {o.Kind} {o.Status}, {o.Retired} instructions, {time.TotalMilliseconds:0} ms{(input.EagerJit ? ", eager JIT" : "")}");
        } : null);
    findings += session.Findings.Count;
    Console.WriteLine($"{kind}: {session.Inputs} inputs in {session.Elapsed.TotalSeconds:0.0} s = {session.Rate:0} inputs/s; " +
        string.Join(", ", session.Counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}")) +
        $"; {session.Retired / (ulong)Math.Max(1, session.Inputs)} instructions per input" +
        $"; {session.Signatures.Values.Sum()} findings, {session.Findings.Count} distinct");
}
return findings == 0 ? 0 : 1;
