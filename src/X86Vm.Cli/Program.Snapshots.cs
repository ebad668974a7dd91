using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace X86Vm.Cli;

// Snapshots on the command line (docs/snapshots.md): `run --snapshot FILE` writes the VM when its instruction budget is
// spent (--max-instructions N, or --snapshot-at N) or x86vm gets SIGINT or SIGTERM, and `resume FILE` continues it,
// here or on another host.
static partial class Program
{
    /// <summary>The status of a run that stopped and wrote its snapshot (the program has not ended: resume it).</summary>
    internal const int SnapshotWrittenStatus = 121;

    static readonly Option<string?> SnapshotOption = new("--snapshot")
    {
        Description = "When the instruction budget is spent, or on SIGINT or SIGTERM, write the whole VM to FILE and exit with status " +
            "121 (continue it with x86vm resume FILE; docs/snapshots.md)",
    };
    static readonly Option<string?> SnapshotAtOption = new("--snapshot-at")
    {
        Description = "With --snapshot: stop after exactly N instructions (as --max-instructions N) and write the snapshot",
    };
    static readonly Option<string[]> ResumeMountOption = new("--mount")
    {
        Description = "Re-bind a host-backed mount of the snapshot: HOST:GUEST (the directory must hold what the saved VM's did). Repeatable",
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>--snapshot FILE and --snapshot-at N; --snapshot-at sets the budget. Null with a one-line error when malformed.</summary>
    internal static (string? File, Verifiable Verifiable)? ParseSnapshot(string? file, string? at, Verifiable verifiable, out string? error)
    {
        error = null;
        if (at == null) return (file, verifiable);
        if (file == null) error = "--snapshot-at needs --snapshot FILE";
        else if (verifiable.MaxInstructions != null) error = "--snapshot-at and --max-instructions both set the budget: give one";
        else if (ulong.TryParse(at, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) && n >= 1)
            return (file, verifiable with { MaxInstructions = n });
        else error = $"--snapshot-at {at}: expected a whole number of at least 1";
        return null;
    }

    static Command ResumeCommand()
    {
        var file = new Argument<string>("snapshot") { Description = "A snapshot file written by x86vm run --snapshot (or x86vm resume --snapshot)" };
        var resume = new Command("resume", "Continue a VM from a snapshot, exactly where it stopped") { file };
        var maxInstructions = new Option<string?>("--max-instructions")
        {
            Description = "Stop after exactly N more instructions, report \"out of budget\" and exit with status 122 (or 121 with --snapshot)",
        };
        resume.Options.Add(maxInstructions);
        resume.Options.Add(SnapshotOption);
        resume.Options.Add(StateHashOption);
        resume.Options.Add(StatsOption);
        resume.Options.Add(StraceOption);
        resume.Options.Add(ResumeMountOption);
        resume.Options.Add(JitOption);
        resume.Options.Add(JitThresholdOption);
        resume.Options.Add(MaxTimeOption);
        resume.SetAction(parse =>
        {
            ulong? more = null;
            if (parse.GetValue(maxInstructions) is string m)
            {
                if (!ulong.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) || n < 1)
                    return Fail($"--max-instructions {m}: expected a whole number of at least 1");
                more = n;
            }
            var mounts = new List<MountSpec>();
            foreach (string text in parse.GetValue(ResumeMountOption) ?? [])
            {
                MountSpec? spec = MountSpec.Parse(text, out string? error);
                if (spec == null) return Fail(error!);
                if (!Directory.Exists(spec.HostPath)) return Fail($"--mount {text}: No such directory {spec.HostPath}");
                mounts.Add(spec);
            }
            var limits = ParseLimits(null, null, null, null, parse.GetValue(MaxTimeOption), out string? limitError);
            if (limits == null) return Fail(limitError!);
            return Resume(parse.GetValue(file)!, more, parse.GetValue(SnapshotOption), parse.GetValue(StateHashOption), parse.GetValue(StatsOption),
                parse.GetValue(StraceOption), mounts, parse.GetValue(JitOption) != "off", parse.GetValue(JitThresholdOption), limits.Value.Time);
        });
        return resume;
    }

    static int Fail(string message)
    {
        Console.Error.WriteLine($"x86vm: {message}");
        return 125;
    }

