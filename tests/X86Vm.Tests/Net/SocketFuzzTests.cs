using X86Vm.Tests.Programs;
using X86Vm.Tests.Vfs;

namespace X86Vm.Tests.Net;

/// <summary>
/// Robustness: tests/programs/net/socket_fuzz.c makes thousands of socket, epoll and I/O calls with good and bad
/// arguments (invalid descriptors, unmapped and kernel pointers, huge lengths, garbage control messages). It must
/// survive natively and in the VM alike: no host exception, no hang, the same final line and exit status.
/// </summary>
public class SocketFuzzTests
{
    [Fact]
    public void SocketCallsWithHostileArgumentsNeverHurtTheVm()
    {
        string program = SyscallPrograms.Binary("socket_fuzz");
        string dir = Directory.CreateTempSubdirectory("x86vm-fuzz-").FullName;
        try
        {
            GuestRunResult native = GuestRunner.Native(program, [], cwd: dir);
            GuestRunResult vm = GuestRunner.Vm(program, [], cwd: dir, mounts: GuestRunner.WithRepository(MountSpec.DefaultView(dir)));
            Assert.Equal(0, native.ExitStatus);
            Assert.Equal(native.StdoutText, vm.StdoutText);
            Assert.Equal(native.ExitStatus, vm.ExitStatus);
        }
        finally { Directory.Delete(dir, true); }
    }
}
