using X86Vm.Linux.State;
using X86Vm.Tests.Programs;

namespace X86Vm.Tests.Snapshots;

/// <summary>
/// Host directories are inputs, not saved: a snapshot records what the VM read from them (and wrote into read-write
/// ones) by content, and a restore whose files differ is refused by name instead of diverging; virtual inode numbers
/// of host files follow their paths, so a run restored over a copy of its tree (another host, another directory)
/// continues as one run.
/// </summary>
public class HostInputTests
{
    static readonly StaticProgramSuite Suite = new("snapshots");

    static string Fresh(string name)
    {
        string dir = Path.Combine(GuestRunner.RepoRoot, ".cache", "snapshot-inputs", name);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        return dir;
    }

    static string Refusal(byte[] snapshot, string mountedAt, string? reboundTo = null) =>
        Assert.Throws<SnapshotFormatException>(() => Restore(snapshot, mountedAt, reboundTo)).Message;

    static VirtualMachine Restore(byte[] snapshot, string mountedAt, string? reboundTo) =>
        VirtualMachine.LoadSnapshot(new MemoryStream(snapshot),
            SnapshotRuns.Restore(new MemoryStream(), reboundTo == null ? null : [new MountSpec(reboundTo, mountedAt, MountKind.ReadWrite)]));

    [Fact]
    public void ARestoreRefusesInputsThatChangedAndWrittenFilesThatDiffer()
    {
        // family.c reads /in/input.txt (held open) and writes /in/out.txt in a read-write mount, then computes.
        string program = Suite.Build("family", "musl")!;
        string dir = Fresh("changed");
        string input = Path.Combine(dir, "input.txt"), output = Path.Combine(dir, "out.txt");
        File.WriteAllText(input, "input data\n");
        var mounts = GuestRunner.WithRepository([new MountSpec("/", "/", MountKind.ReadOnly), MountSpec.Tmpfs("/tmp"), new MountSpec(dir, "/in", MountKind.ReadWrite)]);
        var vm = new VirtualMachine(SnapshotRuns.Options(program, ["/in/input.txt", "/in/out.txt"], new MemoryStream(), mounts));
        Assert.Equal(RunStatus.OutOfBudget, vm.Run(3_000_000).Status);
        var saved = new MemoryStream();
        vm.SaveSnapshot(saved);
        byte[] snapshot = saved.ToArray();
        Assert.Equal("written\n", File.ReadAllText(output));

        Assert.Equal(RunStatus.OutOfBudget, Restore(snapshot, "/in", null).Run(100_000).Status); // as it was: it resumes

        File.WriteAllText(input, "input dat4\n");
        Assert.Equal($"the host file /in/input.txt (host {input}) changed since the snapshot was saved", Refusal(snapshot, "/in"));
        File.Delete(input);
        Assert.Equal($"the host file /in/input.txt (host {input}) is missing", Refusal(snapshot, "/in"));
        File.WriteAllText(input, "input data\n");
        File.WriteAllText(output, "overwritten on the host\n");
        Assert.Equal($"the host file /in/out.txt (host {output}) changed since the snapshot was saved", Refusal(snapshot, "/in"));
        File.WriteAllText(output, "written\n");

        // A copy of the directory elsewhere is as good as the original, and is checked the same way.
        string copy = Fresh("changed-copy");
        foreach (string f in Directory.GetFiles(dir)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        Assert.Equal(RunStatus.OutOfBudget, Restore(snapshot, "/in", copy).Run(100_000).Status);
        File.AppendAllText(Path.Combine(copy, "input.txt"), "more\n");
        Assert.Equal($"the host file /in/input.txt (host {Path.Combine(copy, "input.txt")}) changed since the snapshot was saved",
            Refusal(snapshot, "/in", copy));
    }

    /// <summary>The same small tree at <paramref name="dir"/>: files, a subdirectory, fixed modification times.</summary>
    static void Tree(string dir)
    {
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        File.WriteAllText(Path.Combine(dir, "f1"), "one\n");
        File.WriteAllText(Path.Combine(dir, "sub", "f2"), "two\n");
        File.WriteAllText(Path.Combine(dir, "z"), "last\n");
        var time = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        foreach (string f in new[] { "f1", "sub/f2", "z" }) File.SetLastWriteTimeUtc(Path.Combine(dir, f), time);
        Directory.SetLastWriteTimeUtc(Path.Combine(dir, "sub"), time);
        Directory.SetLastWriteTimeUtc(dir, time);
    }

    [Fact]
    public void HostInodeNumbersDoNotLeakIntoTheGuest()
    {
        // The same tree in two host directories (so with other host inode numbers): ls -i, stat and the state hash are
        // the same; and a run saved over one copy and restored over the other continues exactly like one run, though
        // the files listed before the save are listed again after it.
        if (!File.Exists("/bin/busybox")) throw new InvalidOperationException("busybox-static is not installed");
        string a = Fresh("tree-a"), b = Fresh("tree-b");
        Tree(a);
        Tree(b);
        string[] args = ["sh", "-c", "ls -i /d; i=0; while [ $i -lt 400 ]; do i=$((i+1)); done; ls -li /d /d/sub; " +
            "stat -c '%i %d %h %Y %n' /d /d/f1 /d/sub /d/sub/f2 /d/z"];
        IReadOnlyList<MountSpec> Mounts(string dir) =>
            GuestRunner.WithRepository([new MountSpec("/", "/", MountKind.ReadOnly), MountSpec.Tmpfs("/tmp"), new MountSpec(dir, "/d", MountKind.ReadOnly)]);

        (string Out, RunResult End, byte[] Hash) Whole(string dir)
        {
            var stdout = new MemoryStream();
            var vm = new VirtualMachine(SnapshotRuns.Options("/bin/busybox", args, stdout, Mounts(dir)));
            RunResult end = vm.Run(ulong.MaxValue);
            return (SnapshotRuns.Text(stdout), end, vm.StateHash());
        }
        var overA = Whole(a);
        var overB = Whole(b);
        Assert.Equal(RunStatus.Exited, overA.End.Status);
        Assert.Equal(overA.Out, overB.Out);
        Assert.Equal(overA.End, overB.End);
        Assert.Equal(overA.Hash, overB.Hash);
        Assert.Matches(@"^ +[0-9]+ f1\n +[0-9]+ sub\n +[0-9]+ z\n", overA.Out);

        var firstOut = new MemoryStream();
        var first = new VirtualMachine(SnapshotRuns.Options("/bin/busybox", args, firstOut, Mounts(a)));
        Assert.Equal(RunStatus.OutOfBudget, first.Run(overA.End.InstructionsRetired / 2).Status);
        Assert.Contains("f1", SnapshotRuns.Text(firstOut)); // the first listing happened before the save
        var saved = new MemoryStream();
        first.SaveSnapshot(saved);
        var restOut = new MemoryStream();
        var rest = VirtualMachine.LoadSnapshot(new MemoryStream(saved.ToArray()),
            SnapshotRuns.Restore(restOut, [new MountSpec(b, "/d", MountKind.ReadOnly)]));
        Assert.Equal(overA.End, rest.Run(ulong.MaxValue));
        Assert.Equal(overA.Out, SnapshotRuns.Text(firstOut) + SnapshotRuns.Text(restOut));
        Assert.Equal(overA.Hash, rest.StateHash());
    }
}
