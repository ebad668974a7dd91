using X86Vm.Linux;
using X86Vm.Linux.Syscalls;
using X86Vm.Linux.Vfs;
using X86Vm.Tests.Programs;

namespace X86Vm.Tests.Cli;

/// <summary>docs/syscalls.md states exactly what the syscall table implements.</summary>
public class SyscallDocTests
{
    [Fact]
    public void DocumentMatchesTheSyscallTable()
    {
        var kernel = new Kernel(new KernelOptions { FileSystem = new VirtualFileSystem() });
        string expected = SyscallTable.StatusDocument(kernel.Syscalls.Implemented);
        string path = Path.Combine(GuestRunner.RepoRoot, "docs", "syscalls.md");
        if (Environment.GetEnvironmentVariable("X86VM_UPDATE_DOCS") == "1") File.WriteAllText(path, expected);
        Assert.True(File.Exists(path), "docs/syscalls.md is missing: run with X86VM_UPDATE_DOCS=1");
        Assert.True(expected == File.ReadAllText(path),
            "docs/syscalls.md is out of date with the syscall table: regenerate with X86VM_UPDATE_DOCS=1 dotnet test --filter SyscallDocTests");
    }
}
