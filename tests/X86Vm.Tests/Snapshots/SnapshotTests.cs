using X86Vm.Linux.State;
using X86Vm.Tests.Programs;

namespace X86Vm.Tests.Snapshots;

/// <summary>
/// <see cref="VirtualMachine.SaveSnapshot"/> and <see cref="VirtualMachine.LoadSnapshot"/>: a deterministic run cut at
/// many instruction counts, each piece continued by a VM restored from the previous one's snapshot, prints the same
/// output, ends the same way after the same count and with the same state hash as one uninterrupted run; a snapshot
/// is canonical and verified; damaged ones and unsupported objects give clear errors.
/// </summary>
public class SnapshotTests
{
    static readonly StaticProgramSuite Suite = new("snapshots");

    static string Program(string name, string variant) =>
        Suite.Build(name, variant) ?? throw new InvalidOperationException($"{(variant == "gcc" ? "gcc" : "musl-gcc")} is not installed");

    [Theory]
    [InlineData("musl")]
    [InlineData("gcc")]
    public void ACutRunFinishesLikeOneRun(string variant)
    {
        string program = Program("workers", variant);
        var whole = SnapshotRuns.Whole(program, []);
        Assert.Equal(RunStatus.Exited, whole.Result.Status);
        Assert.Equal(3, whole.Result.ExitCode);
        Assert.Contains("child reaped exit 7", whole.Stdout);

        // 31 cuts spread over the run, at odd offsets so that they land inside blocks and REP loops too.
        ulong total = whole.Result.InstructionsRetired;
        var cuts = Enumerable.Range(1, 31).Select(i => total * (ulong)i / 32 + (ulong)i * 7).ToList();
        var cut = SnapshotRuns.Cut(program, [], cuts);
        Assert.Equal(whole.Stdout, cut.Stdout);
        Assert.Equal(whole.Result, cut.Result);
        Assert.Equal(whole.Hash, cut.Hash);
        // The cuts caught threads blocked on a futex (Waiter), in a read of a pipe or socket, in sigsuspend and in wait4.
        Assert.Superset(new SortedSet<string> { "ChildWait", "FileReadyWait", "SignalWait", "Waiter" }, cut.Waits);
    }

    [Fact]
    public void TheDeterminismMixFinishesLikeOneRun()
    {
        // tests/programs/determinism/mix.c: getrandom, /dev/urandom, nanosleep, interval timers and SIGALRM, condition
        // variables, fork, a pipe, a tmpfs file, clock reads.
        string program = new StaticProgramSuite("determinism").Build("mix", "musl") ?? throw new InvalidOperationException("musl-gcc is not installed");
        var whole = SnapshotRuns.Whole(program, []);
        ulong total = whole.Result.InstructionsRetired;
        var cut = SnapshotRuns.Cut(program, [], Enumerable.Range(1, 19).Select(i => total * (ulong)i / 20 + (ulong)i * 3));
        Assert.Equal(whole.Stdout, cut.Stdout);
        Assert.Equal(whole.Result, cut.Result);
        Assert.Equal(whole.Hash, cut.Hash);
    }

    [Fact]
    public void ARestoredVmHashesAsSavedAndSavesTheSameBytes()
    {
        string program = Program("workers", "musl");
        var stdout = new MemoryStream();
        var vm = new VirtualMachine(SnapshotRuns.Options(program, [], stdout));
        Assert.Equal(RunStatus.OutOfBudget, vm.Run(1_500_000).Status);
        byte[] hash = vm.StateHash();
        var first = new MemoryStream();
        vm.SaveSnapshot(first);
        Assert.Equal(hash, vm.StateHash()); // saving changes nothing

        VirtualMachine restored = VirtualMachine.LoadSnapshot(new MemoryStream(first.ToArray()), SnapshotRuns.Restore(new MemoryStream()));
        Assert.Equal(hash, restored.StateHash());
        Assert.Equal(vm.InstructionsExecuted, restored.InstructionsExecuted);
        var second = new MemoryStream();
        restored.SaveSnapshot(second);
        Assert.Equal(first.ToArray(), second.ToArray());

        // The original and the restored VM run on to the same end.
        var restoredOut = new MemoryStream();
        VirtualMachine again = VirtualMachine.LoadSnapshot(new MemoryStream(second.ToArray()), SnapshotRuns.Restore(restoredOut));
        RunResult a = vm.Run(ulong.MaxValue), b = again.Run(ulong.MaxValue);
        Assert.Equal(a, b);
        Assert.Equal(vm.StateHash(), again.StateHash());
        Assert.EndsWith(SnapshotRuns.Text(restoredOut), SnapshotRuns.Text(stdout));
    }

