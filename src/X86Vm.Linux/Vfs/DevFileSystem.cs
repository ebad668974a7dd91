using X86Vm.Linux.Host;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// /dev, synthesised, never the host's: the memory-like character devices (mem(4), null(4), random(4)),
/// tty (the VM's terminal when its standard streams are one, else ENXIO), the stdin/stdout/stderr/fd links
/// into /proc/self/fd, and the shm directory (a tmpfs is mounted on it).
/// </summary>
public sealed class DevFileSystem(IEntropy entropy, Func<GuestProcess> current) : IFileSystem
{
    const ulong DevDevice = 0x5;
    const ulong RootInode = 99;

    enum Device { Null = 3, Zero = 5, Full = 7, Random = 8, Urandom = 9, Tty = 100 }

    static readonly (string Name, string Target)[] Links =
        [("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")];

    public bool ReadOnly => false;
    public string TypeName => "devtmpfs";
    public long Magic => 0x01021994;

    static Device? Find(string relativePath) => relativePath switch
    {
        "null" => Device.Null, "zero" => Device.Zero, "full" => Device.Full, "random" => Device.Random, "urandom" => Device.Urandom,
        "tty" => Device.Tty,
        _ => null,
    };

    static FileStatus StatusOf(Device d) => new()
    {
        Kind = FileKind.CharDevice, Permissions = 0x1B6 /* 0666 */, Inode = 100 + (ulong)d, Device = DevDevice,
        RDevice = d == Device.Tty ? HostStat.MakeDev(5, 0) : HostStat.MakeDev(1, (uint)d),
    };

    public FileStatus? Lstat(string relativePath, out int errno)
    {
        errno = 0;
        if (relativePath.Length == 0) return new FileStatus { Kind = FileKind.Directory, Permissions = 0x1ED, Inode = RootInode, Device = DevDevice, Links = 3 };
        if (relativePath == "shm") return new FileStatus { Kind = FileKind.Directory, Permissions = 0x3FF, Inode = 98, Device = DevDevice, Links = 2 };
        for (int i = 0; i < Links.Length; i++)
            if (Links[i].Name == relativePath)
                return new FileStatus { Kind = FileKind.Symlink, Permissions = 0x1FF, Inode = 90 + (ulong)i, Device = DevDevice, Size = (ulong)Links[i].Target.Length };
        Device? d = Find(relativePath);
        if (d != null) return StatusOf(d.Value);
        errno = Errno.ENOENT;
        return null;
    }

    public string? ReadLink(string relativePath)
    {
        foreach (var (name, target) in Links)
            if (name == relativePath) return target;
        return null;
    }

    public OpenFile? Open(string relativePath, string guestPath, int flags, uint mode, out int errno)
    {
        FileStatus? st = Lstat(relativePath, out errno);
        if (st == null)
        {
            if ((flags & OpenFlags.Create) != 0) errno = Errno.EACCES; // no new files in /dev
            return null;
        }
        if ((flags & OpenFlags.Create) != 0 && (flags & OpenFlags.Exclusive) != 0) { errno = Errno.EEXIST; return null; }
        if (st.Kind == FileKind.Directory)
        {
            if ((flags & OpenFlags.AccessMode) != OpenFlags.ReadOnly) { errno = Errno.EISDIR; return null; }
            var entries = new List<DirectoryEntry> { new(".", st.Inode, FileKind.Directory), new("..", RootInode, FileKind.Directory) };
            if (relativePath.Length == 0)
            {
                foreach (Device d in Enum.GetValues<Device>()) entries.Add(new(d.ToString().ToLowerInvariant(), 100 + (ulong)d, FileKind.CharDevice));
                for (int i = 0; i < Links.Length; i++) entries.Add(new(Links[i].Name, 90 + (ulong)i, FileKind.Symlink));
                entries.Add(new("shm", 98, FileKind.Directory));
            }
            return new SyntheticDirectory(entries, st) { Path = guestPath, StatusFlags = flags };
        }
        if ((flags & OpenFlags.Directory) != 0) { errno = Errno.ENOTDIR; return null; }
        Device device = Find(relativePath)!.Value;
        int status = flags & ~(OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.Truncate);
        if (device == Device.Tty)
        {
            KernelOptions o = current().Kernel.Options;
            TerminalInfo? terminal = o.StdinTerminal ?? o.StdoutTerminal ?? o.StderrTerminal;
            if (terminal == null) { errno = Errno.ENXIO; return null; }
            var input = new StreamFile(StandardStream.Stdin, o.Stdin, terminal);
            var output = o.StdoutTerminal != null
                ? new StreamFile(StandardStream.Stdout, o.Stdout, terminal)
                : new StreamFile(StandardStream.Stderr, o.Stderr, terminal);
            return new TerminalDevice(input, output) { Path = guestPath, StatusFlags = status };
        }
        return new CharDevice(device, st, entropy) { Path = guestPath, StatusFlags = status };
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
        public override int SetAttributes(in AttributeChange change) => 0;
    }

    /// <summary>/dev/tty: reads the VM's terminal input, writes its terminal output.</summary>
    sealed class TerminalDevice(StreamFile input, StreamFile output) : OpenFile
    {
        public override long Read(Span<byte> buffer) => input.Read(buffer);
        public override long Write(ReadOnlySpan<byte> buffer) => output.Write(buffer);
        public override long ReadAt(Span<byte> buffer, long offset) => -Errno.ESPIPE;
        public override long WriteAt(ReadOnlySpan<byte> buffer, long offset) => -Errno.ESPIPE;
        public override long Seek(long offset, int whence) => -Errno.ESPIPE;
        public override FileStatus Status() => StatusOf(Device.Tty);
        public override long Ioctl(GuestProcess process, uint request, ulong argument) => output.Ioctl(process, request, argument);
        public override PollEvents Poll() => PollEvents.In | PollEvents.ReadNormal | PollEvents.Out | PollEvents.WriteNormal;
        /// <summary>Every transfer counts as a readiness change (edge-triggered epoll), as for the standard streams.</summary>
        public override ulong ReadinessGeneration => input.ReadinessGeneration + output.ReadinessGeneration;
    }
}
