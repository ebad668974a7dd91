namespace X86Vm.Linux.Vfs;

/// <summary>A resolved guest path: the mount that holds it and the path inside that mount.</summary>
public readonly record struct ResolvedPath(IFileSystem FileSystem, string RelativePath, string GuestPath)
{
    /// <summary>The path's last component was "." or ".." (mkdir, rmdir, rename… refuse those).</summary>
    public bool EndsWithDot { get; init; }
    /// <summary>The path ended with a slash.</summary>
    public bool TrailingSlash { get; init; }
    /// <summary>Set when the path ended at a /proc/PID/fd/N link: the open file it refers to (Linux's "magic link").</summary>
    public OpenFile? MagicFile { get; init; }
}

/// <summary>
/// The guest's view of files: a table of mounts, and the one place where guest paths are resolved.
/// Resolution is done on guest path components only — "..", "." and every symlink are interpreted
/// inside the guest view (an absolute symlink target starts again at the guest root), so no path the
/// guest writes can name anything outside its mounts. Backends receive only resolved paths.
/// </summary>
public sealed class VirtualFileSystem : IDisposable
{
    /// <summary>Releases the host handles of every mount that holds some (host directories, copy-on-write overlays).</summary>
    public void Dispose()
    {
        foreach (var (_, fs) in _mountOrder) (fs as IDisposable)?.Dispose();
    }

    const int MaxSymlinks = 40; // the kernel's limit (path_resolution(7)): ELOOP beyond it
    const int MaxPathLength = 4096;

    readonly List<(string[] At, IFileSystem Fs)> _mounts = new();
    readonly List<(string At, IFileSystem Fs)> _mountOrder = new();
    const int MaxNameLength = 255;

    /// <summary>Record locks and flock locks: VM state, shared by all processes of the VM.</summary>
    public FileLocks Locks { get; } = new();
    /// <summary>inotify watches, and the events the VM's file changes make for them.</summary>
    public FileWatches Watches { get; } = new();
    /// <summary>The pipes behind FIFOs opened so far (fifo(7)).</summary>
    public NamedPipes Fifos { get; } = new();

    /// <summary>The mounts in the order they were made (for /proc/mounts).</summary>
    public IReadOnlyList<(string At, IFileSystem Fs)> Mounts => _mountOrder;

    /// <summary>Mounts <paramref name="fs"/> at the absolute guest path <paramref name="guestPath"/>; later mounts shadow earlier ones.</summary>
    public void Mount(string guestPath, IFileSystem fs)
    {
        guestPath = GuestNames.FromHost(guestPath); // a host-given path: its UTF-8 bytes
        // Longest mount point first, so lookups find the innermost mount; among equal paths the latest first.
        string[] at = Split(guestPath);
        int i = 0;
        while (i < _mounts.Count && _mounts[i].At.Length > at.Length) i++;
        _mounts.Insert(i, (at, fs));
        _mountOrder.Add(("/" + string.Join('/', at), fs));
    }

    /// <summary>
    /// The entries of a directory listing plus the mount points directly inside <paramref name="guestDirectory"/>
    /// that the directory itself lacks (a mount point need not exist in the file system below it).
    /// </summary>
    public IReadOnlyList<DirectoryEntry> WithMountPoints(string guestDirectory, IReadOnlyList<DirectoryEntry> entries)
    {
        string[] dir = Split(guestDirectory);
        List<DirectoryEntry>? result = null;
        foreach (var (at, fs) in _mounts)
        {
            if (at.Length <= dir.Length || !at.AsSpan(0, dir.Length).SequenceEqual(dir)) continue;
            string name = at[dir.Length]; // the mount point itself, or a directory on the way to it
            if (entries.Any(e => e.Name == name) || (result?.Any(e => e.Name == name) ?? false)) continue;
            result ??= new List<DirectoryEntry>(entries);
            // The inode stat reports for it: the root of what is mounted there, else the supplied directory's.
            string[] child = at[..(dir.Length + 1)];
            IFileSystem? mounted = _mounts.FirstOrDefault(m => m.At.AsSpan().SequenceEqual(child)).Fs;
            ulong inode = mounted != null ? mounted.Lstat("", out _)?.Inode ?? 0 : MountPathDirectory.InodeOf(GuestPathOf(child));
            result.Add(new DirectoryEntry(name, inode, FileKind.Directory));
        }
        return result ?? entries;
    }

    static string GuestPathOf(IEnumerable<string> components) => "/" + string.Join('/', components);

    static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>True when the first <paramref name="count"/> of <paramref name="components"/> are a proper prefix of some mount point.</summary>
    bool IsMountAncestor(List<string> components, int count)
    {
        foreach (var (at, _) in _mounts)
        {
            if (at.Length <= count) continue;
            bool prefix = true;
            for (int i = 0; i < count && prefix; i++) prefix = at[i] == components[i];
            if (prefix) return true;
        }
        return false;
    }

