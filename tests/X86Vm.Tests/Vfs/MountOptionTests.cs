using X86Vm.Cli;

namespace X86Vm.Tests.Vfs;

/// <summary>The command line's view options: --root, --mount HOST:GUEST[:ro|:rw|:cow], --tmpfs, --workdir.</summary>
public sealed class MountOptionTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("x86vm-mount-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void DefaultViewIsHostRootReadOnlyTmpAndCurrentDirectory()
    {
        var view = Program.BuildView(null, [], [], null, "/home/u/work", out string? error)!.Value;
        Assert.Null(error);
        Assert.Equal([new MountSpec("/", "/", MountKind.ReadOnly), MountSpec.Tmpfs("/tmp"), new MountSpec("/home/u/work", "/home/u/work", MountKind.ReadWrite)],
            view.Mounts);
        Assert.Equal("/home/u/work", view.WorkingDirectory);
    }

    [Fact]
    public void RootReplacesTheHostRootAndTheWorkingDirectoryDefaultsToSlash()
    {
        var view = Program.BuildView(_dir, [], ["/scratch"], null, "/elsewhere", out _)!.Value;
        Assert.Equal([new MountSpec(_dir, "/", MountKind.ReadOnly), MountSpec.Tmpfs("/tmp"), MountSpec.Tmpfs("/scratch")], view.Mounts);
        Assert.Equal("/", view.WorkingDirectory);
    }

    [Theory]
    [InlineData("", MountKind.ReadWrite)]
    [InlineData(":rw", MountKind.ReadWrite)]
    [InlineData(":ro", MountKind.ReadOnly)]
    [InlineData(":cow", MountKind.CopyOnWrite)]
    public void MountModes(string suffix, MountKind kind)
    {
        var view = Program.BuildView(null, [$"{_dir}:/data{suffix}"], [], "/data", "/cwd", out _)!.Value;
        Assert.Equal(new MountSpec(_dir, "/data", kind), view.Mounts[^1]);
        Assert.Equal("/data", view.WorkingDirectory);
    }

    [Theory]
    [InlineData("nocolon", "expected HOST:GUEST")]
    [InlineData("a:b:c:d", "expected HOST:GUEST")]
    [InlineData("DIR:/x:rx", "ro, rw or cow")]
    [InlineData("DIR:relative", "must be absolute")]
    [InlineData("/nonexistent-x86vm-dir:/x", "No such directory")]
    public void BadMountsAreOneLineErrors(string spec, string fragment)
    {
        Assert.Null(Program.BuildView(null, [spec.Replace("DIR", _dir)], [], null, "/", out string? error));
        Assert.Contains(fragment, error);
    }

    [Fact]
    public void OtherBadOptions()
    {
        Assert.Null(Program.BuildView("/nonexistent-x86vm-dir", [], [], null, "/", out string? e1));
        Assert.Contains("--root", e1);
        Assert.Null(Program.BuildView(null, [], ["relative"], null, "/", out string? e2));
        Assert.Contains("--tmpfs", e2);
        Assert.Null(Program.BuildView(null, [], [], "relative", "/", out string? e3));
        Assert.Contains("--workdir", e3);
    }

    [Fact]
    public void ValuesOfViewOptionsAreNotTakenForTheProgram()
    {
        Assert.Equal(["run", "--root", "/r", "--mount", "a:/b", "--tmpfs", "/t", "--workdir", "/w", "--", "prog", "-c", "x"],
            Program.SeparateGuestArguments(["run", "--root", "/r", "--mount", "a:/b", "--tmpfs", "/t", "--workdir", "/w", "prog", "-c", "x"]));
        Assert.Equal(["run", "--strace", "--", "prog", "--mount", "x"], Program.SeparateGuestArguments(["run", "--strace", "prog", "--mount", "x"]));
    }
}
