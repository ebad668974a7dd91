using System.Buffers.Binary;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// The i386 entry points whose arguments or structures differ from x86-64 (Linux's compat_sys_* and the i386-only
/// calls): each converts and calls the shared x86-64 implementation. Registered in <see cref="I386Syscalls"/>.
/// </summary>
static class I386CompatSyscalls
{
    /// <summary>Calls the x86-64 implementation of <paramref name="number"/>.</summary>
    static long X64(int number, GuestProcess p, SyscallArgs a) =>
        SyscallTable.X86_64Entry(number)!.Handler(p, a);

    /// <summary>A 64-bit value passed as two 32-bit halves (low first, as the i386 syscall wrappers split loff_t).</summary>
    static ulong Pair(ulong low, ulong high) => (uint)low | high << 32;

    /// <summary>A compat_long_t / compat_off_t argument: sign-extended (Linux's compat wrappers).</summary>
    static ulong Long(ulong value) => (ulong)(long)(int)value;

    [I386Syscall(19, "d,d,d")]
    static long Lseek(GuestProcess p, in SyscallArgs a) => X64(8, p, a with { A1 = Long(a.A1) });

    /// <summary>_llseek(fd, offset_high, offset_low, loff_t *result, whence).</summary>
    [I386Syscall(140, "d,x,x,p,d")]
    static long Llseek(GuestProcess p, in SyscallArgs a)
    {
        long r = X64(8, p, new SyscallArgs(a.A0, Pair(a.A2, a.A1), a.A4, 0, 0, 0));
        if (r < 0) return r;
        return GuestIo.WriteU64(p, a.A3, (ulong)r) ? 0 : -Errno.EFAULT;
    }

    /// <summary>mmap2: the offset is in 4096-byte pages (arch/x86/kernel/sys_ia32.c).</summary>
    [I386Syscall(192, "p,u,P,M,d,x")]
    static long Mmap2(GuestProcess p, in SyscallArgs a) => X64(9, p, a with { A5 = a.A5 << 12 });

    /// <summary>The old mmap: its six arguments in a struct mmap_arg_struct of 32-bit words.</summary>
    [I386Syscall(90, "p")]
    static long OldMmap(GuestProcess p, in SyscallArgs a)
    {
        var w = new byte[24];
        if (!p.Memory.TryRead(a.A0, w)) return -Errno.EFAULT;
        ulong U(int i) => BinaryPrimitives.ReadUInt32LittleEndian(w.AsSpan(i * 4));
        return X64(9, p, new SyscallArgs(U(0), U(1), U(2), U(3), U(4), U(5)));
    }

    [I386Syscall(180, "d,r,u,x,x", Native = 17)]
    static long Pread64(GuestProcess p, in SyscallArgs a) => X64(17, p, new SyscallArgs(a.A0, a.A1, a.A2, Pair(a.A3, a.A4), 0, 0));

    [I386Syscall(181, "d,w2,u,x,x", Native = 18)]
    static long Pwrite64(GuestProcess p, in SyscallArgs a) => X64(18, p, new SyscallArgs(a.A0, a.A1, a.A2, Pair(a.A3, a.A4), 0, 0));

    [I386Syscall(193, "s,x,x")]
    static long Truncate64(GuestProcess p, in SyscallArgs a) => X64(76, p, new SyscallArgs(a.A0, Pair(a.A1, a.A2), 0, 0, 0, 0));

    [I386Syscall(194, "d,x,x")]
    static long Ftruncate64(GuestProcess p, in SyscallArgs a) => X64(77, p, new SyscallArgs(a.A0, Pair(a.A1, a.A2), 0, 0, 0, 0));

    /// <summary>fcntl and fcntl64: the record-lock commands take i386 struct flock/flock64 layouts, not modelled (EINVAL).</summary>
    [I386Syscall(221, "d,d,x", Partial = "record locks (F_GETLK/F_SETLK/F_SETLKW, 64 and OFD variants) return EINVAL")]
    static long Fcntl64(GuestProcess p, in SyscallArgs a) =>
        (int)a.A1 is 5 or 6 or 7 or 12 or 13 or 14 or 36 or 37 or 38 ? -Errno.EINVAL : X64(72, p, a);

