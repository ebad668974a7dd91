using X86Vm.Tests.Programs;
using X86Vm.Tests.Vfs;

namespace X86Vm.Tests.Net;

/// <summary>
/// Pipe and socket inode numbers are guest-visible (fstat, /proc/PID/fd); they must come from the VM's own state so
/// that a program sees the same numbers whatever other VMs in the host process did before or alongside it.
/// </summary>
public class AnonymousInodeTests
{
    [Fact]
    public void PipeAndSocketInodesDependOnlyOnTheVmItself()
    {
        string program = SyscallPrograms.Binary("anon_inodes");
        GuestRunResult first = GuestRunner.Vm(program, []);
        // Other VMs create pipes and sockets in between (the Python workload would do; a shell pipeline is enough).
        for (int i = 0; i < 3; i++) GuestRunner.Vm("/bin/busybox", ["sh", "-c", "echo x | cat | cat > /dev/null"]);
        GuestRunResult second = GuestRunner.Vm(program, []);
        Assert.Equal(0, first.ExitStatus);
        Assert.Contains("fd 3 -> pipe:[", first.StdoutText);
        Assert.Equal(first.StdoutText, second.StdoutText);
    }
}
