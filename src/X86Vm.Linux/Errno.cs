namespace X86Vm.Linux;

/// <summary>Linux errno values (errno(3), asm-generic/errno-base.h).</summary>
public static class Errno
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8,
        EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17,
        EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25,
        EFBIG = 27, ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32, EDOM = 33, ERANGE = 34,
        EDEADLK = 35, ENAMETOOLONG = 36, ENOLCK = 37, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, ENODATA = 61,
        EOVERFLOW = 75, ENOTSOCK = 88, EOPNOTSUPP = 95, ETIMEDOUT = 110;

    // Networking (asm-generic/errno.h).
    public const int EDESTADDRREQ = 89, EMSGSIZE = 90, EPROTOTYPE = 91, ENOPROTOOPT = 92, EPROTONOSUPPORT = 93,
        ESOCKTNOSUPPORT = 94, EAFNOSUPPORT = 97, EADDRINUSE = 98, EADDRNOTAVAIL = 99, ENETDOWN = 100, ENETUNREACH = 101,
        ECONNABORTED = 103, ECONNRESET = 104, ENOBUFS = 105, EISCONN = 106, ENOTCONN = 107, ESHUTDOWN = 108,
        ECONNREFUSED = 111, EHOSTUNREACH = 113, EALREADY = 114, EINPROGRESS = 115;

    // IPC (asm-generic/errno.h).
    public const int ENOMSG = 42, EIDRM = 43;

    /// <summary>The Linux errno for a host socket failure (.NET reports Windows-style codes on every platform).</summary>
    public static int FromSocketError(System.Net.Sockets.SocketError e) => e switch
    {
        System.Net.Sockets.SocketError.AddressAlreadyInUse => EADDRINUSE,
        System.Net.Sockets.SocketError.AddressNotAvailable => EADDRNOTAVAIL,
        System.Net.Sockets.SocketError.ConnectionRefused => ECONNREFUSED,
        System.Net.Sockets.SocketError.ConnectionReset => ECONNRESET,
        System.Net.Sockets.SocketError.ConnectionAborted => ECONNABORTED,
        System.Net.Sockets.SocketError.NetworkUnreachable => ENETUNREACH,
        System.Net.Sockets.SocketError.HostUnreachable => EHOSTUNREACH,
        System.Net.Sockets.SocketError.NetworkDown => ENETDOWN,
        System.Net.Sockets.SocketError.NotConnected => ENOTCONN,
        System.Net.Sockets.SocketError.IsConnected => EISCONN,
        System.Net.Sockets.SocketError.AlreadyInProgress => EALREADY,
        System.Net.Sockets.SocketError.InProgress => EINPROGRESS,
        System.Net.Sockets.SocketError.WouldBlock => EAGAIN,
        System.Net.Sockets.SocketError.TimedOut => ETIMEDOUT,
        System.Net.Sockets.SocketError.MessageSize => EMSGSIZE,
        System.Net.Sockets.SocketError.Shutdown => EPIPE,
        System.Net.Sockets.SocketError.AccessDenied => EACCES,
        System.Net.Sockets.SocketError.InvalidArgument => EINVAL,
        System.Net.Sockets.SocketError.NoBufferSpaceAvailable => ENOBUFS,
        System.Net.Sockets.SocketError.AddressFamilyNotSupported => EAFNOSUPPORT,
        System.Net.Sockets.SocketError.ProtocolOption => ENOPROTOOPT,
        System.Net.Sockets.SocketError.OperationNotSupported => EOPNOTSUPP,
        _ => EIO,
    };

    static readonly Dictionary<int, string> Names = typeof(Errno).GetFields()
        .Where(f => f.IsLiteral && f.FieldType == typeof(int))
        .GroupBy(f => (int)f.GetRawConstantValue()!)
        .ToDictionary(g => g.Key, g => g.First().Name);

    public static string Name(int errno) => Names.TryGetValue(errno, out var n) ? n : errno.ToString();

    /// <summary>strerror text for the strace output.</summary>
    public static string Describe(int errno) => errno switch
    {
        ENOENT => "No such file or directory", EBADF => "Bad file descriptor", EACCES => "Permission denied",
        EFAULT => "Bad address", EINVAL => "Invalid argument", ENOTTY => "Inappropriate ioctl for device",
        ENOSYS => "Function not implemented", ENOMEM => "Cannot allocate memory", EEXIST => "File exists",
        ENOTDIR => "Not a directory", EISDIR => "Is a directory", EROFS => "Read-only file system",
        ESPIPE => "Illegal seek", EAGAIN => "Resource temporarily unavailable", EPERM => "Operation not permitted",
        ERANGE => "Numerical result out of range", ELOOP => "Too many levels of symbolic links",
        ENAMETOOLONG => "File name too long", ECHILD => "No child processes", EINTR => "Interrupted system call",
        ECONNREFUSED => "Connection refused", EADDRINUSE => "Address already in use", EINPROGRESS => "Operation now in progress",
        ENOTCONN => "Transport endpoint is not connected", EPIPE => "Broken pipe",
        _ => Name(errno),
    };
}