    [Fact]
    public void AVmNeverRunSnapshotsAndRunsLikeOneRun()
    {
        string program = Program("workers", "musl");
        var whole = SnapshotRuns.Whole(program, []);
        var saved = new MemoryStream();
        new VirtualMachine(SnapshotRuns.Options(program, [], new MemoryStream())).SaveSnapshot(saved);
        var stdout = new MemoryStream();
        VirtualMachine vm = VirtualMachine.LoadSnapshot(new MemoryStream(saved.ToArray()), SnapshotRuns.Restore(stdout));
        Assert.Equal(whole.Result, vm.Run(ulong.MaxValue));
        Assert.Equal(whole.Stdout, SnapshotRuns.Text(stdout));
        Assert.Equal(whole.Hash, Convert.ToHexString(vm.StateHash()));
    }

    [Fact]
    public void DamagedSnapshotsAreRefusedWithOneError()
    {
        string program = Program("workers", "musl");
        var vm = new VirtualMachine(SnapshotRuns.Options(program, [], new MemoryStream()));
        vm.Run(800_000);
        var saved = new MemoryStream();
        vm.SaveSnapshot(saved);
        byte[] good = saved.ToArray();

        string Refusal(byte[] bytes) => Assert.Throws<SnapshotFormatException>(() =>
            VirtualMachine.LoadSnapshot(new MemoryStream(bytes), SnapshotRuns.Restore(new MemoryStream()))).Message;

        Assert.Equal("not an x86vm snapshot", Refusal("#!/bin/sh\necho hello\n"u8.ToArray()));
        Assert.Equal("not an x86vm snapshot", Refusal([]));
        Assert.Contains("truncated", Refusal(good[..40]));
        foreach (int length in new[] { 92, 93, good.Length / 3, good.Length / 2, good.Length - 1 })
            Assert.Contains("snapshot", Refusal(good[..length]));
        byte[] version = (byte[])good.Clone();
        version[16] = 9;
        Assert.Equal($"snapshot format version 9; this x86vm reads version {X86Vm.Linux.Kernel.SnapshotFormatVersion}", Refusal(version));
        // Any flipped byte after the header: the decompressor or the checksum catches it.
        for (int at = 92; at < good.Length; at += Math.Max(1, good.Length / 97))
        {
            byte[] flipped = (byte[])good.Clone();
            flipped[at] ^= 0x40;
            Assert.Matches("damaged|truncated", Refusal(flipped));
        }
        // A wrong recorded state hash: the rebuilt VM does not hash as recorded.
        byte[] wrongHash = (byte[])good.Clone();
        wrongHash[20] ^= 1;
        Assert.Equal("the restored VM's state hash differs from the one saved in the snapshot", Refusal(wrongHash));
    }

