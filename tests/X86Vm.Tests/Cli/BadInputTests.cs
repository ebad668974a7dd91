using System.Diagnostics;
using X86Vm.Tests.Programs;

namespace X86Vm.Tests.Cli;

/// <summary>Bad input gets one clear line and a non-zero exit, never a stack trace.</summary>
public class BadInputTests : IDisposable
{
    // Not under /tmp: the guest's default view has a private tmpfs there.
    readonly string _dir = Directory.CreateDirectory(Path.Combine(GuestRunner.RepoRoot, ".cache", "bad-input-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    string Write(string name, byte[] content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    static byte[] ElfHeader(byte elfClass, ushort machine, ushort type = 2)
    {
        var h = new byte[64];
        h[0] = 0x7F; h[1] = (byte)'E'; h[2] = (byte)'L'; h[3] = (byte)'F';
        h[4] = elfClass; h[5] = 1; h[6] = 1;
        BitConverter.TryWriteBytes(h.AsSpan(16), type);
        BitConverter.TryWriteBytes(h.AsSpan(18), machine);
        return h;
    }

    void AssertRejected(string path, string expectedFragment, int expectedStatus = 126)
    {
        GuestRunResult r = GuestRunner.Vm(path, []);
        Assert.Equal(expectedStatus, r.ExitStatus);
        Assert.Contains(expectedFragment, r.Stderr);
        Assert.DoesNotContain("\n", r.Stderr.TrimEnd());
    }

    [Fact] public void MissingFile() => AssertRejected(Path.Combine(_dir, "nope"), "No such file or directory", 127);
    [Fact] public void NotAnElf() => AssertRejected(Write("text", "#just text\n"u8.ToArray()), "not an ELF");
    [Fact] public void EmptyFile() => AssertRejected(Write("empty", []), "not an ELF");
    [Fact] public void TruncatedHeader() => AssertRejected(Write("trunc", ElfHeader(2, 62).AsSpan(0, 30).ToArray()), "truncated");
    [Fact] public void ArmElf() => AssertRejected(Write("arm", ElfHeader(2, 183)), "AArch64");
    [Fact] public void CorruptProgramHeaders() => AssertRejected(Write("corrupt", ElfHeader(2, 62)), "corrupt");
    [Fact] public void DirectoryInsteadOfProgram() => AssertRejected(_dir, "directory");

    [Fact]
    public void TruncatedRealProgram()
    {
        byte[] real = File.ReadAllBytes("/bin/busybox");
        AssertRejected(Write("half", real.AsSpan(0, real.Length / 2).ToArray()), "truncated or corrupt");
    }

    [Fact]
    public void MissingInterpreterIsReportedClearly()
    {
        byte[] real = File.ReadAllBytes("/bin/true");
        byte[] interp = "/lib64/ld-linux-x86-64.so.2"u8.ToArray();
        int at = real.AsSpan().IndexOf(interp);
        Assert.True(at > 0, "/bin/true names /lib64/ld-linux-x86-64.so.2 as its interpreter");
        "/lib64/ld-missing.so.2\0"u8.CopyTo(real.AsSpan(at));
        string path = Write("needs-missing-interp", real);
        AssertRejected(path, $"{path}: interpreter /lib64/ld-missing.so.2 not found", 127);
    }

    [Fact]
    public void CommandLineGivesOneLineWithoutStackTrace()
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "X86Vm.Cli");
        Assert.True(File.Exists(cli) || File.Exists(cli + ".dll"), "CLI built next to the tests");
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "X86Vm.Cli.dll"), "run",
            "--mount", $"{_dir}:{_dir}:ro", Write("x", "garbage"u8.ToArray())])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(126, p.ExitCode);
        Assert.StartsWith("x86vm: ", err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.DoesNotContain("   at ", err);
    }
}
