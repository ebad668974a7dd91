using System.Buffers.Binary;
using X86Vm.Cpu.Memory;

namespace X86Vm.Linux.Process;

/// <summary>Signal constants of the x86-64 ABI that the CPU's <see cref="Signals"/> does not list.</summary>
public static class SignalNumbers
{
    public const int SIGSTKFLT = 16, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25,
        SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28, SIGIO = 29, SIGPWR = 30, SIGRTMIN = 32, SIGRTMAX = 64;

    // si_code values (include/uapi/asm-generic/siginfo.h).
    public const int SI_USER = 0, SI_KERNEL = 0x80, SI_QUEUE = -1, SI_TIMER = -2, SI_MESGQ = -3, SI_ASYNCIO = -4,
        SI_SIGIO = -5, SI_TKILL = -6;
    public const int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_TRAPPED = 4, CLD_STOPPED = 5, CLD_CONTINUED = 6;

    /// <summary>Signals the kernel delivers before the others (next_signal's SYNCHRONOUS_MASK).</summary>
    public const ulong SynchronousMask = (1UL << (Signals.SIGSEGV - 1)) | (1UL << (Signals.SIGBUS - 1)) | (1UL << (Signals.SIGILL - 1)) |
                                         (1UL << (Signals.SIGTRAP - 1)) | (1UL << (Signals.SIGFPE - 1)) | (1UL << (Signals.SIGSYS - 1));

    /// <summary>SIGKILL and SIGSTOP can be neither blocked nor caught.</summary>
    public const ulong Unblockable = (1UL << (Signals.SIGKILL - 1)) | (1UL << (Signals.SIGSTOP - 1));

    public static ulong Bit(int sig) => 1UL << (sig - 1);
}

/// <summary>
/// struct k_sigaction as rt_sigaction(2) passes it on x86-64: handler, flags, restorer, mask (32 bytes).
/// The process keeps the raw bytes (<see cref="GuestProcess.SignalActions"/>); this is the decoded view.
/// </summary>
public readonly record struct SignalAction(ulong Handler, ulong Flags, ulong Restorer, ulong Mask)
{
    public const ulong SIG_DFL = 0, SIG_IGN = 1;
    public const ulong SA_NOCLDSTOP = 1, SA_NOCLDWAIT = 2, SA_SIGINFO = 4, SA_UNSUPPORTED = 0x400, SA_EXPOSE_TAGBITS = 0x800,
        SA_RESTORER = 0x04000000, SA_ONSTACK = 0x08000000, SA_RESTART = 0x10000000, SA_NODEFER = 0x40000000,
        SA_RESETHAND = 0x80000000;

    /// <summary>The flags the kernel keeps (UAPI_SA_FLAGS); others are dropped so userspace can probe support.</summary>
    public const ulong KnownFlags = SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART | SA_NODEFER |
                                    SA_RESETHAND | SA_EXPOSE_TAGBITS | SA_RESTORER;

    public bool Has(ulong flag) => (Flags & flag) != 0;

    public static SignalAction Decode(ReadOnlySpan<byte> raw) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(raw),
        BinaryPrimitives.ReadUInt64LittleEndian(raw[8..]),
        BinaryPrimitives.ReadUInt64LittleEndian(raw[16..]),
        BinaryPrimitives.ReadUInt64LittleEndian(raw[24..]));

    public byte[] Encode()
    {
        var raw = new byte[32];
        BinaryPrimitives.WriteUInt64LittleEndian(raw, Handler);
        BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(8), Flags);
        BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(16), Restorer);
        BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(24), Mask);
        return raw;
    }
}

/// <summary>
/// One queued signal: the 128-byte siginfo_t as the kernel fills it (signo, errno, code, then the union
/// whose layout depends on the code), plus what a fault frame needs in its sigcontext.
/// </summary>
public sealed class SigInfo
{
    public const int Size = 128;
    public byte[] Bytes { get; } = new byte[Size];

    public int Signo { get => I32(0); set => SetI32(0, value); }
    public int Errno { get => I32(4); set => SetI32(4, value); }
    public int Code { get => I32(8); set => SetI32(8, value); }

    /// <summary>A fault's trap number, error code and CR2 for the sigcontext (trapno, err, cr2).</summary>
    public ulong Trapno, Err, Cr2;

    /// <summary>The POSIX timer that queued this signal (overrun accounting), if any.</summary>
    public PosixTimer? Timer;

    /// <summary>An attached debugger has already seen this signal and let it through: it is not reported again.</summary>
    public bool DebuggerSeen;

    public int I32(int offset) => BinaryPrimitives.ReadInt32LittleEndian(Bytes.AsSpan(offset));
    public void SetI32(int offset, int value) => BinaryPrimitives.WriteInt32LittleEndian(Bytes.AsSpan(offset), value);
    public ulong U64(int offset) => BinaryPrimitives.ReadUInt64LittleEndian(Bytes.AsSpan(offset));
    public void SetU64(int offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Bytes.AsSpan(offset), value);

    SigInfo(int signo, int code)
    {
        Signo = signo;
        Code = code;
    }

    /// <summary>kill/tgkill/tkill: si_pid, si_uid (SI_USER, SI_TKILL) — also the generic kernel form (SI_KERNEL).</summary>
    public static SigInfo FromProcess(int signo, int code, int pid, int uid)
    {
        var info = new SigInfo(signo, code);
        info.SetI32(16, pid);
        info.SetI32(20, uid);
        return info;
    }

    public static SigInfo Kernel(int signo) => new(signo, SignalNumbers.SI_KERNEL);

