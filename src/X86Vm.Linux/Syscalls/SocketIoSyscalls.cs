using System.Buffers.Binary;
using X86Vm.Linux.Net;
using X86Vm.Linux.Process;
using X86Vm.Linux.Vfs;
using static X86Vm.Linux.Net.SocketConstants;

namespace X86Vm.Linux.Syscalls;

/// <summary>sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg: data, addresses and ancillary data (cmsg(3)).</summary>
[SyscallFamily]
static class SocketIoSyscalls
{
    const int SCM_RIGHTS = 1, SCM_CREDENTIALS = 2;
    /// <summary>SCM_MAX_FD: descriptors one message may carry.</summary>
    const int MaxRights = 253;
    const int SendFlags = MSG_OOB | MSG_DONTROUTE | MSG_DONTWAIT | MSG_EOR | MSG_NOSIGNAL | MSG_MORE | 0x800 /* MSG_CONFIRM */;

    [Syscall(44, "d,p,u,x,p,u")]
    static long Sendto(GuestProcess p, in SyscallArgs a)
    {
        SocketFile? s = SocketSyscalls.Get(p, a.A0, out long err);
        if (s == null) return err;
        SocketAddress? destination = null;
        if (a.A4 != 0)
        {
            destination = SocketSyscalls.ReadAddress(p, s, a.A4, a.A5, out err);
            if (destination == null) return err;
        }
        return Send(p, s, a.A1, (long)Math.Min(a.A2, MaxMessage), destination, null, (int)a.A3);
    }

    /// <summary>The most one send or receive moves (a larger request is a short transfer, or EMSGSIZE for datagrams).</summary>
    const ulong MaxMessage = 1 << 24;

    static long Send(GuestProcess p, SocketFile s, byte[] data, SocketAddress? destination, OpenFile[]? rights, int flags) =>
        Send(p, s, data.Length, (offset, destination) => { data.AsSpan((int)offset, destination.Length).CopyTo(destination); return destination.Length; },
            destination, rights, flags);

    static long Send(GuestProcess p, SocketFile s, ulong address, long length, SocketAddress? destination, OpenFile[]? rights, int flags) =>
        Send(p, s, length, (offset, d) => p.Memory.TryRead(address + (ulong)offset, d) ? d.Length : 0, destination, rights, flags);

    static long Send(GuestProcess p, SocketFile s, long length, IoWait.Fetch fetch, SocketAddress? destination, OpenFile[]? rights, int flags)
    {
        if ((flags & MSG_OOB) != 0) return -Errno.EOPNOTSUPP;
        // A call resumed after its first bytes went out already sent its descriptors with them.
        if (rights != null && p.Kernel.CurrentThread.Resumed is PartialWrite { Done: > 0 })
        {
            foreach (OpenFile f in rights)
                if (--f.References == 0) f.Release();
            rights = null;
        }
        var request = new SendRequest(destination, rights, p.Kernel.CurrentCredentials(), flags);
        bool queued = false;
        long result = IoWait.WriteAll(p, s, length, fetch, d => Sent(s.Send(d, request)), n => SocketIo.CompleteSend(p, s, n, flags),
            mayWait: (flags & MSG_DONTWAIT) == 0);
        // Descriptors not queued go back (a failed or waiting send takes them again when it retries).
        if (rights != null && !queued)
            foreach (OpenFile f in rights)
                if (--f.References == 0) f.Release();
        return result;

        long Sent(long n)
        {
            // The descriptors travel with the first bytes actually queued; later chunks of the same call carry none.
            if (n > 0 && !queued && request.Rights != null) { queued = true; request = request with { Rights = null }; }
            return n;
        }
    }

    /// <summary>
    /// MSG_OOB on a stream socket asks for urgent data, which x86vm's sockets never hold: EINVAL as tcp_recv_urg and
    /// unix_stream_recv_urg answer when there is none (datagram sockets ignore the flag).
    /// </summary>
    static bool NoOutOfBandData(SocketFile s, int flags) => (flags & MSG_OOB) != 0 && s.IsStream;

