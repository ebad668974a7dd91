using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Process;

/// <summary>A process's file descriptors: each refers to a shared <see cref="OpenFile"/>, plus its close-on-exec bit.</summary>
public sealed class FileDescriptorTable
{
    public const int Limit = 1024; // RLIMIT_NOFILE soft limit, as Linux's default

    sealed class Slot(OpenFile file, bool closeOnExec)
    {
        public OpenFile File = file;
        public bool CloseOnExec = closeOnExec;
    }

    readonly Dictionary<int, Slot> _slots = new();

    public OpenFile? Get(int fd) => _slots.TryGetValue(fd, out var s) ? s.File : null;

    public IEnumerable<(int Fd, OpenFile File)> All => _slots.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value.File));

    /// <summary>Installs at the lowest free descriptor ≥ <paramref name="minimum"/>; -EMFILE when full.</summary>
    public int Add(OpenFile file, bool closeOnExec = false, int minimum = 0)
    {
        for (int fd = minimum; fd < Limit; fd++)
        {
            if (_slots.ContainsKey(fd)) continue;
            Set(fd, file, closeOnExec);
            return fd;
        }
        return -Errno.EMFILE;
    }

    /// <summary>Installs at exactly <paramref name="fd"/>, closing what was there (dup2).</summary>
    public void Set(int fd, OpenFile file, bool closeOnExec)
    {
        file.References++;
        Close(fd);
        _slots[fd] = new Slot(file, closeOnExec);
    }

    public bool Close(int fd)
    {
        if (!_slots.Remove(fd, out var slot)) return false;
        // Descriptors in every process share the open file description: release it with the last one.
        if (--slot.File.References == 0) slot.File.Release();
        return true;
    }

    public bool GetCloseOnExec(int fd) => _slots.TryGetValue(fd, out var s) && s.CloseOnExec;

    public void SetCloseOnExec(int fd, bool value)
    {
        if (_slots.TryGetValue(fd, out var s)) s.CloseOnExec = value;
    }

    /// <summary>A copy referring to the same open files (fork: descriptors are duplicated, offsets shared).</summary>
    public FileDescriptorTable Clone()
    {
        var copy = new FileDescriptorTable();
        foreach (var (fd, slot) in _slots.OrderBy(kv => kv.Key)) copy.Set(fd, slot.File, slot.CloseOnExec);
        return copy;
    }

    /// <summary>execve: closes the descriptors marked close-on-exec.</summary>
    public void CloseOnExecute()
    {
        foreach (int fd in _slots.Where(kv => kv.Value.CloseOnExec).Select(kv => kv.Key).ToList()) Close(fd);
    }

    public void CloseAll()
    {
        foreach (int fd in _slots.Keys.ToList()) Close(fd);
    }
}