    static int Resume(string file, ulong? more, string? snapshot, bool stateHash, bool stats, bool strace, List<MountSpec> mounts, bool jit,
        int jitThreshold, TimeSpan? maxTime)
    {
        Stream stderr = Console.OpenStandardError();
        var diagnostics = new StreamWriter(stderr) { AutoFlush = true };
        VirtualMachine vm;
        try
        {
            using FileStream source = File.OpenRead(file);
            vm = VirtualMachine.LoadSnapshot(source, new RestoreOptions
            {
                Stdin = Console.OpenStandardInput(),
                Stdout = Console.OpenStandardOutput(),
                Stderr = stderr,
                Diagnostics = diagnostics,
                Strace = strace ? diagnostics : null,
                Mounts = mounts,
                Jit = jit,
                JitThreshold = jitThreshold,
                MaxTime = maxTime,
            });
        }
        catch (Exception e) when (e is SnapshotFormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            diagnostics.WriteLine($"x86vm: {file}: {e.Message}");
            return 125;
        }
        ulong now = vm.InstructionsExecuted;
        vm.InstructionBudget = more is ulong n ? (n > ulong.MaxValue - now ? ulong.MaxValue : now + n) : null;
        return Finish(vm, diagnostics, stats, stateHash, snapshot);
    }

    /// <summary>
    /// Runs a VM to its end or its budget and reports as `run` does: the "out of budget" line, the snapshot (status 121),
    /// the state hash, the statistics. Returns the command's status.
    /// </summary>
    static int Finish(VirtualMachine vm, TextWriter diagnostics, bool stats, bool stateHash, string? snapshot)
    {
        var clock = Stopwatch.StartNew();
        ulong startRetired = vm.InstructionsRetired;
        // With --snapshot, SIGINT and SIGTERM stop the VM at its next scheduling point and save it (without, they end x86vm).
        using var interrupt = new CancellationTokenSource();
        string? stoppedBy = null;
        void Stop(PosixSignalContext c, string name)
        {
            c.Cancel = true;
            stoppedBy ??= name;
            interrupt.Cancel();
        }
        using var sigint = snapshot != null ? PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Stop(c, "SIGINT")) : null;
        using var sigterm = snapshot != null ? PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Stop(c, "SIGTERM")) : null;
        int status;
        bool interrupted = false;
        try
        {
            status = vm.Run(interrupt.Token);
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            interrupted = true;
            status = 128 + (stoppedBy == "SIGINT" ? 2 : 15);
            diagnostics.WriteLine($"x86vm: stopped by {stoppedBy} after {vm.InstructionsExecuted} instructions executed");
        }
        if (vm.OutOfBudget)
            diagnostics.WriteLine($"x86vm: out of budget: {vm.InstructionsExecuted} of {vm.InstructionBudget} instructions executed " +
                $"({vm.InstructionsRetired} retired by the program's main thread)");
        if (vm.OutOfBudget || interrupted)
        {
            if (snapshot != null)
            {
                try
                {
                    // Written beside, then renamed: an interrupted write never leaves a half snapshot under the name.
                    string temporary = snapshot + ".part";
                    using (FileStream destination = File.Create(temporary)) vm.SaveSnapshot(destination);
                    File.Move(temporary, snapshot, overwrite: true);
                    diagnostics.WriteLine($"x86vm: snapshot written to {snapshot} (continue with: x86vm resume {snapshot})");
                    status = SnapshotWrittenStatus;
                }
                catch (Exception e) when (e is SnapshotNotSupportedException or IOException or UnauthorizedAccessException)
                {
                    diagnostics.WriteLine($"x86vm: cannot write the snapshot: {e.Message}");
                    status = 125;
                }
            }
        }
        if (stateHash)
            diagnostics.WriteLine($"x86vm: state hash {Convert.ToHexStringLower(vm.StateHash())}" +
                (vm.Deterministic ? "" : " (not deterministic: it includes the host clock; see --deterministic)"));
        if (stats)
        {
            double seconds = clock.Elapsed.TotalSeconds;
            ulong retired = vm.InstructionsRetired - startRetired;
            diagnostics.WriteLine($"x86vm: {retired} instructions in {seconds:F3} s ({retired / seconds / 1e6:F1} MIPS); " +
                $"{vm.InstructionsExecuted} units metered in the whole VM (docs/metering.md)");
            if (vm.Jit is { } jit)
                diagnostics.WriteLine($"x86vm: JIT: {jit.Regions} regions, {jit.Instructions} instructions compiled in " +
                    $"{jit.CompileTime.TotalSeconds:F3} s ({(jit.Instructions == 0 ? 0 : jit.CompileTime.TotalMicroseconds / jit.Instructions):F0} µs each)");
        }
        return status;
    }
}
