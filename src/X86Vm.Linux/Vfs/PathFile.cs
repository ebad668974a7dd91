namespace X86Vm.Linux.Vfs;

/// <summary>An O_PATH descriptor: it names a file (for *at calls, fstat, fchdir, /proc/self/fd) but cannot do I/O.</summary>
public sealed class PathFile(IFileSystem fs, string relativePath, FileStatus status) : OpenFile
{
    public override long Read(Span<byte> buffer) => -Errno.EBADF;
    public override long Write(ReadOnlySpan<byte> buffer) => -Errno.EBADF;
    public override long ReadAt(Span<byte> buffer, long offset) => -Errno.EBADF;
    public override long WriteAt(ReadOnlySpan<byte> buffer, long offset) => -Errno.EBADF;
    public override long Seek(long offset, int whence) => -Errno.EBADF;
    public override FileStatus Status() => fs.Lstat(relativePath, out _) ?? status;
    public override long Ioctl(Process.GuestProcess process, uint request, ulong argument) => -Errno.EBADF;
    public override int SetAttributes(in AttributeChange change) => Errno.EBADF;
    public override long SetLength(long length) => -Errno.EBADF;
    public override long Sync() => -Errno.EBADF;
    public override long Allocate(int mode, long offset, long length) => -Errno.EBADF;
}
