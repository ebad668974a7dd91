using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// /proc, synthesised from the VM's own state (never the host's). For now: self, /proc/PID and its exe
/// link; the rest of /proc arrives with the process model.
/// </summary>
public sealed class ProcFileSystem(Func<GuestProcess> current) : IFileSystem
{
    const ulong ProcDevice = 0x16;

    public bool ReadOnly => true;

    static FileStatus Dir(ulong ino) => new() { Kind = FileKind.Directory, Permissions = 0x16D /* 0555 */, Inode = ino, Device = ProcDevice, Links = 2 };
    static FileStatus Link(ulong ino) => new() { Kind = FileKind.Symlink, Permissions = 0x1FF, Inode = ino, Device = ProcDevice };

    string[] Parts(string relativePath) => relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);

    bool IsSelfPid(string s) => int.TryParse(s, out int pid) && pid == current().Pid;

    public FileStatus? Lstat(string relativePath, out int errno)
    {
        errno = 0;
        string[] p = Parts(relativePath);
        switch (p.Length)
        {
            case 0: return Dir(1);
            case 1 when p[0] == "self": return Link(2);
            case 1 when IsSelfPid(p[0]): return Dir(3);
            case 2 when IsSelfPid(p[0]) && p[1] == "exe": return Link(4);
        }
        errno = Errno.ENOENT;
        return null;
    }

    public string? ReadLink(string relativePath)
    {
        string[] p = Parts(relativePath);
        if (p.Length == 1 && p[0] == "self") return current().Pid.ToString();
        if (p.Length == 2 && IsSelfPid(p[0]) && p[1] == "exe") return current().ExecutablePath;
        return null;
    }

    public OpenFile? Open(string relativePath, string guestPath, int flags, uint mode, out int errno)
    {
        FileStatus? st = Lstat(relativePath, out errno);
        if (st == null) return null;
        if ((flags & OpenFlags.AccessMode) != OpenFlags.ReadOnly) { errno = Errno.EACCES; return null; }
        if (st.Kind == FileKind.Directory)
        {
            string[] p = Parts(relativePath);
            var entries = new List<DirectoryEntry> { new(".", st.Inode, FileKind.Directory), new("..", 1, FileKind.Directory) };
            if (p.Length == 0)
            {
                entries.Add(new("self", 2, FileKind.Symlink));
                entries.Add(new(current().Pid.ToString(), 3, FileKind.Directory));
            }
            else entries.Add(new("exe", 4, FileKind.Symlink));
            return new SyntheticDirectory(entries, st) { Path = guestPath, StatusFlags = flags };
        }
        errno = Errno.ENOENT;
        return null;
    }
}
