using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// FIFOs (fifo(7)): every opener of one named pipe shares a <see cref="Pipe"/>, kept here by the node's device and inode
/// for as long as the VM runs (a pipe left with no opener is emptied, as Linux frees it). Opening follows fifo_open:
/// O_RDWR never waits; O_RDONLY waits for a writer and O_WRONLY for a reader unless O_NONBLOCK, where a writer with no
/// reader gets ENXIO. A waiting opener already counts as a reader or writer (so its partner does not wait or see EPIPE);
/// the wait ends when the partner's open counter moves, so a partner that opened and closed at once still releases it.
/// </summary>
public sealed class NamedPipes
{
    readonly Dictionary<string, Pipe> _pipes = new(StringComparer.Ordinal);

    /// <summary>Opens the FIFO whose node is <paramref name="node"/>; null with <paramref name="errno"/>, or with
    /// <paramref name="wait"/> set when the caller must block and run the call again.</summary>
    public PipeEnd? Open(Kernel kernel, FileStatus node, string guestPath, int flags, out int errno, out FifoOpenWait? wait)
    {
        errno = 0;
        wait = null;
        string key = $"{node.Device}:{node.Inode}";
        if (!_pipes.TryGetValue(key, out Pipe? pipe)) _pipes[key] = pipe = new Pipe(node.Inode);
        int access = flags & OpenFlags.AccessMode;
        bool nonBlock = (flags & OpenFlags.NonBlock) != 0;
        GuestThread caller = kernel.CurrentThread;
        // The same call again after its wait: the opener was counted when it began to wait.
        bool resumed = caller.Resumed is FifoOpenWait w && w.Pipe == pipe;
        int status = OpenFlags.AccessMode & access | flags & (OpenFlags.NonBlock | OpenFlags.Append);
        PipeEnd End(bool reading, bool both) => new(pipe, reading) { Both = both, StatusFlags = status, Path = guestPath, Node = node };
        switch (access)
        {
            case OpenFlags.ReadWrite:
                pipe.Readers++; pipe.Writers++; pipe.ReaderOpens++; pipe.WriterOpens++;
                pipe.Waiters.Wake();
                return End(true, true);
            case OpenFlags.ReadOnly:
                if (!resumed)
                {
                    if (pipe.Readers == 0 && pipe.Writers == 0) pipe.Discard();
                    pipe.Readers++; pipe.ReaderOpens++;
                    pipe.Waiters.Wake();
                    if (pipe.Writers == 0 && !nonBlock)
                    {
                        wait = new FifoOpenWait(pipe, true, pipe.WriterOpens);
                        return null;
                    }
                }
                return End(true, false);
            default:
                if (!resumed)
                {
                    if (pipe.Readers == 0 && nonBlock) { errno = Errno.ENXIO; return null; }
                    if (pipe.Readers == 0 && pipe.Writers == 0) pipe.Discard();
                    pipe.Writers++; pipe.WriterOpens++;
                    pipe.Waiters.Wake();
                    if (pipe.Readers == 0)
                    {
                        wait = new FifoOpenWait(pipe, false, pipe.ReaderOpens);
                        return null;
                    }
                }
                return End(false, false);
        }
    }
}

/// <summary>An open of a FIFO waiting for its partner (fifo_open's wait_for_partner): the partner's open counter moved.</summary>
public sealed record FifoOpenWait(Pipe Pipe, bool Reader, ulong Counter) : ConditionWait(null, "fifo open")
{
    protected override bool Ready(Kernel kernel) => (Reader ? Pipe.WriterOpens : Pipe.ReaderOpens) != Counter;

    /// <summary>The wait ended without the open (a signal, or the thread's end): the opener no longer counts.</summary>
    public void Abandon()
    {
        if (Reader) Pipe.Readers--;
        else Pipe.Writers--;
        Pipe.Waiters.Wake();
    }
}
