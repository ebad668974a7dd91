using Microsoft.Win32.SafeHandles;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using X86Vm.Linux.Host;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// A file system kept in VM memory: tmpfs when it has no lower layer, and a copy-on-write overlay on a
/// host directory when it has one. Every node may still be backed by its host path ("lower"): its
/// metadata, content and (for a directory) membership come from the host until the guest changes them,
/// at which point that part is copied into the node and becomes VM state. Deleting an entry removes it
/// from its (copied) directory, which is the whiteout; renames move nodes, which keep their lower path
/// for content. Nothing is ever written to the host.
///
/// File content is kept in page-sized chunks (<see cref="MemoryFileContent"/>) that MAP_SHARED maps directly, so
/// mappings and read/write are coherent by construction. Files of a tmpfs (and memfds) carry seals. Their pages are
/// charged to the VM's <see cref="MemoryAccount"/> as file data, so a full tmpfs refuses writes with ENOSPC.
/// </summary>
public sealed partial class MemoryFileSystem : IFileSystem, IDisposable
{
    /// <summary>Closes the copy-on-write overlay's handle on its host directory (the VM is disposed).</summary>
    public void Dispose() => _lower?.Dispose();

    const long TmpfsMagic = 0x01021994, OverlayMagic = 0x794c7630;
    const long MaxFileSize = long.MaxValue; // MAX_LFS_FILESIZE: content is sparse pages

    sealed class Node(MemoryAccount account)
    {
        public ulong Inode;
        public FileKind Kind;
        public uint Permissions, Uid, Gid, Links = 1;
        /// <summary>st_rdev of a device node made by mknod.</summary>
        public ulong RDevice;
        /// <summary>Extended attributes set in the VM (those of a lower host file are not read).</summary>
        public ExtendedAttributes? Xattrs;
        public long Atime, Mtime, Ctime, Btime;
        /// <summary>The host path (relative to the lower root) it comes from, or null for nodes made in the VM.</summary>
        public string? Lower;
        public FileStatus? LastLower;
        public bool OwnMeta, OwnData, OwnChildren;
        public MemoryFileContent Content = new(account);
        /// <summary>Open file descriptions of it: with <see cref="Links"/> they decide when its data is freed.</summary>
        public int Opens;
        /// <summary>The size while the content is still the host's (not owned); <see cref="Content"/>'s size once owned.</summary>
        public long Size;
        /// <summary>memfd seals (fcntl F_ADD_SEALS); tmpfs files start with F_SEAL_SEAL.</summary>
        public int Seals = Seal.SealSeal;
        public string? Target;
        /// <summary>Directories: known entries. A null value is an entry listed from the host not looked at yet.</summary>
        public OrderedDictionary<string, Node?>? Children;
        public Node? Parent;
        public bool Pristine => Lower != null && !OwnMeta && !OwnData && !OwnChildren;
    }

    readonly HostTree? _lower;

    /// <summary>The host directory under a copy-on-write overlay; null for a tmpfs.</summary>
    public HostTree? LowerTree => _lower;
    readonly MemoryAccount _account;
    readonly IClock _clock;
    readonly ulong _device;
    readonly Node _root;
    ulong _nextInode;

    /// <summary>
    /// A tmpfs (no <paramref name="lower"/>) or a copy-on-write overlay on <paramref name="lower"/>, whose file data is
    /// charged to <paramref name="account"/> (the VM's; null: an account of its own without a limit).
    /// </summary>
    public MemoryFileSystem(IClock clock, ulong device, HostTree? lower = null, uint rootMode = 0x3FF /* 01777 */,
        MemoryAccount? account = null)
    {
        _account = account ?? MemoryAccount.Unlimited();
        _clock = clock;
        _device = device;
        _lower = lower;
        _nextInode = lower == null ? 2 : 1UL << 48;
        long now = clock.RealtimeNanoseconds;
        if (lower == null)
        {
            _root = new Node(_account)
            {
                Inode = 1, Kind = FileKind.Directory, Permissions = rootMode, Links = 2, OwnMeta = true, OwnData = true,
                OwnChildren = true, Children = new(), Atime = now, Mtime = now, Ctime = now, Btime = now,
            };
        }
        else
        {
            FileStatus st = lower.Lstat("", out int errno) ?? throw new DirectoryNotFoundException(Errno.Describe(errno));
            _root = new Node(_account) { Inode = st.Inode, Kind = FileKind.Directory, Lower = "", LastLower = st, Children = new() };
        }
    }

