using System.Collections.Concurrent;
using System.Text;

namespace X86Vm.Fleet.Tests;

/// <summary>
/// VMs moved between the silos of a test cluster while they run end exactly as the same program under
/// <c>x86vm run --deterministic --state-hash</c>: the same output, status and state hash.
/// </summary>
public sealed class MigrationTests
{
    /// <summary>
    /// The distinct runs (rounds, seed, budget) the 100 VMs make; VM i makes run i % 16. Runs 0, 4, 8 and 12 (the VMs
    /// moved three times) are 60 rounds (~100 M units), long enough on a loaded machine for three moves 2 M units apart
    /// to come before they end (with 24 rounds, 9 of 25 once ended before their second move); runs 2, 6, 10 and 14
    /// (moved once) stop out of budget mid-computation, where the state hash covers the whole live memory (after an exit
    /// little state is left).
    /// </summary>
    static readonly (string Rounds, ulong Seed, ulong? Budget)[] Variants =
        [.. Enumerable.Range(0, 16).Select(i => ((i % 4 == 0 ? 60 : 12 + i % 6).ToString(), (ulong)i * 7 + 1, i % 4 == 2 ? 15_000_000 + (ulong)i * 1001 : (ulong?)null))];

    static readonly Lazy<FleetPrograms.Reference[]> References = new(() =>
    {
        var results = new FleetPrograms.Reference[Variants.Length];
        Parallel.For(0, Variants.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 },
            i => results[i] = FleetPrograms.RunCli(Variants[i].Seed, Variants[i].Budget, Variants[i].Rounds));
        return results;
    });

    [Fact]
    public async Task HundredVmsHalfMovedMidRunEndAsUndisturbedRuns()
    {
        var references = References.Value;
        await using var fleet = await FleetTestCluster.StartAsync(silos: 2);
        const int count = 100;
        // Every even VM moves once it has run a little; every fourth moves again after each further stretch, up to three
        // times. A move counts only when the VM was running at the time (moving an ended VM is refused).
        var moves = new ConcurrentDictionary<string, int>();
        var silos = await fleet.Fleet.Silos();
        var ids = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            var (rounds, seed, budget) = Variants[i % Variants.Length];
            string id = await fleet.Fleet.Submit(FleetPrograms.Spec(seed, rounds) with { Budget = budget });
            int wanted = i % 4 == 0 ? 3 : i % 2 == 0 ? 1 : 0;
            var vm = fleet.Vm(id);
            for (int move = 0; move < wanted; move++)
            {
                VmStatus? before;
                while ((before = await vm.StatusAsync()) is { Phase: VmPhase.Running } && before.Instructions < (ulong)(move + 1) * 2_000_000)
                    await Task.Delay(100);
                if (before is not { Phase: VmPhase.Running }) break;
                try
                {
                    // (Not compared with before.Silo: the activation a move leaves answers status calls until it goes, so
                    // that may name the silo the VM is leaving.)
                    string to = await vm.Migrate(null);
                    Assert.Contains(to, silos);
                    moves.AddOrUpdate(id, 1, (_, n) => n + 1);
                }
                catch (InvalidOperationException e) // it ended between the status and the move
                {
                    Console.WriteLine($"{id}: no move {move + 1}: {e.Message}");
                    break;
                }
            }
            return id;
        }));

        var ended = await fleet.WaitAllAsync(ids, TimeSpan.FromMinutes(4));
        for (int i = 0; i < count; i++)
        {
            var reference = references[i % Variants.Length];
            VmStatus status = ended[ids[i]];
            VmOutput output = await fleet.Vm(ids[i]).GetOutput();
            Assert.Equal(Variants[i % Variants.Length].Budget == null ? VmPhase.Exited : VmPhase.OutOfBudget, status.Phase);
            Assert.Equal(reference.Stdout, Encoding.UTF8.GetString(output.Stdout));
            Assert.Equal(reference.Status, status.ShellStatus);
            Assert.Equal(reference.StateHash, status.StateHash);
            Assert.Equal(moves.GetValueOrDefault(ids[i]), status.Moves);
            Assert.Equal(0, status.Resumes); // every move landed where it was sent: none fell back to resuming from its checkpoint
        }
        Console.WriteLine($"{moves.Count} of {count} VMs moved mid-run, {moves.Values.Count(n => n > 1)} more than once, {moves.Values.Sum()} moves");
        // The point of the test: many VMs really moved mid-run, several of them more than once.
        Assert.True(moves.Count >= count * 2 / 5, $"only {moves.Count} VMs moved while running");
        Assert.True(moves.Values.Count(n => n > 1) >= count / 5, $"only {moves.Values.Count(n => n > 1)} VMs moved more than once");
    }
}
