using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Tests.Vfs;

/// <summary>
/// epoll on files that have no wait queue (host streams, and any file family that only implements
/// <see cref="OpenFile.ReadinessGeneration"/>): epoll polls them at every look; edge-triggered interest reports again
/// only after the generation moved since the last report. The C programs cover files with wait queues.
/// </summary>
public class EpollPolledFileTests
{
    sealed class PolledFile : OpenFile
    {
        public PollEvents Ready;
        public ulong Generation;
        public int Polls;
        public override FileStatus Status() => new() { Kind = FileKind.Socket };
        public override PollEvents Poll()
        {
            Polls++;
            return Ready;
        }
        public override ulong ReadinessGeneration => Generation;
    }

    static readonly GuestProcess NoProcess = null!;

    static (Epoll Epoll, PolledFile File, FileDescriptorTable Table, int Fd) Setup(uint events, PollEvents ready = 0)
    {
        var table = new FileDescriptorTable();
        var file = new PolledFile { Ready = ready };
        int fd = table.Add(file);
        var ep = new Epoll();
        table.Add(ep);
        ep.Add(fd, file, events | Epoll.EPOLLERR | Epoll.EPOLLHUP, 42, NoProcess);
        return (ep, file, table, fd);
    }

    static List<(uint Events, ulong Data)> Wait(Epoll ep, int max = 8)
    {
        var events = new List<(uint, ulong)>();
        ep.Collect(max, (ev, data) =>
        {
            events.Add((ev, data));
            return true;
        }, out _);
        return events;
    }

    [Fact]
    public void LevelTriggeredReportsWhileReady()
    {
        var (ep, file, _, _) = Setup(Epoll.EPOLLIN);
        Assert.Empty(Wait(ep));
        Assert.False(ep.HasEvents());
        file.Ready = PollEvents.In;
        Assert.True(ep.HasEvents());
        Assert.Equal([(Epoll.EPOLLIN, 42UL)], Wait(ep));
        Assert.Equal([(Epoll.EPOLLIN, 42UL)], Wait(ep));
        file.Ready = PollEvents.In | PollEvents.HangUp;
        Assert.Equal([(Epoll.EPOLLIN | Epoll.EPOLLHUP, 42UL)], Wait(ep));
        file.Ready = 0;
        Assert.Empty(Wait(ep));
    }

    [Fact]
    public void EdgeTriggeredReportsAgainOnlyAfterTheGenerationMoved()
    {
        var (ep, file, _, _) = Setup(Epoll.EPOLLIN | Epoll.EPOLLET);
        Assert.Empty(Wait(ep));
        file.Ready = PollEvents.In;
        file.Generation = 1;
        Assert.Single(Wait(ep));
        Assert.Empty(Wait(ep)); // still ready, no new event
        Assert.False(ep.HasEvents());
        file.Generation = 2;
        Assert.True(ep.HasEvents());
        Assert.Single(Wait(ep));
        // A change while not ready is reported once the file is ready (the generation moved since the last report).
        file.Ready = 0;
        file.Generation = 3;
        Assert.Empty(Wait(ep));
        file.Ready = PollEvents.In;
        Assert.Single(Wait(ep));
        Assert.Empty(Wait(ep));
    }

    [Fact]
    public void ReadyAtAddIsReportedOnceForEdgeTriggered()
    {
        var (ep, _, _, _) = Setup(Epoll.EPOLLIN | Epoll.EPOLLET, PollEvents.In);
        Assert.Single(Wait(ep));
        Assert.Empty(Wait(ep));
    }

    [Fact]
    public void OneShotIsDisabledUntilModified()
    {
        var (ep, file, _, fd) = Setup(Epoll.EPOLLIN | Epoll.EPOLLONESHOT, PollEvents.In);
        Assert.Single(Wait(ep));
        file.Generation++;
        Assert.Empty(Wait(ep));
        EpollItem item = ep.Find(fd, file)!;
        ep.Modify(item, Epoll.EPOLLIN | Epoll.EPOLLONESHOT | Epoll.EPOLLERR | Epoll.EPOLLHUP, 7);
        Assert.Equal([(Epoll.EPOLLIN, 7UL)], Wait(ep));
    }

    [Fact]
    public void InterestEndsWithTheLastDescriptor()
    {
        var (ep, file, table, fd) = Setup(Epoll.EPOLLIN, PollEvents.In);
        int dup = table.Add(file);
        table.Close(fd);
        Assert.Single(Wait(ep)); // the description is still open through the duplicate
        table.Close(dup);
        Assert.Empty(Wait(ep));
        Assert.Equal(0, ep.Count);
        int polls = file.Polls;
        Assert.False(ep.HasEvents());
        Assert.Equal(polls, file.Polls); // a released file is not polled any more
    }
}
