namespace X86Vm.Linux.Vfs;

/// <summary>One inotify watch: an instance's watch descriptor on a file (its file system and inode) and the events it wants.</summary>
public sealed class FileWatch(InotifyFile instance, int wd, IFileSystem fs, ulong inode, uint mask)
{
    public InotifyFile Instance = instance;
    public int Wd = wd;
    public IFileSystem FileSystem = fs;
    public ulong Inode = inode;
    public uint Mask = mask;
}

/// <summary>
/// The VM's inotify watches (inotify(7)) and the events the VM's own file changes make: the syscalls report each change
/// here (fsnotify), and every watch on the file itself — and, with the file's name, every watch on its directory —
/// whose mask wants the event gets it queued. Changes made to host files by anything outside the VM are not seen.
/// </summary>
public sealed class FileWatches
{
    public const uint IN_ACCESS = 0x1, IN_MODIFY = 0x2, IN_ATTRIB = 0x4, IN_CLOSE_WRITE = 0x8, IN_CLOSE_NOWRITE = 0x10,
        IN_OPEN = 0x20, IN_MOVED_FROM = 0x40, IN_MOVED_TO = 0x80, IN_CREATE = 0x100, IN_DELETE = 0x200,
        IN_DELETE_SELF = 0x400, IN_MOVE_SELF = 0x800, IN_ALL_EVENTS = 0xFFF, IN_ISDIR = 0x40000000, IN_ONESHOT = 0x80000000;

    /// <summary>Watches in the order they were added (the order events are queued in when several instances watch).</summary>
    public List<FileWatch> All { get; } = new();

    /// <summary>The last rename cookie given out.</summary>
    public uint Cookie { get; private set; }

    public uint NextCookie() => ++Cookie;

    /// <summary>Whether anything is watched (every hook returns at once when not).</summary>
    public bool Active => All.Count > 0;

    static uint Dir(FileStatus st) => st.Kind == FileKind.Directory ? IN_ISDIR : 0;

    /// <summary>
    /// An event on the file at <paramref name="relativePath"/> (status <paramref name="st"/>): to the watches on it, and
    /// with its name to the watches on its directory (fsnotify_parent).
    /// </summary>
    public void OnPath(IFileSystem fs, string relativePath, FileStatus st, uint mask)
    {
        mask |= Dir(st);
        // The directory's watches first, with the name, then the file's own (fsnotify_handle_event).
        if (relativePath.Length > 0) // else a mount's root: its parent is another file system
        {
            int slash = relativePath.LastIndexOf('/');
            if (fs.Lstat(slash < 0 ? "" : relativePath[..slash], out _) is { } dir) Deliver(fs, dir.Inode, mask, 0, relativePath[(slash + 1)..]);
        }
        Deliver(fs, st.Inode, mask, 0, null);
    }

    /// <summary>An event on the file at <paramref name="relativePath"/>, looked up now (after a create, before a delete).</summary>
    public void OnPath(IFileSystem fs, string relativePath, uint mask)
    {
        if (Active && fs.Lstat(relativePath, out _) is { } st) OnPath(fs, relativePath, st, mask);
    }

    /// <summary>Passes a call's result on, after reporting <paramref name="mask"/> on the open file if it succeeded.</summary>
    public long Then(long result, OpenFile f, uint mask)
    {
        if (result >= 0) OnFile(f, mask);
        return result;
    }

    /// <summary>Passes a call's result on, after reporting <paramref name="mask"/> on the path if it succeeded.</summary>
    public long Then(long result, IFileSystem fs, string relativePath, uint mask)
    {
        if (result >= 0) OnPath(fs, relativePath, mask);
        return result;
    }

    /// <summary>open(2) succeeded: IN_CREATE for a file it made, IN_OPEN, then IN_MODIFY for O_TRUNC.</summary>
    public void Opened(OpenFile f, bool created, bool truncated)
    {
        if (!Active || f.FileSystem == null) return;
        if (created) OnName(f.FileSystem, f.RelativePath, directory: false, IN_CREATE);
        OnFile(f, IN_OPEN);
        if (truncated) OnFile(f, IN_MODIFY);
    }

    /// <summary>An event on an open file (read, write, close, fchmod…).</summary>
    public void OnFile(OpenFile f, uint mask)
    {
        if (!Active || f.FileSystem == null || f is PathFile) return;
        OnPath(f.FileSystem, f.RelativePath, f.Status(), mask);
    }

    /// <summary>An event for the directory entry at <paramref name="relativePath"/> only (create, delete, the two halves of a rename).</summary>
    public void OnName(IFileSystem fs, string relativePath, bool directory, uint mask, uint cookie = 0)
    {
        if (!Active || relativePath.Length == 0) return;
        int slash = relativePath.LastIndexOf('/');
        if (fs.Lstat(slash < 0 ? "" : relativePath[..slash], out _) is { } dir)
            Deliver(fs, dir.Inode, mask | (directory ? IN_ISDIR : 0), cookie, relativePath[(slash + 1)..]);
    }