    [Fact]
    public void ASnapshotOfAnotherBuildNamesBothBuilds()
    {
        // A build whose Kernel has other fields (here: one renamed in the type's description) cannot read the objects:
        // the load refuses it, naming the difference, the build that wrote it and this one.
        string program = Program("workers", "musl");
        var vm = new VirtualMachine(SnapshotRuns.Options(program, [], new MemoryStream()));
        vm.Run(500_000);
        var saved = new MemoryStream();
        vm.SaveSnapshot(saved);
        saved.Position = 0;
        ReadOnlySpan<byte> magic = "x86vm-snapshot\n\0"u8;
        var (hash, payload) = SnapshotFile.Read(saved, magic, X86Vm.Linux.Kernel.SnapshotFormatVersion);
        byte[] field = System.Text.Encoding.Unicode.GetBytes("_nextId:");
        int at = payload.AsSpan().IndexOf(field);
        Assert.True(at > 0, "the kernel's type description is not in the payload");
        System.Text.Encoding.Unicode.GetBytes("_nextIx:").CopyTo(payload, at);
        var file = new MemoryStream();
        SnapshotFile.Write(file, magic, X86Vm.Linux.Kernel.SnapshotFormatVersion, hash, payload);
        string build = X86Vm.Linux.Kernel.BuildIdentity;
        Assert.Matches(@"^x86vm [0-9.]+\S* on \.NET [0-9.]+$", build);
        Assert.Equal($"the snapshot was written by another build of x86vm (the fields of Kernel differ): it was written by {build}, " +
            $"this is {build}; resume it with the x86vm that wrote it",
            Assert.Throws<SnapshotFormatException>(() => VirtualMachine.LoadSnapshot(new MemoryStream(file.ToArray()), SnapshotRuns.Restore(new MemoryStream()))).Message);
    }

    [Fact]
    public void ChecksummedButAlteredDataIsRefusedOrHarmlessNeverACrash()
    {
        // Past the checksum (as a broken writer or a hand-made file would be): every altered payload either rebuilds a VM
        // whose state hash is still the saved one, or is refused with a SnapshotFormatException; nothing else escapes.
        string program = Program("workers", "musl");
        var vm = new VirtualMachine(SnapshotRuns.Options(program, [], new MemoryStream()));
        vm.Run(1_800_000);
        var saved = new MemoryStream();
        vm.SaveSnapshot(saved);
        saved.Position = 0;
        ReadOnlySpan<byte> magic = "x86vm-snapshot\n\0"u8;
        var (hash, payload) = SnapshotFile.Read(saved, magic, X86Vm.Linux.Kernel.SnapshotFormatVersion);
        int refused = 0, loaded = 0;
        var random = new Random(12);
        for (int trial = 0; trial < 240; trial++)
        {
            byte[] altered = trial % 8 == 7 ? payload[..random.Next(payload.Length)] : (byte[])payload.Clone();
            if (trial % 8 != 7) altered[random.Next(altered.Length)] ^= (byte)(1 << random.Next(8));
            var file = new MemoryStream();
            SnapshotFile.Write(file, magic, X86Vm.Linux.Kernel.SnapshotFormatVersion, hash, altered);
            try
            {
                VirtualMachine.LoadSnapshot(new MemoryStream(file.ToArray()), SnapshotRuns.Restore(new MemoryStream()));
                loaded++;
            }
            catch (SnapshotFormatException)
            {
                refused++;
            }
        }
        Assert.True(refused > 200, $"only {refused} of 240 altered snapshots were refused ({loaded} loaded)");
    }

    [Fact]
    public void AHostClockVmResumes()
    {
        // Outside deterministic mode a snapshot works too (its output depends on the host's time, so it is not compared).
        string program = Program("workers", "musl");
        var stdout = new MemoryStream();
        var vm = new VirtualMachine(new VirtualMachineOptions
        {
            Program = program,
            Stdout = stdout,
            WorkingDirectory = "/",
            Mounts = GuestRunner.WithRepository([new MountSpec("/", "/", MountKind.ReadOnly), MountSpec.Tmpfs("/tmp")]),
            Jit = false,
        });
        Assert.Equal(RunStatus.OutOfBudget, vm.Run(1_000_000).Status);
        var saved = new MemoryStream();
        vm.SaveSnapshot(saved);
        var rest = new MemoryStream();
        RunResult end = VirtualMachine.LoadSnapshot(new MemoryStream(saved.ToArray()), SnapshotRuns.Restore(rest)).Run(ulong.MaxValue);
        Assert.Equal((RunStatus.Exited, 3), (end.Status, end.ExitCode));
        Assert.Contains("child reaped exit 7", SnapshotRuns.Text(stdout) + SnapshotRuns.Text(rest));
    }

