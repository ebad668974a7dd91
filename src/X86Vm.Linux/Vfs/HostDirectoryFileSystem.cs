using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using X86Vm.Linux.Host;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// A host directory mounted into the guest view, read-only or read-write (writes reach the host). The
/// backend only ever receives resolved relative paths (see <see cref="IFileSystem"/>), and all host
/// access goes through <see cref="HostTree"/>, which cannot leave the directory even if the host
/// changes under it. Ownership changes are recorded in VM state, never applied to the host.
///
/// Shared file mappings of host files go through a page cache (<see cref="HostPageCache"/>), one per host inode. The
/// coherence model: inside the VM everything is coherent at once — every MAP_SHARED mapping of the file, in any process,
/// maps the cache's page objects; read(2) of the file sees cached pages over what the host has; write(2) goes to the
/// host and into the cached pages. The host file itself receives the bytes written through mappings when they are
/// written back: on msync, munmap, close of a descriptor, fsync, and when the mapping process exits or executes a
/// new program. A program outside the VM changing the file while it is mapped is not noticed for cached pages.
/// </summary>
public sealed partial class HostDirectoryFileSystem : IFileSystem, IDisposable
{
    /// <summary>Closes the handle on the host directory (the VM is disposed; open files hold their own handles).</summary>
    public void Dispose() => _tree.Dispose();

    readonly HostTree _tree;
    readonly Dictionary<(ulong Device, ulong Inode), (uint Uid, uint Gid)> _owners = new();
    /// <summary>Page caches of the host files mapped shared, by host inode; a cache lives while a mapping or descriptor holds it.</summary>
    [NotSnapshot] Dictionary<(ulong Device, ulong Inode), WeakReference<HostPageCache>> _caches = new();

    readonly MemoryAccount _account;

    /// <param name="account">Where the page caches of shared mappings are charged (the VM's; null: no limit).</param>
    /// <param name="presenter">Deterministic mode: virtual inode numbers, times and listing order (null: the host's).</param>
    public HostDirectoryFileSystem(string hostRoot, bool readOnly, MemoryAccount? account = null, HostFilePresenter? presenter = null)
    {
        _account = account ?? MemoryAccount.Unlimited();
        _tree = new HostTree(hostRoot, presenter);
        ReadOnly = readOnly;
    }

    public bool ReadOnly { get; }
    public string TypeName => "hostfs";
    public string HostRoot => _tree.RootPath;

    internal HostTree Tree => _tree;

    /// <summary>After a restore, once the root is open again (<see cref="HostTree.Reopen"/>): its open files and the page caches of its shared mappings.</summary>
    public void Restored(IEnumerable<object> objects)
    {
        _caches = new();
        foreach (object o in objects)
        {
            if (o is HostFile h && h.FileSystem == this) h.Reopen();
            else if (o is HostPageCache c && c.Owner == this && c.Reopen() is { } key) _caches[key] = new WeakReference<HostPageCache>(c);
        }
    }

    /// <summary>Why <paramref name="f"/> cannot be saved in a snapshot, or null: a file of this tree open for writing, or mapped shared.</summary>
    public static string? DescriptorRefusal(OpenFile f) => f switch
    {
        HostFile when (f.StatusFlags & OpenFlags.AccessMode) != OpenFlags.ReadOnly => $"a host file open for writing ({f.Path})",
        _ => null,
    };

    /// <summary>Why <paramref name="o"/> cannot be saved in a snapshot, or null: the cache of a writable shared mapping of a host file.</summary>
    public static string? SnapshotRefusal(object o) =>
        o is HostPageCache { Writable: true } c ? $"a writable shared mapping of the host file {c.Path}" : null;

    FileStatus? WithOwner(FileStatus? st) =>
        st != null && _owners.TryGetValue((st.Device, st.Inode), out var o) ? st with { Uid = o.Uid, Gid = o.Gid } : st;

    public FileStatus? Lstat(string relativePath, out int errno) => WithOwner(_tree.Lstat(relativePath, out errno));

    public string? ReadLink(string relativePath) => _tree.ReadLink(relativePath);

