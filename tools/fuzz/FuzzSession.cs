using System.Diagnostics;

namespace X86Vm.Fuzz;

/// <summary>
/// A run of <c>count</c> inputs of one kind from one seed: each input is generated from (seed, index) alone, run,
/// and every finding is kept (with its reproducer written when a directory is given). Findings with the same
/// signature are counted, and only the first of them gets a reproducer.
/// </summary>
public sealed class FuzzSession(FuzzKind kind, ulong seed, string? findingsDirectory = null)
{
    public readonly record struct Finding(FuzzInput Input, Outcome Outcome, string? Reproducer);

    public List<Finding> Findings { get; } = [];
    public Dictionary<string, int> Signatures { get; } = [];
    public Dictionary<OutcomeKind, long> Counts { get; } = [];
    public long Inputs { get; private set; }
    /// <summary>Instructions the inputs' first processes retired, in total: how much of the VM the inputs reach.</summary>
    public ulong Retired { get; private set; }
    public TimeSpan Elapsed => _clock.Elapsed;

    readonly Stopwatch _clock = new();

    public static FuzzInput Generate(FuzzKind kind, ulong seed, long index) => kind switch
    {
        FuzzKind.Elf => ElfGenerator.Generate(seed, index),
        FuzzKind.Insn => InstructionGenerator.Generate(seed, index),
        _ => SyscallGenerator.Generate(seed, index),
    };

    /// <summary>Runs inputs <paramref name="first"/> … first+count-1; <paramref name="onFinding"/> hears of each new signature.</summary>
    public void Run(long first, long count, Action<Finding>? onFinding = null, Action<FuzzSession>? onProgress = null,
        Action<FuzzInput, Outcome, TimeSpan>? onInput = null)
    {
        using var runner = new FuzzRunner();
        _clock.Start();
        TimeSpan lastReport = TimeSpan.Zero;
        for (long i = first; i < first + count; i++)
        {
            FuzzInput input = Generate(kind, seed, i);
            Outcome o;
            TimeSpan started = _clock.Elapsed;
            try { o = runner.Run(input); }
            catch (Exception e) // the runner itself failed (no thread could start: host memory exhausted)
            {
                o = new Outcome(OutcomeKind.Crash, -1, e.ToString());
            }
            Inputs++;
            Retired += o.Retired;
            onInput?.Invoke(input, o, _clock.Elapsed - started);
            Counts[o.Kind] = Counts.GetValueOrDefault(o.Kind) + 1;
            if (o.IsFinding)
            {
                int seen = Signatures.GetValueOrDefault(o.Signature);
                Signatures[o.Signature] = seen + 1;
                if (seen == 0)
                {
                    string? dir = findingsDirectory == null ? null : Path.Combine(findingsDirectory, input.Name);
                    if (dir != null) input.Save(dir, $"{o.Kind}\n{o.Detail}");
                    var f = new Finding(input, o, dir);
                    Findings.Add(f);
                    onFinding?.Invoke(f);
                }
            }
            if (onProgress != null && _clock.Elapsed - lastReport > TimeSpan.FromSeconds(10))
            {
                lastReport = _clock.Elapsed;
                onProgress(this);
            }
        }
        _clock.Stop();
    }

    public double Rate => Inputs / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
}