    [Fact]
    public void AHostFileOpenForWritingIsRefusedByName()
    {
        string program = Program("holdfile", "musl");
        string dir = Path.Combine(GuestRunner.RepoRoot, ".cache", "snapshot-rw");
        Directory.CreateDirectory(dir);
        var mounts = GuestRunner.WithRepository([new MountSpec("/", "/", MountKind.ReadOnly), MountSpec.Tmpfs("/tmp"), new MountSpec(dir, "/rw", MountKind.ReadWrite)]);
        var vm = new VirtualMachine(SnapshotRuns.Options(program, ["/rw/held.txt"], new MemoryStream(), mounts));
        Assert.Equal(RunStatus.OutOfBudget, vm.Run(2_000_000).Status);
        var e = Assert.Throws<SnapshotNotSupportedException>(() => vm.SaveSnapshot(new MemoryStream()));
        Assert.Equal($"fd 3 of pid {vm.ProcessId} is a host file open for writing (/rw/held.txt)", e.Message);
        // The refusal changed nothing: the program runs on.
        Assert.Equal(RunStatus.OutOfBudget, vm.Run(1_000_000).Status);
    }

    [Fact]
    public void AHostNetworkSocketIsRefusedByName()
    {
        string program = Program("hostsocket", "musl");
        var vm = new VirtualMachine(new VirtualMachineOptions
        {
            Program = program,
            Stdout = new MemoryStream(),
            Stderr = new MemoryStream(),
            WorkingDirectory = "/",
            Mounts = GuestRunner.WithRepository([new MountSpec("/", "/", MountKind.ReadOnly), MountSpec.Tmpfs("/tmp")]),
            Network = NetworkMode.Host,
            Jit = false,
        });
        Assert.Equal(RunStatus.OutOfBudget, vm.Run(2_000_000).Status);
        var e = Assert.Throws<SnapshotNotSupportedException>(() => vm.SaveSnapshot(new MemoryStream()));
        Assert.Equal($"fd 3 of pid {vm.ProcessId} is a host network socket", e.Message);
    }

    [Fact]
    public void MountsRebindToAnotherHostDirectory()
    {
        // A shell holding a host file open (fd 3, one line read) is saved, its directory moved, and the restored VM, with
        // the mount re-bound to the new place, reads the rest of the file through the same descriptor. The same directory
        // is also mounted copy-on-write, where the shell wrote a file before the save that it reads after.
        if (!File.Exists("/bin/busybox")) throw new InvalidOperationException("busybox-static is not installed");
        string root = Path.Combine(GuestRunner.RepoRoot, ".cache", "snapshot-mounts");
        string before = Path.Combine(root, "before"), after = Path.Combine(root, "after");
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        Directory.CreateDirectory(before);
        File.WriteAllText(Path.Combine(before, "data.txt"), "first line\nsecond line\nthird line\n");
        IReadOnlyList<MountSpec> Mounts(string dir) =>
        [
            new MountSpec("/", "/", MountKind.ReadOnly), MountSpec.Tmpfs("/tmp"), new MountSpec(dir, "/data", MountKind.ReadOnly),
            new MountSpec(dir, "/cow", MountKind.CopyOnWrite),
        ];
        string[] args = ["sh", "-c", "exec 3</data/data.txt; read first <&3; echo got $first; echo mine > /cow/new.txt; " +
            "i=0; while [ $i -lt 300 ]; do i=$((i+1)); done; cat <&3; cat /cow/new.txt; ls /cow"];

        var wholeOut = new MemoryStream();
        var whole = new VirtualMachine(SnapshotRuns.Options("/bin/busybox", args, wholeOut, Mounts(before)));
        RunResult end = whole.Run(ulong.MaxValue);
        Assert.Equal("got first line\nsecond line\nthird line\nmine\ndata.txt\nnew.txt\n", SnapshotRuns.Text(wholeOut));
        Assert.False(File.Exists(Path.Combine(before, "new.txt")));

        var firstOut = new MemoryStream();
        var vm = new VirtualMachine(SnapshotRuns.Options("/bin/busybox", args, firstOut, Mounts(before)));
        Assert.Equal(RunStatus.OutOfBudget, vm.Run(end.InstructionsRetired / 2).Status);
        Assert.Equal("got first line\n", SnapshotRuns.Text(firstOut));
        var saved = new MemoryStream();
        vm.SaveSnapshot(saved);
        Directory.Move(before, after);

        Assert.Throws<SnapshotFormatException>(() => VirtualMachine.LoadSnapshot(new MemoryStream(saved.ToArray()), SnapshotRuns.Restore(new MemoryStream())));
        Assert.Throws<ArgumentException>(() => VirtualMachine.LoadSnapshot(new MemoryStream(saved.ToArray()),
            new RestoreOptions { Mounts = [new MountSpec(after, "/elsewhere", MountKind.ReadOnly)] }));
        var restOut = new MemoryStream();
        var restored = VirtualMachine.LoadSnapshot(new MemoryStream(saved.ToArray()),
            new RestoreOptions { Stdout = restOut, Mounts = [new MountSpec(after, "/data", MountKind.ReadOnly), new MountSpec(after, "/cow/", MountKind.CopyOnWrite)] });
        Assert.Equal(end, restored.Run(ulong.MaxValue));
        Assert.Equal("second line\nthird line\nmine\ndata.txt\nnew.txt\n", SnapshotRuns.Text(restOut));
        Assert.Equal(whole.StateHash(), restored.StateHash());
    }

