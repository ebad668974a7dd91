using X86Vm.Cpu.Memory;
using X86Vm.Linux;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Tests.Vfs;

/// <summary>
/// IPC objects give back the memory they charge to the VM's account: a POSIX queue when it is unlinked and no longer
/// open (and it counts against the limits until then), SEM_UNDO records at their process's exit or the set's removal.
/// </summary>
public class IpcChargeTests
{
    static Kernel NewKernel() => new(new KernelOptions { FileSystem = new VirtualFileSystem() });

    static PosixMessageQueue Create(Kernel k, string name)
    {
        var q = new PosixMessageQueue(name, 0, 0, 0x180, PosixMessageQueues.MaxMessages, PosixMessageQueues.MaxMessageSize);
        Assert.True(q.Held.TryCharge(k, 1));
        k.PosixMessageQueues.Named.Add(q);
        return q;
    }

    [Fact]
    public void UnlinkedQueueIsFreedAtItsLastClose()
    {
        Kernel k = NewKernel();
        PosixMessageQueues all = k.PosixMessageQueues;
        long before = k.Options.Memory.Pages;
        PosixMessageQueue q = Create(k, "a");
        var f = new MessageQueueFile(k, q, 0);
        var g = new MessageQueueFile(k, q, 0);
        Assert.Equal(before + 1, k.Options.Memory.Pages);

        all.Unlink(k, q);
        Assert.Null(all.Find("a"));
        Assert.Equal(1, all.Count); // still counts against queues_max
        Assert.Equal(q.LimitBytes, all.BytesOf(0)); // and against RLIMIT_MSGQUEUE
        Assert.Equal(before + 1, k.Options.Memory.Pages);

        f.Release();
        Assert.Equal(before + 1, k.Options.Memory.Pages);
        g.Release();
        Assert.Equal(0, all.Count);
        Assert.Equal(0, all.BytesOf(0));
        Assert.Equal(before, k.Options.Memory.Pages);
    }

    [Fact]
    public void QueueUnlinkedWhenClosedIsFreedAtOnce()
    {
        Kernel k = NewKernel();
        long before = k.Options.Memory.Pages;
        PosixMessageQueue q = Create(k, "b");
        new MessageQueueFile(k, q, 0).Release();
        Assert.Equal(before + 1, k.Options.Memory.Pages); // named: lives on closed
        k.PosixMessageQueues.Unlink(k, q);
        Assert.Equal(0, k.PosixMessageQueues.Count);
        Assert.Equal(before, k.Options.Memory.Pages);
    }

    [Fact]
    public void UndoRecordsAreChargedUntilExitOrRemoval()
    {
        Kernel k = NewKernel();
        var p1 = new GuestProcess(k, 100, new AddressSpace(k.Options.Memory));
        var p2 = new GuestProcess(k, 101, new AddressSpace(k.Options.Memory));
        long before = k.Options.Memory.Pages;
        var set = new SemaphoreSet(p1, 1, 0x180, 3000); // 12000 bytes of adjustments per process: 3 pages each
        SemaphoreSet.Operation[] up = [new(0, 1, SemaphoreSet.SEM_UNDO)];

        foreach (GuestProcess p in new[] { p1, p2 })
        {
            Assert.True(set.ChargeUndo(k, p.Pid, adding: true));
            Assert.Equal(SemaphoreSet.Outcome.Done, set.Try(up, p.Pid, apply: true, out _));
            Assert.True(set.ChargeUndo(k, p.Pid, adding: false));
        }
        k.Semaphores.Registry.Add(set);
        Assert.Equal(before + (2 * 12000 + 256 + 4095) / 4096, k.Options.Memory.Pages);

        k.Semaphores.ProcessExited(p1);
        Assert.Equal(before + (12000 + 256 + 4095) / 4096, k.Options.Memory.Pages);
        k.Semaphores.Remove(k, set);
        Assert.Equal(before, k.Options.Memory.Pages);
    }
}
