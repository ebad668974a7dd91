using X86Vm.Cli;
using X86Vm.Tests.Programs;

namespace X86Vm.Tests.Cli;

/// <summary>--env, --unset-env and --clear-env shape the guest environment; the guest sees exactly that.</summary>
public class EnvironmentOptionTests
{
    [Fact]
    public void HostEnvironmentIsPassedSortedThenEdited()
    {
        var env = Program.BuildEnvironment(["ZED=1", "PATH=/bin", "HOME=/root"], clear: false, unset: ["HOME"], set: ["NEW=a=b", "ZED=2"], out string? error);
        Assert.Null(error);
        Assert.Equal(["NEW=a=b", "PATH=/bin", "ZED=2"], env);
    }

    [Fact]
    public void ClearEnvKeepsOnlyExplicitVariables()
    {
        var env = Program.BuildEnvironment(["PATH=/bin"], clear: true, unset: [], set: ["A=1"], out _);
        Assert.Equal(["A=1"], env);
    }

    [Fact]
    public void MalformedEnvIsOneLineError()
    {
        Assert.Null(Program.BuildEnvironment([], false, [], ["NOEQUALS"], out string? error));
        Assert.Equal("--env NOEQUALS: expected K=V", error);
    }

    [Fact]
    public void OptionValuesAreNotMistakenForTheProgram()
    {
        Assert.Equal(["run", "--env", "A=1", "--unset-env", "B", "--", "/bin/busybox", "-c", "x"],
            Program.SeparateGuestArguments(["run", "--env", "A=1", "--unset-env", "B", "/bin/busybox", "-c", "x"]));
    }

    [Fact]
    public void GuestSeesTheEnvironmentItWasGiven()
    {
        GuestRunResult vm = GuestRunner.Vm("/bin/busybox", ["env"], environment: ["B=2", "A=1"]);
        Assert.Equal("B=2\nA=1\n", vm.StdoutText);
    }
}
