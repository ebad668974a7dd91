using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Syscalls;

/// <summary>pipe, pipe2, poll, ppoll, select, pselect6: enough for shells and pipelines.</summary>
[SyscallFamily]
static class PipeSyscalls
{
    [Syscall(22, "p")]
    static long PipeCall(GuestProcess p, in SyscallArgs a) => MakePipe(p, a.A0, 0);

    [Syscall(293, "p,o")]
    static long Pipe2(GuestProcess p, in SyscallArgs a) => MakePipe(p, a.A0, (int)a.A1);

    static long MakePipe(GuestProcess p, ulong fds, int flags)
    {
        if ((flags & ~(OpenFlags.CloseOnExec | OpenFlags.NonBlock | OpenFlags.Direct)) != 0) return -Errno.EINVAL;
        var (r, w) = new Pipe(p.Kernel.NextAnonymousInode()).Open(flags);
        bool cloexec = (flags & OpenFlags.CloseOnExec) != 0;
        int rfd = p.Files.Add(r, cloexec);
        if (rfd < 0) { r.Release(); w.Release(); return rfd; }
        int wfd = p.Files.Add(w, cloexec);
        if (wfd < 0) { p.Files.Close(rfd); w.Release(); return wfd; }
        if (!GuestIo.WriteU32(p, fds, (uint)rfd) || !GuestIo.WriteU32(p, fds + 4, (uint)wfd))
        {
            p.Files.Close(rfd);
            p.Files.Close(wfd);
            return -Errno.EFAULT;
        }
        return 0;
    }

    /// <summary>A timeout as an absolute monotonic deadline; null for "forever"; -1 for a bad pointer, -2 for a negative time.</summary>
    static long? Deadline(GuestProcess p, ulong timespec, bool microseconds, Timespec layout)
    {
        if (timespec == 0) return null;
        if (!layout.Read(p, timespec, out ulong sec, out ulong frac)) return -1;
        if ((long)sec < 0 || (long)frac < 0 || (!microseconds && frac >= 1_000_000_000)) return -2; // EINVAL
        long ns = (long)Math.Min(sec, 1UL << 32) * 1_000_000_000L + (long)(microseconds ? frac * 1000 : frac);
        return p.Kernel.Clock.MonotonicNanoseconds + ns;
    }

    [Syscall(7, "p,u,d")]
    static long Poll(GuestProcess p, in SyscallArgs a)
    {
        int timeoutMs = (int)a.A2;
        long? deadline = timeoutMs < 0 ? null : p.Kernel.Clock.MonotonicNanoseconds + timeoutMs * 1_000_000L;
        return DoPoll(p, a.A0, a.A1, deadline);
    }

    [Syscall(271, "p,u,p,p,u")]
    static long Ppoll(GuestProcess p, in SyscallArgs a) => Ppoll(p, a, Timespec.Time64);

    internal static long Ppoll(GuestProcess p, in SyscallArgs a, Timespec layout)
    {
        long? deadline = Deadline(p, a.A2, microseconds: false, layout);
        if (deadline == -1) return -Errno.EFAULT;
        if (deadline == -2) return -Errno.EINVAL;
        ulong fds = a.A0, count = a.A1;
        return SyscallSignalMask.With(p, a.A3, a.A4, () => DoPoll(p, fds, count, deadline));
    }

    /// <summary>Checks every pollfd; returns the ready count, or waits until one is ready or the deadline passes.</summary>
    static long DoPoll(GuestProcess p, ulong fdsAddress, ulong count, long? deadline)
    {
        if (count > (ulong)p.Files.MaxDescriptors) return -Errno.EINVAL; // RLIMIT_NOFILE
        var fds = new byte[count * 8];
        if (!p.Memory.TryRead(fdsAddress, fds)) return -Errno.EFAULT;
        Kernel k = p.Kernel;
        // A restarted call keeps its original deadline.
        if (k.CurrentThread.Resumed is ConditionWait earlier) deadline = earlier.Deadline;
        int ready = 0;
        for (int i = 0; i < (int)count; i++)
        {
            int fd = BitConverter.ToInt32(fds, i * 8);
            var events = (PollEvents)BitConverter.ToInt16(fds, i * 8 + 4);
            PollEvents revents = 0;
            if (fd >= 0)
            {
                OpenFile? f = p.Files.Get(fd);
                revents = f == null ? PollEvents.Invalid
                    : PollMask.Of(f) & (events | PollEvents.Error | PollEvents.HangUp | PollEvents.Invalid);
            }
            BitConverter.TryWriteBytes(fds.AsSpan(i * 8 + 6), (short)revents);
            if (revents != 0) ready++;
        }
        if (ready == 0 && (deadline == null || k.Clock.MonotonicNanoseconds < deadline))
            return k.Block(new PollWait(p, fds, count, deadline));
        return p.Memory.TryWrite(fdsAddress, fds) ? ready : -Errno.EFAULT;
    }

    internal static bool AnyReady(GuestProcess p, byte[] fds, ulong count)
    {
        for (int i = 0; i < (int)count; i++)
        {
            int fd = BitConverter.ToInt32(fds, i * 8);
            if (fd < 0) continue;
            var events = (PollEvents)BitConverter.ToInt16(fds, i * 8 + 4);
            OpenFile? f = p.Files.Get(fd);
            if (f == null || (PollMask.Of(f) & (events | PollEvents.Error | PollEvents.HangUp)) != 0) return true;
        }
        return false;
    }

