namespace X86Vm.Linux.Vfs;

/// <summary>
/// An open file description (the kernel's struct file): what a file descriptor refers to. Several
/// descriptors can share one (dup), sharing its offset and status flags. Methods return a byte count or
/// a negative errno, like the syscalls they implement.
/// </summary>
public abstract class OpenFile
{
    /// <summary>
    /// Returned by <see cref="Read"/> or <see cref="Write"/> when the call would wait (a blocking descriptor with
    /// no data or no room): the syscall layer parks the thread until <see cref="Poll"/> says it can proceed.
    /// </summary>
    public const long WouldBlock = long.MinValue + 1;

    /// <summary>The guest path it was opened by (for /proc/self/fd and strace); may be a description like "pipe:[…]".</summary>
    public string Path { get; init; } = "";

    /// <summary>O_ACCMODE | O_APPEND | O_NONBLOCK… as given to open and changed by F_SETFL.</summary>
    public int StatusFlags { get; set; }

    public long Offset { get; set; }

    /// <summary>Descriptors (in any process) referring to this description; <see cref="Release"/> runs when it drops to zero.</summary>
    public int References { get; internal set; }

    public bool CanRead => (StatusFlags & OpenFlags.AccessMode) != OpenFlags.WriteOnly;
    public bool CanWrite => (StatusFlags & OpenFlags.AccessMode) != OpenFlags.ReadOnly;

    /// <summary>Reads at the current offset and advances it.</summary>
    public virtual long Read(Span<byte> buffer)
    {
        long n = ReadAt(buffer, Offset);
        if (n > 0) Offset += n;
        return n;
    }

    /// <summary>Writes at the current offset (at the end with O_APPEND) and advances it.</summary>
    public virtual long Write(ReadOnlySpan<byte> buffer)
    {
        if ((StatusFlags & OpenFlags.Append) != 0)
        {
            var st = Status();
            Offset = (long)st.Size;
        }
        long n = WriteAt(buffer, Offset);
        if (n > 0) Offset += n;
        return n;
    }

    public virtual long ReadAt(Span<byte> buffer, long offset) => -Errno.EINVAL;
    public virtual long WriteAt(ReadOnlySpan<byte> buffer, long offset) => -Errno.EINVAL;

    /// <summary>lseek(2); streams (pipes, terminals) return ESPIPE.</summary>
    public virtual long Seek(long offset, int whence)
    {
        long target = whence switch
        {
            0 => offset,
            1 => Offset + offset,
            2 => (long)Status().Size + offset,
            _ => -1,
        };
        if (whence is < 0 or > 2 || target < 0) return -Errno.EINVAL;
        Offset = target;
        return target;
    }

    public abstract FileStatus Status();

    /// <summary>ioctl(2); the default: not a terminal.</summary>
    public virtual long Ioctl(Process.GuestProcess process, uint request, ulong argument) => -Errno.ENOTTY;

    /// <summary>The whole content for a private file mapping (mmap of a regular file).</summary>
    public virtual long ReadForMapping(Span<byte> buffer, long offset) => ReadAt(buffer, offset);

    /// <summary>A blocking write returns only when all of it is written (pipes and stream sockets without O_NONBLOCK).</summary>
    public virtual bool CompletesWrites => false;

    /// <summary>Readiness for poll/select (poll(2) events); regular files are always ready.</summary>
    public virtual PollEvents Poll() => PollEvents.In | PollEvents.Out;

    /// <summary>
    /// Counts the events that could make a waiter proceed (data arriving, room freeing, a peer closing). Edge-triggered
    /// epoll reports a file again only when this has changed; files whose readiness never changes keep 0.
    /// </summary>
    public virtual ulong ReadinessGeneration => 0;

    /// <summary>Called at every close of a descriptor referring to it, by the closing process (f_op->flush).</summary>
    public virtual void Flush(Process.GuestProcess closer) { }

    /// <summary>Called when the last descriptor referring to it is closed.</summary>
    public virtual void Release() { }

    /// <summary>Directory entries for getdents64, or null when this is not a directory.</summary>
    public virtual IReadOnlyList<DirectoryEntry>? ListDirectory() => null;

    /// <summary>Where it was opened: the mount and the path inside it (set by the open syscalls; for fd-based metadata calls).</summary>
    public IFileSystem? FileSystem { get; set; }
    public string RelativePath { get; set; } = "";

    /// <summary>The listing getdents64 walks, taken at the first read (or after a rewind), so offsets stay stable.</summary>
    public IReadOnlyList<DirectoryEntry>? DirectorySnapshot { get; set; }

    /// <summary>fchmod/fchown/futimens: 0 or a positive errno. The default acts on the path it was opened by.</summary>
    public virtual int SetAttributes(in AttributeChange change) =>
        FileSystem?.SetAttributes(RelativePath, change) ?? Errno.EPERM;

    /// <summary>fgetxattr and friends: the attributes of the file this description refers to.</summary>
    public virtual ExtendedAttributes? Xattrs(bool forWriting, out int errno)
    {
        if (FileSystem != null) return FileSystem.Xattrs(RelativePath, forWriting, out errno);
        errno = Errno.EOPNOTSUPP;
        return null;
    }

    /// <summary>ftruncate: 0 or a negative errno.</summary>
    public virtual long SetLength(long length) => -Errno.EINVAL;

    /// <summary>fsync/fdatasync: 0 or a negative errno.</summary>
    public virtual long Sync() => 0;

    /// <summary>fallocate: 0 or a negative errno.</summary>
    public virtual long Allocate(int mode, long offset, long length) => -Errno.ENODEV;

    /// <summary>
    /// What this kind of open file holds beyond the common fields (a pipe's buffered bytes, an eventfd's count, a
    /// timerfd's expiry), for the state hash (docs/state-hash.md). Files whose data lives in a file system add nothing.
    /// </summary>
    public virtual void WriteState(State.StateWriter w) { }
}

[Flags]
public enum PollEvents : short
{
    In = 0x1, Priority = 0x2, Out = 0x4, Error = 0x8, HangUp = 0x10, Invalid = 0x20, ReadNormal = 0x40, ReadBand = 0x80, WriteNormal = 0x100, WriteBand = 0x200, ReadHangUp = 0x2000,
}

public readonly record struct DirectoryEntry(string Name, ulong Inode, FileKind Kind);

/// <summary>open(2) flag values for x86-64.</summary>
public static class OpenFlags
{
    public const int ReadOnly = 0, WriteOnly = 1, ReadWrite = 2, AccessMode = 3, Create = 0x40, Exclusive = 0x80,
        NoCtty = 0x100, Truncate = 0x200, Append = 0x400, NonBlock = 0x800, DSync = 0x1000, Async = 0x2000,
        Direct = 0x4000, LargeFile = 0x8000, Directory = 0x10000, NoFollow = 0x20000, NoAtime = 0x40000,
        CloseOnExec = 0x80000, Sync = 0x101000, Path = 0x200000, TmpFile = 0x410000;
}
