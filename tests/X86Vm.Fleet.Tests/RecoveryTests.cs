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
        // 120-123 rounds (~200 M units each): the kill below comes once the moved VMs have a checkpoint (4 M units), so
        // it lands early in their runs; which VMs were really running there when it came is read from the store after it.
        var references = Enumerable.Range(0, 4).AsParallel().AsOrdered().WithDegreeOfParallelism(2).Select(i => FleetPrograms.RunCli((ulong)i, null, (120 + i).ToString())).ToArray();
        await using var fleet = await FleetTestCluster.StartAsync(silos: 3, checkpointUnits: 4_000_000);
        var ids = await Task.WhenAll(Enumerable.Range(0, count).Select(i => fleet.Fleet.Submit(FleetPrograms.Spec((ulong)(i % 4), (120 + i % 4).ToString()))));

        // Kill a silo (not the primary, which holds the test cluster's membership) with four VMs on it, early in their
        // runs, once each has a checkpoint there.
        var victim = fleet.Cluster.SecondarySilos[0];
        string victimName = victim.SiloAddress.Endpoint.ToString();
        var moved = ids.Take(4).ToHashSet();
        await Task.WhenAll(moved.Select(async id =>
        {
            if ((await fleet.Vm(id).StatusAsync())!.Silo != victimName) Assert.Equal(victimName, await fleet.Vm(id).Migrate(victimName));
        }));
        while ((await fleet.Fleet.List()).Any(s => moved.Contains(s.Id) && (s.Silo != victimName || s.CheckpointInstructions == 0)))
            await Task.Delay(50);
        var there = (await fleet.Fleet.List()).Where(s => s.Silo == victimName).Select(s => s.Id).ToList();
        await fleet.Cluster.KillSiloAsync(victim);
        // The lost VMs: those on it (moved there or placed there by the fleet) that had not ended when it died, as its
        // records in the store show (nor handed off: an in-process kill might let the silo deactivate them cleanly).
        var records = there.Select(id => VmRecord.FromJson(File.ReadAllText(Path.Combine(fleet.StoreDirectory, "vms", id + ".json")))).ToList();
        var lost = there.Where((id, i) => records[i] is { Phase: VmPhase.Running, HandedOff: false }).ToHashSet();
        Assert.NotEmpty(lost);

        var ended = await fleet.WaitAllAsync(ids, TimeSpan.FromMinutes(3));
        for (int i = 0; i < count; i++)
        {
            var reference = references[i % 4];
            VmStatus status = ended[ids[i]];
            Assert.Equal(reference.StateHash, status.StateHash);
            Assert.Equal(reference.Status, status.ShellStatus);
            Assert.Equal(reference.Stdout, Encoding.UTF8.GetString((await fleet.Vm(ids[i]).GetOutput()).Stdout));
            // The lost VMs resumed once, no other did (those of live silos that Orleans deactivated because the dead silo
            // held their directory entries checkpointed first: a hand-off, not a resume).
            Assert.Equal(lost.Contains(ids[i]) ? 1 : 0, status.Resumes);
        }
    }
}
