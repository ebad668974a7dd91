using X86Vm.Linux.Net;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Syscalls;

/// <summary>How a socket call waits: until the socket is ready, or until SO_RCVTIMEO/SO_SNDTIMEO passes (then EAGAIN, socket(7)).</summary>
static class SocketIo
{
    public static long Wait(GuestProcess p, SocketFile s, PollEvents waitFor, int timeoutOption, string what)
    {
        Kernel k = p.Kernel;
        long timeout = s.Options.Timeout(timeoutOption);
        long? deadline = null;
        if (timeout > 0)
        {
            // A call restarted after waiting keeps its first deadline.
            deadline = k.CurrentThread.Resumed is ConditionWait earlier && earlier.Deadline != null ? earlier.Deadline : k.Clock.MonotonicNanoseconds + timeout;
            if (k.Clock.MonotonicNanoseconds >= deadline) return -Errno.EAGAIN;
        }
        return k.Block(new FileReadyWait(s, waitFor | PollEvents.HangUp | PollEvents.Error, deadline, $"{what} on {s.Path}"));
    }

    /// <summary>Finishes a send: waits when it would block; EPIPE raises SIGPIPE unless MSG_NOSIGNAL.</summary>
    public static long CompleteSend(GuestProcess p, SocketFile s, long result, int flags)
    {
        if (result == OpenFile.WouldBlock) return Wait(p, s, PollEvents.Out, SocketOptions.SO_SNDTIMEO, "send");
        if (result == -Errno.EPIPE && (flags & SocketConstants.MSG_NOSIGNAL) == 0)
            p.Kernel.SendSignal(p.Kernel.CurrentThread, X86Vm.Cpu.Memory.Signals.SIGPIPE);
        return result;
    }

    public static long CompleteReceive(GuestProcess p, SocketFile s, long result) =>
        result == OpenFile.WouldBlock ? Wait(p, s, PollEvents.In, SocketOptions.SO_RCVTIMEO, "recv") : result;
}