    public bool ReadOnly => false;
    public string TypeName => _lower == null ? "tmpfs" : "overlay";
    public long Magic => _lower == null ? TmpfsMagic : OverlayMagic;

    long Now => _clock.RealtimeNanoseconds;

    // ---- nodes ------------------------------------------------------------------------------------

    Node? Materialize(Node dir, string name)
    {
        if (_lower == null || dir.Lower == null) return null;
        string path = dir.Lower.Length == 0 ? name : dir.Lower + "/" + name;
        FileStatus? st = _lower.Lstat(path, out _);
        if (st == null) return null;
        var n = new Node(_account) { Inode = st.Inode, Kind = st.Kind, Lower = path, LastLower = st, Links = st.Links };
        if (st.Kind == FileKind.Symlink) n.Target = _lower.ReadLink(path) ?? "";
        if (st.Kind == FileKind.Directory) { n.Children = new(); n.Parent = dir; }
        return n;
    }

    Node? Lookup(Node dir, string name)
    {
        if (dir.Kind != FileKind.Directory) return null;
        dir.Children ??= new();
        if (dir.Children.TryGetValue(name, out Node? n))
        {
            if (n != null)
            {
                // An untouched host entry in an untouched directory follows the host.
                if (!dir.OwnChildren && n.Pristine && _lower!.Lstat(n.Lower!, out _) == null) { dir.Children.Remove(name); return null; }
                return n;
            }
            n = Materialize(dir, name);
            if (n == null) dir.Children.Remove(name);
            else dir.Children[name] = n;
            return n;
        }
        if (dir.OwnChildren) return null;
        n = Materialize(dir, name);
        if (n != null) dir.Children[name] = n;
        return n;
    }

    Node? Walk(string relativePath, out int errno)
    {
        Node cur = _root;
        errno = 0;
        if (relativePath.Length == 0) return cur;
        foreach (string c in relativePath.Split('/'))
        {
            if (c is "" or "." or "..") throw new InvalidOperationException("unresolved path reached a file system backend");
            if (cur.Kind != FileKind.Directory) { errno = Errno.ENOTDIR; return null; }
            Node? next = Lookup(cur, c);
            if (next == null) { errno = Errno.ENOENT; return null; }
            cur = next;
        }
        return cur;
    }

    int WalkParent(string relativePath, out Node parent, out string name)
    {
        parent = _root;
        name = "";
        if (relativePath.Length == 0) return Errno.EBUSY;
        int slash = relativePath.LastIndexOf('/');
        name = relativePath[(slash + 1)..];
        Node? p = Walk(slash < 0 ? "" : relativePath[..slash], out int errno);
        if (p == null) return errno;
        if (p.Kind != FileKind.Directory) return Errno.ENOTDIR;
        parent = p;
        return 0;
    }

    FileStatus LowerStatus(Node n)
    {
        FileStatus? st = _lower?.Lstat(n.Lower!, out _);
        if (st != null) n.LastLower = st;
        return n.LastLower!;
    }

    /// <summary>The node's metadata becomes VM state.</summary>
    void OwnMeta(Node n)
    {
        if (n.OwnMeta) return;
        FileStatus st = LowerStatus(n);
        n.Permissions = st.Permissions;
        n.Uid = st.Uid;
        n.Gid = st.Gid;
        n.Links = st.Links;
        n.Atime = st.AccessNs;
        n.Mtime = st.ModifyNs;
        n.Ctime = st.ChangeNs;
        n.Btime = st.BirthNs;
        if (!n.OwnData) n.Size = (long)st.Size;
        n.OwnMeta = true;
    }

