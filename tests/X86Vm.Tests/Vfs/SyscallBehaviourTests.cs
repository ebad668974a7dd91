using X86Vm.Tests.Programs;

namespace X86Vm.Tests.Vfs;

/// <summary>
/// tests/programs/syscalls/*.c check file syscalls (results and errno values) and print them deterministically.
/// Each runs natively in a fresh directory, then in the VM with a fresh directory as its working directory
/// mounted three ways — read-write host directory, copy-on-write overlay, tmpfs — and the output must be
/// identical. The overlay and tmpfs runs must leave the host directory empty; the read-write run must leave the same
/// files with the same bytes as the native run (so data written through shared mappings reached the host).
/// </summary>
public class SyscallBehaviourTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string name in SyscallPrograms.Names)
            foreach (string kind in new[] { "rw", "cow", "tmpfs" })
                data.Add(name, kind);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SameAsNative(string name, string kind)
    {
        string binary = SyscallPrograms.Binary(name);
        string nativeDir = Directory.CreateTempSubdirectory("x86vm-native-").FullName;
        string vmDir = Directory.CreateTempSubdirectory("x86vm-guest-").FullName;
        try
        {
            GuestRunResult native = GuestRunner.Native(binary, [], cwd: nativeDir);
            Assert.True(native.ExitStatus == 0, $"{name} fails natively:\n{native.StdoutText}");
            IReadOnlyList<MountSpec> mounts = GuestRunner.WithRepository(kind switch
            {
                "rw" => MountSpec.DefaultView(vmDir),
                "cow" => [new("/", "/", MountKind.ReadOnly), MountSpec.Tmpfs("/tmp"), new(vmDir, vmDir, MountKind.CopyOnWrite)],
                _ => [new("/", "/", MountKind.ReadOnly), MountSpec.Tmpfs("/tmp"), MountSpec.Tmpfs(vmDir)],
            });
            GuestRunResult vm = SyscallPrograms.Vm(binary, [], mounts, vmDir);
            Assert.True(native.StdoutText == vm.StdoutText, $"{name} ({kind}) differs; vm stderr: {vm.Stderr}\n{SideBySideTests.FirstDifference(native.StdoutText, vm.StdoutText)}");
            Assert.Equal(native.ExitStatus, vm.ExitStatus);
            if (kind != "rw") Assert.Empty(Directory.EnumerateFileSystemEntries(vmDir));
            else Assert.Equal(Contents(nativeDir), Contents(vmDir));
        }
        finally
        {
            Directory.Delete(nativeDir, true);
            Directory.Delete(vmDir, true);
        }
    }

    /// <summary>Every regular file under <paramref name="dir"/> as "relative path: size and SHA-256", sorted.</summary>
    static string Contents(string dir) => string.Join('\n', Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
        .Where(f => !new FileInfo(f).Attributes.HasFlag(FileAttributes.ReparsePoint))
        .Select(f => $"{Path.GetRelativePath(dir, f)}: {new FileInfo(f).Length} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))}")
        .Order(StringComparer.Ordinal));
}
