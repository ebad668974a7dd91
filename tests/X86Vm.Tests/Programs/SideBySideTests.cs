namespace X86Vm.Tests.Programs;

/// <summary>
/// Tests that run one program natively and in the VM, each in its own fresh working directory (the guest's
/// read-write current directory), and require the same stdout bytes and exit status.
/// </summary>
public abstract class SideBySideTests : IDisposable
{
    protected readonly string NativeDir = Fresh(), VmDir = Fresh();

    static string Fresh()
    {
        // Not under /tmp: the guest's /tmp is a private tmpfs.
        string dir = Path.Combine(GuestRunner.RepoRoot, ".cache", "scratch", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public void Dispose()
    {
        Directory.Delete(NativeDir, true);
        Directory.Delete(VmDir, true);
        GC.SuppressFinalize(this);
    }

    protected (GuestRunResult Native, GuestRunResult Vm) Both(string binary, IReadOnlyList<string> args, IReadOnlyList<string>? environment = null) =>
        (GuestRunner.Native(binary, args, cwd: NativeDir, environment: environment),
         GuestRunner.Vm(binary, args, cwd: VmDir, environment: environment));

    protected static void AssertSame(GuestRunResult native, GuestRunResult vm, string what)
    {
        Assert.True(native.ExitStatus == vm.ExitStatus && native.Stdout.AsSpan().SequenceEqual(vm.Stdout),
            $"{what}: native exit {native.ExitStatus}, vm exit {vm.ExitStatus}\n{FirstDifference(native.StdoutText, vm.StdoutText)}\n" +
            $"vm stderr (tail): {Tail(vm.Stderr)}\nnative stderr (tail): {Tail(native.Stderr)}");
    }

    static string Tail(string s) => s.Length > 3000 ? "…" + s[^3000..] : s;

    /// <summary>The first line where two outputs differ, for failure messages.</summary>
    public static string FirstDifference(string expected, string actual)
    {
        string[] e = expected.Split('\n'), a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string x = i < e.Length ? e[i] : "<end>", y = i < a.Length ? a[i] : "<end>";
            if (x != y) return $"first difference at stdout line {i + 1}:\n native: {x}\n vm:     {y}";
        }
        return "stdout identical";
    }
}
