namespace X86Vm.Tests.Programs;

/// <summary>
/// Signal programs (tests/programs/signals/*.c: handlers and siginfo, faults, sigaltstack, interrupted syscalls,
/// sigsuspend/sigtimedwait/signalfd, timers, fork/exec/SIGCHLD, abort): stdout and exit status in the VM must equal
/// the native run, with gcc and musl.
/// </summary>
public class SignalTests
{
    static readonly StaticProgramSuite Suite = new("signals");

    public static TheoryData<string, string> Cases() => Suite.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void SameOutputAndStatusAsNative(string name, string variant) => Suite.AssertSameAsNative(name, variant);
}