    /// <summary>An event for the inode only (a link count change, IN_MOVE_SELF, IN_DELETE_SELF — which ends its watches).</summary>
    public void OnInode(IFileSystem fs, FileStatus st, uint mask)
    {
        if (!Active) return;
        Deliver(fs, st.Inode, mask | Dir(st), 0, null);
        if ((mask & IN_DELETE_SELF) != 0)
            foreach (FileWatch w in All.Where(w => w.FileSystem == fs && w.Inode == st.Inode).ToList()) Remove(w);
    }

    /// <summary>
    /// unlink/rmdir removed <paramref name="relativePath"/> (status <paramref name="st"/> from before): a file's link
    /// count changed (IN_ATTRIB); with its last link, or a directory, it is gone (IN_DELETE_SELF, its watches end); its
    /// directory sees IN_DELETE. (Linux delays IN_DELETE_SELF of a file still open until its last close; here it comes
    /// at once.)
    /// </summary>
    public void Deleted(IFileSystem fs, string relativePath, FileStatus st)
    {
        if (!Active) return;
        bool dir = st.Kind == FileKind.Directory;
        if (!dir) OnInode(fs, st, IN_ATTRIB);
        if (dir || st.Links <= 1) OnInode(fs, st, IN_DELETE_SELF);
        OnName(fs, relativePath, dir, IN_DELETE);
    }

    /// <summary>link(2) made <paramref name="relativePath"/> for the file <paramref name="source"/>: IN_ATTRIB on it, IN_CREATE in the directory.</summary>
    public void Linked(IFileSystem fs, string relativePath, FileStatus source)
    {
        if (!Active) return;
        OnInode(fs, source, IN_ATTRIB);
        OnName(fs, relativePath, directory: false, IN_CREATE);
    }

    /// <summary>
    /// rename(2) (fsnotify_move): IN_MOVED_FROM and IN_MOVED_TO with one cookie, IN_MOVE_SELF on the file moved; a file
    /// it replaced loses a link (IN_ATTRIB) and, with its last, is gone. RENAME_EXCHANGE moves both ways.
    /// </summary>
    public void Moved(IFileSystem fs, string from, string to, FileStatus st, FileStatus? replaced, bool exchange)
    {
        if (!Active) return;
        uint cookie = NextCookie();
        OnName(fs, from, st.Kind == FileKind.Directory, IN_MOVED_FROM, cookie);
        OnName(fs, to, st.Kind == FileKind.Directory, IN_MOVED_TO, cookie);
        if (exchange && replaced != null)
        {
            OnInode(fs, st, IN_MOVE_SELF);
            cookie = NextCookie();
            OnName(fs, to, replaced.Kind == FileKind.Directory, IN_MOVED_FROM, cookie);
            OnName(fs, from, replaced.Kind == FileKind.Directory, IN_MOVED_TO, cookie);
            OnInode(fs, replaced, IN_MOVE_SELF);
            return;
        }
        if (replaced != null && replaced.Inode != st.Inode) OnInode(fs, replaced, IN_ATTRIB);
        OnInode(fs, st, IN_MOVE_SELF);
        if (replaced != null && replaced.Inode != st.Inode && (replaced.Kind == FileKind.Directory || replaced.Links <= 1))
            OnInode(fs, replaced, IN_DELETE_SELF);
    }

    void Deliver(IFileSystem fs, ulong inode, uint mask, uint cookie, string? name)
    {
        foreach (FileWatch w in All.Where(w => w.FileSystem == fs && w.Inode == inode && (w.Mask & mask & IN_ALL_EVENTS) != 0).ToList())
        {
            w.Instance.Add(new InotifyEvent(w.Wd, mask, cookie, name));
            if ((w.Mask & IN_ONESHOT) != 0) Remove(w);
        }
    }

    /// <summary>A watch ends (inotify_rm_watch, its file deleted, IN_ONESHOT): IN_IGNORED tells its instance.</summary>
    public void Remove(FileWatch w)
    {
        if (!All.Remove(w)) return;
        w.Instance.Add(new InotifyEvent(w.Wd, InotifyFile.IN_IGNORED, 0, null));
    }

    /// <summary>The instance is closed: its watches go, silently.</summary>
    public void RemoveInstance(InotifyFile instance) => All.RemoveAll(w => w.Instance == instance);

    /// <summary>An instance's watches for the state hash (the file system by its mount order).</summary>
    public void WriteState(State.StateWriter w, InotifyFile instance)
    {
        var mine = All.Where(x => x.Instance == instance).ToList();
        w.U32(Cookie).U64((ulong)mine.Count);
        foreach (FileWatch x in mine) w.I32(x.Wd).U64(x.Inode).U32(x.Mask).String(x.FileSystem.TypeName);
    }
}
