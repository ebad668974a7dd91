using System.Buffers.Binary;
using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;
using static X86Vm.Linux.Vfs.Epoll;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait, epoll_pwait2 (epoll(7)). The instance and its ready
/// list are <see cref="Epoll"/>; a blocked epoll_wait is an <see cref="EpollWait"/> the scheduler checks at its
/// scheduling points, which costs a look at the head of the ready list, not a poll of every registered file.
/// </summary>
[SyscallFamily]
static class EpollSyscalls
{
    const int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    const int EventSize = 12; // struct epoll_event is packed on x86-64: u32 events, u64 data
    const int MaxEvents = int.MaxValue / EventSize; // EP_MAX_EVENTS

    [Syscall(213, "d")]
    static long EpollCreate(GuestProcess p, in SyscallArgs a) => (int)a.A0 <= 0 ? -Errno.EINVAL : Create(p, 0);

    [Syscall(291, "o")]
    static long EpollCreate1(GuestProcess p, in SyscallArgs a) =>
        ((int)a.A0 & ~OpenFlags.CloseOnExec) != 0 ? -Errno.EINVAL : Create(p, (int)a.A0);

    static long Create(GuestProcess p, int flags)
    {
        var ep = new Epoll(p.Kernel);
        int fd = p.Files.Add(ep, (flags & OpenFlags.CloseOnExec) != 0);
        if (fd < 0) ep.Release();
        return fd;
    }

    /// <summary>file_can_poll: regular files, directories and the memory devices (/dev/null, /dev/zero…) have no poll method.</summary>
    static bool CanPoll(OpenFile f)
    {
        FileStatus st = f.Status();
        if (st.Kind is FileKind.Regular or FileKind.Directory or FileKind.Symlink) return false;
        if (st.Kind == FileKind.CharDevice)
            foreach (uint minor in (uint[])[1, 2, 3, 4, 5, 7]) // mem, kmem, null, port, zero, full
                if (st.RDevice == Host.HostStat.MakeDev(1, minor)) return false;
        return true;
    }

    /// <summary>fdget: O_PATH descriptors do not count.</summary>
    static OpenFile? Get(GuestProcess p, int fd) => p.Files.Get(fd) is { } f && f is not PathFile ? f : null;

    [Syscall(233, "d,d,d,p")]
    static long EpollCtl(GuestProcess p, in SyscallArgs a)
    {
        int epfd = (int)a.A0, op = (int)a.A1, fd = (int)a.A2;
        uint events = 0;
        ulong data = 0;
        bool hasEvent = op != EPOLL_CTL_DEL;
        if (hasEvent)
        {
            Span<byte> ev = stackalloc byte[EventSize];
            if (!p.Memory.TryRead(a.A3, ev)) return -Errno.EFAULT;
            events = BinaryPrimitives.ReadUInt32LittleEndian(ev);
            data = BinaryPrimitives.ReadUInt64LittleEndian(ev[4..]);
        }
        OpenFile? epFile = Get(p, epfd);
        if (epFile == null) return -Errno.EBADF;
        OpenFile? target = Get(p, fd);
        if (target == null) return -Errno.EBADF;
        if (!CanPoll(target)) return -Errno.EPERM;
        if (epFile == target || epFile is not Epoll ep) return -Errno.EINVAL;
        if (hasEvent && (events & EPOLLEXCLUSIVE) != 0)
        {
            if (op == EPOLL_CTL_MOD) return -Errno.EINVAL;
            if (op == EPOLL_CTL_ADD && (target is Epoll || (events & ~ExclusiveOkBits) != 0)) return -Errno.EINVAL;
        }
        if (op == EPOLL_CTL_ADD && target is Epoll inner && ep.WouldLoop(inner)) return -Errno.ELOOP;
        EpollItem? item = ep.Find(fd, target);
        switch (op)
        {
            case EPOLL_CTL_ADD:
                if (item != null) return -Errno.EEXIST;
                ep.Add(fd, target, events | EPOLLERR | EPOLLHUP, data, p);
                return 0;
            case EPOLL_CTL_DEL:
                if (item == null) return -Errno.ENOENT;
                ep.Remove(item);
                return 0;
            case EPOLL_CTL_MOD:
                if (item == null) return -Errno.ENOENT;
                if ((item.Events & EPOLLEXCLUSIVE) != 0) return -Errno.EINVAL;
                ep.Modify(item, events | EPOLLERR | EPOLLHUP, data);
                return 0;
            default:
                return -Errno.EINVAL;
        }
    }