    /// <summary>Copy-up: the file's content becomes VM state.</summary>
    int OwnData(Node n)
    {
        if (n.OwnData) return 0;
        OwnMeta(n);
        if (n.Kind == FileKind.Regular && n.Lower != null)
        {
            SafeFileHandle? h = _lower!.Open(n.Lower, OpenFlags.ReadOnly, 0, out int errno);
            if (h == null) return errno;
            using (h)
            {
                MemoryFileContent? content = MemoryFileContent.Load(h, _account, out int loadErrno);
                if (content == null) return loadErrno;
                n.Content = content;
                n.Size = content.Size;
            }
        }
        n.OwnData = true;
        return 0;
    }

    /// <summary>The directory's membership becomes VM state (taken from the host once).</summary>
    void OwnChildren(Node dir)
    {
        if (dir.OwnChildren) return;
        OwnMeta(dir);
        var fresh = new OrderedDictionary<string, Node?>();
        var known = dir.Children ?? new();
        if (dir.Lower != null)
            foreach (DirectoryEntry e in _lower!.List(dir.Lower, out _) ?? [])
                fresh[e.Name] = known.GetValueOrDefault(e.Name);
        foreach (var (name, node) in known)
            if (node != null && !node.Pristine && !fresh.ContainsKey(name)) fresh[name] = node;
        dir.Children = fresh;
        dir.OwnChildren = true;
    }

    void Touch(Node dir)
    {
        OwnMeta(dir);
        dir.Mtime = dir.Ctime = Now;
    }

    FileStatus StatusOf(Node n)
    {
        if (!n.OwnMeta)
        {
            FileStatus st = LowerStatus(n);
            return st with { Device = _device };
        }
        long size = n.Kind switch
        {
            FileKind.Regular => n.OwnData ? n.Content.Size : n.Size,
            FileKind.Symlink => GuestNames.ByteCount(n.Target ?? ""),
            FileKind.Directory => 4096,
            _ => 0,
        };
        return new FileStatus
        {
            Kind = n.Kind, Permissions = n.Permissions, Size = (ulong)size, Inode = n.Inode, Device = _device, RDevice = n.RDevice,
            Links = n.Links, Uid = n.Uid, Gid = n.Gid, AccessNs = n.Atime, ModifyNs = n.Mtime, ChangeNs = n.Ctime,
            BirthNs = n.Btime, Blocks = (ulong)((size + 4095) / 4096 * 8),
        };
    }

    Node NewNode(FileKind kind, uint permissions)
    {
        long now = Now;
        var n = new Node(_account)
        {
            Inode = _nextInode++, Kind = kind, Permissions = permissions & 0xFFF, OwnMeta = true, OwnData = true,
            Atime = now, Mtime = now, Ctime = now, Btime = now,
        };
        if (kind == FileKind.Directory) { n.Children = new(); n.OwnChildren = true; n.Links = 2; }
        return n;
    }

    int Insert(string relativePath, Node node)
    {
        int e = WalkParent(relativePath, out Node parent, out string name);
        if (e != 0) return e;
        if (Lookup(parent, name) != null) return Errno.EEXIST;
        OwnChildren(parent);
        parent.Children![name] = node;
        if (node.Kind == FileKind.Directory) { node.Parent = parent; parent.Links++; }
        Touch(parent);
        return 0;
    }

    bool IsEmpty(Node dir)
    {
        if (!dir.OwnChildren && dir.Lower != null) return (_lower!.List(dir.Lower, out _)?.Count ?? 0) == 0;
        foreach (string name in dir.Children!.Keys.ToList())
            if (Lookup(dir, name) != null) return false;
        return true;
    }

    IReadOnlyList<DirectoryEntry> List(Node dir)
    {
        var list = new List<DirectoryEntry>
        {
            new(".", dir.Inode, FileKind.Directory),
            new("..", dir.Parent?.Inode ?? dir.Inode, FileKind.Directory),
        };
        if (!dir.OwnChildren && dir.Lower != null)
        {
            list.AddRange(_lower!.List(dir.Lower, out _) ?? []);
            return list;
        }
        foreach (string name in dir.Children!.Keys.ToList())
        {
            Node? n = Lookup(dir, name);
            if (n != null) list.Add(new DirectoryEntry(name, n.Inode, n.Kind));
        }
        return list;
    }

    // ---- IFileSystem ------------------------------------------------------------------------------

    public FileStatus? Lstat(string relativePath, out int errno)
    {
        Node? n = Walk(relativePath, out errno);
        return n == null ? null : StatusOf(n);
    }

