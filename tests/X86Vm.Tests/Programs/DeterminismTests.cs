using System.Diagnostics;

namespace X86Vm.Tests.Programs;

/// <summary>
/// The verifiable VM (docs/determinism.md, docs/metering.md, docs/state-hash.md): in deterministic mode the same program,
/// input and seed give the same output, instruction count and state hash on every run and in both execution tiers
/// (interpreter only, and every block compiled from its second run); a run in budget slices stops at exactly each
/// budget and ends like one run; the hash changes with one byte of memory, one register or one file of the VM's own.
/// </summary>
public class DeterminismTests
{
    static readonly StaticProgramSuite Suite = new("determinism");

    static string Binary(string name, string variant) =>
        Suite.Build(name, variant) ?? throw new InvalidOperationException($"{variant} is not installed");

    public static TheoryData<string> Variants() => new("gcc", "musl");

    /// <summary>The tiers every exactness test runs in: the interpreter, and the block compiler at threshold 1.</summary>
    public static TheoryData<bool> Tiers() => new(false, true);

    sealed record Outcome(string Stdout, string Stderr, int Status, ulong Instructions, string Hash);

    static VirtualMachine NewVm(string program, string[] args, byte[] stdin, bool jit, MemoryStream stdout, MemoryStream stderr,
        ulong seed = 7, ulong? budget = null, IReadOnlyList<MountSpec>? mounts = null, bool defaultJit = false) =>
        new(GuestRunner.DeterministicOptions(program, args, stdout, new MemoryStream(stdin), stderr, mounts: mounts,
            jit: jit ? (1, true) : defaultJit ? (1000, false) : null, seed: seed, budget: budget));

