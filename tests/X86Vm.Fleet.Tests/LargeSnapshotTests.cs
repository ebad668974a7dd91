using System.Diagnostics;
using System.Text;

namespace X86Vm.Fleet.Tests;

/// <summary>
/// A VM whose snapshot is several times the cluster's message limit moves between silos: the snapshot goes through the
/// store, never as one message, and the VM ends as an undisturbed run.
/// </summary>
public sealed class LargeSnapshotTests
{
    [Fact]
    public async Task VmFarLargerThanTheMessageLimitMovesThroughTheStore()
    {
        // 24 MiB of noise: the snapshot is about six times the 4 MiB message limit.
        string[] args = ["40", "24"];
        var reference = FleetPrograms.RunCli(5, null, args);
        await using var fleet = await FleetTestCluster.StartAsync(silos: 2);
        string id = await fleet.Fleet.Submit(FleetPrograms.Spec(5, args));
        var vm = fleet.Vm(id);
        VmStatus? status;
        while ((status = await vm.StatusAsync())!.Instructions < 30_000_000) await Task.Delay(50); // past the ballast
        Assert.Equal(VmPhase.Running, status.Phase);
        var clock = Stopwatch.StartNew();
        string to = await vm.Migrate(null);
        Assert.NotEqual(status.Silo, to);
        while ((status = await vm.StatusAsync())!.Silo != to && !status.Ended) await Task.Delay(10);
        Console.WriteLine($"moved {status.Instructions} units to {to} in {clock.ElapsedMilliseconds} ms");
        string checkpoint = Directory.GetFiles(Path.Combine(fleet.StoreDirectory, "blobs", id)).Single();
        Assert.True(new FileInfo(checkpoint).Length > 4 * FleetTestCluster.MessageLimit, $"the checkpoint is only {new FileInfo(checkpoint).Length} bytes");

        var ended = (await fleet.WaitAllAsync([id], TimeSpan.FromMinutes(2)))[id];
        Assert.Equal(1, ended.Moves);
        Assert.Equal(reference.StateHash, ended.StateHash);
        Assert.Equal(reference.Status, ended.ShellStatus);
        Assert.Equal(reference.Stdout, Encoding.UTF8.GetString((await vm.GetOutput()).Stdout));
    }
}