    [I386Syscall(55, "d,d,x", Partial = "record locks return EINVAL")]
    static long Fcntl(GuestProcess p, in SyscallArgs a) => Fcntl64(p, a);

    /// <summary>clone: the i386 argument order is flags, stack, parent_tid, tls, child_tid (x86-64 swaps the last two).</summary>
    [I386Syscall(120, "x,p,p,p,p")]
    static long Clone(GuestProcess p, in SyscallArgs a) => X64(56, p, new SyscallArgs(a.A0, a.A1, a.A2, a.A4, a.A3, 0));

    [I386Syscall(7, "d,p,x", Native = 61)]
    static long Waitpid(GuestProcess p, in SyscallArgs a) => X64(61, p, new SyscallArgs(Long(a.A0), a.A1, a.A2, 0, 0, 0));

    /// <summary>wait4 with the i386 struct rusage (72 bytes): written as zeros (the x86-64 one holds only the CPU time).</summary>
    [I386Syscall(114, "d,p,x,p", Native = 61, Partial = "rusage is written as zeros")]
    static long Wait4(GuestProcess p, in SyscallArgs a)
    {
        long r = X64(61, p, new SyscallArgs(Long(a.A0), a.A1, a.A2, 0, 0, 0));
        if (r > 0 && a.A3 != 0 && !p.Memory.TryWrite(a.A3, new byte[72])) return -Errno.EFAULT;
        return r;
    }

    /// <summary>waitid with the i386 struct rusage (72 bytes): written as zeros, as for wait4.</summary>
    [I386Syscall(284, "d,d,p,x,p", Native = 247, Partial = "rusage is written as zeros")]
    static long Waitid(GuestProcess p, in SyscallArgs a)
    {
        long r = X64(247, p, a with { A4 = 0 });
        if (r == 0 && a.A4 != 0 && !p.Memory.TryWrite(a.A4, new byte[72])) return -Errno.EFAULT;
        return r;
    }

    // The calls with an old_timespec32 (their *_time64 successors map to the x86-64 calls directly).
    [I386Syscall(240, "p,d,d,p,p,d", Native = 202)]
    static long Futex(GuestProcess p, in SyscallArgs a) => FutexSyscalls.Futex(p, a, Timespec.Old32);

    [I386Syscall(265, "d,p")]
    static long ClockGettime(GuestProcess p, in SyscallArgs a) => TimeSyscalls.ClockGettime(p, a, Timespec.Old32);

    [I386Syscall(266, "d,p")]
    static long ClockGetres(GuestProcess p, in SyscallArgs a) => TimeSyscalls.ClockGetres(p, a, Timespec.Old32);

    [I386Syscall(162, "p,p", Native = 35)]
    static long Nanosleep(GuestProcess p, in SyscallArgs a) => TimeSyscalls.Nanosleep(p, a, Timespec.Old32);

    [I386Syscall(267, "d,d,p,p", Native = 230)]
    static long ClockNanosleep(GuestProcess p, in SyscallArgs a) => TimeSyscalls.ClockNanosleep(p, a, Timespec.Old32);

    [I386Syscall(309, "p,u,p,p,u", Native = 271)]
    static long Ppoll(GuestProcess p, in SyscallArgs a) => PipeSyscalls.Ppoll(p, a, Timespec.Old32);

    [I386Syscall(308, "d,p,p,p,p,p", Native = 270)]
    static long Pselect6(GuestProcess p, in SyscallArgs a) => PipeSyscalls.Pselect6(p, a, Timespec.Old32);

    [I386Syscall(260, "d,d,p,p")]
    static long TimerSettime(GuestProcess p, in SyscallArgs a) => TimerSyscalls.TimerSettime(p, a, Timespec.Old32);

    [I386Syscall(261, "d,p")]
    static long TimerGettime(GuestProcess p, in SyscallArgs a) => TimerSyscalls.TimerGettime(p, a, Timespec.Old32);