    [Fact]
    public void HooksAreTheHostsAndAreNotSaved()
    {
        // A syscall filter, an instruction callback and a memory watch belong to the host that registered them: the
        // snapshot leaves them out (with their watched pages), and the restored VM runs on like one run without hooks.
        string program = Program("workers", "musl");
        var whole = SnapshotRuns.Whole(program, []);
        var stdout = new MemoryStream();
        var vm = new VirtualMachine(SnapshotRuns.Options(program, [], stdout));
        int calls = 0, callbacks = 0, accesses = 0;
        vm.SyscallFilter = _ => { calls++; return X86Vm.Linux.Hooks.SyscallDecision.Allow; };
        vm.SetInstructionCallback(100_000, _ => { callbacks++; return HookAction.Continue; });
        ulong rsp = vm.ReadRegister(vm.ProcessId, GuestRegister.Rsp);
        vm.WatchMemory(vm.ProcessId, rsp - 64, 64, X86Vm.Cpu.Memory.WatchKind.Access, _ => accesses++);
        Assert.Equal(RunStatus.OutOfBudget, vm.Run(1_300_000).Status);
        Assert.True(calls > 0 && callbacks > 0 && accesses > 0, $"hooks ran {calls}, {callbacks}, {accesses} times");
        var saved = new MemoryStream();
        vm.SaveSnapshot(saved);

        var rest = new MemoryStream();
        VirtualMachine restored = VirtualMachine.LoadSnapshot(new MemoryStream(saved.ToArray()), SnapshotRuns.Restore(rest));
        Assert.Null(restored.SyscallFilter);
        int before = calls;
        Assert.Equal(whole.Result, restored.Run(ulong.MaxValue));
        Assert.Equal(before, calls);
        Assert.Equal(whole.Stdout, SnapshotRuns.Text(stdout) + SnapshotRuns.Text(rest));
        Assert.Equal(whole.Hash, Convert.ToHexString(restored.StateHash()));
    }

    [Fact]
    public void AnEndedProgramIsNotSaved()
    {
        string program = Program("workers", "musl");
        var vm = new VirtualMachine(SnapshotRuns.Options(program, [], new MemoryStream()));
        Assert.Equal(RunStatus.Exited, vm.Run(ulong.MaxValue).Status);
        Assert.Throws<InvalidOperationException>(() => vm.SaveSnapshot(new MemoryStream()));
    }

