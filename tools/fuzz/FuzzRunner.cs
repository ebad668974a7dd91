using X86Vm.Linux.Host;

namespace X86Vm.Fuzz;

/// <summary>
/// Runs inputs in this process, one VM each, under tight limits: an instruction budget (deterministic), a wall-clock
/// limit for guests that sleep, and a hang guard around the whole call. The guest sees only a read-only directory
/// holding /prog and /interp plus a private /tmp, and no host network, so nothing it does reaches the host.
/// </summary>
public sealed class FuzzRunner : IDisposable
{
    /// <summary>Instructions all of an input's processes may retire.</summary>
    public const ulong InstructionBudget = 200_000;
    /// <summary>
    /// The budget of instruction-stream inputs: code that resumes after faults often ends in a loop or a long REP, and
    /// 20,000 instructions reach as far into the page as 200,000 at a tenth of the time.
    /// </summary>
    public const ulong InstructionStreamBudget = 20_000;
    /// <summary>Wall time the VM itself allows (sleeping guests end with status 124).</summary>
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(1);
    /// <summary>How long a run may take before it counts as a hang: far past the time limit, so load never trips it.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    readonly string _dir = Directory.CreateTempSubdirectory("x86vm-fuzz-").FullName;

    /// <summary>
    /// Runs the VMs: one long-lived thread rather than one per input (a million short-lived threads exhaust the
    /// host's thread ids in some sandboxes), replaced only when a hung VM keeps it.
    /// </summary>
    System.Collections.Concurrent.BlockingCollection<Action> _work = StartWorker();

    static System.Collections.Concurrent.BlockingCollection<Action> StartWorker()
    {
        var queue = new System.Collections.Concurrent.BlockingCollection<Action>();
        new Thread(() => { foreach (Action a in queue.GetConsumingEnumerable()) a(); }) { IsBackground = true, Name = "fuzz VM" }.Start();
        return queue;
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        Directory.Delete(_dir, true);
    }

    public Outcome Run(FuzzInput input)
    {
        File.WriteAllBytes(Path.Combine(_dir, "prog"), input.Program);
        string interp = Path.Combine(_dir, "interp");
        if (input.Interpreter != null) File.WriteAllBytes(interp, input.Interpreter);
        else File.Delete(interp);
        var diagnostics = new StringWriter();
        using var cancel = new CancellationTokenSource();
        var done = new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() => done.SetResult(RunVm(input, diagnostics, cancel.Token)));
        Task<Outcome> run = done.Task;
        if (!run.Wait(HangGuard))
        {
            cancel.Cancel();
            bool ended = run.Wait(TimeSpan.FromSeconds(10));
            if (!ended)
            {
                _work.CompleteAdding(); // the stuck thread is left behind; later inputs get a new one
                _work = StartWorker();
            }
            return new Outcome(OutcomeKind.Hang, -1, $"no return after {HangGuard.TotalSeconds} s{(ended ? "" : " (still running after cancellation)")}");
        }
        Outcome o = run.Result;
        string diag = diagnostics.ToString();
        if (!o.IsFinding && (diag.Contains("   at ", StringComparison.Ordinal) || diag.Contains("Exception", StringComparison.Ordinal)))
            return new Outcome(OutcomeKind.StackTrace, o.Status, diag);
        return o;
    }

    Outcome RunVm(FuzzInput input, StringWriter diagnostics, CancellationToken cancel)
    {
        try
        {
            var vm = new VirtualMachine(new VirtualMachineOptions
            {
                Program = "/prog",
                Arguments = ["a", ""],
                Environment = ["PATH=/", "A=b"],
                Mounts = [new MountSpec(_dir, "/", MountKind.ReadOnly), MountSpec.Tmpfs("/tmp")],
                WorkingDirectory = "/",
                Stdin = new MemoryStream(new byte[100]),
                Stdout = new DiscardStream(),
                Stderr = new DiscardStream(),
                Diagnostics = diagnostics,
                Entropy = new SeededEntropy(input.Seed ^ (ulong)input.Index),
                Jit = true,
                JitThreshold = input.EagerJit ? 1 : 1000,
                JitSynchronous = input.EagerJit,
                MaxMemory = 64 << 20,
                MaxTmpfs = 8 << 20,
                MaxProcesses = 8,
                MaxOpenFiles = 64,
                MaxTime = TimeLimit,
                MaxInstructions = input.Kind == FuzzKind.Insn ? InstructionStreamBudget : InstructionBudget,
            });
            int status = vm.Run(cancel);
            return new Outcome(OutcomeKind.Exited, status, "", vm.InstructionsRetired);
        }
        catch (VirtualMachineStartException e)
        {
            return e.Message.Contains('\n') || e.Message.Contains("Exception", StringComparison.Ordinal)
                ? new Outcome(OutcomeKind.StackTrace, e.ExitCode, e.Message)
                : new Outcome(OutcomeKind.Rejected, e.ExitCode, e.Message);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return new Outcome(OutcomeKind.Hang, -1, "cancelled by the hang guard");
        }
        catch (Exception e)
        {
            return new Outcome(OutcomeKind.Crash, -1, e.ToString());
        }
    }
}
