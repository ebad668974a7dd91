using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using X86Vm.Linux.Host;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// A host directory mounted into the guest view, read-only or read-write (writes reach the host). The
/// backend only ever receives resolved relative paths (see <see cref="IFileSystem"/>), and all host
/// access goes through <see cref="HostTree"/>, which cannot leave the directory even if the host
/// changes under it. Ownership changes are recorded in VM state, never applied to the host.
/// </summary>
public sealed partial class HostDirectoryFileSystem : IFileSystem
{
    readonly HostTree _tree;
    readonly Dictionary<(ulong Device, ulong Inode), (uint Uid, uint Gid)> _owners = new();

    public HostDirectoryFileSystem(string hostRoot, bool readOnly)
    {
        _tree = new HostTree(hostRoot);
        ReadOnly = readOnly;
    }

    public bool ReadOnly { get; }
    public string TypeName => "hostfs";
    public string HostRoot => _tree.RootPath;

    internal HostTree Tree => _tree;

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
            return new HostFile(this, tmp) { Path = guestPath + "/#" + NextTmp++, StatusFlags = flags & ~OpenFlags.TmpFile | access };
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
        return new HostFile(this, handle) { Path = guestPath, StatusFlags = flags & ~(OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.Truncate | OpenFlags.NoCtty) };
    }

    static int NextTmp;

    int Mutate(Func<int> action) => ReadOnly ? Errno.EROFS : action();

    public int MakeDirectory(string relativePath, uint mode) => Mutate(() =>
    {
        int e = _tree.MakeDirectory(relativePath, mode);
        return e != 0 ? e : _tree.SetMode(relativePath, mode);
    });

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
    });

    public int Remove(string relativePath, bool directory) => Mutate(() => _tree.Remove(relativePath, directory));
    public int Rename(string from, string to, uint flags) => Mutate(() => _tree.Rename(from, to, flags));
    public int Link(string existing, string newPath) => Mutate(() => _tree.Link(existing, newPath));
    public int Symlink(string target, string relativePath) => Mutate(() => _tree.Symlink(target, relativePath));

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
        using (h) return Ftruncate(h, length) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public StatFsInfo StatFs()
    {
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

    sealed class HostFile(HostDirectoryFileSystem fs, SafeFileHandle handle) : OpenFile
    {
        public override long ReadAt(Span<byte> buffer, long offset)
        {
            try { return RandomAccess.Read(handle, buffer, offset); }
            catch (IOException) { return -Errno.EIO; }
        }

        public override long WriteAt(ReadOnlySpan<byte> buffer, long offset)
        {
            try { RandomAccess.Write(handle, buffer, offset); return buffer.Length; }
            catch (IOException) { return -Errno.EIO; }
        }

        public override FileStatus Status() => fs.WithOwner(HostStat.Fstat(handle, out _)) ?? new FileStatus { Kind = FileKind.Regular };

        public override int SetAttributes(in AttributeChange change)
        {
            if (fs.ReadOnly) return Errno.EROFS;
            if (change.Mode is uint mode && HostTree.SetMode(handle, mode) is int e1 && e1 != 0) return e1;
            if ((change.AccessNs != null || change.ModifyNs != null) &&
                HostTree.SetTimes(handle, change.AccessNs ?? HostTree.UtimeOmit, change.ModifyNs ?? HostTree.UtimeOmit) is int e2 && e2 != 0) return e2;
            if (HostStat.Fstat(handle, out _) is FileStatus st) fs.RecordOwner(st, change);
            return 0;
        }

        public override long SetLength(long length) => Ftruncate(handle, length) == 0 ? 0 : -Marshal.GetLastPInvokeError();
        public override long Sync() => -HostTree.Sync(handle);
        public override long Allocate(int mode, long offset, long length) => -HostTree.Allocate(handle, mode, offset, length);

        public override void Release() => handle.Dispose();
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
