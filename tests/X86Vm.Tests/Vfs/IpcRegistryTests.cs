using X86Vm.Cpu.Memory;
using X86Vm.Linux;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Tests.Vfs;

/// <summary>IpcRegistry finds objects by key and by index through its indexes, not by scanning.</summary>
public class IpcRegistryTests
{
    [Fact]
    public void KeyAndIndexLookupsFollowAddsAndRemovals()
    {
        var k = new Kernel(new KernelOptions { FileSystem = new VirtualFileSystem() });
        var p = new GuestProcess(k, 100, new AddressSpace(k.Options.Memory));
        var registry = new IpcRegistry<SemaphoreSet>();
        SemaphoreSet a = registry.Add(new SemaphoreSet(p, 7, 0x180, 1))!;
        SemaphoreSet priv = registry.Add(new SemaphoreSet(p, IpcObject.IPC_PRIVATE, 0x180, 1))!;
        SemaphoreSet b = registry.Add(new SemaphoreSet(p, 8, 0x180, 1))!;
        Assert.Same(a, registry.ByKey(7));
        Assert.Same(b, registry.ByKey(8));
        Assert.Null(registry.ByKey(IpcObject.IPC_PRIVATE));
        Assert.Null(registry.ByKey(9));
        Assert.Same(priv, registry.AtIndex(1));
        Assert.Same(b, registry.AtIndex(2));
        Assert.Null(registry.AtIndex(3));

        // Marked removed but still held (a shared memory segment until its last detach): its key finds nothing.
        a.Removed = true;
        Assert.Null(registry.ByKey(7));
        SemaphoreSet again = registry.Add(new SemaphoreSet(p, 7, 0x180, 1))!;
        Assert.Same(again, registry.ByKey(7));
        registry.Remove(a); // the older object going does not drop the newer one's key
        Assert.Same(again, registry.ByKey(7));
        Assert.Null(registry.AtIndex(0));
        Assert.Same(again, registry.AtIndex(3));

        registry.Remove(b);
        Assert.Null(registry.ByKey(8));
        Assert.Null(registry.AtIndex(2));
    }
}
