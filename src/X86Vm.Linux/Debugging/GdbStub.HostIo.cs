using System.Buffers.Binary;
using System.Text;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Debugging;

// Host I/O (vFile packets): the debugger reads the program's files — the executable, the dynamic loader, shared
// libraries — through the guest's own file view, so symbols come from what the program really runs (with --root
// or --mount too). Read-only: opening for writing, pwrite and unlink are refused with EACCES.
public sealed partial class GdbStub
{
    readonly Dictionary<int, OpenFile> _hostFiles = new();
    int _nextHostFile = 1;

    /// <summary>File-I/O errno values of the protocol (they differ from Linux's for a few).</summary>
    static int FileIoErrno(int errno) => errno switch
    {
        Errno.EPERM or Errno.ENOENT or Errno.EINTR or Errno.EBADF or Errno.EACCES or Errno.EFAULT or Errno.EBUSY or
            Errno.EEXIST or Errno.ENODEV or Errno.ENOTDIR or Errno.EISDIR or Errno.EINVAL or Errno.ENFILE or Errno.EMFILE or
            Errno.EFBIG or Errno.ENOSPC or Errno.ESPIPE or Errno.EROFS => errno,
        Errno.ENAMETOOLONG => 91,
        _ => 9999, // EUNKNOWN
    };

    static string FileError(int errno) => $"F-1,{FileIoErrno(errno):x}";

    string HostIo(ReadOnlySpan<char> request)
    {
        int colon = request.IndexOf(':');
        if (colon < 0) return "";
        string op = request[..colon].ToString();
        string[] a = request[(colon + 1)..].ToString().Split(',');
        switch (op)
        {
            case "setfs": return "F0"; // every pid sees the VM's one file view
            case "open":
            {
                if (a.Length < 2 || GdbEncoding.FromHex(a[0]) is not { } name || !GdbEncoding.TryParseHex(a[1], out ulong flags)) return Error;
                if ((flags & 3) != 0) return FileError(Errno.EACCES); // O_WRONLY, O_RDWR
                string path = Vfs.GuestNames.FromBytes(name);
                int err = _kernel.Vfs.Resolve(_process.Cwd, path, followLast: true, out ResolvedPath r);
                if (err != 0) return FileError(-err);
                OpenFile? f = r.FileSystem.Open(r.RelativePath, r.GuestPath, OpenFlags.ReadOnly, 0, out err);
                if (f == null) return FileError(err);
                int fd = _nextHostFile++;
                _hostFiles[fd] = f;
                return $"F{fd:x}";
            }
            case "close":
            {
                if (!GdbEncoding.TryParseHex(a[0], out ulong fd) || !_hostFiles.Remove((int)fd, out OpenFile? f)) return FileError(Errno.EBADF);
                f.Release();
                return "F0";
            }
            case "pread":
            {
                if (a.Length != 3 || !GdbEncoding.TryParseHex(a[0], out ulong fd) || !GdbEncoding.TryParseHex(a[1], out ulong count) ||
                    !GdbEncoding.TryParseHex(a[2], out ulong offset)) return Error;
                if (!_hostFiles.TryGetValue((int)fd, out OpenFile? f)) return FileError(Errno.EBADF);
                var buffer = new byte[Math.Min(count, MaxTransfer)];
                long n = f.ReadAt(buffer, (long)offset);
                if (n < 0) return FileError((int)-n);
                return $"F{n:x};" + Encoding.Latin1.GetString(GdbEncoding.Escape(buffer.AsSpan(0, (int)n)));
            }
            case "fstat":
            {
                if (!GdbEncoding.TryParseHex(a[0], out ulong fd) || !_hostFiles.TryGetValue((int)fd, out OpenFile? f)) return FileError(Errno.EBADF);
                byte[] st = FileIoStat(f.Status());
                return $"F{st.Length:x};" + Encoding.Latin1.GetString(GdbEncoding.Escape(st));
            }
            case "readlink":
            {
                if (GdbEncoding.FromHex(a[0]) is not { } name) return Error;
                int err = _kernel.Vfs.Resolve(_process.Cwd, Vfs.GuestNames.FromBytes(name), followLast: false, out ResolvedPath r);
                if (err != 0) return FileError(-err);
                string? target = r.FileSystem.ReadLink(r.RelativePath);
                if (target == null) return FileError(Errno.EINVAL);
                byte[] bytes = Vfs.GuestNames.ToBytes(target);
                return $"F{bytes.Length:x};" + Encoding.Latin1.GetString(GdbEncoding.Escape(bytes));
            }
            case "pwrite" or "unlink":
                return FileError(Errno.EACCES);
            default:
                return "";
        }
    }

    /// <summary>The protocol's struct stat: 32-bit dev, ino, mode, nlink, uid, gid, rdev; 64-bit size, blksize, blocks; 32-bit times; big-endian.</summary>
    static byte[] FileIoStat(FileStatus s)
    {
        var b = new byte[64];
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(0), (uint)s.Device);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), (uint)s.Inode);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), s.Mode);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(12), s.Links);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(16), s.Uid);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(20), s.Gid);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(24), (uint)s.RDevice);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(28), s.Size);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(36), s.BlockSize);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(44), s.Blocks);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(52), (uint)(s.AccessNs / 1_000_000_000));
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(56), (uint)(s.ModifyNs / 1_000_000_000));
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(60), (uint)(s.ChangeNs / 1_000_000_000));
        return b;
    }

    void CloseHostFiles()
    {
        foreach (OpenFile f in _hostFiles.Values) f.Release();
        _hostFiles.Clear();
    }
}