    public string? ReadLink(string relativePath) => Walk(relativePath, out _) is { Kind: FileKind.Symlink } n ? n.Target : null;

    public OpenFile? Open(string relativePath, string guestPath, int flags, uint mode, out int errno)
    {
        int access = flags & OpenFlags.AccessMode;
        if ((flags & OpenFlags.TmpFile) == OpenFlags.TmpFile)
        {
            Node? dir = Walk(relativePath, out errno);
            if (dir == null) return null;
            if (dir.Kind != FileKind.Directory) { errno = Errno.ENOTDIR; return null; }
            if (access == OpenFlags.ReadOnly) { errno = Errno.EINVAL; return null; }
            Node tmp = NewNode(FileKind.Regular, mode);
            tmp.Links = 0;
            return new MemoryFile(this, tmp) { Path = guestPath + "/#" + tmp.Inode + " (deleted)", StatusFlags = flags & ~OpenFlags.TmpFile | access };
        }
        Node? n = Walk(relativePath, out errno);
        bool create = (flags & OpenFlags.Create) != 0;
        if (n == null)
        {
            if (!create || errno != Errno.ENOENT) return null;
            n = NewNode(FileKind.Regular, mode);
            errno = Insert(relativePath, n);
            if (errno != 0) return null;
        }
        else if (create && (flags & OpenFlags.Exclusive) != 0) { errno = Errno.EEXIST; return null; }
        else if (n.Kind == FileKind.Directory)
        {
            if (access != OpenFlags.ReadOnly || create) { errno = Errno.EISDIR; return null; }
        }
        else if ((flags & OpenFlags.Directory) != 0) { errno = Errno.ENOTDIR; return null; }
        else if (n.Kind == FileKind.Symlink) { errno = Errno.ELOOP; return null; }
        else if (n.Kind != FileKind.Regular) { errno = Errno.ENXIO; return null; }
        else if ((flags & OpenFlags.Truncate) != 0) // Linux truncates even when opened read-only
        {
            long e = SetLength(n, 0);
            if (e < 0) { errno = (int)-e; return null; }
        }
        errno = 0;
        return new MemoryFile(this, n)
        {
            Path = guestPath,
            StatusFlags = flags & ~(OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.Truncate | OpenFlags.NoCtty),
        };
    }

    public int MakeDirectory(string relativePath, uint mode) => Insert(relativePath, NewNode(FileKind.Directory, mode));

    public int MakeNode(string relativePath, FileKind kind, uint mode) => Insert(relativePath, NewNode(kind, mode));

    public int MakeDevice(string relativePath, FileKind kind, uint mode, ulong device)
    {
        Node n = NewNode(kind, mode);
        n.RDevice = device;
        return Insert(relativePath, n);
    }

    public int Symlink(string target, string relativePath)
    {
        Node n = NewNode(FileKind.Symlink, 0x1FF);
        n.Target = target;
        return Insert(relativePath, n);
    }

    public int Remove(string relativePath, bool directory)
    {
        int e = WalkParent(relativePath, out Node parent, out string name);
        if (e != 0) return e;
        Node? n = Lookup(parent, name);
        if (n == null) return Errno.ENOENT;
        if (directory)
        {
            if (n.Kind != FileKind.Directory) return Errno.ENOTDIR;
            if (!IsEmpty(n)) return Errno.ENOTEMPTY;
        }
        else if (n.Kind == FileKind.Directory) return Errno.EISDIR;
        Unlink(parent, name, n);
        return 0;
    }

    void Unlink(Node parent, string name, Node n)
    {
        OwnChildren(parent);
        parent.Children!.Remove(name);
        OwnMeta(n);
        if (n.Kind == FileKind.Directory) { n.Links = 0; parent.Links--; }
        else if (n.Links > 0) n.Links--;
        n.Ctime = Now;
        Touch(parent);
        FreeIfUnused(n);
    }

    /// <summary>A file with no name and no open description keeps its data only for its remaining mappings.</summary>
    static void FreeIfUnused(Node n)
    {
        if (n.Kind == FileKind.Regular && n.Links == 0 && n.Opens == 0) n.Content.Orphan();
    }

