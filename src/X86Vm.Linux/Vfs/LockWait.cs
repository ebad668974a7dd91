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
    /// <summary>The file's (device, inode), taken when the wait began.</summary>
    public (ulong, ulong) Key { get; } = FileLocks.Key(File);

    public bool IsReady(Kernel kernel) => Kind == LockWaitKind.Flock
        ? !Locks.FlockConflicts(Key, File, Write)
        : Locks.FindConflict(Key, Owner, Write, Start, End) == null;

    public override string ToString() => $"{Kind} lock [{Start}, {End})";
}
