using X86Vm.Tests.Programs;

namespace X86Vm.Tests.Embedding;

/// <summary>
/// <see cref="VirtualMachine.Dispose"/>: a VM leaves no host descriptor behind — after 1000 create/run/dispose cycles,
/// or disposed mid-run with a host file open, or with a GDB stub listening — and a disposed VM refuses every call.
/// </summary>
[Collection(nameof(DisposeTests))]
public class DisposeTests
{
    /// <summary>The tests count the test process's descriptors: they run alone, after every parallel test.</summary>
    [CollectionDefinition(nameof(DisposeTests), DisableParallelization = true)]
    public sealed class RunAlone;

    /// <summary>
    /// The test process's descriptors, without the assemblies the runtime maps as code first runs (two descriptors per
    /// assembly, at any moment) and without pipes (a VM's pipes are its own memory; the test runner and child processes
    /// of other tests open and close host pipes at any moment): files, directories and sockets, what a VM could leak.
    /// </summary>
    static int HostDescriptors() => Descriptors().Count;

    /// <summary>The descriptor count once it equals <paramref name="expected"/>, or after half a second of differing.</summary>
    static int Settled(int expected)
    {
        int n = HostDescriptors();
        for (int i = 0; i < 50 && n != expected; i++)
        {
            Thread.Sleep(10); // another thread's descriptor that is about to close; a leaked one stays
            n = HostDescriptors();
        }
        return n;
    }

    // Every entry: GetFiles would leave out the descriptors of directories (a mount's handle on its host directory).
    static List<string> Descriptors() => Directory.GetFileSystemEntries("/proc/self/fd").Select(f =>
    {
        try { return $"{Path.GetFileName(f)} -> {new FileInfo(f).LinkTarget}"; }
        catch (IOException) { return f; } // closed meanwhile
    }).Where(d => !d.EndsWith(".dll", StringComparison.Ordinal) && !d.EndsWith(".so", StringComparison.Ordinal) && !d.Contains(" -> pipe:")).ToList();

    /// <summary>
    /// The count to compare with: after the collector has finalized what earlier tests dropped without disposing (their
    /// handles would otherwise close at random moments of the measurement).
    /// </summary>
    static int Baseline()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return HostDescriptors();
    }

    static string Describe() => string.Join("\n", Descriptors());

    static VirtualMachine Vm(string program, params string[] args) => new(new VirtualMachineOptions
    {
        Program = program,
        Arguments = args,
        Environment = GuestRunner.Environment,
        Stdout = new MemoryStream(),
        WorkingDirectory = "/",
        // Host directories read-only and copy-on-write, and a read-write one: every kind that holds a host handle.
        Mounts = [new MountSpec("/", "/", MountKind.ReadOnly), new MountSpec(GuestRunner.RepoRoot, GuestRunner.RepoRoot, MountKind.CopyOnWrite),
            new MountSpec(Path.Combine(GuestRunner.RepoRoot, "tests"), "/work", MountKind.ReadWrite), MountSpec.Tmpfs("/tmp")],
        Deterministic = true,
        Jit = false,
    });

    static string Hello() => TestPrograms.All().First(c => c is { Name: "hello", Variant: "gcc-O2" }).Binary;

    [Fact]
    public void ThousandCyclesLeaveNoDescriptor()
    {
        string hello = Hello();
        using (VirtualMachine warm = Vm(hello)) warm.Run(ulong.MaxValue); // the runtime's own lazily opened handles
        int before = Baseline();
        for (int i = 0; i < 1000; i++)
        {
            VirtualMachine vm = Vm(hello);
            // Every other VM is disposed in the middle of its run, with its process alive.
            RunResult r = vm.Run(i % 2 == 0 ? ulong.MaxValue : 5_000);
            Assert.Equal(i % 2 == 0 ? RunStatus.Exited : RunStatus.OutOfBudget, r.Status);
            vm.Dispose();
            // At once, not when the collector finalizes what a VM left behind.
            int after = Settled(before);
            Assert.True(before == after, $"cycle {i}: {after} descriptors, {before} before:\n{Describe()}");
        }
    }

    [Fact]
    public void DisposeClosesTheGuestsHostFiles()
    {
        string program = EmbeddingPrograms.Binary("holdfile");
        int before = Baseline();
        VirtualMachine vm = Vm(program, "/work/programs/embedding/holdfile.c"); // the read-write mount: a host file descriptor
        Assert.Equal(RunStatus.OutOfBudget, vm.Run(100_000).Status);
        int during = HostDescriptors();
        Assert.True(during > before, $"{during} descriptors while the guest holds a host file, {before} before");
        vm.Dispose();
        Assert.Equal(before, Settled(before));
        vm.Dispose(); // twice is harmless
    }

    [Fact]
    public void DisposeClosesTheGdbListener()
    {
        GdbVm().Dispose(); // the runtime's socket engine (its epoll and wake-up descriptors) opens once per process
        int before = Baseline();
        VirtualMachine vm = GdbVm();
        Assert.NotNull(vm.GdbEndPoint);
        Assert.True(HostDescriptors() > before);
        vm.Dispose();
        Assert.Equal(before, Settled(before));
    }

    static VirtualMachine GdbVm() => new(new VirtualMachineOptions
        {
            Program = Hello(),
            Mounts = [new MountSpec("/", "/", MountKind.ReadOnly)],
            WorkingDirectory = "/",
            Gdb = "127.0.0.1:0",
            Diagnostics = TextWriter.Null,
        });

    [Fact]
    public void FailedStartLeavesNoDescriptor()
    {
        int before = Baseline();
        for (int i = 0; i < 20; i++)
            Assert.Equal(127, Assert.Throws<VirtualMachineStartException>(() => Vm("/no/such/program")).ExitCode);
        Assert.Equal(before, Settled(before));
    }

    [Fact]
    public void DisposedVmRefusesCalls()
    {
        VirtualMachine vm = Vm(Hello());
        Assert.Equal(RunStatus.OutOfBudget, vm.Run(1000).Status);
        int pid = vm.ProcessId;
        vm.Dispose();
        Assert.Throws<ObjectDisposedException>(() => vm.Run(1000));
        Assert.Throws<ObjectDisposedException>(() => vm.Run(CancellationToken.None));
        Assert.Throws<ObjectDisposedException>(() => vm.StateHash());
        Assert.Throws<ObjectDisposedException>(() => vm.ReadMemory(pid, 0x400000, new byte[1]));
        Assert.Throws<ObjectDisposedException>(() => vm.WriteMemory(pid, 0x400000, new byte[1]));
        Assert.Throws<ObjectDisposedException>(() => vm.ReadRegister(pid, GuestRegister.Rip));
        Assert.Throws<ObjectDisposedException>(() => vm.WriteRegister(pid, GuestRegister.Rip, 0));
        Assert.Throws<ObjectDisposedException>(() => vm.SyscallFilter = null);
        Assert.Throws<ObjectDisposedException>(() => vm.SetInstructionCallback(1, null));
        Assert.Throws<ObjectDisposedException>(() => vm.WatchMemory(pid, 0x400000, 1, X86Vm.Cpu.Memory.WatchKind.Write, _ => { }));
    }

    [Fact]
    public void HookRunningItsOwnVmIsRefused()
    {
        using VirtualMachine vm = Vm(Hello());
        Exception? inner = null;
        vm.SetInstructionCallback(1000, v =>
        {
            inner = Record.Exception(() => v.Run(10));
            return HookAction.Stop;
        });
        Assert.Equal(RunStatus.Stopped, vm.Run(ulong.MaxValue).Status);
        Assert.IsType<InvalidOperationException>(inner);
    }
}
