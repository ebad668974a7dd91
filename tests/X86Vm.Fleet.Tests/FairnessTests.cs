namespace X86Vm.Fleet.Tests;

/// <summary>The slice scheduler shares a silo's cores evenly between its running VMs (a round robin of slices).</summary>
public sealed class FairnessTests
{
    [Fact]
    public async Task RunningVmsGetEqualShares()
    {
        ulong slice = new FleetOptions().SliceUnits; // the default
        await using var fleet = await FleetTestCluster.StartAsync(silos: 1, sliceUnits: slice);
        // Eight identical CPU-bound VMs, long enough to outlast the measurement.
        var ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => fleet.Fleet.Submit(FleetPrograms.Spec((ulong)i, "100000"))));
        // Shares are counted in units, not in wall time: a status shows a VM's count at the end of its last slice, so a
        // share is exact to one slice at either end, and the measurement lasts until every VM has run at least 30 slices
        // more (however loaded the machine; a fair round robin then gives shares within (30 + 2) / 30 of each other).
        const ulong slices = 30;
        Dictionary<string, ulong> before;
        while ((before = (await fleet.Fleet.List()).ToDictionary(s => s.Id, s => s.Instructions)).Values.Any(n => n == 0)) await Task.Delay(50);
        Dictionary<string, ulong> after;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while ((after = (await fleet.Fleet.List()).ToDictionary(s => s.Id, s => s.Instructions)).Any(kv => kv.Value - before[kv.Key] < slices * slice))
        {
            Assert.True(DateTime.UtcNow < deadline, "the VMs made too little progress");
            await Task.Delay(50);
        }
        var shares = ids.Select(id => (double)(after[id] - before[id])).ToList();
        Console.WriteLine($"units per VM: {string.Join(", ", shares)}; max/min {shares.Max() / shares.Min():F2}");
        Assert.True(shares.Max() / shares.Min() < 1.5, $"unequal shares: {string.Join(", ", shares)}");
        foreach (string id in ids) await fleet.Vm(id).Delete();
    }
}