    /// <summary>A fault: si_addr, plus the sigcontext's trapno/err/cr2.</summary>
    public static SigInfo Fault(int signo, int code, ulong address, ulong trapno, ulong err, ulong cr2)
    {
        var info = new SigInfo(signo, code) { Trapno = trapno, Err = err, Cr2 = cr2 };
        info.SetU64(16, address);
        return info;
    }

    /// <summary>SIGCHLD: si_pid, si_uid, si_status, si_utime, si_stime.</summary>
    public static SigInfo Child(int signo, int code, int pid, int status)
    {
        var info = new SigInfo(signo, code);
        info.SetI32(16, pid);
        info.SetI32(24, status);
        return info;
    }

    /// <summary>A POSIX timer expiry: si_timerid, si_overrun, si_value.</summary>
    public static SigInfo FromTimer(int signo, PosixTimer timer)
    {
        var info = new SigInfo(signo, SignalNumbers.SI_TIMER) { Timer = timer };
        info.SetI32(16, timer.Id);
        info.SetU64(24, timer.Value);
        return info;
    }

    /// <summary>rt_sigqueueinfo: the caller's bytes with si_signo forced.</summary>
    public static SigInfo FromUser(int signo, ReadOnlySpan<byte> raw)
    {
        var info = new SigInfo(signo, 0);
        raw[..Size].CopyTo(info.Bytes);
        info.Signo = signo;
        return info;
    }

    bool IsFaultLayout => Code > 0 && Code < SignalNumbers.SI_KERNEL &&
                          Signo is Signals.SIGSEGV or Signals.SIGBUS or Signals.SIGILL or Signals.SIGFPE or Signals.SIGTRAP;

    /// <summary>struct signalfd_siginfo (128 bytes), converted field by field as fs/signalfd.c does.</summary>
    public byte[] ToSignalfdSiginfo()
    {
        var s = new byte[128];
        var span = s.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, Signo);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], Errno);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], Code);
        if (IsFaultLayout)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[72..], U64(16)); // ssi_addr
        }
        else if (Code == SignalNumbers.SI_TIMER)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[24..], I32(16)); // ssi_tid (timer id)
            BinaryPrimitives.WriteInt32LittleEndian(span[32..], I32(20)); // ssi_overrun
            BinaryPrimitives.WriteUInt64LittleEndian(span[48..], U64(24)); // ssi_ptr
            BinaryPrimitives.WriteInt32LittleEndian(span[44..], I32(24)); // ssi_int
        }
        else if (Signo == Signals.SIGCHLD && Code > 0 && Code < SignalNumbers.SI_KERNEL)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[12..], I32(16)); // ssi_pid
            BinaryPrimitives.WriteInt32LittleEndian(span[16..], I32(20)); // ssi_uid
            BinaryPrimitives.WriteInt32LittleEndian(span[40..], I32(24)); // ssi_status
            BinaryPrimitives.WriteUInt64LittleEndian(span[56..], U64(32)); // ssi_utime
            BinaryPrimitives.WriteUInt64LittleEndian(span[64..], U64(40)); // ssi_stime
        }
        else
        {
            // kill, tkill, sigqueue (SI_QUEUE/SI_MESGQ/…) and kernel-generated signals.
            BinaryPrimitives.WriteInt32LittleEndian(span[12..], I32(16)); // ssi_pid
            BinaryPrimitives.WriteInt32LittleEndian(span[16..], I32(20)); // ssi_uid
            BinaryPrimitives.WriteUInt64LittleEndian(span[48..], U64(24)); // ssi_ptr
            BinaryPrimitives.WriteInt32LittleEndian(span[44..], I32(24)); // ssi_int
        }
        return s;
    }
}

/// <summary>
/// A set of pending signals (the kernel's struct sigpending): a bitmask plus the queued siginfos in arrival order.
/// Standard signals (below SIGRTMIN) are not queued twice; real-time signals queue every instance.
/// </summary>
public sealed class SignalQueue
{
    readonly List<SigInfo> _queue = new();

    public ulong Mask { get; private set; }

    /// <summary>The queued siginfos in arrival order (state hash, snapshots).</summary>
    public IReadOnlyList<SigInfo> Queued => _queue;

    public bool IsEmpty => Mask == 0;

    /// <summary>Queues a signal; false when a standard signal of that number is already pending (merged).</summary>
    public bool Add(SigInfo info, bool atFront = false)
    {
        ulong bit = SignalNumbers.Bit(info.Signo);
        if (info.Signo < SignalNumbers.SIGRTMIN && (Mask & bit) != 0) return false;
        if (atFront) _queue.Insert(0, info);
        else _queue.Add(info);
        Mask |= bit;
        return true;
    }

    /// <summary>Removes the first queued instance of <paramref name="sig"/>.</summary>
    public SigInfo? Take(int sig)
    {
        int i = _queue.FindIndex(x => x.Signo == sig);
        if (i < 0) return null;
        SigInfo info = _queue[i];
        _queue.RemoveAt(i);
        if (!_queue.Exists(x => x.Signo == sig)) Mask &= ~SignalNumbers.Bit(sig);
        return info;
    }

    /// <summary>Drops every queued instance of the signals in <paramref name="set"/>.</summary>
    public void Flush(ulong set)
    {
        _queue.RemoveAll(x => (set & SignalNumbers.Bit(x.Signo)) != 0);
        Mask &= ~set;
    }

    public void Clear()
    {
        _queue.Clear();
        Mask = 0;
    }

    /// <summary>The signal next_signal() would pick from <paramref name="allowed"/>: synchronous ones first, then the lowest.</summary>
    public int Next(ulong allowed)
    {
        ulong x = Mask & allowed;
        if (x == 0) return 0;
        if ((x & SignalNumbers.SynchronousMask) != 0) x &= SignalNumbers.SynchronousMask;
        return System.Numerics.BitOperations.TrailingZeroCount(x) + 1;
    }
}
