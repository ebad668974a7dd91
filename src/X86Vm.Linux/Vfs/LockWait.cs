using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

public enum LockWaitKind { Posix, Ofd, Flock }

/// <summary>
/// A thread blocked in F_SETLKW, F_OFD_SETLKW or a blocking flock(2): ready when nothing conflicts any more, and then
/// the call runs again (and may wait again if another owner got there first). A signal handler interrupts it with EINTR,
/// or restarts it under SA_RESTART (signal(7) lists the file locking calls among those restarted). Plain data: the
/// request as asked, so the deadlock check can see what each waiting process wants.
/// </summary>
public sealed record LockWait(FileLocks Locks, LockWaitKind Kind, OpenFile File, object Owner, bool Write, long Start, long End) : IWaitCondition
{
    public bool IsReady(Kernel kernel) => Kind == LockWaitKind.Flock
        ? !Locks.FlockConflicts(File, Write)
        : Locks.FindConflict(File, Owner, Write, Start, End) == null;

    public override string ToString() => $"{Kind} lock [{Start}, {End})";
}