    [I386Syscall(325, "d,x,p,p")]
    static long TimerfdSettime(GuestProcess p, in SyscallArgs a) => EventSyscalls.TimerfdSettime(p, a, Timespec.Old32);

    [I386Syscall(326, "d,p")]
    static long TimerfdGettime(GuestProcess p, in SyscallArgs a) => EventSyscalls.TimerfdGettime(p, a, Timespec.Old32);

    [I386Syscall(177, "p,p,p,u", Native = 128)]
    static long RtSigtimedwait(GuestProcess p, in SyscallArgs a) => SignalSyscalls.RtSigtimedwait(p, a, Timespec.Old32);

    /// <summary>time(tloc): 32-bit seconds.</summary>
    [I386Syscall(13, "p")]
    static long Time(GuestProcess p, in SyscallArgs a)
    {
        long now = X64(201, p, new SyscallArgs(0, 0, 0, 0, 0, 0));
        if (a.A0 != 0 && !GuestIo.WriteU32(p, a.A0, (uint)now)) return -Errno.EFAULT;
        return (int)now;
    }

    /// <summary>ugetrlimit: struct rlimit of two compat_ulong_t, infinity (and anything above it) as 0xFFFFFFFF.</summary>
    [I386Syscall(191, "d,p")]
    static long Ugetrlimit(GuestProcess p, in SyscallArgs a) => GetLimit(p, a, uint.MaxValue);

    /// <summary>The old getrlimit: limits above 0x7FFFFFFF read as 0x7FFFFFFF (COMPAT_RLIM_OLD_INFINITY).</summary>
    [I386Syscall(76, "d,p")]
    static long Getrlimit(GuestProcess p, in SyscallArgs a) => GetLimit(p, a, int.MaxValue);