    public OpenFile? Open(string relativePath, string guestPath, int flags, uint mode, out int errno)
    {
        int access = flags & OpenFlags.AccessMode;
        if ((flags & OpenFlags.TmpFile) == OpenFlags.TmpFile)
        {
            if (ReadOnly) { errno = Errno.EROFS; return null; }
            SafeFileHandle? tmp = _tree.Open(relativePath, access | OpenFlags.TmpFile, mode, out errno);
            if (tmp == null) return null;
            HostTree.SetMode(tmp, mode);
            return new HostFile(this, tmp) { Unnamed = true, Path = guestPath + "/#" + _nextTmp++, StatusFlags = flags & ~OpenFlags.TmpFile | access };
        }
        FileStatus? st = _tree.Lstat(relativePath, out errno);
        bool create = (flags & OpenFlags.Create) != 0;
        if (st == null)
        {
            if (!create || errno != Errno.ENOENT) return null; // errno from lstat (ENOENT, ENOTDIR, EACCES…)
            if (ReadOnly) { errno = Errno.EROFS; return null; }
        }
        else if (create && (flags & OpenFlags.Exclusive) != 0) { errno = Errno.EEXIST; return null; }

        if (st?.Kind == FileKind.Directory)
        {
            if (access != OpenFlags.ReadOnly || create) { errno = Errno.EISDIR; return null; }
            errno = 0;
            return new HostDirectory(this, relativePath, st) { Path = guestPath, StatusFlags = flags };
        }
        if ((flags & OpenFlags.Directory) != 0) { errno = st == null ? Errno.ENOENT : Errno.ENOTDIR; return null; }
        if ((access != OpenFlags.ReadOnly || (flags & OpenFlags.Truncate) != 0) && ReadOnly) { errno = Errno.EROFS; return null; }
        if (st != null && st.Kind != FileKind.Regular)
        {
            errno = st.Kind == FileKind.Symlink ? Errno.ELOOP : Errno.ENXIO; // host devices, fifos and sockets are not passed through
            return null;
        }
        int hostFlags = access | (st == null ? OpenFlags.Create | OpenFlags.Exclusive : 0) |
            ((flags & OpenFlags.Truncate) != 0 ? OpenFlags.Truncate : 0); // Linux truncates even when opened read-only
        SafeFileHandle? handle = _tree.Open(relativePath, hostFlags, mode, out errno);
        if (handle == null) return null;
        if (st == null) HostTree.SetMode(handle, mode); // exact mode: the host process's umask must not apply
        if (_tree.Presenter is HostFilePresenter presenter)
        {
            if (st == null) Touch(presenter, relativePath, isNew: true);
            else if ((flags & OpenFlags.Truncate) != 0 && _tree.Fstat(handle, relativePath, out _) is FileStatus truncated) presenter.Modified(truncated);
        }
        return new HostFile(this, handle) { Path = guestPath, StatusFlags = flags & ~(OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.Truncate | OpenFlags.NoCtty) };
    }

    /// <summary>Numbers the O_TMPFILE files of this file system (their guest path has no name).</summary>
    int _nextTmp;

    /// <summary>
    /// A change to the tree's names: <paramref name="action"/> unless read-only; when it succeeds, deterministic mode
    /// gives the <paramref name="created"/> path, the <paramref name="changed"/> ones (renamed, linked: their ctime) and
    /// their directories (mtime, ctime) the virtual time of the change, as the host just gave them its own clock's.
    /// </summary>
    int Mutate(Func<int> action, string? created, params string[] changed)
    {
        if (ReadOnly) return Errno.EROFS;
        int result = action();
        if (result == 0 && _tree.Presenter is HostFilePresenter presenter)
        {
            if (created != null) Touch(presenter, created, isNew: true);
            foreach (string path in changed) Touch(presenter, path, isNew: false);
        }
        return result;
    }

    /// <summary>The file at <paramref name="relativePath"/> (if any) was created, or renamed or linked, now; its directory's entries changed.</summary>
    void Touch(HostFilePresenter presenter, string relativePath, bool isNew)
    {
        if (_tree.Lstat(relativePath, out _) is FileStatus st)
        {
            if (isNew) presenter.Created(st);
            else presenter.Changed(st);
        }
        int slash = relativePath.LastIndexOf('/');
        if (relativePath.Length > 0 && _tree.Lstat(slash < 0 ? "" : relativePath[..slash], out _) is FileStatus parent) presenter.Modified(parent);
    }

