using System.Reflection;
using X86Vm.Linux;
using X86Vm.Tests.Programs;

namespace X86Vm.Tests.Snapshots;

/// <summary>
/// Runs a deterministic program whole, or cut into slices where each slice ends in a snapshot that a new VM, restored
/// from a fresh copy of the bytes, continues: what the snapshot tests compare.
/// </summary>
static class SnapshotRuns
{
    public static VirtualMachineOptions Options(string program, string[] args, Stream stdout, IReadOnlyList<MountSpec>? mounts = null,
        X86Vm.Cpu.Instructions.CpuLevel? cpu = null)
        => GuestRunner.DeterministicOptions(program, args, stdout, mounts: mounts, jit: GuestRunner.RunJit,
            cpu: cpu ?? X86Vm.Cpu.Instructions.CpuLevels.Default);

    public static RestoreOptions Restore(Stream stdout, IReadOnlyList<MountSpec>? mounts = null) => new()
    {
        Stdout = stdout,
        Mounts = mounts,
        Stderr = new MemoryStream(),
        Jit = JitMode.Enabled,
        JitThreshold = JitMode.Threshold,
        JitSynchronous = JitMode.Synchronous,
    };

    /// <summary>The output, how it ended and the final state hash of one uninterrupted run.</summary>
    public static (string Stdout, RunResult Result, string Hash) Whole(string program, string[] args,
        X86Vm.Cpu.Instructions.CpuLevel? cpu = null)
    {
        var stdout = new MemoryStream();
        var vm = new VirtualMachine(Options(program, args, stdout, cpu: cpu));
        RunResult r = vm.Run(ulong.MaxValue);
        return (Text(stdout), r, Convert.ToHexString(vm.StateHash()));
    }

    /// <summary>
    /// The same run stopped at each of <paramref name="cuts"/> (total units), saved, and continued by a VM restored from
    /// a copy of the snapshot; also the kinds of wait the threads were blocked in at the cuts.
    /// </summary>
    public static (string Stdout, RunResult Result, string Hash, SortedSet<string> Waits) Cut(string program, string[] args,
        IEnumerable<ulong> cuts, X86Vm.Cpu.Instructions.CpuLevel? cpu = null)
    {
        var output = new System.Text.StringBuilder();
        var stdout = new MemoryStream();
        var vm = new VirtualMachine(Options(program, args, stdout, cpu: cpu));
        var waits = new SortedSet<string>(StringComparer.Ordinal);
        foreach (ulong cut in cuts)
        {
            RunResult slice = vm.Run(cut - vm.InstructionsExecuted);
            Assert.Equal(RunStatus.OutOfBudget, slice.Status);
            Assert.Equal(cut, slice.InstructionsRetired);
            foreach (var t in Kernel(vm).Threads)
                if (t.Waiting != null) waits.Add(t.Waiting.GetType().Name);
            var saved = new MemoryStream();
            vm.SaveSnapshot(saved);
            output.Append(Text(stdout));
            stdout = new MemoryStream();
            vm = VirtualMachine.LoadSnapshot(new MemoryStream(saved.ToArray()), Restore(stdout));
        }
        RunResult end = vm.Run(ulong.MaxValue);
        output.Append(Text(stdout));
        return (output.ToString(), end, Convert.ToHexString(vm.StateHash()), waits);
    }

    /// <summary>The VM's kernel (to see what its threads wait for; the public API has no view of threads yet).</summary>
    public static Kernel Kernel(VirtualMachine vm) =>
        (Kernel)typeof(VirtualMachine).GetField("_kernel", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(vm)!;

    public static string Text(MemoryStream s) => System.Text.Encoding.UTF8.GetString(s.ToArray());
}
