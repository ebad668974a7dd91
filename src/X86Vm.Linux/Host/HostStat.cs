using System.Runtime.InteropServices;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Host;

/// <summary>
/// Reads host file metadata with statx(2), whose structure layout is the same on every Linux host
/// architecture. Used only by the host-directory file system backend.
/// </summary>
static partial class HostStat
{
    const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100;
    const uint STATX_BASIC_STATS = 0x7FF, STATX_BTIME = 0x800;

    [StructLayout(LayoutKind.Sequential)]
    struct StatxTimestamp { public long Sec; public uint Nsec; public int Reserved; }

    [StructLayout(LayoutKind.Sequential)]
    unsafe struct Statx
    {
        public uint Mask, BlkSize;
        public ulong Attributes;
        public uint Nlink, Uid, Gid;
        public ushort Mode, Spare0;
        public ulong Ino, Size, Blocks, AttributesMask;
        public StatxTimestamp Atime, Btime, Ctime, Mtime;
        public uint RdevMajor, RdevMinor, DevMajor, DevMinor;
        public fixed ulong Spare2[14];
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeStatx(int dirfd, string path, int flags, uint mask, out Statx buffer);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeStatxFd(Microsoft.Win32.SafeHandles.SafeFileHandle dirfd, string path, int flags, uint mask, out Statx buffer);

    const int AT_EMPTY_PATH = 0x1000;

    /// <summary>Metadata of a host path without following a final symlink; null plus errno when it fails.</summary>
    public static FileStatus? Lstat(string hostPath, out int errno) =>
        Convert(NativeStatx(AT_FDCWD, hostPath, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, out Statx s), s, out errno);

    /// <summary>Metadata of an open host descriptor (an O_PATH one included).</summary>
    public static FileStatus? Fstat(int fd, out int errno) =>
        Convert(NativeStatx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, out Statx s), s, out errno);

    public static FileStatus? Fstat(Microsoft.Win32.SafeHandles.SafeFileHandle fd, out int errno) =>
        Convert(NativeStatxFd(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, out Statx s), s, out errno);

    static FileStatus? Convert(int rc, in Statx s, out int errno)
    {
        if (rc != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }
        errno = 0;
        static long Ns(StatxTimestamp t) => t.Sec * 1_000_000_000L + t.Nsec;
        return new FileStatus
        {
            Kind = (FileKind)(s.Mode & 0xF000u),
            Permissions = s.Mode & 0xFFFu,
            Size = s.Size,
            Inode = s.Ino,
            Device = MakeDev(s.DevMajor, s.DevMinor),
            RDevice = MakeDev(s.RdevMajor, s.RdevMinor),
            Links = s.Nlink,
            Uid = s.Uid,
            Gid = s.Gid,
            AccessNs = Ns(s.Atime),
            ModifyNs = Ns(s.Mtime),
            ChangeNs = Ns(s.Ctime),
            BirthNs = Ns(s.Btime),
            BlockSize = s.BlkSize,
            Blocks = s.Blocks,
        };
    }

    /// <summary>glibc's makedev encoding.</summary>
    public static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xFFFFF000) << 32) | ((ulong)(major & 0xFFF) << 8) | ((ulong)(minor & 0xFFFFFF00) << 12) | (minor & 0xFF);
}