    public int MakeDirectory(string relativePath, uint mode) => Mutate(() =>
    {
        int e = _tree.MakeDirectory(relativePath, mode);
        return e != 0 ? e : _tree.SetMode(relativePath, mode);
    }, relativePath);

    public int MakeNode(string relativePath, FileKind kind, uint mode) => Mutate(() =>
    {
        if (kind == FileKind.Regular)
        {
            SafeFileHandle? h = _tree.Open(relativePath, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Exclusive, mode, out int errno);
            if (h == null) return errno;
            HostTree.SetMode(h, mode);
            h.Dispose();
            return 0;
        }
        int e = _tree.MakeNode(relativePath, (uint)kind, mode);
        return e != 0 ? e : _tree.SetMode(relativePath, mode);
    }, relativePath);

    public int Remove(string relativePath, bool directory) => Mutate(() => _tree.Remove(relativePath, directory), null, relativePath);
    public int Rename(string from, string to, uint flags) => Mutate(() => _tree.Rename(from, to, flags), null, to, from);
    public int Link(string existing, string newPath) => Mutate(() => _tree.Link(existing, newPath), null, newPath, existing);
    public int Symlink(string target, string relativePath) => Mutate(() => _tree.Symlink(target, relativePath), relativePath);

    public int SetAttributes(string relativePath, in AttributeChange change)
    {
        if (ReadOnly) return Errno.EROFS;
        FileStatus? st = _tree.Lstat(relativePath, out int errno);
        if (st == null) return errno;
        if (change.Mode is uint mode)
        {
            if (st.Kind == FileKind.Symlink) return Errno.EOPNOTSUPP;
            int e = _tree.SetMode(relativePath, mode);
            if (e != 0) return e;
        }
        if (change.AccessNs != null || change.ModifyNs != null)
        {
            int e = _tree.SetTimes(relativePath, change.AccessNs ?? HostTree.UtimeOmit, change.ModifyNs ?? HostTree.UtimeOmit);
            if (e != 0) return e;
            _tree.Presenter?.TimesSet(st, change.AccessNs ?? HostTree.UtimeOmit, change.ModifyNs ?? HostTree.UtimeOmit);
        }
        RecordOwner(st, change);
        return 0;
    }

    void RecordOwner(FileStatus st, in AttributeChange change)
    {
        if (change.Uid == null && change.Gid == null) return;
        FileStatus cur = WithOwner(st)!;
        _owners[(st.Device, st.Inode)] = (change.Uid ?? cur.Uid, change.Gid ?? cur.Gid);
    }

    public int Truncate(string relativePath, long length)
    {
        if (ReadOnly) return Errno.EROFS;
        FileStatus? st = _tree.Lstat(relativePath, out int errno);
        if (st == null) return errno;
        if (st.Kind == FileKind.Directory) return Errno.EISDIR;
        if (st.Kind != FileKind.Regular) return Errno.EINVAL;
        SafeFileHandle? h = _tree.Open(relativePath, OpenFlags.WriteOnly, 0, out errno);
        if (h == null) return errno;
        using (h)
        {
            HostPageCache? cache = FindCache((st.Device, st.Inode));
            cache?.Growing(length);
            if (Ftruncate(h, length) != 0) return Marshal.GetLastPInvokeError();
            cache?.Truncated(length);
            _tree.Presenter?.Modified(st);
            return 0;
        }
    }

