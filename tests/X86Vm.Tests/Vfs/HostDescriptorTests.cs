using System.Runtime.CompilerServices;
using X86Vm.Fuzz;

namespace X86Vm.Tests.Vfs;

/// <summary>
/// A VM holds a descriptor of each mounted host directory. VMs are never disposed, so a process that makes many
/// (the fuzzer died at its ~19,000th with EMFILE) must get them back when the VMs are collected.
/// </summary>
public sealed class HostDescriptorTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("x86vm-fds-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [MethodImpl(MethodImplOptions.NoInlining)] // nothing of the VMs stays reachable from the test's frame
    void RunVms(int count)
    {
        byte[] code = new CodeWriter().ExitGroup(0).ToArray();
        File.WriteAllBytes(Path.Combine(_dir, "prog"),
            ElfWriter.Build([new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_X, GuestLayout.Code, code, (ulong)code.Length)], GuestLayout.Code));
        for (int i = 0; i < count; i++)
        {
            var vm = new VirtualMachine(new VirtualMachineOptions
            {
                Program = "/prog",
                Mounts = [new MountSpec(_dir, "/", MountKind.ReadOnly), new MountSpec(_dir, "/cow", MountKind.CopyOnWrite)],
                WorkingDirectory = "/",
            });
            Assert.Equal(0, vm.Run());
        }
    }

    int DescriptorsOfTheDirectory() =>
        Directory.GetFileSystemEntries("/proc/self/fd").Count(f => { try { return new FileInfo(f).LinkTarget == _dir; } catch (IOException) { return false; } });

    [Fact]
    public void DiscardedVmsReleaseTheirHostDirectories()
    {
        RunVms(200);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.True(DescriptorsOfTheDirectory() < 10, $"{DescriptorsOfTheDirectory()} descriptors of {_dir} still open after 200 VMs");
    }
}