    [Fact]
    public void PythonWithSubprocessResumesLikeOneRun()
    {
        // A dynamically linked program (libraries mapped from the read-only host root, shared read-only mappings among
        // them), with hashlib, fork, a pipe and a subprocess.
        if (!File.Exists("/usr/bin/python3")) throw new InvalidOperationException("python3 is not installed");
        string[] args = ["-c", "import hashlib,os,subprocess\nprint(hashlib.sha256(b'x'*100000).hexdigest())\nr,w=os.pipe()\npid=os.fork()\n" +
            "if pid==0:\n    os.write(w,b'hi from child'); os._exit(5)\nprint(os.read(r,100), os.waitpid(pid,0)[1]>>8)\n" +
            "print(subprocess.run(['/bin/echo','sub'],capture_output=True).stdout)"];
        var whole = SnapshotRuns.Whole("/usr/bin/python3", args);
        Assert.Equal((RunStatus.Exited, 0), (whole.Result.Status, whole.Result.ExitCode));
        Assert.Contains("b'hi from child' 5\nb'sub\\n'", whole.Stdout);
        ulong total = whole.Result.InstructionsRetired;
        var cut = SnapshotRuns.Cut("/usr/bin/python3", args, [total / 3 + 11, total * 3 / 4 + 5]);
        Assert.Equal(whole.Stdout, cut.Stdout);
        Assert.Equal(whole.Result, cut.Result);
        Assert.Equal(whole.Hash, cut.Hash);
    }

    [Fact]
    public void BusyboxShellLoopResumesLikeOneRun()
    {
        if (!File.Exists("/bin/busybox")) throw new InvalidOperationException("busybox-static is not installed");
        string[] args = ["sh", "-c", "i=0; while [ $i -lt 12 ]; do echo line $i | tr a-z A-Z; echo $i > /tmp/n; i=$((i+1)); done; cat /tmp/n"];
        var whole = SnapshotRuns.Whole("/bin/busybox", args);
        Assert.Equal(RunStatus.Exited, whole.Result.Status);
        Assert.Contains("LINE 11", whole.Stdout);
        ulong total = whole.Result.InstructionsRetired;
        var cut = SnapshotRuns.Cut("/bin/busybox", args, Enumerable.Range(1, 7).Select(i => total * (ulong)i / 8 + 13));
        Assert.Equal(whole.Stdout, cut.Stdout);
        Assert.Equal(whole.Result, cut.Result);
        Assert.Equal(whole.Hash, cut.Hash);
    }

    [Fact]
    public void IpcWaitsResumeLikeOneRun()
    {
        // tests/programs/snapshots/ipc.c: System V semaphores with SEM_UNDO and a message queue, then POSIX message queues
        // (one unlinked while open), passing a token between two processes; the cuts catch them waiting in semop, msgrcv
        // and mq_timedreceive, and the sets, queues and undo lists move; then an inotify instance and its watch, read while
        // the child makes and removes files.
        string program = Program("ipc", "gcc");
        // At x86-64-v2 (glibc's SSE string routines) the cuts below fall where the processes wait in each of the calls; the
        // instruction counts, and so where they fall, depend on the level glibc picks.
        const X86Vm.Cpu.Instructions.CpuLevel level = X86Vm.Cpu.Instructions.CpuLevel.V2;
        var whole = SnapshotRuns.Whole(program, [], level);
        Assert.Equal((RunStatus.Exited, 0), (whole.Result.Status, whole.Result.ExitCode));
        Assert.Contains("round 19:", whole.Stdout);
        ulong total = whole.Result.InstructionsRetired;
        var cut = SnapshotRuns.Cut(program, [], Enumerable.Range(1, 23).Select(i => total * (ulong)i / 24 + (ulong)i * 5), level);
        Assert.Equal(whole.Stdout, cut.Stdout);
        Assert.Equal(whole.Result, cut.Result);
        Assert.Equal(whole.Hash, cut.Hash);
        Assert.Contains("mq round 11:", whole.Stdout);
        Assert.Contains("inotify 0x200 f5", whole.Stdout);
        Assert.Superset(new SortedSet<string> { "MessageReceiveWait", "PosixReceiveWait", "SemaphoreWait" }, cut.Waits);
    }
}
