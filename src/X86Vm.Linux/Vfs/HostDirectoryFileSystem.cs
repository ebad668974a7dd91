using Microsoft.Win32.SafeHandles;
using X86Vm.Linux.Host;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// A host directory mounted into the guest view, read-only or read-write. The backend only ever
/// receives resolved relative paths (see <see cref="IFileSystem"/>); it also refuses any that would
/// leave its root, as a second line of defence.
/// </summary>
public sealed class HostDirectoryFileSystem : IFileSystem
{
    readonly string _root;

    public HostDirectoryFileSystem(string hostRoot, bool readOnly)
    {
        _root = Path.GetFullPath(hostRoot).TrimEnd('/');
        ReadOnly = readOnly;
    }

    public bool ReadOnly { get; }

    string HostPath(string relativePath)
    {
        if (relativePath.Split('/').Any(c => c == ".."))
            throw new InvalidOperationException("unresolved path reached a file system backend");
        return relativePath.Length == 0 ? (_root.Length == 0 ? "/" : _root) : _root + "/" + relativePath;
    }

    public FileStatus? Lstat(string relativePath, out int errno) => HostStat.Lstat(HostPath(relativePath), out errno);

    public string? ReadLink(string relativePath)
    {
        try
        {
            var info = new FileInfo(HostPath(relativePath));
            return info.LinkTarget;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    public OpenFile? Open(string relativePath, string guestPath, int flags, uint mode, out int errno)
    {
        string host = HostPath(relativePath);
        FileStatus? st = HostStat.Lstat(host, out errno);
        int access = flags & OpenFlags.AccessMode;
        bool create = (flags & OpenFlags.Create) != 0;
        if (st == null)
        {
            if (!create) return null; // errno from lstat (ENOENT, ENOTDIR, EACCES…)
            if (ReadOnly) { errno = Errno.EROFS; return null; }
        }
        else if (create && (flags & OpenFlags.Exclusive) != 0) { errno = Errno.EEXIST; return null; }

        if (st?.Kind == FileKind.Directory)
        {
            if (access != OpenFlags.ReadOnly) { errno = Errno.EISDIR; return null; }
            errno = 0;
            return new HostDirectory(host, st) { Path = guestPath, StatusFlags = flags };
        }
        if ((flags & OpenFlags.Directory) != 0) { errno = Errno.ENOTDIR; return null; }
        if (access != OpenFlags.ReadOnly && ReadOnly) { errno = Errno.EROFS; return null; }
        if (st != null && st.Kind != FileKind.Regular)
        {
            errno = Errno.ENXIO; // host devices, fifos and sockets are not passed through
            return null;
        }
        try
        {
            FileMode fm = st == null ? FileMode.CreateNew : ((flags & OpenFlags.Truncate) != 0 && access != OpenFlags.ReadOnly ? FileMode.Truncate : FileMode.Open);
            FileAccess fa = access switch { OpenFlags.WriteOnly => FileAccess.Write, OpenFlags.ReadWrite => FileAccess.ReadWrite, _ => FileAccess.Read };
            SafeFileHandle handle = File.OpenHandle(host, fm, fa, FileShare.ReadWrite | FileShare.Delete, FileOptions.None);
            if (st == null && !OperatingSystem.IsWindows()) File.SetUnixFileMode(handle, (UnixFileMode)(mode & 0x1FF));
            errno = 0;
            return new HostFile(handle, host) { Path = guestPath, StatusFlags = flags & ~(OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.Truncate) };
        }
        catch (UnauthorizedAccessException) { errno = Errno.EACCES; }
        catch (FileNotFoundException) { errno = Errno.ENOENT; }
        catch (DirectoryNotFoundException) { errno = Errno.ENOENT; }
        catch (IOException) { errno = Errno.EIO; }
        return null;
    }

    sealed class HostFile(SafeFileHandle handle, string hostPath) : OpenFile
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

        public override FileStatus Status() => HostStat.Lstat(hostPath, out _) ?? new FileStatus { Kind = FileKind.Regular };

        public override void Release() => handle.Dispose();
    }

    sealed class HostDirectory(string hostPath, FileStatus status) : OpenFile
    {
        public override long ReadAt(Span<byte> buffer, long offset) => -Errno.EISDIR;
        public override FileStatus Status() => HostStat.Lstat(hostPath, out _) ?? status;

        public override IReadOnlyList<DirectoryEntry>? ListDirectory()
        {
            var list = new List<DirectoryEntry>
            {
                new(".", status.Inode, FileKind.Directory),
                new("..", status.Inode, FileKind.Directory),
            };
            try
            {
                foreach (string entry in Directory.EnumerateFileSystemEntries(hostPath))
                {
                    FileStatus? st = HostStat.Lstat(entry, out _);
                    list.Add(new DirectoryEntry(System.IO.Path.GetFileName(entry), st?.Inode ?? 0, st?.Kind ?? FileKind.Regular));
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            return list;
        }
    }
}