    [Syscall(23, "d,p,p,p,p")]
    static long Select(GuestProcess p, in SyscallArgs a)
    {
        // struct timeval: two longs of the ABI (i386's _newselect shares this implementation).
        long? deadline = Deadline(p, a.A4, microseconds: true, Timespec.Longs(p));
        if (deadline == -1) return -Errno.EFAULT;
        if (deadline == -2) return -Errno.EINVAL;
        return RemainingTime(p, a.A4, true, Timespec.Longs(p), deadline, DoSelect(p, (int)a.A0, a.A1, a.A2, a.A3, deadline));
    }

    [Syscall(270, "d,p,p,p,p,p")]
    static long Pselect6(GuestProcess p, in SyscallArgs a) => Pselect6(p, a, Timespec.Time64);

    internal static long Pselect6(GuestProcess p, in SyscallArgs a, Timespec layout)
    {
        long? deadline = Deadline(p, a.A4, microseconds: false, layout);
        if (deadline == -1) return -Errno.EFAULT;
        if (deadline == -2) return -Errno.EINVAL;
        // The sixth argument points to { const sigset_t *ss; size_t ss_len; } (select(2), "C library/kernel differences"),
        // a pointer and a size_t of the ABI.
        ulong sigmask = 0, sigsetsize = 0, word = (ulong)p.Abi.PointerSize();
        if (a.A5 != 0 && (!GuestIo.ReadWord(p, a.A5, out sigmask) || !GuestIo.ReadWord(p, a.A5 + word, out sigsetsize))) return -Errno.EFAULT;
        int nfds = (int)a.A0;
        ulong r = a.A1, w = a.A2, e = a.A3;
        ulong timeout = a.A4;
        return RemainingTime(p, timeout, false, layout, deadline, SyscallSignalMask.With(p, sigmask, sigsetsize, () => DoSelect(p, nfds, r, w, e, deadline)));
    }

    /// <summary>
    /// select and pselect6 write the time not slept back into their timeout (select(2) NOTES, poll_select_finish), when
    /// the call completes; a bad pointer there is ignored, as Linux does once the call has done its work.
    /// </summary>
    static long RemainingTime(GuestProcess p, ulong timeout, bool microseconds, Timespec layout, long? deadline, long result)
    {
        if (timeout == 0 || deadline == null || result == SyscallTable.Blocked || result == -Errno.EFAULT || result == -Errno.EBADF ||
            result == -Errno.EINVAL) return result;
        if (p.Kernel.CurrentThread.Resumed is ConditionWait earlier && earlier.Deadline is long first) deadline = first;
        long left = Math.Max(0, deadline.Value - p.Kernel.Clock.MonotonicNanoseconds);
        layout.Write(p, timeout, left, microseconds);
        return result;
    }

    static long DoSelect(GuestProcess p, int nfds, ulong readSet, ulong writeSet, ulong exceptSet, long? deadline)
    {
        if (nfds < 0) return -Errno.EINVAL;
        nfds = Math.Min(nfds, Math.Max(p.Files.MaxDescriptors, FileDescriptorTable.Limit)); // the kernel clamps to its table size
        int bytes = (nfds + 63) / 64 * 8;
        byte[]? Load(ulong address)
        {
            if (address == 0) return null;
            var set = new byte[bytes];
            return p.Memory.TryRead(address, set) ? set : null;
        }
        byte[]? r = Load(readSet), w = Load(writeSet), e = Load(exceptSet);
        if ((readSet != 0 && r == null) || (writeSet != 0 && w == null) || (exceptSet != 0 && e == null)) return -Errno.EFAULT;
        Kernel k = p.Kernel;
        if (k.CurrentThread.Resumed is ConditionWait earlier) deadline = earlier.Deadline;
        for (int fd = 0; fd < nfds; fd++)
        {
            bool wanted = IsSet(r, fd) || IsSet(w, fd) || IsSet(e, fd);
            if (wanted && p.Files.Get(fd) == null) return -Errno.EBADF;
        }
        var (ro, wo, count) = Evaluate(p, nfds, r, w);
        if (count == 0 && (deadline == null || k.Clock.MonotonicNanoseconds < deadline))
            return k.Block(new SelectWait(p, nfds, r, w, deadline));
        if ((r != null && !p.Memory.TryWrite(readSet, ro)) || (w != null && !p.Memory.TryWrite(writeSet, wo)) ||
            (e != null && !p.Memory.TryWrite(exceptSet, new byte[bytes])))
            return -Errno.EFAULT;
        return count;
    }

    static bool IsSet(byte[]? set, int fd) => set != null && (set[fd / 8] & (1 << (fd % 8))) != 0;

    internal static (byte[] Read, byte[] Write, int Count) Evaluate(GuestProcess p, int nfds, byte[]? r, byte[]? w)
    {
        int bytes = (nfds + 63) / 64 * 8;
        var ro = new byte[bytes];
        var wo = new byte[bytes];
        int count = 0;
        for (int fd = 0; fd < nfds; fd++)
        {
            OpenFile? f = p.Files.Get(fd);
            if (f == null) continue;
            PollEvents ev = f.Poll();
            if (IsSet(r, fd) && (ev & (PollEvents.In | PollEvents.HangUp | PollEvents.Error)) != 0) { ro[fd / 8] |= (byte)(1 << (fd % 8)); count++; }
            if (IsSet(w, fd) && (ev & (PollEvents.Out | PollEvents.Error)) != 0) { wo[fd / 8] |= (byte)(1 << (fd % 8)); count++; }
        }
        return (ro, wo, count);
    }
}