    /// <summary>One run; <paramref name="jit"/> compiles every block from its second run, else interpreted unless <paramref name="defaultJit"/>
    /// (hot blocks compiled in the background, as by default: when compiled code arrives depends on the host).</summary>
    static Outcome RunOnce(string program, string[] args, byte[] stdin, bool jit, ulong seed = 7, ulong? budget = null,
        IReadOnlyList<MountSpec>? mounts = null, bool defaultJit = false)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        VirtualMachine vm = NewVm(program, args, stdin, jit, stdout, stderr, seed, budget, mounts, defaultJit);
        using var cancel = new CancellationTokenSource(GuestRunner.Timeout);
        int status = vm.Run(cancel.Token);
        return new Outcome(System.Text.Encoding.UTF8.GetString(stdout.ToArray()), System.Text.Encoding.UTF8.GetString(stderr.ToArray()),
            status, vm.InstructionsExecuted, Convert.ToHexStringLower(vm.StateHash()));
    }

    static readonly byte[] Input = "one line of input\nand another\n"u8.ToArray();

    [Theory]
    [MemberData(nameof(Variants))]
    public void ThreadsProcessesSignalsAndTimersRepeatExactlyInBothTiers(string variant)
    {
        string mix = Binary("mix", variant);
        Outcome first = RunOnce(mix, [], Input, jit: false);
        Assert.Equal(0, first.Status);
        Assert.Contains("worker 3:", first.Stdout);
        Assert.Contains("alarms 3", first.Stdout);
        Assert.Contains("reaped 1005 status 10", first.Stdout);
        Assert.Contains($"stdin {Math.Min(64, Input.Length)} bytes", first.Stdout);
        Assert.Equal(first, RunOnce(mix, [], Input, jit: false));
        Assert.Equal(first, RunOnce(mix, [], Input, jit: true));
        Assert.Equal(first, RunOnce(mix, [], Input, jit: true));

        // The seed is the entropy: another seed draws other numbers (and so runs other instruction counts).
        Outcome other = RunOnce(mix, [], Input, jit: false, seed: 8);
        Assert.NotEqual(first.Stdout, other.Stdout);
        Assert.NotEqual(first.Hash, other.Hash);
    }

    /// <summary>
    /// Many VMs in one process share nothing mutable: eight deterministic VMs running at once, each on a thread of its own
    /// (half with the background compiler, as embedders run them, half compiling every block), compute exactly what one
    /// VM computes alone: the same output, instruction count and state hash.
    /// </summary>
    [Fact]
    public async Task ConcurrentVmsComputeWhatOneComputesAlone()
    {
        string mix = Binary("mix", "gcc");
        Outcome alone = RunOnce(mix, [], Input, jit: false);
        Task<Outcome>[] runs = Enumerable.Range(0, 8)
            .Select(i => Task.Factory.StartNew(() => RunOnce(mix, [], Input, jit: i % 2 == 1, defaultJit: i % 2 == 0),
                TaskCreationOptions.LongRunning))
            .ToArray();
        Outcome[] results = await Task.WhenAll(runs);
        Assert.All(results, r => Assert.Equal(alone, r));
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void BudgetStopsAtExactlyNAndSlicesEndLikeOneRun(bool jit)
    {
        string mix = Binary("mix", "gcc");
        Outcome whole = RunOnce(mix, [], Input, jit);
        Assert.Equal(0, whole.Status);

        // One run to each budget stops there exactly; so does a run in slices, and both are in the same state.
        foreach (ulong n in new ulong[] { 1, 2, 999, 12_345, whole.Instructions / 2, whole.Instructions - 1 })
        {
            Outcome cut = RunOnce(mix, [], Input, jit, budget: n);
            Assert.Equal(VirtualMachine.OutOfBudgetStatus, cut.Status);
            Assert.Equal(n, cut.Instructions);
        }

        foreach (ulong slice in new ulong[] { 7_919, 100_003 })
        {
            var stdout = new MemoryStream();
            var stderr = new MemoryStream();
            VirtualMachine vm = NewVm(mix, [], Input, jit, stdout, stderr, budget: slice);
            int status;
            int slices = 0;
            while (true)
            {
                status = vm.Run();
                if (!vm.OutOfBudget) break;
                Assert.Equal(vm.InstructionBudget, vm.InstructionsExecuted);
                if (++slices == 3)
                {
                    // The state at a budget stop is the state one run reaches at that count.
                    Outcome direct = RunOnce(mix, [], Input, !jit, budget: vm.InstructionsExecuted);
                    Assert.Equal(direct.Hash, Convert.ToHexStringLower(vm.StateHash()));
                }
                vm.InstructionBudget += slice;
            }
            Assert.True(slices > 3, $"{slices} slices");
            var sliced = new Outcome(System.Text.Encoding.UTF8.GetString(stdout.ToArray()), System.Text.Encoding.UTF8.GetString(stderr.ToArray()),
                status, vm.InstructionsExecuted, Convert.ToHexStringLower(vm.StateHash()));
            Assert.Equal(whole, sliced);
        }
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void ASyscallIsChargedOneUnitPer64BytesCopied(bool jit)
    {
        string copy = Binary("copy", "gcc");
        (ulong Executed, ulong Retired) Run(string size, ulong? budget = null)
        {
            VirtualMachine vm = NewVm(copy, [size], [], jit, new MemoryStream(), new MemoryStream(), budget: budget);
            int status = vm.Run();
            Assert.Equal(budget == null ? 0 : VirtualMachine.OutOfBudgetStatus, status);
            return (vm.InstructionsExecuted, vm.InstructionsRetired);
        }
        // The argument's digits change a few instructions of strtoul; the charge is the rest of the difference.
        var small = Run("0000000");
        var large = Run("1048576");
        Assert.Equal(1048576UL / 64, (large.Executed - large.Retired) - (small.Executed - small.Retired));
        // A budget that ends inside the charge (the program exits a few hundred instructions after its write) stops exactly
        // there, and the rest of the charge is paid when the run goes on.
        VirtualMachine cut = NewVm(copy, ["1048576"], [], jit, new MemoryStream(), new MemoryStream(), budget: large.Executed - 8000);
        Assert.Equal(VirtualMachine.OutOfBudgetStatus, cut.Run());
        Assert.Equal(large.Executed - 8000, cut.InstructionsExecuted);
        cut.InstructionBudget = null;
        Assert.Equal(0, cut.Run());
        Assert.Equal(large, (cut.InstructionsExecuted, cut.InstructionsRetired));
    }

    /// <summary>spin.c stopped by the budget in its final loop: its state with stdin <paramref name="input"/>.</summary>
    static (VirtualMachine Vm, string Hash) Spin(string input, string cowDir, bool erase, ulong budget = 200_000)
    {
        var mounts = GuestRunner.WithRepository([new MountSpec("/", "/", MountKind.ReadOnly), MountSpec.Tmpfs("/tmp"),
            new MountSpec(cowDir, "/cow", MountKind.CopyOnWrite)]);
        VirtualMachine vm = NewVm(Binary("spin", "gcc"), erase ? ["/cow/out", "erase"] : ["/cow/out"], System.Text.Encoding.UTF8.GetBytes(input),
            jit: false, new MemoryStream(), new MemoryStream(), budget: budget, mounts: mounts);
        Assert.Equal(VirtualMachine.OutOfBudgetStatus, vm.Run());
        return (vm, Convert.ToHexStringLower(vm.StateHash()));
    }

    [Fact]
    public void HashChangesWithOneByteOfMemoryOrOneRegisterAndComesBack()
    {
        string dir = Directory.CreateTempSubdirectory("x86vm-hash").FullName;
        try
        {
            var (vm, hash) = Spin("abc", dir, erase: false);
            Assert.Equal(hash, Convert.ToHexStringLower(vm.StateHash())); // hashing changes nothing

            // One byte of the stack (always mapped and written) differs, then is restored.
            int pid = vm.ProcessId;
            ulong rsp = vm.ReadRegister(pid, GuestRegister.Rsp);
            Span<byte> b = stackalloc byte[1];
            Assert.True(vm.ReadMemory(pid, rsp, b));
            byte original = b[0];
            b[0] ^= 1;
            Assert.True(vm.WriteMemory(pid, rsp, b));
            string changed = Convert.ToHexStringLower(vm.StateHash());
            Assert.NotEqual(hash, changed);
            b[0] = original;
            Assert.True(vm.WriteMemory(pid, rsp, b));
            Assert.Equal(hash, Convert.ToHexStringLower(vm.StateHash()));

            // One register, then restored.
            ulong rbx = vm.ReadRegister(pid, GuestRegister.Rbx);
            vm.WriteRegister(pid, GuestRegister.Rbx, rbx ^ 0x100);
            Assert.NotEqual(hash, Convert.ToHexStringLower(vm.StateHash()));
            vm.WriteRegister(pid, GuestRegister.Rbx, rbx);
            Assert.Equal(hash, Convert.ToHexStringLower(vm.StateHash()));

            // The same run again is the same state; other input (one byte in a global buffer and the files) is not.
            Assert.Equal(hash, Spin("abc", dir, erase: false).Hash);
            Assert.NotEqual(hash, Spin("abd", dir, erase: false).Hash);
            Assert.Empty(Directory.GetFileSystemEntries(dir)); // the overlay never writes the host
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void HashChangesWithOneByteOfAFileInTheVm()
    {
        string dir = Directory.CreateTempSubdirectory("x86vm-hash").FullName;
        try
        {
            // The program erases its buffer: memory and registers are the same, only /tmp/spin.out and /cow/out differ.
            string a = Spin("abc", dir, erase: true).Hash;
            Assert.Equal(a, Spin("abc", dir, erase: true).Hash);
            Assert.NotEqual(a, Spin("abd", dir, erase: true).Hash);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Python3WithThreadsRepeatsExactly()
    {
        string script = Path.Combine(TestPrograms.SourceDir, "scripts", "python-deterministic.py");
        Outcome first = RunOnce("/usr/bin/python3", [script], [], jit: false, defaultJit: true);
        Assert.True(first.Status == 0, first.Stderr);
        Assert.Contains("1735689600.", first.Stdout); // the virtual clock's boot time, not the host's
        Outcome second = RunOnce("/usr/bin/python3", [script], [], jit: false);
        Assert.Equal(first, second);
    }

    [Fact]
    public void HostNetworkIsRefused()
    {
        var e = Assert.Throws<VirtualMachineStartException>(() => new VirtualMachine(new VirtualMachineOptions
        {
            Program = "/bin/true",
            Deterministic = true,
            Network = NetworkMode.Host,
        }));
        Assert.Contains("--net host cannot be deterministic", e.Message);
    }
}
