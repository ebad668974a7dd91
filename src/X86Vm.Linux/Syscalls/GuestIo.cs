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
    public static bool ReadTimespec(GuestProcess p, ulong address, out long ns, out bool valid)
    {
        ns = 0;
        valid = false;
        if (!ReadU64(p, address, out ulong sec) || !ReadU64(p, address + 8, out ulong nsec)) return false;
        valid = (long)sec >= 0 && nsec < 1_000_000_000L;
        if (valid) ns = (long)Math.Min(sec, 1UL << 33) * 1_000_000_000L + (long)nsec;
        return true;
    }

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

    /// <summary>Reads an iovec array (readv/writev): (base, length) pairs.</summary>
    public static (ulong Base, ulong Length)[]? ReadIovec(GuestProcess p, ulong address, ulong count)
    {
        if (count > 1024) return null;
        var result = new (ulong, ulong)[count];
        for (ulong i = 0; i < count; i++)
        {
            if (!ReadU64(p, address + i * 16, out ulong b) || !ReadU64(p, address + i * 16 + 8, out ulong l)) return null;
            result[i] = (b, l);
        }
        return result;
    }
}