    public int Rename(string from, string to, uint flags)
    {
        const uint NoReplace = 1, Exchange = 2;
        int e = WalkParent(from, out Node sp, out string sn);
        if (e != 0) return e;
        e = WalkParent(to, out Node dp, out string dn);
        if (e != 0) return e;
        Node? node = Lookup(sp, sn);
        if (node == null) return Errno.ENOENT;
        Node? target = Lookup(dp, dn);
        if ((flags & Exchange) != 0)
        {
            if (target == null) return Errno.ENOENT;
            if (node == target) return 0;
            if ((node.Kind == FileKind.Directory && IsAncestor(node, dp)) || (target.Kind == FileKind.Directory && IsAncestor(target, sp)))
                return Errno.EINVAL;
            OwnChildren(sp);
            OwnChildren(dp);
            sp.Children![sn] = target;
            dp.Children![dn] = node;
            Reparent(node, sp, dp);
            Reparent(target, dp, sp);
            OwnMeta(node); OwnMeta(target);
            node.Ctime = target.Ctime = Now;
            Touch(sp); Touch(dp);
            return 0;
        }
        if (target != null && (flags & NoReplace) != 0) return Errno.EEXIST;
        if (node == target) return 0;
        if (node.Kind == FileKind.Directory)
        {
            if (IsAncestor(node, dp)) return Errno.EINVAL;
            if (target != null)
            {
                if (target.Kind != FileKind.Directory) return Errno.ENOTDIR;
                if (!IsEmpty(target)) return Errno.ENOTEMPTY;
            }
        }
        else if (target?.Kind == FileKind.Directory) return Errno.EISDIR;
        if (target != null) Unlink(dp, dn, target);
        OwnChildren(sp);
        OwnChildren(dp);
        sp.Children!.Remove(sn);
        dp.Children![dn] = node;
        Reparent(node, sp, dp);
        OwnMeta(node);
        node.Ctime = Now;
        Touch(sp);
        Touch(dp);
        return 0;
    }

    static bool IsAncestor(Node dir, Node of)
    {
        for (Node? n = of; n != null; n = n.Parent)
            if (n == dir) return true;
        return false;
    }

    void Reparent(Node n, Node from, Node to)
    {
        if (n.Kind != FileKind.Directory || from == to) return;
        OwnMeta(from); OwnMeta(to);
        from.Links--;
        to.Links++;
        n.Parent = to;
    }

    public int Link(string existing, string newPath)
    {
        Node? n = Walk(existing, out int errno);
        if (n == null) return errno;
        if (n.Kind == FileKind.Directory) return Errno.EPERM;
        int e = Insert(newPath, n);
        if (e != 0) return e;
        OwnMeta(n);
        n.Links++;
        n.Ctime = Now;
        return 0;
    }

    /// <summary>linkat(fd, "", …, AT_EMPTY_PATH) of an O_TMPFILE or still-open file.</summary>
    public int LinkOpen(OpenFile file, string newPath)
    {
        if (file is not MemoryFile { Fs: var fs, Node: var n } || fs != this) return Errno.EXDEV;
        int e = Insert(newPath, n);
        if (e != 0) return e;
        n.Links++;
        n.Ctime = Now;
        return 0;
    }

    public ExtendedAttributes? Xattrs(string relativePath, bool forWriting, out int errno)
    {
        Node? n = Walk(relativePath, out errno);
        return n == null ? null : XattrsOf(n, forWriting, out errno);
    }

    ExtendedAttributes? XattrsOf(Node n, bool forWriting, out int errno)
    {
        errno = 0;
        if (ReadOnly && forWriting) { errno = Errno.EROFS; return null; }
        if (!forWriting) return n.Xattrs ?? new ExtendedAttributes();
        OwnMeta(n);
        n.Ctime = Now;
        return n.Xattrs ??= new ExtendedAttributes();
    }

    public int SetAttributes(string relativePath, in AttributeChange change)
    {
        Node? n = Walk(relativePath, out int errno);
        return n == null ? errno : Apply(n, change);
    }