    HostPageCache? FindCache((ulong, ulong) key)
    {
        if (!_caches.TryGetValue(key, out var weak)) return null;
        if (weak.TryGetTarget(out HostPageCache? cache)) return cache;
        _caches.Remove(key);
        return null;
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(SafeFileHandle fd);

    static SafeFileHandle? Duplicate(SafeFileHandle handle)
    {
        int fd = Dup(handle);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    public StatFsInfo StatFs()
    {
        if (_tree.Presenter != null) return HostFilePresenter.StatFs(ReadOnly);
        byte[]? b = _tree.StatFs();
        if (b == null) return new StatFsInfo(0xEF53, 4096, 0, 0, 0, 0, 0) { Flags = ReadOnly ? 1 : 0 };
        long L(int o) => BitConverter.ToInt64(b, o);
        return new StatFsInfo(L(0), L(8), (ulong)L(16), (ulong)L(24), (ulong)L(32), (ulong)L(40), (ulong)L(48))
        {
            NameLength = L(64),
            Flags = (L(80) & ~1L) | (ReadOnly ? 1L : 0L),
        };
    }

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int Ftruncate(SafeFileHandle fd, long length);

    sealed class HostFile(HostDirectoryFileSystem fs, SafeFileHandle handle) : OpenFile, IMappableFile
    {
        [NotSnapshot] SafeFileHandle _handle = handle;
        (ulong, ulong)? _key;

        /// <summary>An O_TMPFILE file: it has no name (its <see cref="OpenFile.RelativePath"/> is its directory's).</summary>
        public bool Unnamed { get; init; }

        /// <summary>Its path below the mount; null when it has none.</summary>
        string? NamedPath => Unnamed ? null : RelativePath;
        HostPageCache? _cache;

        /// <summary>The cache of this file's inode, if some mapping made one (created when <paramref name="create"/>).</summary>
        HostPageCache? Cache(bool create)
        {
            if (_cache != null) return _cache;
            if (!create && fs._caches.Count == 0) return null;
            if (_key == null)
            {
                if (fs._tree.Fstat(_handle, NamedPath, out _) is not FileStatus st) return null;
                _key = (st.Device, st.Inode);
            }
            HostPageCache? cache = fs.FindCache(_key.Value);
            if (cache == null && create)
            {
                SafeFileHandle? own = Duplicate(_handle);
                if (own == null) return null;
                cache = new HostPageCache(fs, own, CanWrite, RelativePath);
                fs._caches[_key.Value] = new WeakReference<HostPageCache>(cache);
            }
            return _cache = cache;
        }

        public override long ReadAt(Span<byte> buffer, long offset)
        {
            int n;
            try { n = RandomAccess.Read(_handle, buffer, offset); }
            catch (IOException) { return -Errno.EIO; }
            Cache(create: false)?.Overlay(buffer[..n], offset);
            return n;
        }

        public override long WriteAt(ReadOnlySpan<byte> buffer, long offset)
        {
            HostPageCache? cache = Cache(create: false);
            cache?.Growing(offset + buffer.Length);
            try { RandomAccess.Write(_handle, buffer, offset); }
            catch (IOException) { return -Errno.EIO; }
            cache?.WriteThrough(buffer, offset);
            if (fs._tree.Presenter is HostFilePresenter presenter && fs._tree.Fstat(_handle, NamedPath, out _) is FileStatus written) presenter.Modified(written);
            return buffer.Length;
        }

        public override FileStatus Status() => fs.WithOwner(fs._tree.Fstat(_handle, NamedPath, out _)) ?? new FileStatus { Kind = FileKind.Regular };

        public override int SetAttributes(in AttributeChange change)
        {
            if (fs.ReadOnly) return Errno.EROFS;
            if (change.Mode is uint mode && HostTree.SetMode(_handle, mode) is int e1 && e1 != 0) return e1;
            if ((change.AccessNs != null || change.ModifyNs != null) &&
                HostTree.SetTimes(_handle, change.AccessNs ?? HostTree.UtimeOmit, change.ModifyNs ?? HostTree.UtimeOmit) is int e2 && e2 != 0) return e2;
            if (fs._tree.Fstat(_handle, NamedPath, out _) is FileStatus st)
            {
                fs.RecordOwner(st, change);
                if (change.AccessNs != null || change.ModifyNs != null)
                    fs._tree.Presenter?.TimesSet(st, change.AccessNs ?? HostTree.UtimeOmit, change.ModifyNs ?? HostTree.UtimeOmit);
            }
            return 0;
        }

        public override long SetLength(long length)
        {
            HostPageCache? cache = Cache(create: false);
            cache?.Growing(length);
            if (Ftruncate(_handle, length) != 0) return -Marshal.GetLastPInvokeError();
            cache?.Truncated(length);
            if (fs._tree.Presenter is HostFilePresenter presenter && fs._tree.Fstat(_handle, NamedPath, out _) is FileStatus st) presenter.Modified(st);
            return 0;
        }

        public override long Sync()
        {
            Cache(create: false)?.WriteBack();
            return -HostTree.Sync(_handle);
        }

        public override long Allocate(int mode, long offset, long length) => -HostTree.Allocate(_handle, mode, offset, length);

        public IPageSource? MapShared(bool writable, out int errno)
        {
            HostPageCache? cache = Cache(create: true);
            errno = cache == null ? Errno.ENODEV : 0;
            if (cache != null && writable && !cache.Writable)
            {
                SafeFileHandle? own = Duplicate(_handle);
                if (own == null) { errno = Errno.ENODEV; return null; }
                cache.UseWritableHandle(own);
            }
            return cache;
        }

        /// <summary>After a restore: opens the file again by its path (only files open read-only are saved).</summary>
        public void Reopen()
        {
            _handle = fs._tree.Open(RelativePath, OpenFlags.ReadOnly, 0, out int errno) ??
                throw new SnapshotFormatException($"the host file {Path} cannot be opened again: {Errno.Describe(errno)}");
            _key = null; // the host's inode number, which another host gives otherwise
        }

        /// <summary>Closing a descriptor writes back what was written through mappings (the coherence model above).</summary>
        public override void Release()
        {
            _cache?.WriteBack();
            _handle.Dispose();
        }
    }

    /// <summary>
    /// The page cache of one host file for MAP_SHARED (see the coherence model on <see cref="HostDirectoryFileSystem"/>).
    /// Pages are read from the host on first touch; a page wholly past the end of the file is not given out (SIGBUS).
    /// </summary>
    /// <summary>
    /// The pages of one host file that shared mappings map. They are charged to the VM's memory while cached, and the
    /// cache empties (after writing back) when its last mapping goes: the host file then has every byte.
    /// </summary>
    sealed class HostPageCache(HostDirectoryFileSystem owner, SafeFileHandle handle, bool writable, string relativePath) : IPageSource, IWriteBackSource
    {
        readonly MemoryAccount account = owner._account;

        public HostDirectoryFileSystem Owner => owner;

        /// <summary>The file's path below the mount (to open it again after a restore, and for messages).</summary>
        public string Path => relativePath;

        readonly Dictionary<ulong, Page> _pages = new();
        [NotSnapshot] SafeFileHandle _handle = handle;
        int _mappings;

        /// <summary>
        /// After a restore (only read-only caches are saved: their pages hold nothing the host file lacks): the file
        /// opened again by its path; its inode key, which differs on another host.
        /// </summary>
        public (ulong Device, ulong Inode)? Reopen()
        {
            _handle = owner._tree.Open(relativePath, OpenFlags.ReadOnly, 0, out int errno) ??
                throw new SnapshotFormatException($"the mapped host file {relativePath} cannot be opened again: {Errno.Describe(errno)}");
            return owner._tree.Fstat(_handle, relativePath, out _) is FileStatus st ? (st.Device, st.Inode) : null;
        }

        public void Attach() => _mappings++;

        public void Detach()
        {
            if (--_mappings > 0) return;
            WriteBack();
            account.Uncharge(_pages.Count);
            _pages.Clear();
        }

        public bool Writable { get; private set; } = writable;

        /// <summary>A writable mapping is being made through a descriptor open for writing: write-back goes through it.</summary>
        public void UseWritableHandle(SafeFileHandle own)
        {
            _handle.Dispose();
            _handle = own;
            Writable = true;
        }

        long Length
        {
            get
            {
                try { return RandomAccess.GetLength(_handle); }
                catch (IOException) { return 0; }
            }
        }

        public Page? GetPage(ulong index)
        {
            if (_pages.TryGetValue(index, out Page? page)) return page;
            long start = (long)index << Page.Shift;
            if (start >= Length) return null;
            if (!account.TryCharge()) throw GuestFault.OutOfMemory(0);
            page = new Page();
            for (int done = 0; done < Page.Size;)
            {
                int r;
                try { r = RandomAccess.Read(_handle, page.Data.AsSpan(done), start + done); }
                catch (IOException) { break; }
                if (r <= 0) break;
                done += r;
            }
            _pages[index] = page;
            return page;
        }

        /// <summary>A read of the host file: cached pages (possibly written through a mapping) are newer than the host.</summary>
        public void Overlay(Span<byte> buffer, long offset)
        {
            if (_pages.Count == 0) return;
            for (int done = 0; done < buffer.Length;)
            {
                long pos = offset + done;
                int within = (int)(pos & (long)Page.OffsetMask), chunk = Math.Min(Page.Size - within, buffer.Length - done);
                if (_pages.TryGetValue((ulong)(pos >> Page.Shift), out Page? page)) page.Data.AsSpan(within, chunk).CopyTo(buffer[done..]);
                done += chunk;
            }
        }

        /// <summary>A write(2) to the host file: cached pages take the same bytes.</summary>
        public void WriteThrough(ReadOnlySpan<byte> data, long offset)
        {
            if (_pages.Count == 0) return;
            for (int done = 0; done < data.Length;)
            {
                long pos = offset + done;
                int within = (int)(pos & (long)Page.OffsetMask), chunk = Math.Min(Page.Size - within, data.Length - done);
                if (_pages.TryGetValue((ulong)(pos >> Page.Shift), out Page? page))
                {
                    data.Slice(done, chunk).CopyTo(page.Data.AsSpan(within));
                    page.ContentChanged();
                }
                done += chunk;
            }
        }

        /// <summary>
        /// The file is about to grow to <paramref name="length"/>: bytes a mapping wrote past the current end of the last page
        /// must not become file content (Linux zeroes that tail on size extension).
        /// </summary>
        public void Growing(long length)
        {
            if (_pages.Count == 0) return;
            long size = Length;
            int tail = (int)(size & (long)Page.OffsetMask);
            if (length <= size || tail == 0 || !_pages.TryGetValue((ulong)(size >> Page.Shift), out Page? last)) return;
            last.Data.AsSpan(tail).Clear();
            last.ContentChanged();
        }

        /// <summary>The host file was truncated: pages past the end leave every mapping; the tail of the last one is zero.</summary>
        public void Truncated(long length)
        {
            ulong keep = (ulong)((length + Page.Size - 1) >> Page.Shift);
            foreach (ulong index in _pages.Keys.Where(i => i >= keep).ToList())
            {
                _pages.Remove(index, out Page? gone);
                gone!.UnmapEverywhere();
                account.Uncharge();
            }
            int tail = (int)(length & (long)Page.OffsetMask);
            if (tail != 0 && _pages.TryGetValue((ulong)(length >> Page.Shift), out Page? last))
            {
                last.Data.AsSpan(tail).Clear();
                last.ContentChanged();
            }
        }

        /// <summary>Writes the pages dirtied through mappings to the host, within the file's current size.</summary>
        public void WriteBack()
        {
            if (!Writable) return;
            long length = -1;
            foreach (var (index, page) in _pages)
            {
                if (!page.Dirty) continue;
                if (length < 0) length = Length;
                long start = (long)index << Page.Shift;
                page.MarkClean();
                if (start >= length) continue;
                int n = (int)Math.Min(Page.Size, length - start);
                try { RandomAccess.Write(_handle, page.Data.AsSpan(0, n), start); }
                catch (IOException) { }
            }
        }
    }

    sealed class HostDirectory(HostDirectoryFileSystem fs, string relativePath, FileStatus status) : OpenFile
    {
        public override long ReadAt(Span<byte> buffer, long offset) => -Errno.EISDIR;
        public override FileStatus Status() => fs.Lstat(relativePath, out _) ?? status;
        public override long Sync() => 0;

        public override IReadOnlyList<DirectoryEntry>? ListDirectory()
        {
            var list = new List<DirectoryEntry>
            {
                new(".", status.Inode, FileKind.Directory),
                new("..", status.Inode, FileKind.Directory),
            };
            list.AddRange(fs._tree.List(relativePath, out _) ?? []);
            return list;
        }
    }
}