    [Syscall(45, "d,p,u,x,p,p")]
    static long Recvfrom(GuestProcess p, in SyscallArgs a)
    {
        SocketFile? s = SocketSyscalls.Get(p, a.A0, out long err);
        if (s == null) return err;
        if (NoOutOfBandData(s, (int)a.A3)) return -Errno.EINVAL;
        var buffer = new byte[Math.Min(a.A2, IoWait.Chunk)]; // a longer request is a short read
        var result = new ReceiveResult();
        long n = SocketIo.CompleteReceive(p, s, s.Receive(buffer, (int)a.A3, result));
        if (n < 0) return n;
        DropRights(result);
        if (!p.Memory.TryWrite(a.A1, buffer.AsSpan(0, (int)Math.Min(n, buffer.Length)))) return -Errno.EFAULT;
        long w = SocketSyscalls.WriteAddress(p, AddressOf(s, result), a.A4, a.A5);
        return w != 0 ? w : n;
    }

    /// <summary>
    /// The source address a receive reports: the datagram's sender (none for an unbound Unix sender), the connected
    /// peer for a connected inet datagram socket, nothing for streams (msg_namelen 0).
    /// </summary>
    static SocketAddress? AddressOf(SocketFile s, ReceiveResult r) =>
        r.From ?? (s.Type == SOCK_DGRAM && s.Domain != AF_UNIX ? s.PeerAddress : null);

    static void DropRights(ReceiveResult r)
    {
        foreach (OpenFile f in r.Rights)
            if (--f.References == 0) f.Release();
        r.Rights.Clear();
    }

    // ------------------------------------------------------------------ msghdr

