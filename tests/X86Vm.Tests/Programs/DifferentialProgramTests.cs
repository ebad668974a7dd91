namespace X86Vm.Tests.Programs;

/// <summary>
/// The same binary runs natively and in the VM: stdout and exit status must be identical byte for byte.
/// Programs are tests/programs/*.c built with gcc -O0/-O2 -static, gcc -O2 -static-pie and musl-gcc -O2 -static.
/// </summary>
public class DifferentialProgramTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (ProgramCase c in TestPrograms.All()) data.Add(c.ToString());
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SameOutputAndStatusAsNative(string id)
    {
        ProgramCase c = TestPrograms.All().Single(x => x.ToString() == id);
        byte[]? stdin = c.StdinFile == null ? null : File.ReadAllBytes(Path.Combine(TestPrograms.SourceDir, c.StdinFile));
        GuestRunResult native = GuestRunner.Native(c.Binary, c.Args, stdin);
        GuestRunResult vm = GuestRunner.Vm(c.Binary, c.Args, stdin);
        Assert.True(native.StdoutText == vm.StdoutText && native.ExitStatus == vm.ExitStatus,
            $"{id}: native exit {native.ExitStatus}, vm exit {vm.ExitStatus}\nvm stderr: {vm.Stderr}\n" +
            $"first difference at byte {FirstDifference(native.Stdout, vm.Stdout)}");
        Assert.Equal(native.Stdout, vm.Stdout);
    }

    static int FirstDifference(byte[] a, byte[] b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++) if (a[i] != b[i]) return i;
        return a.Length == b.Length ? -1 : n;
    }
}
