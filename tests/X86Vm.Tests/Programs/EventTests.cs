namespace X86Vm.Tests.Programs;

/// <summary>
/// Event-descriptor programs (tests/programs/events/*.c: epoll, eventfd, timerfd and an epoll stress run with thousands
/// of pipes and many waiting threads). They use no files, so one view is enough: stdout and exit status in the VM must
/// equal the native run, with gcc and musl.
/// </summary>
public class EventTests
{
    static readonly StaticProgramSuite Suite = new("events", "events/events.h", "syscalls/check.h");

    public static TheoryData<string, string> Cases() => Suite.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void SameOutputAndStatusAsNative(string name, string variant) => Suite.AssertSameAsNative(name, variant, mustSucceedNatively: true);
}
