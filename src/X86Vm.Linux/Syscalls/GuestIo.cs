using System.Buffers.Binary;
using System.Text;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Syscalls;

/// <summary>Helpers for syscalls that read and write guest memory; every failure becomes EFAULT.</summary>
static class GuestIo
{
    public const int PathMax = 4096;

    /// <summary>Reads a path argument; null when unreadable (EFAULT) or too long (ENAMETOOLONG, reported via <paramref name="errno"/>).</summary>
    public static string? ReadPath(GuestProcess p, ulong address, out int errno)
    {
        byte[]? bytes = p.Memory.TryReadCString(address, PathMax);
        if (bytes == null)
        {
            errno = p.Memory.TryReadCString(address, 1 << 20) != null ? Errno.ENAMETOOLONG : Errno.EFAULT;
            return null;
        }
        errno = 0;
        return Vfs.GuestNames.FromBytes(bytes);
    }

    /// <summary>access_ok: the range lies in user space (checked with the caller's full length, before any cap).</summary>
    public static bool AccessOk(ulong address, ulong length) =>
        length <= X86Vm.Cpu.Memory.AddressSpace.UserTop && address <= X86Vm.Cpu.Memory.AddressSpace.UserTop - length + X86Vm.Cpu.Memory.Page.Size;

    /// <summary>Reads as much of <paramref name="destination"/> as is readable from the start (like copy_from_user); returns the count.</summary>
    public static int ReadPrefix(GuestProcess p, ulong address, Span<byte> destination)
    {
        if (p.Memory.TryRead(address, destination)) return destination.Length;
        int done = 0;
        for (int n; done < destination.Length && p.Memory.TryRead(address + (ulong)done, destination.Slice(done, n = ToPageEnd(address, done, destination.Length))); done += n) { }
        return done;
    }

    /// <summary>Writes as much of <paramref name="source"/> as is writable from the start (like copy_to_user); returns the count.</summary>
    public static int WritePrefix(GuestProcess p, ulong address, ReadOnlySpan<byte> source)
    {
        if (p.Memory.TryWrite(address, source)) return source.Length;
        int done = 0;
        for (int n; done < source.Length && p.Memory.TryWrite(address + (ulong)done, source.Slice(done, n = ToPageEnd(address, done, source.Length))); done += n) { }
        return done;
    }

    /// <summary>Bytes from <paramref name="address"/> + <paramref name="done"/> to the end of its page, at most what remains.</summary>
    static int ToPageEnd(ulong address, int done, int length) =>
        (int)Math.Min((ulong)(length - done), X86Vm.Cpu.Memory.Page.Size - ((address + (ulong)done) & X86Vm.Cpu.Memory.Page.OffsetMask));

    public static bool WriteU64(GuestProcess p, ulong address, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        return p.Memory.TryWrite(address, b);
    }

    public static bool WriteU32(GuestProcess p, ulong address, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return p.Memory.TryWrite(address, b);
    }

    /// <summary>Reads a struct timespec; false on a fault. <paramref name="valid"/> is timespec64_valid.</summary>
    public static bool ReadTimespec(GuestProcess p, ulong address, out long ns, out bool valid) =>
        Timespec.Time64.ReadNs(p, address, out ns, out valid);

    public static bool ReadU64(GuestProcess p, ulong address, out ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        bool ok = p.Memory.TryRead(address, b);
        value = ok ? BinaryPrimitives.ReadUInt64LittleEndian(b) : 0;
        return ok;
    }

    /// <summary>Writes a NUL-terminated-free string into a buffer of <paramref name="size"/> bytes (readlink semantics: truncated, no NUL).</summary>
    public static long WriteTruncated(GuestProcess p, ulong address, ulong size, string value)
    {
        byte[] b = Vfs.GuestNames.ToBytes(value);
        int n = (int)Math.Min((ulong)b.Length, size);
        return p.Memory.TryWrite(address, b.AsSpan(0, n)) ? n : -Errno.EFAULT;
    }

    /// <summary>
    /// Reads and checks an iovec array as import_iovec does (readv(2) ERRORS): more than 1024 vectors or a length negative
    /// as ssize_t is EINVAL, an unreadable array or a segment outside user space EFAULT; null with the negated errno.
    /// </summary>
    public static (ulong Base, ulong Length)[]? ReadCheckedIovec(GuestProcess p, ulong address, ulong count, out long error)
    {
        error = 0;
        if (count > 1024) { error = -Errno.EINVAL; return null; }
        var iov = ReadIovec(p, address, count);
        if (iov == null) { error = -Errno.EFAULT; return null; }
        foreach (var (b, len) in iov)
            if ((long)len < 0) { error = -Errno.EINVAL; return null; }
        foreach (var (b, len) in iov)
            if (!AccessOk(b, len)) { error = -Errno.EFAULT; return null; }
        return iov;
    }

    /// <summary>
    /// Reads an iovec array (readv/writev): (base, length) pairs of the process's pointer width. An i386 length is a
    /// compat_size_t; it is sign-extended so that one above 2 GiB fails the callers' "negative length" check as in
    /// compat_import_iovec.
    /// </summary>
    public static (ulong Base, ulong Length)[]? ReadIovec(GuestProcess p, ulong address, ulong count)
    {
        if (count > 1024) return null;
        var result = new (ulong, ulong)[count];
        ulong word = (ulong)p.Abi.PointerSize();
        for (ulong i = 0; i < count; i++)
        {
            if (!ReadWord(p, address + i * 2 * word, out ulong b) || !ReadWord(p, address + i * 2 * word + word, out ulong l)) return null;
            result[i] = (b, word == 4 ? (ulong)(long)(int)l : l);
        }
        return result;
    }

    public static bool ReadU32(GuestProcess p, ulong address, out uint value)
    {
        Span<byte> b = stackalloc byte[4];
        value = 0;
        if (!p.Memory.TryRead(address, b)) return false;
        value = BinaryPrimitives.ReadUInt32LittleEndian(b);
        return true;
    }

    /// <summary>Reads a signed long of the process's ABI, sign-extended to 64 bits.</summary>
    public static bool ReadLong(GuestProcess p, ulong address, out ulong value)
    {
        bool ok = ReadWord(p, address, out value);
        if (p.Abi.PointerSize() == 4) value = (ulong)(long)(int)value;
        return ok;
    }

    /// <summary>Writes a pointer or long of the process's ABI (truncated to 4 bytes for i386).</summary>
    public static bool WriteWord(GuestProcess p, ulong address, ulong value) =>
        p.Abi.PointerSize() == 8 ? WriteU64(p, address, value) : WriteU32(p, address, (uint)value);

    /// <summary>Reads a pointer or long of the process's ABI (8 bytes for x86-64, 4 zero-extended for i386).</summary>
    public static bool ReadWord(GuestProcess p, ulong address, out ulong value)
    {
        if (p.Abi.PointerSize() == 8) return ReadU64(p, address, out value);
        bool ok = ReadU32(p, address, out uint v);
        value = v;
        return ok;
    }
}