    int Apply(Node n, in AttributeChange change)
    {
        OwnMeta(n);
        if (change.Mode is uint mode)
        {
            if (n.Kind == FileKind.Symlink) return Errno.EOPNOTSUPP;
            n.Permissions = mode & 0xFFF;
        }
        if (change.Uid is uint uid) n.Uid = uid;
        if (change.Gid is uint gid) n.Gid = gid;
        if (change.AccessNs is long a) n.Atime = a;
        if (change.ModifyNs is long m) n.Mtime = m;
        n.Ctime = Now;
        return 0;
    }

    public int Truncate(string relativePath, long length)
    {
        Node? n = Walk(relativePath, out int errno);
        if (n == null) return errno;
        if (n.Kind == FileKind.Directory) return Errno.EISDIR;
        if (n.Kind != FileKind.Regular) return Errno.EINVAL;
        return (int)-SetLength(n, length);
    }

    long SetLength(Node n, long length)
    {
        if (length < 0) return -Errno.EINVAL;
        if (length > MaxFileSize) return -Errno.EFBIG;
        int e = OwnData(n);
        if (e != 0) return -e;
        long size = n.Content.Size;
        if ((length < size && (n.Seals & Seal.Shrink) != 0) || (length > size && (n.Seals & Seal.Grow) != 0)) return -Errno.EPERM;
        n.Content.SetLength(length);
        n.Size = length;
        n.Mtime = n.Ctime = Now;
        return 0;
    }

    /// <summary>The size is the VM's file data limit; free is what the account can still charge as file data.</summary>
    public StatFsInfo StatFs()
    {
        ulong blocks = (ulong)_account.FileLimitPages, free = (ulong)_account.FilePagesAvailable;
        return new StatFsInfo(Magic, 4096, blocks, free, free, 1UL << 20, (1UL << 20) - 1024);
    }

    sealed class MemoryFile : OpenFile, IMappableFile, ISealableFile, IReopenableFile
    {
        readonly MemoryFileSystem fs;
        readonly Node node;
        bool _released;

        public MemoryFile(MemoryFileSystem fs, Node node)
        {
            this.fs = fs;
            this.node = node;
            node.Opens++;
        }

        /// <summary>open of /proc/self/fd/N: a new description of the same file, even unlinked (a memfd, O_TMPFILE).</summary>
        public OpenFile? Reopen(int flags, out int errno)
        {
            errno = 0;
            if (node.Kind != FileKind.Regular) return null;
            if ((flags & OpenFlags.Truncate) != 0)
            {
                long e = fs.SetLength(node, 0);
                if (e < 0) { errno = (int)-e; return null; }
            }
            return new MemoryFile(fs, node)
            {
                Path = Path, FileSystem = FileSystem, RelativePath = RelativePath,
                StatusFlags = flags & ~(OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.Truncate | OpenFlags.NoCtty | OpenFlags.CloseOnExec),
            };
        }

        public MemoryFileSystem Fs => fs;
        public Node Node => node;
        [NotSnapshot] SafeFileHandle? _lowerHandle; // opened again on first read after a restore

        public override long ReadAt(Span<byte> buffer, long offset)
        {
            if (node.Kind == FileKind.Directory) return -Errno.EISDIR;
            if (!node.OwnData && node.Lower != null)
            {
                _lowerHandle ??= fs._lower!.Open(node.Lower, OpenFlags.ReadOnly, 0, out _);
                if (_lowerHandle == null) return -Errno.EIO;
                try { return RandomAccess.Read(_lowerHandle, buffer, offset); }
                catch (IOException) { return -Errno.EIO; }
            }
            return node.Content.Read(buffer, offset);
        }

        public override long WriteAt(ReadOnlySpan<byte> buffer, long offset)
        {
            if (node.Kind == FileKind.Directory) return -Errno.EISDIR;
            long end = offset + buffer.Length;
            if (end > MaxFileSize || end < offset) return -Errno.EFBIG;
            int e = fs.OwnData(node);
            if (e != 0) return -e;
            if ((node.Seals & (Seal.Write | Seal.FutureWrite)) != 0) return -Errno.EPERM;
            if ((node.Seals & Seal.Grow) != 0 && end > node.Content.Size) return -Errno.EPERM;
            if (buffer.Length == 0) return 0;
            int written = node.Content.Write(buffer, offset);
            if (written == 0) return -Errno.ENOSPC; // the file data (tmpfs size) or memory limit: a full tmpfs
            node.Size = node.Content.Size;
            node.Mtime = node.Ctime = fs.Now;
            return written;
        }