    /// <summary>struct msghdr (x86-64): name, namelen, iov, iovlen, control, controllen, flags.</summary>
    readonly record struct MessageHeader(ulong Name, uint NameLength, ulong Iov, ulong IovLength, ulong Control, ulong ControlLength)
    {
        public const int Size = 56;

        public static MessageHeader? Read(GuestProcess p, ulong address)
        {
            var b = new byte[Size];
            if (!p.Memory.TryRead(address, b)) return null;
            return new(BinaryPrimitives.ReadUInt64LittleEndian(b), BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(8)),
                BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(16)), BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(24)),
                BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(32)), BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(40)));
        }
    }

    [Syscall(46, "d,p,x")]
    static long Sendmsg(GuestProcess p, in SyscallArgs a) => SendMessage(p, a.A0, a.A1, (int)a.A2);

    static long SendMessage(GuestProcess p, ulong fd, ulong header, int flags)
    {
        SocketFile? s = SocketSyscalls.Get(p, fd, out long err);
        if (s == null) return err;
        if (NoOutOfBandData(s, flags)) return -Errno.EINVAL;
        if (MessageHeader.Read(p, header) is not { } m) return -Errno.EFAULT;
        SocketAddress? destination = null;
        if (m.Name != 0 && m.NameLength != 0)
        {
            destination = SocketSyscalls.ReadAddress(p, s, m.Name, m.NameLength, out err);
            if (destination == null) return err;
        }
        var iov = GuestIo.ReadIovec(p, m.Iov, m.IovLength);
        if (iov == null) return m.IovLength > 1024 ? -Errno.EMSGSIZE : -Errno.EFAULT;
        var data = new List<byte>();
        foreach (var (b, l) in iov)
        {
            var chunk = new byte[Math.Min(l, MaxMessage - (ulong)data.Count)]; // at most MaxMessage in all
            if (!p.Memory.TryRead(b, chunk)) return -Errno.EFAULT;
            data.AddRange(chunk);
        }
        OpenFile[]? rights = null;
        if (m.Control != 0 && m.ControlLength != 0)
        {
            long parsed = ParseControl(p, s, m.Control, m.ControlLength, out rights);
            if (parsed != 0) return parsed;
        }
        return Send(p, s, [.. data], destination, rights, flags);
    }

    /// <summary>Reads sendmsg's control messages: SCM_RIGHTS takes a reference to each file; SCM_CREDENTIALS is accepted.</summary>
    static long ParseControl(GuestProcess p, SocketFile s, ulong control, ulong length, out OpenFile[]? rights)
    {
        rights = null;
        if (length > 1 << 16) return -Errno.ENOBUFS;
        var b = new byte[length];
        if (!p.Memory.TryRead(control, b)) return -Errno.EFAULT;
        var files = new List<OpenFile>();
        int offset = 0;
        while (offset + 16 <= b.Length)
        {
            ulong len = BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(offset));
            int level = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(offset + 8)), type = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(offset + 12));
            if (len < 16 || (ulong)offset + len > (ulong)b.Length) return -Errno.EINVAL;
            if (level != SocketOptions.SOL_SOCKET) return -Errno.EINVAL;
            if (type == SCM_RIGHTS)
            {
                if (s.Domain != AF_UNIX) return -Errno.EINVAL;
                int count = (int)(len - 16) / 4;
                if (files.Count + count > MaxRights) return -Errno.EINVAL;
                for (int i = 0; i < count; i++)
                {
                    OpenFile? f = p.Files.Get(BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(offset + 16 + i * 4)));
                    if (f == null) return -Errno.EBADF;
                    files.Add(f);
                }
            }
            else if (type != SCM_CREDENTIALS) return -Errno.EINVAL;
            offset += (int)((len + 7) & ~7UL);
        }
        if (files.Count == 0) return 0;
        foreach (OpenFile f in files) f.References++;
        rights = [.. files];
        return 0;
    }

    [Syscall(47, "d,p,x")]
    static long Recvmsg(GuestProcess p, in SyscallArgs a) => ReceiveMessage(p, a.A0, a.A1, (int)a.A2);

    static long ReceiveMessage(GuestProcess p, ulong fd, ulong header, int flags)
    {
        SocketFile? s = SocketSyscalls.Get(p, fd, out long err);
        if (s == null) return err;
        if (NoOutOfBandData(s, flags)) return -Errno.EINVAL;
        if (MessageHeader.Read(p, header) is not { } m) return -Errno.EFAULT;
        var iov = GuestIo.ReadIovec(p, m.Iov, m.IovLength);
        if (iov == null) return m.IovLength > 1024 ? -Errno.EMSGSIZE : -Errno.EFAULT;
        ulong total = 0;
        foreach (var (_, l) in iov) total += l;
        var buffer = new byte[Math.Min(total, IoWait.Chunk)]; // a longer request is a short read
        var result = new ReceiveResult();
        long n = SocketIo.CompleteReceive(p, s, s.Receive(buffer, flags, result));
        if (n < 0) return n;
        // Scatter the bytes into the iovecs.
        long copied = Math.Min(n, buffer.Length), at = 0;
        foreach (var (b, l) in iov)
        {
            int chunk = (int)Math.Min((ulong)(copied - at), l);
            if (chunk > 0 && !p.Memory.TryWrite(b, buffer.AsSpan((int)at, chunk))) { DropRights(result); return -Errno.EFAULT; }
            at += chunk;
        }
        int messageFlags = result.MessageFlags;
        ulong controlUsed = WriteControl(p, s, m, result, flags, ref messageFlags);
        // msg_namelen, msg_controllen and msg_flags are written back.
        uint nameLength = 0;
        if (m.Name != 0)
        {
            byte[] encoded = AddressOf(s, result)?.Encode() ?? [];
            nameLength = (uint)encoded.Length;
            if (encoded.Length > 0 && !p.Memory.TryWrite(m.Name, encoded.AsSpan(0, (int)Math.Min(m.NameLength, nameLength)))) return -Errno.EFAULT;
        }
        if (!GuestIo.WriteU32(p, header + 8, nameLength) || !GuestIo.WriteU64(p, header + 40, controlUsed)
            || !GuestIo.WriteU32(p, header + 48, (uint)messageFlags))
            return -Errno.EFAULT;
        return n;
    }

    /// <summary>Writes received descriptors (installed now) and credentials as control messages; sets MSG_CTRUNC when they do not fit.</summary>
    static ulong WriteControl(GuestProcess p, SocketFile s, MessageHeader m, ReceiveResult result, int flags, ref int messageFlags)
    {
        var control = new List<byte>();
        ulong room = m.Control == 0 ? 0 : m.ControlLength;
        if (result.Credentials is { } c && s.Options.GetFlag(SocketOptions.SOL_SOCKET, SocketOptions.SO_PASSCRED))
        {
            if (room >= 32)
            {
                var cred = new byte[12];
                BinaryPrimitives.WriteInt32LittleEndian(cred, c.Pid);
                BinaryPrimitives.WriteUInt32LittleEndian(cred.AsSpan(4), c.Uid);
                BinaryPrimitives.WriteUInt32LittleEndian(cred.AsSpan(8), c.Gid);
                AppendMessage(control, SCM_CREDENTIALS, cred);
                room -= 32;
            }
            else messageFlags |= MSG_CTRUNC;
        }
        if (result.Rights.Count > 0)
        {
            int fit = room < 16 ? 0 : (int)Math.Min((ulong)result.Rights.Count, (room - 16) / 4);
            if (fit < result.Rights.Count) messageFlags |= MSG_CTRUNC;
            var fds = new byte[fit * 4];
            bool cloexec = (flags & MSG_CMSG_CLOEXEC) != 0;
            for (int i = 0; i < fit; i++)
            {
                int fd = p.Files.Add(result.Rights[i], cloexec);
                if (fd < 0) { messageFlags |= MSG_CTRUNC; fds = fds[..(i * 4)]; break; }
                BinaryPrimitives.WriteInt32LittleEndian(fds.AsSpan(i * 4), fd);
            }
            if (fds.Length > 0) AppendMessage(control, SCM_RIGHTS, fds, pad: room >= (ulong)(control.Count + Align(16 + fds.Length)));
            DropRights(result); // the descriptor table now holds the installed ones; the rest are closed
        }
        if (control.Count > 0) p.Memory.TryWrite(m.Control, control.ToArray());
        return (ulong)control.Count;
    }

    static int Align(int n) => (n + 7) & ~7;

    /// <summary>Appends one cmsghdr + data; the last one's padding is left out when it does not fit (like put_cmsg).</summary>
    static void AppendMessage(List<byte> control, int type, byte[] data, bool pad = true)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)(16 + data.Length));
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), SocketOptions.SOL_SOCKET);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), type);
        control.AddRange(header);
        control.AddRange(data);
        if (pad) control.AddRange(new byte[Align(data.Length) - data.Length]);
    }

    // ------------------------------------------------------------------ batches

    /// <summary>struct mmsghdr: a msghdr and the byte count (msg_len) the call fills in.</summary>
    const int MmsgSize = 64;

    [Syscall(307, "d,p,u,x")]
    static long Sendmmsg(GuestProcess p, in SyscallArgs a)
    {
        uint count = (uint)Math.Min(a.A2, 1024);
        int sent = 0;
        for (uint i = 0; i < count; i++)
        {
            ulong entry = a.A1 + i * MmsgSize;
            // Only the first message may wait; later ones are sent without blocking (sendmmsg(2)).
            long n = SendMessage(p, a.A0, entry, (int)a.A3 | (i > 0 ? MSG_DONTWAIT : 0));
            if (n < 0 || n == SyscallTable.Blocked) return sent > 0 ? sent : n;
            if (!GuestIo.WriteU32(p, entry + MessageHeader.Size, (uint)n)) return sent > 0 ? sent : -Errno.EFAULT;
            sent++;
        }
        return sent;
    }

    [Syscall(299, "d,p,u,x,p", Partial = "only the first message waits; the timeout argument is ignored")]
    static long Recvmmsg(GuestProcess p, in SyscallArgs a)
    {
        const int MSG_WAITFORONE = 0x10000;
        uint count = (uint)Math.Min(a.A2, 1024);
        int flags = (int)a.A3, received = 0;
        for (uint i = 0; i < count; i++)
        {
            ulong entry = a.A1 + i * MmsgSize;
            // Later messages never wait (a simplification of recvmmsg(2), which may wait for all of them without MSG_WAITFORONE).
            int f = flags & ~MSG_WAITFORONE;
            if (i > 0) f |= MSG_DONTWAIT;
            long n = ReceiveMessage(p, a.A0, entry, f);
            if (n == SyscallTable.Blocked) return received > 0 ? received : n;
            if (n < 0) return received > 0 ? received : n;
            if (!GuestIo.WriteU32(p, entry + MessageHeader.Size, (uint)n)) return received > 0 ? received : -Errno.EFAULT;
            received++;
        }
        return received;
    }
}
