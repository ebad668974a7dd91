namespace X86Vm.Fleet.Tests;

/// <summary>The slice scheduler shares a silo's cores evenly between its running VMs (a round robin of slices).</summary>
public sealed class FairnessTests
{
    [Fact]
    public async Task RunningVmsGetEqualShares()
    {
        await using var fleet = await FleetTestCluster.StartAsync(silos: 1, sliceUnits: new FleetOptions().SliceUnits); // the default
        // Eight identical CPU-bound VMs, long enough to outlast the measurement.
        var ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => fleet.Fleet.Submit(FleetPrograms.Spec((ulong)i, "100000"))));
        await Task.Delay(TimeSpan.FromSeconds(1)); // all started
        var before = (await fleet.Fleet.List()).ToDictionary(s => s.Id, s => s.Instructions);
        await Task.Delay(TimeSpan.FromSeconds(4));
        var after = (await fleet.Fleet.List()).ToDictionary(s => s.Id, s => s.Instructions);
        var shares = ids.Select(id => (double)(after[id] - before[id])).ToList();
        Console.WriteLine($"units per VM in 4 s: {string.Join(", ", shares)}; max/min {shares.Max() / shares.Min():F2}");
        Assert.All(shares, s => Assert.True(s > 0));
        Assert.True(shares.Max() / shares.Min() < 1.5, $"unequal shares: {string.Join(", ", shares)}");
        foreach (string id in ids) await fleet.Vm(id).Delete();
    }
}
