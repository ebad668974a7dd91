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
        return Encoding.UTF8.GetString(bytes);
    }

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
        byte[] b = Encoding.UTF8.GetBytes(value);
        int n = (int)Math.Min((ulong)b.Length, size);
        return p.Memory.TryWrite(address, b.AsSpan(0, n)) ? n : -Errno.EFAULT;
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
