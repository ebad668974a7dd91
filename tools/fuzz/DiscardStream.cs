namespace X86Vm.Fuzz;

/// <summary>A write-only stream that keeps nothing and fails nothing: the guest's stdout and stderr, whatever it writes.</summary>
public sealed class DiscardStream : Stream
{
    long _written;

    public long Written => _written;
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _written;
    public override long Position { get => Length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => _written += count;
}
