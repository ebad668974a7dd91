namespace X86Vm.Fleet;

/// <summary>
/// A VM's standard output or error: a growing in-memory stream the VM writes during its slices, which status calls
/// copy out meanwhile (they interleave with a running slice), hence the lock.
/// </summary>
sealed class OutputBuffer : Stream
{
    readonly MemoryStream _bytes = new();

    public OutputBuffer(ReadOnlySpan<byte> initial = default) => _bytes.Write(initial);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_bytes) _bytes.Write(buffer);
    }

    /// <summary>Everything written so far.</summary>
    public byte[] ToArray()
    {
        lock (_bytes) return _bytes.ToArray();
    }

    public override long Length
    {
        get { lock (_bytes) return _bytes.Length; }
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Position { get => Length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
