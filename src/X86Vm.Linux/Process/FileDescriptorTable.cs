using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Process;

/// <summary>A process's file descriptors: each refers to a shared <see cref="OpenFile"/>, plus its close-on-exec bit.</summary>
public sealed class FileDescriptorTable
{
    /// <summary>The default RLIMIT_NOFILE soft limit, as Linux's. A process's own limit is <see cref="MaxDescriptors"/>.</summary>
    public const int Limit = 1024;

    sealed class Slot(OpenFile file, bool closeOnExec)
    {
        public OpenFile File = file;
        public bool CloseOnExec = closeOnExec;
    }

    readonly Dictionary<int, Slot> _slots = new();
    /// <summary>No descriptor below this is free (a search hint, so thousands of descriptors stay cheap to allocate).</summary>
    int _lowestFree;

    /// <summary>
    /// The RLIMIT_NOFILE soft limit this table enforces: new descriptors are below it (EMFILE otherwise). Lowering it
    /// leaves descriptors above it open, as Linux does.
    /// </summary>
    public int MaxDescriptors { get; set; } = Limit;

    /// <summary>Counts open file descriptions whose last descriptor was closed (the VM's, shared by its processes' tables).</summary>
    readonly ReleaseCounter _releases;

    /// <summary>A table counting releases in <paramref name="releases"/> (the VM's counter; a private one when null).</summary>
    public FileDescriptorTable(ReleaseCounter? releases = null) => _releases = releases ?? new ReleaseCounter();

    public OpenFile? Get(int fd) => _slots.TryGetValue(fd, out var s) ? s.File : null;

    public int Count => _slots.Count;

    public IEnumerable<(int Fd, OpenFile File)> All => _slots.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value.File));

    /// <summary>Installs at the lowest free descriptor ≥ <paramref name="minimum"/>; -EMFILE when full.</summary>
    public int Add(OpenFile file, bool closeOnExec = false, int minimum = 0)
    {
        int start = Math.Max(minimum, _lowestFree);
        for (int fd = start; fd < MaxDescriptors; fd++)
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
        if (fd == _lowestFree)
            while (_slots.ContainsKey(_lowestFree)) _lowestFree++;
    }

    public bool Close(int fd)
    {
        if (!_slots.Remove(fd, out var slot)) return false;
        if (fd < _lowestFree) _lowestFree = fd;
        // Descriptors in every process share the open file description: release it with the last one.
        if (--slot.File.References == 0)
        {
            _releases.Increment();
            slot.File.Release();
        }
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
        var copy = new FileDescriptorTable(_releases) { MaxDescriptors = MaxDescriptors };
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
