using System.Buffers.Binary;
using X86Vm.Cpu.Memory;

namespace X86Vm.Linux.Process;

/// <summary>
/// struct siginfo as a process's ABI lays it out. The kernel keeps the x86-64 layout (<see cref="SigInfo.Bytes"/>);
/// i386's compat_siginfo has the union at offset 12 instead of 16, with 32-bit pointers, clock_t and sigval
/// (kernel/signal.c copy_siginfo_to_user32): faults carry si_addr; SIGCHLD pid, uid, status, utime, stime; the others
/// pid, uid (or timer id, overrun) and the value.
/// </summary>
public static class SigInfoLayout
{
    /// <summary>The bytes a handler's info or rt_sigtimedwait's result receive in <paramref name="p"/>.</summary>
    public static byte[] Of(GuestProcess p, SigInfo info) => p.Abi == ProcessAbi.I386 ? ToI386(info) : info.Bytes;

    /// <summary>A siginfo the process passes in (rt_sigqueueinfo), in the kernel's layout; null when unreadable.</summary>
    public static byte[]? Read(GuestProcess p, ulong address)
    {
        var raw = new byte[SigInfo.Size];
        if (!p.Memory.TryRead(address, raw)) return null;
        return p.Abi == ProcessAbi.I386 ? FromI386(raw) : raw;
    }

    static bool IsFault(int signo, int code) =>
        code > 0 && signo is Signals.SIGSEGV or Signals.SIGBUS or Signals.SIGILL or Signals.SIGFPE or Signals.SIGTRAP;

    static byte[] ToI386(SigInfo info)
    {
        var b = new byte[SigInfo.Size];
        info.Bytes.AsSpan(0, 12).CopyTo(b);
        if (IsFault(info.Signo, info.Code)) W32(b, 12, (uint)info.U64(16));
        else if (info.Signo == Signals.SIGCHLD && info.Code > 0)
        {
            info.Bytes.AsSpan(16, 12).CopyTo(b.AsSpan(12)); // pid, uid, status
            W32(b, 24, (uint)info.U64(32));
            W32(b, 28, (uint)info.U64(40));
        }
        else
        {
            info.Bytes.AsSpan(16, 8).CopyTo(b.AsSpan(12)); // pid, uid (or timer id, overrun)
            W32(b, 20, (uint)info.U64(24));               // sigval
        }
        return b;
    }

    static byte[] FromI386(byte[] raw)
    {
        var b = new byte[SigInfo.Size];
        raw.AsSpan(0, 12).CopyTo(b);
        int signo = BinaryPrimitives.ReadInt32LittleEndian(raw), code = BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(8));
        if (IsFault(signo, code)) BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16), R32(raw, 12));
        else
        {
            raw.AsSpan(12, 8).CopyTo(b.AsSpan(16));
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(24), R32(raw, 20));
        }
        return b;
    }

    static void W32(byte[] b, int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(offset), value);
    static uint R32(byte[] b, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(offset));
}