        public override FileStatus Status() => fs.StatusOf(node);
        public override IReadOnlyList<DirectoryEntry>? ListDirectory() => node.Kind == FileKind.Directory ? fs.List(node) : null;
        public override int SetAttributes(in AttributeChange change) => fs.Apply(node, change);

        public override ExtendedAttributes? Xattrs(bool forWriting, out int errno) => fs.XattrsOf(node, forWriting, out errno);

        public override long SetLength(long length) =>
            node.Kind == FileKind.Regular ? fs.SetLength(node, length) : -Errno.EINVAL;

        public override long Allocate(int mode, long offset, long length)
        {
            if (node.Kind != FileKind.Regular) return -Errno.ENODEV;
            if (mode != 0 && mode != 1 /* FALLOC_FL_KEEP_SIZE */) return -Errno.EOPNOTSUPP;
            long end = offset + length;
            if (end > MaxFileSize || end < offset) return -Errno.EFBIG;
            int e = fs.OwnData(node);
            if (e != 0) return -e;
            if ((node.Seals & Seal.Grow) != 0 && end > node.Content.Size) return -Errno.EPERM;
            if (!node.Content.Allocate(offset, end)) return -Errno.ENOSPC; // tmpfs gives the pages now
            if (mode == 0 && end > node.Content.Size) return fs.SetLength(node, end);
            return 0;
        }

        /// <summary>The content pages themselves (an overlay file is copied up first, so the host is never written).</summary>
        public IPageSource? MapShared(bool writable, out int errno)
        {
            errno = node.Kind == FileKind.Regular ? fs.OwnData(node) : Errno.ENODEV;
            if (errno != 0) return null;
            if (writable && (node.Seals & (Seal.Write | Seal.FutureWrite)) != 0)
            {
                errno = Errno.EPERM;
                return null;
            }
            return node.Content;
        }

        /// <summary>Whether new shared mappings of the content may become writable (VM_MAYWRITE): not once write-sealed.</summary>
        public bool WriteSealed => (node.Seals & (Seal.Write | Seal.FutureWrite)) != 0;

        /// <summary>Seals exist on tmpfs files and memfds (shmem); an overlay's files have none (EINVAL).</summary>
        public int Seals => fs._lower == null ? node.Seals : -Errno.EINVAL;

        public int AddSeals(int seals, Func<IPageSource, bool> writablyMapped)
        {
            if (fs._lower != null) return -Errno.EINVAL;
            if ((node.Seals & Seal.SealSeal) != 0) return -Errno.EPERM;
            if ((seals & Seal.Write) != 0 && (node.Seals & Seal.Write) == 0 && writablyMapped(node.Content)) return -Errno.EBUSY;
            // F_SEAL_EXEC on an executable file implies the write seals (W^X from the start).
            if ((seals & Seal.Exec) != 0 && (node.Permissions & 0x49) != 0) seals |= Seal.Shrink | Seal.Grow | Seal.Write | Seal.FutureWrite;
            node.Seals |= seals;
            return 0;
        }

        public override void Release()
        {
            _lowerHandle?.Dispose();
            if (_released) return;
            _released = true;
            node.Opens--;
            FreeIfUnused(node);
        }
    }

    /// <summary>
    /// memfd_create: an unlinked file of this (hidden) tmpfs, mode 0777, named "/memfd:NAME (deleted)"; without
    /// MFD_ALLOW_SEALING it carries F_SEAL_SEAL, so no seal can be added.
    /// </summary>
    public OpenFile CreateMemfd(string name, bool allowSealing, bool noExec)
    {
        Node n = NewNode(FileKind.Regular, noExec ? 0x1B6u : 0x1FFu);
        n.Links = 0;
        n.Seals = noExec ? Seal.Exec : allowSealing ? 0 : Seal.SealSeal; // MFD_NOEXEC_SEAL: 0666 and F_SEAL_EXEC
        return new MemoryFile(this, n) { Path = "/memfd:" + name + " (deleted)", StatusFlags = OpenFlags.ReadWrite };
    }
}
