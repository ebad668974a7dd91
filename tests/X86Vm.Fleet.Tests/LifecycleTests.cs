using System.Text;

namespace X86Vm.Fleet.Tests;

/// <summary>A VM's life on one silo: a program that cannot start, stop and resume, budget, delete.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task StopResumeFailAndDelete()
    {
        // 300 rounds (about 600 M units): long enough that the stop below comes mid-run on a fast host (30 ended first).
        var reference = FleetPrograms.RunCli(9, null, "300");
        await using var fleet = await FleetTestCluster.StartAsync(silos: 1);

        string missing = await fleet.Fleet.Submit(FleetPrograms.Spec(0) with { Program = "/work/no-such-program" });
        VmStatus failed = (await fleet.Vm(missing).GetStatus())!;
        Assert.Equal(VmPhase.Failed, failed.Phase);
        Assert.Equal(127, failed.ShellStatus); // as x86vm run reports a missing program
        Assert.Contains("no-such-program", failed.Error);

        // Stopped, a VM stays where it is; resumed, it ends as the undisturbed run.
        string id = await fleet.Fleet.Submit(FleetPrograms.Spec(9, "300"));
        var vm = fleet.Vm(id);
        while ((await vm.GetStatus())!.Instructions < 3_000_000) await Task.Delay(20);
        await vm.Stop();
        VmStatus stopped = (await vm.GetStatus())!;
        Assert.Equal(VmPhase.Stopped, stopped.Phase);
        Assert.Equal(stopped.Instructions, stopped.CheckpointInstructions); // a stop checkpoints
        await Task.Delay(500);
        Assert.Equal(stopped.Instructions, (await vm.GetStatus())!.Instructions);
        Assert.Equal(stopped.StateHash, (await vm.GetStatus())!.StateHash);
        await vm.Resume();
        VmStatus ended = (await fleet.WaitAllAsync([id], TimeSpan.FromMinutes(2)))[id];
        Assert.Equal(reference.StateHash, ended.StateHash);
        Assert.Equal(reference.Stdout, Encoding.UTF8.GetString((await vm.GetOutput()).Stdout));

        await vm.Delete();
        Assert.Null(await vm.GetStatus());
        Assert.False(Directory.Exists(Path.Combine(fleet.StoreDirectory, "blobs", id)));
        Assert.DoesNotContain(id, (await fleet.Fleet.List()).Select(s => s.Id));
    }
}