    static long GetLimit(GuestProcess p, in SyscallArgs a, uint infinity)
    {
        if (a.A0 >= ProcessSyscalls.RlimitCount) return -Errno.EINVAL;
        var (soft, hard) = ProcessSyscalls.GetLimit(p, (int)a.A0);
        var b = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)Math.Min(soft, infinity));
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)Math.Min(hard, infinity));
        return p.Memory.TryWrite(a.A1, b) ? 0 : -Errno.EFAULT;
    }

    /// <summary>rt_sigaction with the i386 struct sigaction: handler, flags, restorer (32-bit each), then the 64-bit mask.</summary>
    [I386Syscall(174, "d,p,p,u")]
    static long RtSigaction(GuestProcess p, in SyscallArgs a)
    {
        if (a.A3 != 8) return -Errno.EINVAL;
        byte[]? raw = null;
        if (a.A1 != 0)
        {
            var act = new byte[20];
            if (!p.Memory.TryRead(a.A1, act)) return -Errno.EFAULT;
            raw = new byte[32];
            for (int i = 0; i < 3; i++) BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(i * 8), BinaryPrimitives.ReadUInt32LittleEndian(act.AsSpan(i * 4)));
            act.AsSpan(12, 8).CopyTo(raw.AsSpan(24));
        }
        long err = SignalSyscalls.SetAction(p, (int)a.A0, raw, out byte[] old);
        if (err != 0) return err;
        if (a.A2 != 0)
        {
            var o = new byte[20];
            for (int i = 0; i < 3; i++) BinaryPrimitives.WriteUInt32LittleEndian(o.AsSpan(i * 4), (uint)BinaryPrimitives.ReadUInt64LittleEndian(old.AsSpan(i * 8)));
            old.AsSpan(24, 8).CopyTo(o.AsSpan(12));
            if (!p.Memory.TryWrite(a.A2, o)) return -Errno.EFAULT;
        }
        return 0;
    }

    /// <summary>
    /// socketcall(call, args): the socket calls of old i386 ABIs, their arguments an array of 32-bit words
    /// (net/socket.c). sendmsg, recvmsg and the mmsg calls (struct msghdr of 32-bit pointers) are ENOSYS.
    /// </summary>
    [I386Syscall(102, "d,p", Partial = "sendmsg, recvmsg, recvmmsg and sendmmsg return ENOSYS")]
    static long Socketcall(GuestProcess p, in SyscallArgs a)
    {
        ReadOnlySpan<byte> counts = [0, 3, 3, 3, 2, 3, 3, 3, 4, 4, 4, 6, 6, 2, 5, 5, 3, 3, 4];
        if (a.A0 == 0 || a.A0 >= (ulong)counts.Length) return -Errno.EINVAL;
        var w = new byte[counts[(int)a.A0] * 4];
        if (!p.Memory.TryRead(a.A1, w)) return -Errno.EFAULT;
        ulong U(int i) => i * 4 < w.Length ? BinaryPrimitives.ReadUInt32LittleEndian(w.AsSpan(i * 4)) : 0;
        var args = new SyscallArgs(U(0), U(1), U(2), U(3), U(4), U(5));
        return a.A0 switch
        {
            1 => X64(41, p, args),   // socket
            2 => X64(49, p, args),   // bind
            3 => X64(42, p, args),   // connect
            4 => X64(50, p, args),   // listen
            5 => X64(288, p, args with { A3 = 0 }), // accept = accept4(…, 0)
            6 => X64(51, p, args),   // getsockname
            7 => X64(52, p, args),   // getpeername
            8 => X64(53, p, args),   // socketpair
            9 => X64(44, p, args with { A4 = 0, A5 = 0 }),  // send = sendto(…, NULL, 0)
            10 => X64(45, p, args with { A4 = 0, A5 = 0 }), // recv = recvfrom(…, NULL, NULL)
            11 => X64(44, p, args),  // sendto
            12 => X64(45, p, args),  // recvfrom
            13 => X64(48, p, args),  // shutdown
            14 => X64(54, p, args),  // setsockopt
            15 => X64(55, p, args),  // getsockopt
            18 => X64(288, p, args), // accept4
            _ => -Errno.ENOSYS,
        };
    }

    [I386Syscall(173)]
    static long RtSigreturn(GuestProcess p, in SyscallArgs a) => SignalSyscalls.Sigreturn(p, t => I386SignalFrame.Restore(t, rt: true));

    [I386Syscall(119)]
    static long Sigreturn(GuestProcess p, in SyscallArgs a) => SignalSyscalls.Sigreturn(p, t => I386SignalFrame.Restore(t, rt: false));

    /// <summary>sigaltstack with the i386 stack_t (ss_sp, ss_flags, ss_size: 32-bit each).</summary>
    [I386Syscall(186, "p,p")]
    static long Sigaltstack(GuestProcess p, in SyscallArgs a)
    {
        GuestThread t = p.Kernel.CurrentThread;
        ulong sp = (uint)t.Cpu.Rsp;
        var old = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(old, (uint)t.AltStackBase);
        BinaryPrimitives.WriteInt32LittleEndian(old.AsSpan(4), AltStack.Flags(t, sp) | (t.AltStackFlags & AltStack.SS_FLAG_BITS));
        BinaryPrimitives.WriteUInt32LittleEndian(old.AsSpan(8), (uint)t.AltStackSize);
        if (a.A0 != 0)
        {
            var ss = new byte[12];
            if (!p.Memory.TryRead(a.A0, ss)) return -Errno.EFAULT;
            int err = AltStack.Set(t, BinaryPrimitives.ReadUInt32LittleEndian(ss), BinaryPrimitives.ReadInt32LittleEndian(ss.AsSpan(4)),
                BinaryPrimitives.ReadUInt32LittleEndian(ss.AsSpan(8)), sp);
            if (err != 0) return err;
        }
        if (a.A1 != 0 && !p.Memory.TryWrite(a.A1, old)) return -Errno.EFAULT;
        return 0;
    }

    [I386Syscall(243, "p")]
    static long SetThreadArea(GuestProcess p, in SyscallArgs a) => ThreadAreaSyscalls.Set(p, p.Kernel.CurrentThread.Cpu, a.A0);

    [I386Syscall(244, "p")]
    static long GetThreadArea(GuestProcess p, in SyscallArgs a) => ThreadAreaSyscalls.Get(p, p.Kernel.CurrentThread.Cpu, a.A0);
}
