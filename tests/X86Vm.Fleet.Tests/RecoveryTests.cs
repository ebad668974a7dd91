using System.Text;

namespace X86Vm.Fleet.Tests;

/// <summary>
/// A silo killed mid-run: its VMs continue from their last checkpoint on the other silos and end exactly as undisturbed
/// runs (output, status, state hash). The multi-process version on PostgreSQL is PostgresFleetTests.
/// </summary>
public sealed class RecoveryTests
{
    [Fact]
    public async Task VmsOfAKilledSiloResumeFromTheirCheckpointsElsewhere()
    {
        const int count = 8;
        var references = Enumerable.Range(0, 4).AsParallel().AsOrdered().WithDegreeOfParallelism(2).Select(i => FleetPrograms.RunCli((ulong)i, null, (40 + i).ToString())).ToArray();
        await using var fleet = await FleetTestCluster.StartAsync(silos: 3, checkpointUnits: 4_000_000);
        var ids = await Task.WhenAll(Enumerable.Range(0, count).Select(i => fleet.Fleet.Submit(FleetPrograms.Spec((ulong)(i % 4), (40 + i % 4).ToString()))));

        // Kill a silo (not the primary, which holds the test cluster's membership) with four VMs on it, early in their
        // runs, once each has a checkpoint there.
        var victim = fleet.Cluster.SecondarySilos[0];
        string victimName = victim.SiloAddress.Endpoint.ToString();
        var moved = ids.Take(4).ToHashSet();
        await Task.WhenAll(moved.Select(async id =>
        {
            if ((await fleet.Vm(id).GetStatus())!.Silo != victimName) Assert.Equal(victimName, await fleet.Vm(id).Migrate(victimName));
        }));
        while ((await fleet.Fleet.List()).Any(s => moved.Contains(s.Id) && (s.Silo != victimName || s.CheckpointInstructions == 0)))
            await Task.Delay(50);
        // The lost VMs: those moved there and any the fleet placed there itself.
        var lost = (await fleet.Fleet.List()).Where(s => s.Silo == victimName && s.Phase == VmPhase.Running).Select(s => s.Id).ToHashSet();
        Assert.Superset(moved, lost);
        await fleet.Cluster.KillSiloAsync(victim);

        var ended = await fleet.WaitAllAsync(ids, TimeSpan.FromMinutes(3));
        for (int i = 0; i < count; i++)
        {
            var reference = references[i % 4];
            VmStatus status = ended[ids[i]];
            Assert.Equal(reference.StateHash, status.StateHash);
            Assert.Equal(reference.Status, status.ShellStatus);
            Assert.Equal(reference.Stdout, Encoding.UTF8.GetString((await fleet.Vm(ids[i]).GetOutput()).Stdout));
            Assert.Equal(lost.Contains(ids[i]) ? 1 : 0, status.Resumes); // the lost VMs resumed once, no other did
        }
    }
}
