using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using Microsoft.Win32.SafeHandles;
using X86Vm.Cpu.State;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Host;

/// <summary>
/// Access to one host directory tree that can never leave it. The root is held open; every path is
/// opened below it with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS), and
/// operations on a name use the *at() calls on its parent directory with "don't follow" semantics.
/// So neither "..", a symlink (even one swapped in by a host process after the VFS resolved the path)
/// nor a /proc magic link can make the host kernel reach outside the root. Methods return 0 or a
/// positive host errno (Linux's values, so they pass straight to the guest).
/// </summary>
public sealed partial class HostTree : IDisposable
{
    const int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000, O_PATH = 0x200000,
        O_CREAT = 0x40, O_TMPFILE = 0x410000;
    const ulong RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04, RESOLVE_BENEATH = 0x08;
    const int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;
    const long SYS_openat2 = 437; // the same number on every Linux architecture

    /// <summary>
    /// The root directory's descriptor. A SafeHandle, so that it is closed when the tree is collected: a VM is never
    /// disposed, and a process that creates many VMs (an embedder, the fuzzer) would otherwise run out of descriptors.
    /// </summary>
    [NotSnapshot] SafeFileHandle _rootHandle;

    int RootFd => (int)_rootHandle.DangerousGetHandle();

    public string RootPath { get; private set; }

    /// <summary>Deterministic mode: every status and listing passes through it (virtual inodes, times, order).</summary>
    public HostFilePresenter? Presenter { get; }

    public HostTree(string hostRoot, HostFilePresenter? presenter = null)
    {
        Presenter = presenter;
        Reopen(hostRoot);
    }

    public void Dispose() => _rootHandle.Dispose();

    /// <summary>
    /// Opens the root at <paramref name="hostRoot"/>: when made, and after a restore (the saved path, or where the
    /// restoring host re-bound the mount).
    /// </summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_rootHandle), nameof(RootPath))]
    public void Reopen(string hostRoot)
    {
        RootPath = Path.GetFullPath(hostRoot);
        int fd = NativeOpen(RootPath, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) throw new DirectoryNotFoundException($"{hostRoot}: {Errno.Describe(Marshal.GetLastPInvokeError())}");
        _rootHandle = new SafeFileHandle(fd, ownsHandle: true);
        Presenter?.Rekey(HostInodeAt); // a restore: the virtual inode numbers follow their paths to this host's inodes
    }

    /// <summary>The host's (device, inode) of what is at <paramref name="relativePath"/>, not following a last symlink; null when nothing is.</summary>
    (ulong Device, ulong Inode)? HostInodeAt(string relativePath)
    {
        int fd = OpenRaw(relativePath, O_PATH, 0);
        if (fd < 0) return null;
        try { return HostStat.Fstat(fd, out _) is FileStatus st ? (st.Device, st.Inode) : null; }
        finally { NativeClose(fd); }
    }

    [StructLayout(LayoutKind.Sequential)]
    struct OpenHow { public ulong Flags, Mode, Resolve; }

    static void Check(string relativePath)
    {
        foreach (string c in relativePath.Split('/'))
            if (c == ".." || (c.Length == 0 && relativePath.Length > 0))
                throw new InvalidOperationException("unresolved path reached a host file system backend");
    }

