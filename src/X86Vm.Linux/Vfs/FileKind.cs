namespace X86Vm.Linux.Vfs;

/// <summary>File type bits of st_mode (inode(7)).</summary>
public enum FileKind : uint
{
    Fifo = 0x1000, CharDevice = 0x2000, Directory = 0x4000, BlockDevice = 0x6000, Regular = 0x8000,
    Symlink = 0xA000, Socket = 0xC000,
}

/// <summary>What stat(2) reports about a file, independent of the host's struct layout.</summary>
public sealed record FileStatus
{
    public FileKind Kind { get; init; }
    /// <summary>Permission bits (07777).</summary>
    public uint Permissions { get; init; }
    public ulong Size { get; init; }
    public ulong Inode { get; init; }
    public ulong Device { get; init; }
    public ulong RDevice { get; init; }
    public uint Links { get; init; } = 1;
    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public long AccessNs { get; init; }
    public long ModifyNs { get; init; }
    public long ChangeNs { get; init; }
    public long BirthNs { get; init; }
    public uint BlockSize { get; init; } = 4096;
    public ulong Blocks { get; init; }

    public uint Mode => (uint)Kind | (Permissions & 0xFFF);
}
