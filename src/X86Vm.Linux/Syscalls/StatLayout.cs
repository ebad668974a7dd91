using System.Buffers.Binary;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// The guest-visible layouts of struct stat (x86-64, 144 bytes), struct stat64 (i386, 96 bytes: what stat64, fstat64,
/// lstat64 and fstatat64 write) and struct statx (256 bytes, the same in both ABIs).
/// </summary>
static class StatLayout
{
    /// <summary>The stat structure of the process's ABI (the i386 numbers of the stat calls are the *64 variants).</summary>
    public static byte[] Stat(Process.GuestProcess p, FileStatus s) => p.Abi == Process.ProcessAbi.I386 ? Stat64I386(s) : Stat(s);

    /// <summary>arch/x86/include/uapi/asm/stat.h struct stat64 (i386): 32-bit times, the inode twice (truncated and full).</summary>
    static byte[] Stat64I386(FileStatus s)
    {
        var b = new byte[96];
        var w = b.AsSpan();
        BinaryPrimitives.WriteUInt64LittleEndian(w[0..], s.Device);
        BinaryPrimitives.WriteUInt32LittleEndian(w[12..], (uint)s.Inode);
        BinaryPrimitives.WriteUInt32LittleEndian(w[16..], s.Mode);
        BinaryPrimitives.WriteUInt32LittleEndian(w[20..], (uint)s.Links);
        BinaryPrimitives.WriteUInt32LittleEndian(w[24..], s.Uid);
        BinaryPrimitives.WriteUInt32LittleEndian(w[28..], s.Gid);
        BinaryPrimitives.WriteUInt64LittleEndian(w[32..], s.RDevice);
        BinaryPrimitives.WriteUInt64LittleEndian(w[44..], s.Size);
        BinaryPrimitives.WriteUInt32LittleEndian(w[52..], s.BlockSize);
        BinaryPrimitives.WriteUInt64LittleEndian(w[56..], s.Blocks);
        int at = 64;
        foreach (long ns in (ReadOnlySpan<long>)[s.AccessNs, s.ModifyNs, s.ChangeNs])
        {
            long sec = Math.DivRem(ns, 1_000_000_000L, out long rem);
            if (rem < 0) { sec--; rem += 1_000_000_000L; }
            BinaryPrimitives.WriteUInt32LittleEndian(w[at..], (uint)sec);
            BinaryPrimitives.WriteUInt32LittleEndian(w[(at + 4)..], (uint)rem);
            at += 8;
        }
        BinaryPrimitives.WriteUInt64LittleEndian(w[88..], s.Inode);
        return b;
    }

    public static byte[] Stat(FileStatus s)
    {
        var b = new byte[144];
        var w = b.AsSpan();
        BinaryPrimitives.WriteUInt64LittleEndian(w[0..], s.Device);
        BinaryPrimitives.WriteUInt64LittleEndian(w[8..], s.Inode);
        BinaryPrimitives.WriteUInt64LittleEndian(w[16..], s.Links);
        BinaryPrimitives.WriteUInt32LittleEndian(w[24..], s.Mode);
        BinaryPrimitives.WriteUInt32LittleEndian(w[28..], s.Uid);
        BinaryPrimitives.WriteUInt32LittleEndian(w[32..], s.Gid);
        BinaryPrimitives.WriteUInt64LittleEndian(w[40..], s.RDevice);
        BinaryPrimitives.WriteUInt64LittleEndian(w[48..], s.Size);
        BinaryPrimitives.WriteUInt64LittleEndian(w[56..], s.BlockSize);
        BinaryPrimitives.WriteUInt64LittleEndian(w[64..], s.Blocks);
        WriteTimespec(w[72..], s.AccessNs);
        WriteTimespec(w[88..], s.ModifyNs);
        WriteTimespec(w[104..], s.ChangeNs);
        return b;
    }

    static void WriteTimespec(Span<byte> w, long ns)
    {
        BinaryPrimitives.WriteInt64LittleEndian(w, Math.DivRem(ns, 1_000_000_000L, out long rem) - (rem < 0 ? 1 : 0));
        BinaryPrimitives.WriteInt64LittleEndian(w[8..], rem < 0 ? rem + 1_000_000_000L : rem);
    }

    public static byte[] Statx(FileStatus s)
    {
        var b = new byte[256];
        var w = b.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(w[0..], 0xFFF); // STATX_BASIC_STATS | STATX_BTIME
        BinaryPrimitives.WriteUInt32LittleEndian(w[4..], s.BlockSize);
        BinaryPrimitives.WriteUInt32LittleEndian(w[16..], s.Links);
        BinaryPrimitives.WriteUInt32LittleEndian(w[20..], s.Uid);
        BinaryPrimitives.WriteUInt32LittleEndian(w[24..], s.Gid);
        BinaryPrimitives.WriteUInt16LittleEndian(w[28..], (ushort)s.Mode);
        BinaryPrimitives.WriteUInt64LittleEndian(w[32..], s.Inode);
        BinaryPrimitives.WriteUInt64LittleEndian(w[40..], s.Size);
        BinaryPrimitives.WriteUInt64LittleEndian(w[48..], s.Blocks);
        WriteStatxTime(w[64..], s.AccessNs);
        WriteStatxTime(w[80..], s.BirthNs);
        WriteStatxTime(w[96..], s.ChangeNs);
        WriteStatxTime(w[112..], s.ModifyNs);
        BinaryPrimitives.WriteUInt32LittleEndian(w[128..], Major(s.RDevice));
        BinaryPrimitives.WriteUInt32LittleEndian(w[132..], Minor(s.RDevice));
        BinaryPrimitives.WriteUInt32LittleEndian(w[136..], Major(s.Device));
        BinaryPrimitives.WriteUInt32LittleEndian(w[140..], Minor(s.Device));
        return b;
    }

    static void WriteStatxTime(Span<byte> w, long ns)
    {
        long sec = Math.DivRem(ns, 1_000_000_000L, out long rem);
        if (rem < 0) { sec--; rem += 1_000_000_000L; }
        BinaryPrimitives.WriteInt64LittleEndian(w, sec);
        BinaryPrimitives.WriteUInt32LittleEndian(w[8..], (uint)rem);
    }

    static uint Major(ulong dev) => (uint)(((dev >> 32) & 0xFFFFF000) | ((dev >> 8) & 0xFFF));
    static uint Minor(ulong dev) => (uint)(((dev >> 12) & 0xFFFFFF00) | (dev & 0xFF));
}