    /// <summary>openat2 below the root; returns a host fd or a negative errno. Never follows any symlink.</summary>
    public int OpenRaw(string relativePath, int flags, uint mode)
    {
        Check(relativePath);
        var how = new OpenHow
        {
            Flags = (ulong)(uint)(flags | O_NOFOLLOW | O_CLOEXEC),
            Mode = (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE ? mode & 0xFFF : 0,
            Resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        long fd = Openat2(RootFd, relativePath.Length == 0 ? "." : relativePath, ref how, (nuint)Marshal.SizeOf<OpenHow>());
        return fd < 0 ? -Marshal.GetLastPInvokeError() : (int)fd;
    }

    /// <summary>Opens a file for I/O; null plus errno on failure. The path becomes one of the tree's inputs.</summary>
    public SafeFileHandle? Open(string relativePath, int flags, uint mode, out int errno)
    {
        int fd = OpenRaw(relativePath, flags, mode);
        if (fd < 0) { errno = -fd; return null; }
        _inputs.Add(relativePath);
        errno = 0;
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>
    /// The paths below the root whose contents the VM opened, listed, created, removed or renamed: the inputs a snapshot
    /// records by content (<see cref="Fingerprint"/>) so that a restore can refuse a tree that changed under them.
    /// </summary>
    readonly HashSet<string> _inputs = new();

    /// <summary><see cref="_inputs"/> in byte order of the paths.</summary>
    public IEnumerable<string> Inputs => _inputs.Order(StringComparer.Ordinal);

    /// <summary>
    /// What is at <paramref name="relativePath"/> now, as the VM would read it: BLAKE3 of "f" and a regular file's
    /// bytes, of "d" and a directory's entry names (byte order, each followed by its type and a NUL), or of "o" and the
    /// kind of anything else; null when there is nothing. Reads the host only: no presenter state changes.
    /// </summary>
    public byte[]? Fingerprint(string relativePath)
    {
        int pathFd = OpenRaw(relativePath, O_PATH, 0);
        if (pathFd < 0) return null;
        FileStatus? st;
        try { st = HostStat.Fstat(pathFd, out _); }
        finally { NativeClose(pathFd); }
        if (st == null) return null;
        using var hasher = Blake3.Hasher.New();
        if (st.Kind == FileKind.Directory)
        {
            hasher.Update("d"u8);
            var names = (ListHost(relativePath, out _) ?? []).Select(e => (Name: GuestNames.ToBytes(e.Name), e.Kind)).ToList();
            names.Sort((x, y) => x.Name.AsSpan().SequenceCompareTo(y.Name));
            foreach (var (name, kind) in names)
            {
                hasher.Update(name);
                hasher.Update((ReadOnlySpan<byte>)[(byte)((uint)kind >> 12), 0]);
            }
        }
        else if (st.Kind == FileKind.Regular)
        {
            int fd = OpenRaw(relativePath, O_RDONLY, 0);
            if (fd < 0) return null;
            using var handle = new SafeFileHandle(fd, ownsHandle: true);
            hasher.Update("f"u8);
            var buffer = new byte[1 << 16];
            for (long offset = 0; ;)
            {
                int n;
                try { n = RandomAccess.Read(handle, buffer, offset); }
                catch (IOException) { return null; }
                if (n <= 0) break;
                hasher.Update(buffer.AsSpan(0, n));
                offset += n;
            }
        }
        else hasher.Update((ReadOnlySpan<byte>)[(byte)'o', (byte)((uint)st.Kind >> 12)]); // a symlink, FIFO…: the VM never reads its content here
        var hash = new byte[32];
        hasher.Finalize(hash);
        return hash;
    }

    /// <summary>
    /// Runs <paramref name="action"/> (which changes the name: create, remove, rename, link…) with an O_PATH fd of the
    /// parent directory and the last name. The path becomes an input: a snapshot records what the change left there.
    /// </summary>
    int AtParent(string relativePath, Func<int, string, int> action)
    {
        if (relativePath.Length == 0) return Errno.EBUSY; // the mount root itself
        _inputs.Add(relativePath);
        int slash = relativePath.LastIndexOf('/');
        string parent = slash < 0 ? "" : relativePath[..slash], name = relativePath[(slash + 1)..];
        int fd = OpenRaw(parent, O_PATH | O_DIRECTORY, 0);
        if (fd < 0) return -fd;
        try { return action(fd, name); }
        finally { NativeClose(fd); }
    }

    static int Result(int rc) => rc == 0 ? 0 : Marshal.GetLastPInvokeError();

    public FileStatus? Lstat(string relativePath, out int errno)
    {
        int fd = OpenRaw(relativePath, O_PATH, 0);
        if (fd < 0) { errno = -fd; return null; }
        try { return Present(HostStat.Fstat(fd, out errno), relativePath); }
        finally { NativeClose(fd); }
    }

    /// <summary>Metadata of a descriptor opened in this tree (at <paramref name="relativePath"/>, when it has a name), as the guest sees it.</summary>
    public FileStatus? Fstat(SafeFileHandle handle, string? relativePath, out int errno) => Present(HostStat.Fstat(handle, out errno), relativePath);

    FileStatus? Present(FileStatus? st, string? relativePath) => st == null || Presenter == null ? st : Presenter.Present(st, relativePath);

    public string? ReadLink(string relativePath)
    {
        int fd = OpenRaw(relativePath, O_PATH, 0);
        if (fd < 0) return null;
        try
        {
            var buffer = new byte[4096];
            nint n = NativeReadlinkat(fd, "", buffer, buffer.Length);
            return n < 0 ? null : GuestNames.FromBytes(buffer.AsSpan(0, (int)n));
        }
        finally { NativeClose(fd); }
    }

    public int MakeDirectory(string relativePath, uint mode) => AtParent(relativePath, (fd, name) => Result(NativeMkdirat(fd, name, mode)));

    /// <summary>mknod for the node kinds an unprivileged process may create: FIFOs and sockets (the kind's S_IFMT bits).</summary>
    public int MakeNode(string relativePath, uint kind, uint mode) => AtParent(relativePath, (fd, name) => Result(NativeMknodat(fd, name, kind | (mode & 0xFFF), 0)));

    public int Remove(string relativePath, bool directory) =>
        AtParent(relativePath, (fd, name) => Result(NativeUnlinkat(fd, name, directory ? AT_REMOVEDIR : 0)));

    public int Symlink(string target, string relativePath) => AtParent(relativePath, (fd, name) => Result(NativeSymlinkat(target, fd, name)));

    public int Rename(string from, string to, uint flags) =>
        AtParent(from, (fd1, n1) => AtParent(to, (fd2, n2) => Result(NativeRenameat2(fd1, n1, fd2, n2, flags))));

    public int Link(string existing, string newPath) =>
        AtParent(existing, (fd1, n1) => AtParent(newPath, (fd2, n2) => Result(NativeLinkat(fd1, n1, fd2, n2, 0))));

    public int SetMode(string relativePath, uint mode)
    {
        // chmod through the O_PATH fd's /proc link: the fd was opened without following anything.
        int fd = OpenRaw(relativePath, O_PATH, 0);
        if (fd < 0) return -fd;
        try { return Result(NativeChmod($"/proc/self/fd/{fd}", mode & 0xFFF)); }
        finally { NativeClose(fd); }
    }

    /// <summary>utimensat with timespecs (UTIME_OMIT = 0x3ffffffe for a side left alone).</summary>
    public int SetTimes(string relativePath, long atimeNs, long mtimeNs) =>
        AtParent(relativePath, (fd, name) =>
        {
            Span<long> ts = [ Sec(atimeNs), NSec(atimeNs), Sec(mtimeNs), NSec(mtimeNs) ];
            return Result(NativeUtimensat(fd, name, ts, AT_SYMLINK_NOFOLLOW));
        });

    public static int SetTimes(SafeFileHandle handle, long atimeNs, long mtimeNs)
    {
        Span<long> ts = [ Sec(atimeNs), NSec(atimeNs), Sec(mtimeNs), NSec(mtimeNs) ];
        return Result(NativeFutimens(handle, ts));
    }

    public const long UtimeOmit = long.MinValue;

    static long Sec(long ns) => ns == UtimeOmit ? 0 : Math.DivRem(ns, 1_000_000_000L, out long r) - (r < 0 ? 1 : 0);
    static long NSec(long ns)
    {
        if (ns == UtimeOmit) return 0x3ffffffe;
        long r = ns % 1_000_000_000L;
        return r < 0 ? r + 1_000_000_000L : r;
    }

    public static int SetMode(SafeFileHandle handle, uint mode) => Result(NativeFchmod(handle, mode & 0xFFF));
    public static int Sync(SafeFileHandle handle) => Result(NativeFsync(handle));

    public static int Allocate(SafeFileHandle handle, int mode, long offset, long length) =>
        Result(NativeFallocate(handle, mode, offset, length));

    /// <summary>statfs(2) of the tree: the host's numbers (struct statfs is the same on 64-bit Linux hosts).</summary>
    public byte[]? StatFs()
    {
        var buffer = new byte[120];
        return NativeFstatfs(RootFd, buffer) == 0 ? buffer : null;
    }

    /// <summary>The entries of a directory (without "." and ".."), as the guest sees them. The directory becomes an input.</summary>
    public List<DirectoryEntry>? List(string relativePath, out int errno)
    {
        List<DirectoryEntry>? entries = ListHost(relativePath, out errno, out ulong device);
        if (entries == null) return null;
        _inputs.Add(relativePath);
        return Presenter != null ? Presenter.Present(device, relativePath, entries) : entries;
    }

    List<DirectoryEntry>? ListHost(string relativePath, out int errno) => ListHost(relativePath, out errno, out _);

    /// <summary>The host's entries of a directory (without "." and ".."), from readdir on a fresh descriptor, and its device.</summary>
    unsafe List<DirectoryEntry>? ListHost(string relativePath, out int errno, out ulong device)
    {
        device = 0;
        int fd = OpenRaw(relativePath, O_RDONLY | O_DIRECTORY, 0);
        if (fd < 0) { errno = -fd; return null; }
        // Entries are keyed like Lstat's by the directory's own device (a host mount point inside is rare).
        device = Presenter != null ? HostStat.Fstat(fd, out _)?.Device ?? 0 : 0;
        nint dir = NativeFdopendir(fd);
        if (dir == 0) { errno = Marshal.GetLastPInvokeError(); NativeClose(fd); return null; }
        var result = new List<DirectoryEntry>();
        try
        {
            while (true)
            {
                nint e = NativeReaddir(dir);
                if (e == 0) break;
                // struct dirent (64-bit glibc): d_ino u64, d_off i64, d_reclen u16, d_type u8, d_name.
                ulong ino = (ulong)Marshal.ReadInt64(e);
                byte type = Marshal.ReadByte(e, 18);
                string name = GuestNames.FromBytes(MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)(e + 19)));
                if (name is "." or "..") continue;
                result.Add(new DirectoryEntry(name, ino, type == 0 ? FileKind.Regular : (FileKind)((uint)type << 12)));
            }
        }
        finally { NativeClosedir(dir); }
        errno = 0;
        return result;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeOpen(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int NativeClose(int fd);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Openat2Raw(long number, int dirfd, [MarshalUsing(typeof(GuestNameMarshaller))] string path, ref OpenHow how, nuint size);

    static long Openat2(int dirfd, string path, ref OpenHow how, nuint size) => Openat2Raw(SYS_openat2, dirfd, path, ref how, size);

    [LibraryImport("libc", EntryPoint = "readlinkat", SetLastError = true)]
    private static partial nint NativeReadlinkat(int dirfd, [MarshalUsing(typeof(GuestNameMarshaller))] string path, byte[] buffer, nint size);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true)]
    private static partial int NativeMkdirat(int dirfd, [MarshalUsing(typeof(GuestNameMarshaller))] string path, uint mode);

    [LibraryImport("libc", EntryPoint = "mknodat", SetLastError = true)]
    private static partial int NativeMknodat(int dirfd, [MarshalUsing(typeof(GuestNameMarshaller))] string path, uint mode, ulong dev);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true)]
    private static partial int NativeUnlinkat(int dirfd, [MarshalUsing(typeof(GuestNameMarshaller))] string path, int flags);

    [LibraryImport("libc", EntryPoint = "symlinkat", SetLastError = true)]
    private static partial int NativeSymlinkat([MarshalUsing(typeof(GuestNameMarshaller))] string target, int dirfd, [MarshalUsing(typeof(GuestNameMarshaller))] string path);

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    private static partial int NativeRenameat2(int olddirfd, [MarshalUsing(typeof(GuestNameMarshaller))] string oldpath, int newdirfd, [MarshalUsing(typeof(GuestNameMarshaller))] string newpath, uint flags);

    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true)]
    private static partial int NativeLinkat(int olddirfd, [MarshalUsing(typeof(GuestNameMarshaller))] string oldpath, int newdirfd, [MarshalUsing(typeof(GuestNameMarshaller))] string newpath, int flags);

    [LibraryImport("libc", EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeChmod(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    private static partial int NativeFchmod(SafeFileHandle fd, uint mode);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int NativeFsync(SafeFileHandle fd);

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int NativeFallocate(SafeFileHandle fd, int mode, long offset, long length);

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true)]
    private static partial int NativeUtimensat(int dirfd, [MarshalUsing(typeof(GuestNameMarshaller))] string path, ReadOnlySpan<long> times, int flags);

    [LibraryImport("libc", EntryPoint = "futimens", SetLastError = true)]
    private static partial int NativeFutimens(SafeFileHandle fd, ReadOnlySpan<long> times);

    [LibraryImport("libc", EntryPoint = "fstatfs", SetLastError = true)]
    private static partial int NativeFstatfs(int fd, byte[] buffer);

    [LibraryImport("libc", EntryPoint = "fdopendir", SetLastError = true)]
    private static partial nint NativeFdopendir(int fd);

    [LibraryImport("libc", EntryPoint = "readdir", SetLastError = true)]
    private static partial nint NativeReaddir(nint dir);

    [LibraryImport("libc", EntryPoint = "closedir")]
    private static partial int NativeClosedir(nint dir);
}
