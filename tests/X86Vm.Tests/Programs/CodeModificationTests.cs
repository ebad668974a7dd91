namespace X86Vm.Tests.Programs;

/// <summary>
/// Code that changes under the running program (tests/programs/code/*.c): self-modifying code (a store into the next
/// instruction of the same block, rewritten callees in a hot loop, a patch from another thread) and code that loses
/// execute permission after it ran (mprotect, munmap, mremap). stdout and exit status must equal the native run, with
/// gcc and musl; test.sh also runs these with every block compiled (X86VM_TEST_JIT=eager).
/// </summary>
public class CodeModificationTests
{
    static readonly StaticProgramSuite Suite = new("code");

    public static TheoryData<string, string> Cases() => Suite.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void SameOutputAndStatusAsNative(string name, string variant) => Suite.AssertSameAsNative(name, variant);
}
