using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// A pidfd (pidfd_open(2)): a descriptor for a process. It polls readable once the process has exited (zombie or reaped),
/// pidfd_send_signal signals it, waitid(P_PIDFD) waits for it; read and write are EINVAL.
/// </summary>
public sealed class PidFd : OpenFile
{
    public GuestProcess Process { get; }

    public PidFd(GuestProcess process, int flags)
    {
        Process = process;
        Path = "anon_inode:[pidfd]";
        StatusFlags = OpenFlags.ReadWrite | (flags & OpenFlags.NonBlock);
    }

    public override void WriteState(State.StateWriter w) => w.I32(Process.Pid);

    public override long Read(Span<byte> buffer) => -Errno.EINVAL;
    public override long Write(ReadOnlySpan<byte> buffer) => -Errno.EINVAL;
    public override long ReadAt(Span<byte> buffer, long offset) => -Errno.EINVAL;
    public override long WriteAt(ReadOnlySpan<byte> buffer, long offset) => -Errno.EINVAL;
    public override long Seek(long offset, int whence) => -Errno.ESPIPE;
    public override FileStatus Status() => AnonymousInode.Status;

    /// <summary>pidfd_poll: EPOLLIN | EPOLLRDNORM when the process has exited, and EPOLLHUP once it is reaped.</summary>
    public override PollEvents Poll() =>
        Process.State == ProcessState.Alive ? 0
        : PollEvents.In | PollEvents.ReadNormal | (Process.State == ProcessState.Reaped ? PollEvents.HangUp : 0);

    public override ulong ReadinessGeneration => (ulong)Process.State;
}
