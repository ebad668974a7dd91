namespace X86Vm.Tests.Oracle;

/// <summary>
/// Runs cases natively (batched) and in the emulator and lists the differences. Where the architecture leaves
/// a choice — a result it leaves undefined (<see cref="UndefinedResults"/>), which of several faulting
/// accesses is reported (<see cref="OracleCase.FaultChoices"/>) — any CPU's choice is accepted from the host.
/// </summary>
public static class OracleCheck
{
    public static List<string> Run(IReadOnlyList<OracleCase> cases) => Run(cases, out _);

    public static List<string> Run(IReadOnlyList<OracleCase> cases, out TimeSpan native)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<OracleState> host = NativeOracle.Shared.Run(cases.Select(c => c.Input).ToList());
        native = clock.Elapsed;
        // The emulator runs are independent: spread them over the cores.
        var results = new List<string>?[cases.Count];
        Parallel.For(0, cases.Count, i =>
        {
            OracleCase c = cases[i];
            List<string> d;
            try
            {
                d = Differences(c, host[i], VmOracleRunner.Run(c.Input, c.MaxInstructions));
            }
            catch (Exception e)
            {
                d = [$"emulator threw {e.GetType().Name}: {e.Message}"];
            }
            if (d.Count > 0) results[i] = d;
        });
        var failures = new List<string>();
        for (int i = 0; i < cases.Count; i++)
        {
            if (results[i] is not { } d) continue;
            OracleCase c = cases[i];
            failures.Add($"#{i} {c.Label} [{Convert.ToHexString(c.Input.Code)}] host signal {host[i].Signal}/{host[i].SiCode} " +
                         $"rip IA{host[i].FaultRipOffset:+#;-#;+0}\n  input: {Describe(c.Input)}\n  " + string.Join("\n  ", d));
        }
        return failures;
    }

    /// <summary>How the VM's result of one case differs from the host's (empty: it matches).</summary>
    public static List<string> Differences(OracleCase c, OracleState host, OracleState vm)
    {
        vm = vm.Clone();
        List<string> d = UndefinedResults.Adopt(c, host, vm);
        d.AddRange(VmOracleRunner.Compare(Expected(c, host, vm, d), vm, c.FlagsMask));
        return d;
    }

    /// <summary>
    /// The host's result, with the VM's fault report in place of the host's when the case's instruction has
    /// more than one faulting access and both sides reported one of those faults (which one is the CPU's
    /// choice); everything else must still match. A host report outside the choices means the fault model
    /// of <see cref="OracleFault.OfAccess"/> is wrong, which is a failure in itself.
    /// </summary>
    static OracleState Expected(OracleCase c, OracleState host, OracleState vm, List<string> d)
    {
        if (c.FaultChoices.Count == 0 || host.Signal == 0) return host;
        if (!c.FaultChoices.Contains(OracleFault.Of(host)))
        {
            d.Add($"host fault {OracleFault.Of(host)} is none of the predicted {string.Join(", ", c.FaultChoices)}");
            return host;
        }
        if (!c.FaultChoices.Contains(OracleFault.Of(vm))) return host;
        OracleState expected = host.Clone();
        (expected.Signal, expected.SiCode, expected.SiAddr) = (vm.Signal, vm.SiCode, vm.SiAddr);
        return expected;
    }

    static string Describe(OracleState s)
    {
        var parts = new List<string>();
        for (int i = 0; i < 16; i++) parts.Add($"{OracleState.GprNames[i]}={s.Gpr[i]:X}");
        parts.Add($"fl={s.Rflags & OracleState.DefaultFlagsMask:X}");
        if (s.FsBase != 0) parts.Add($"fs={s.FsBase:X}");
        if (s.GsBase != 0) parts.Add($"gs={s.GsBase:X}");
        return string.Join(" ", parts);
    }
}