    /// <summary>
    /// Where a resolved path lives: its mount and the path inside it, except on the way to a mount point the
    /// file system below lacks (a host directory mounted at /tmp/x/work over the private tmpfs /tmp). A mount
    /// point's parents always exist on Linux, so such a directory — and a name looked up in it — is served by
    /// a <see cref="MountPathDirectory"/>: stat, open, getdents, chdir and realpath see a directory.
    /// </summary>
    (IFileSystem Fs, string Relative) LocateInView(List<string> done)
    {
        var (fs, rel) = Locate(done);
        if (rel.Length == 0) return (fs, rel); // a mount's root
        if (IsMountAncestor(done, done.Count) && fs.Lstat(rel, out _) == null)
            return (new MountPathDirectory(fs, GuestPathOf(done)), "");
        int slash = rel.LastIndexOf('/');
        if (slash > 0 && IsMountAncestor(done, done.Count - 1) && fs.Lstat(rel[..slash], out _) == null)
            return (new MountPathDirectory(fs, GuestPathOf(done.Take(done.Count - 1))), done[^1]);
        return (fs, rel);
    }

    (IFileSystem Fs, string Relative) Locate(List<string> components)
    {
        foreach (var (at, fs) in _mounts)
        {
            if (at.Length > components.Count) continue;
            bool match = true;
            for (int i = 0; i < at.Length && match; i++) match = at[i] == components[i];
            if (match) return (fs, string.Join('/', components.Skip(at.Length)));
        }
        throw new InvalidOperationException("no root mount");
    }

    /// <summary>
    /// Resolves <paramref name="path"/> (relative to the guest directory <paramref name="cwd"/>) to a mount and a
    /// path inside it. Symlinks in every component but the last are followed; the last is followed when
    /// <paramref name="followLast"/>. Returns a negative errno on failure (ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG).
    /// </summary>
    public int Resolve(string cwd, string path, bool followLast, out ResolvedPath resolved)
    {
        resolved = default;
        if (path.Length == 0) return -Errno.ENOENT;
        if (path.Length >= MaxPathLength) return -Errno.ENAMETOOLONG;
        var done = new List<string>();
        var pending = new Stack<string>();
        PushComponents(pending, path);
        if (path[0] != '/')
        {
            // Start from the current directory (itself already a resolved guest path).
            done.AddRange(Split(cwd));
        }
        int links = 0;
        bool trailingSlash = path.EndsWith('/');
        bool endsWithDot = false;
        while (pending.Count > 0)
        {
            string c = pending.Pop();
            endsWithDot = c is "." or "..";
            if (c == "." || c.Length == 0) continue;
            if (c == "..")
            {
                // ".." at the guest root stays at the root: the view has no outside. From a mount's root it
                // goes to the directory the mount sits on, because resolution works on guest paths.
                if (done.Count > 0) done.RemoveAt(done.Count - 1);
                continue;
            }
            if (GuestNames.ByteCount(c) > MaxNameLength) return -Errno.ENAMETOOLONG;
            done.Add(c);
            bool last = pending.Count == 0;
            if (last && !followLast && !trailingSlash) break;
            var (fs, rel) = Locate(done);
            FileStatus? st = fs.Lstat(rel, out int errno);
            if (st == null)
            {
                if (last) break; // a missing final component is fine (O_CREAT, mkdir…); the caller decides
                // A directory on the way to a deeper mount point exists in the view even if the file system
                // below lacks it (e.g. /tmp/a/b mounted over the tmpfs /tmp).
                if (IsMountAncestor(done, done.Count)) continue;
                return -(errno == 0 ? Errno.ENOENT : errno);
            }
            if (st.Kind == FileKind.Symlink)
            {
                if (++links > MaxSymlinks) return -Errno.ELOOP;
                OpenFile? magic = (fs as ProcFileSystem)?.MagicLink(rel);
                if (magic != null && last)
                {
                    resolved = new ResolvedPath(fs, rel, "/" + string.Join('/', done)) { MagicFile = magic };
                    return 0;
                }
                string? target = magic != null ? magic.Path : fs.ReadLink(rel);
                if (target == null) return -Errno.ENOENT; // a /proc link of a zombie leads nowhere
                done.RemoveAt(done.Count - 1);
                if (target.StartsWith('/')) done.Clear();
                PushComponents(pending, target);
                continue;
            }
            if ((!last || trailingSlash) && st.Kind != FileKind.Directory) return -Errno.ENOTDIR;
            if (last) endsWithDot = false;
        }
        var (mountFs, relative) = LocateInView(done);
        resolved = new ResolvedPath(mountFs, relative, GuestPathOf(done)) { EndsWithDot = endsWithDot, TrailingSlash = trailingSlash };
        return 0;
    }

    static void PushComponents(Stack<string> pending, string path)
    {
        string[] parts = Split(path);
        for (int i = parts.Length - 1; i >= 0; i--) pending.Push(parts[i]);
    }
}
