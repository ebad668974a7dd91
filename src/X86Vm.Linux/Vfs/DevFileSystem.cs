using X86Vm.Linux.Host;

namespace X86Vm.Linux.Vfs;

/// <summary>/dev with the memory-like character devices (mem(4), null(4), random(4)), synthesised, never the host's.</summary>
public sealed class DevFileSystem(IEntropy entropy) : IFileSystem
{
    const ulong DevDevice = 0x5;

    enum Device { Null = 3, Zero = 5, Full = 7, Random = 8, Urandom = 9 }

    public bool ReadOnly => false;

    static Device? Find(string relativePath) => relativePath switch
    {
        "null" => Device.Null, "zero" => Device.Zero, "full" => Device.Full, "random" => Device.Random, "urandom" => Device.Urandom,
        _ => null,
    };

    static FileStatus StatusOf(Device d) => new()
    {
        Kind = FileKind.CharDevice, Permissions = 0x1B6 /* 0666 */, Inode = 100 + (ulong)d, Device = DevDevice,
        RDevice = Host.HostStat.MakeDev(1, (uint)d),
    };

    public FileStatus? Lstat(string relativePath, out int errno)
    {
        errno = 0;
        if (relativePath.Length == 0) return new FileStatus { Kind = FileKind.Directory, Permissions = 0x1ED, Inode = 99, Device = DevDevice };
        Device? d = Find(relativePath);
        if (d != null) return StatusOf(d.Value);
        errno = Errno.ENOENT;
        return null;
    }

    public string? ReadLink(string relativePath) => null;

    public OpenFile? Open(string relativePath, string guestPath, int flags, uint mode, out int errno)
    {
        FileStatus? st = Lstat(relativePath, out errno);
        if (st == null) return null;
        if (relativePath.Length == 0)
        {
            var entries = new List<DirectoryEntry> { new(".", 99, FileKind.Directory), new("..", 99, FileKind.Directory) };
            foreach (Device d in Enum.GetValues<Device>()) entries.Add(new(d.ToString().ToLowerInvariant(), 100 + (ulong)d, FileKind.CharDevice));
            return new SyntheticDirectory(entries, st) { Path = guestPath, StatusFlags = flags };
        }
        return new CharDevice(Find(relativePath)!.Value, st, entropy) { Path = guestPath, StatusFlags = flags & ~OpenFlags.Create };
    }

    sealed class CharDevice(Device device, FileStatus status, IEntropy entropy) : OpenFile
    {
        public override long ReadAt(Span<byte> buffer, long offset)
        {
            switch (device)
            {
                case Device.Null: return 0;
                case Device.Random:
                case Device.Urandom: entropy.Fill(buffer); return buffer.Length;
                default: buffer.Clear(); return buffer.Length;
            }
        }

        public override long WriteAt(ReadOnlySpan<byte> buffer, long offset) =>
            device == Device.Full ? -Errno.ENOSPC : buffer.Length;

        public override long Seek(long offset, int whence) => 0;
        public override FileStatus Status() => status;
    }
}
