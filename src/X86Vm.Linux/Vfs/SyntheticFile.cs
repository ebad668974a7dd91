namespace X86Vm.Linux.Vfs;

/// <summary>A read-only file whose content is generated when opened (/proc files).</summary>
public sealed class SyntheticFile(byte[] content, FileStatus status) : OpenFile
{
    public override long ReadAt(Span<byte> buffer, long offset)
    {
        if (offset >= content.Length) return 0;
        int n = (int)Math.Min(buffer.Length, content.Length - offset);
        content.AsSpan((int)offset, n).CopyTo(buffer);
        return n;
    }

    public override long WriteAt(ReadOnlySpan<byte> buffer, long offset) => -Errno.EINVAL;
    public override long Write(ReadOnlySpan<byte> buffer) => -Errno.EINVAL;
    public override FileStatus Status() => status;
}

/// <summary>A directory with a fixed list of entries (synthetic file systems).</summary>
public sealed class SyntheticDirectory(IReadOnlyList<DirectoryEntry> entries, FileStatus status) : OpenFile
{
    public override long ReadAt(Span<byte> buffer, long offset) => -Errno.EISDIR;
    public override FileStatus Status() => status;
    public override IReadOnlyList<DirectoryEntry>? ListDirectory() => entries;
}
