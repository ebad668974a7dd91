using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Syscalls;

/// <summary>Turns an <see cref="OpenFile"/> result into a syscall result: waiting when it would block, SIGPIPE on EPIPE.</summary>
static class IoWait
{
    public static long Complete(GuestProcess p, OpenFile f, long result, PollEvents waitFor)
    {
        if (result == OpenFile.WouldBlock && f is Net.SocketFile socket)
            return SocketIo.Wait(p, socket, waitFor, waitFor == PollEvents.In ? Net.SocketOptions.SO_RCVTIMEO : Net.SocketOptions.SO_SNDTIMEO, "io");
        if (result == OpenFile.WouldBlock)
            return p.Kernel.Block(new WaitFor(_ => (f.Poll() & (waitFor | PollEvents.HangUp | PollEvents.Error)) != 0, null, $"io on {f.Path}"));
        if (result == -Errno.EPIPE) p.Kernel.SendSignal(p.Kernel.CurrentThread, X86Vm.Cpu.Memory.Signals.SIGPIPE);
        return result;
    }
}