    [Syscall(232, "d,p,d,d")]
    static long EpollWaitCall(GuestProcess p, in SyscallArgs a) =>
        Wait(p, (int)a.A0, a.A1, (int)a.A2, TimeoutFromMilliseconds(p, (int)a.A3), 0, 0, (int)a.A3 == 0);

    [Syscall(281, "d,p,d,d,p,u")]
    static long EpollPwait(GuestProcess p, in SyscallArgs a) =>
        Wait(p, (int)a.A0, a.A1, (int)a.A2, TimeoutFromMilliseconds(p, (int)a.A3), a.A4, a.A5, (int)a.A3 == 0);

    [Syscall(441, "d,p,d,p,p,u")]
    static long EpollPwait2(GuestProcess p, in SyscallArgs a)
    {
        long? deadline = null;
        bool zero = false;
        if (a.A3 != 0)
        {
            if (!GuestIo.ReadU64(p, a.A3, out ulong sec) || !GuestIo.ReadU64(p, a.A3 + 8, out ulong nsec)) return -Errno.EFAULT;
            if ((long)sec < 0 || nsec >= 1_000_000_000UL) return -Errno.EINVAL;
            deadline = p.Kernel.Clock.MonotonicNanoseconds + (long)Math.Min(sec, 1UL << 33) * 1_000_000_000L + (long)nsec;
            zero = sec == 0 && nsec == 0;
        }
        return Wait(p, (int)a.A0, a.A1, (int)a.A2, deadline, a.A4, a.A5, zero);
    }

    /// <summary>A millisecond timeout as a monotonic deadline: negative waits forever, zero does not wait.</summary>
    static long? TimeoutFromMilliseconds(GuestProcess p, int ms) =>
        ms < 0 ? null : p.Kernel.Clock.MonotonicNanoseconds + ms * 1_000_000L;

    /// <summary>
    /// do_epoll_pwait: the optional signal mask is in force for the wait (and stays for the handler frame when a signal
    /// interrupts it, so sigreturn restores the caller's mask); otherwise it is restored when the call completes.
    /// </summary>
    static long Wait(GuestProcess p, int epfd, ulong events, int maxevents, long? deadline, ulong sigmask, ulong sigsetsize,
        bool zeroTimeout)
    {
        return SyscallSignalMask.With(p, sigmask, sigsetsize, () => DoWait(p, epfd, events, maxevents, deadline, zeroTimeout));
    }

    static long DoWait(GuestProcess p, int epfd, ulong events, int maxevents, long? deadline, bool zeroTimeout)
    {
        if (maxevents <= 0 || maxevents > MaxEvents) return -Errno.EINVAL;
        ulong end = events + (ulong)maxevents * EventSize;
        if (end < events || end > AddressSpace.UserTop + Page.Size) return -Errno.EFAULT; // access_ok
        OpenFile? f = Get(p, epfd);
        if (f == null) return -Errno.EBADF;
        if (f is not Epoll ep) return -Errno.EINVAL;
        Kernel k = p.Kernel;
        // A call woken from its wait keeps the deadline it computed first.
        if (k.CurrentThread.Resumed is EpollWait earlier && earlier.Epoll == ep) deadline = earlier.Deadline;
        int written = 0;
        byte[] buffer = new byte[EventSize];
        int n = ep.Collect(maxevents, (revents, data) =>
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer, revents);
            BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(4), data);
            if (!p.Memory.TryWrite(events + (ulong)written * EventSize, buffer)) return false;
            written++;
            return true;
        }, out bool faulted);
        if (n > 0) return n;
        if (faulted) return -Errno.EFAULT;
        // A zero timeout never waits. Otherwise the call waits at least once, even if its deadline passed already:
        // a pending signal then interrupts it (EINTR) before the timeout is noticed, as in ep_poll.
        bool first = k.CurrentThread.Resumed is not EpollWait;
        if (deadline != null && k.Clock.MonotonicNanoseconds >= deadline && (!first || zeroTimeout)) return 0;
        return k.Block(new EpollWait(ep, deadline));
    }
}

/// <summary>A thread blocked in epoll_wait: ready when the instance has something to report, or at the deadline.</summary>
public sealed class EpollWait(Epoll epoll, long? deadline) : IWaitCondition
{
    public Epoll Epoll { get; } = epoll;
    public long? Deadline { get; } = deadline;
    public bool IsReady(Kernel kernel) => Epoll.HasEvents() || (Deadline != null && kernel.Clock.MonotonicNanoseconds >= Deadline);
    public override string ToString() => "epoll_wait";
}
