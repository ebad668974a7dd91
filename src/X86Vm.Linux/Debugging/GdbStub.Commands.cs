using System.Security;
using System.Text;
using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Debugging;

// The packets the stub answers while the VM is stopped. Unknown packets get the empty reply (the protocol's
// "not supported"); malformed ones get an error reply (E01), as does a memory access that faults (E14, EFAULT).
public sealed partial class GdbStub
{
    /// <summary>What the serving loop does once the reply is sent.</summary>
    enum Next { Serve, Resume, Detach, Close }

    Next _next;
    /// <summary>Hg: the thread register and memory packets apply to. Hc: the thread legacy c/s packets resume.</summary>
    GuestThread? _generalThread, _continueThread;

    /// <summary>Largest memory transfer in one packet (the hex doubles it; within the advertised PacketSize).</summary>
    const int MaxTransfer = 0x1F00;
    const string PacketSize = "4000";
    const string Error = "E01", Fault = "E14";

    string? Handle(string packet)
    {
        _next = Next.Serve;
        if (packet.Length == 0) return "";
        ReadOnlySpan<char> args = packet.AsSpan(1);
        switch (packet[0])
        {
            case '?': return StopReply(_lastStopThread ?? _process.Threads[0], _lastStopSignal, _lastStopReason);
            case 'g': return RegisterLayout.ReadAll(GeneralThread().Cpu);
            case 'G': return RegisterLayout.WriteAll(GeneralThread().Cpu, args) ? "OK" : Error;
            case 'p': return ReadRegister(args);
            case 'P': return WriteRegister(args);
            case 'm': return ReadMemory(args);
            case 'M': return WriteMemory(args, binary: false);
            case 'X': return WriteMemory(args, binary: true);
            case 'Z': return Breakpoint(args, insert: true);
            case 'z': return Breakpoint(args, insert: false);
            case 'H': return SetThread(args);
            case 'T': return ThreadId.TryParse(args, out ThreadId alive) && FindThread(alive) != null ? "OK" : Error;
            case 'c' or 'C' or 's' or 'S': return LegacyResume(packet[0], args);
            case 'D':
                _next = Next.Detach;
                return "OK";
            case 'k':
                Kill();
                _next = Next.Close;
                return null; // 'k' has no reply
            case 'q': return Query(packet);
            case 'Q': return Set(packet);
            case 'v': return VerbosePacket(packet);
            default: return "";
        }
    }

    // ---------------------------------------------------------------- threads

    GuestThread GeneralThread()
    {
        if (_generalThread is { State: not GuestThreadState.Exited } t && t.Process == _process) return t;
        return _generalThread = LiveThreads().FirstOrDefault() ?? _process.Threads[0];
    }

    GuestThread? FindThread(ThreadId id)
    {
        if (id.Pid is not (ThreadId.All or ThreadId.Any) && id.Pid != _process.Pid) return null;
        if (id.Tid is ThreadId.All or ThreadId.Any) return LiveThreads().FirstOrDefault();
        return LiveThreads().FirstOrDefault(t => t.Tid == id.Tid);
    }

    string SetThread(ReadOnlySpan<char> args)
    {
        if (args.Length < 2 || !ThreadId.TryParse(args[1..], out ThreadId id)) return Error;
        GuestThread? t = FindThread(id);
        if (t == null) return Error;
        bool any = id.Tid is ThreadId.All or ThreadId.Any;
        switch (args[0])
        {
            case 'g': _generalThread = any ? GeneralThread() : t; return "OK";
            case 'c': _continueThread = any ? null : t; return "OK";
            default: return Error;
        }
    }

    string ThreadIdOf(GuestThread t) => ThreadId.Format(_process.Pid, t.Tid, _multiprocess);

    // ---------------------------------------------------------------- registers

    string ReadRegister(ReadOnlySpan<char> args)
    {
        if (!GdbEncoding.TryParseHex(args, out ulong n)) return Error;
        return n < RegisterLayout.Count ? RegisterLayout.ReadOne(GeneralThread().Cpu, (int)n) : Error;
    }

    string WriteRegister(ReadOnlySpan<char> args)
    {
        int eq = args.IndexOf('=');
        if (eq < 0 || !GdbEncoding.TryParseHex(args[..eq], out ulong n) || n >= RegisterLayout.Count) return Error;
        if (!RegisterLayout.TryDecode((int)n, args[(eq + 1)..], out UInt128 value)) return Error;
        RegisterLayout.Write(GeneralThread().Cpu, (int)n, value);
        return "OK";
    }

    // ---------------------------------------------------------------- memory

    static bool TryParseRange(ReadOnlySpan<char> text, out ulong address, out ulong length)
    {
        length = 0;
        int comma = text.IndexOf(',');
        address = 0;
        return comma > 0 && GdbEncoding.TryParseHex(text[..comma], out address) && GdbEncoding.TryParseHex(text[(comma + 1)..], out length);
    }

    /// <summary>'m addr,length': as many bytes as are readable from the start (at least one, or E14), breakpoints hidden.</summary>
    string ReadMemory(ReadOnlySpan<char> args)
    {
        if (!TryParseRange(args, out ulong address, out ulong length)) return Error;
        byte[] data = ReadMemory(address, (int)Math.Min(length, MaxTransfer));
        return data.Length == 0 && length > 0 ? Fault : GdbEncoding.Hex(data);
    }

    /// <summary>Up to <paramref name="length"/> bytes from <paramref name="address"/>, stopping at the first unreadable page.</summary>
    byte[] ReadMemory(ulong address, int length)
    {
        AddressSpace memory = _process.Memory;
        var data = new byte[length];
        int done = 0;
        while (done < length)
        {
            ulong a = address + (ulong)done;
            int n = (int)Math.Min((ulong)(length - done), Page.Size - (a & Page.OffsetMask));
            if (a + (ulong)n < a || !memory.TryRead(a, data.AsSpan(done, n))) break;
            done += n;
        }
        Array.Resize(ref data, done);
        _breakpoints.Hide(memory, address, data);
        return data;
    }

    /// <summary>'M addr,length:hex' and 'X addr,length:binary': writes ignoring protection, as ptrace does.</summary>
    string WriteMemory(ReadOnlySpan<char> args, bool binary)
    {
        int colon = args.IndexOf(':');
        if (colon < 0 || !TryParseRange(args[..colon], out ulong address, out ulong length)) return Error;
        ReadOnlySpan<char> payload = args[(colon + 1)..];
        byte[]? data = binary ? GdbEncoding.Unescape(Encoding.Latin1.GetBytes(payload.ToString())) : GdbEncoding.FromHex(payload);
        if (data == null || (ulong)data.Length != length) return Error;
        if (data.Length == 0) return "OK"; // an X probe
        AddressSpace memory = _process.Memory;
        if (address + (ulong)data.Length < address || !memory.Mappings.IsFullyMapped(AddressSpace.PageAlignDown(address),
                AddressSpace.PageAlignUp(address + (ulong)data.Length))) return Fault;
        _breakpoints.Shadow(memory, address, data);
        try { memory.Poke(address, data); }
        catch (GuestFault) { return Fault; }
        return "OK";
    }

    // ---------------------------------------------------------------- breakpoints and watchpoints

    string Breakpoint(ReadOnlySpan<char> args, bool insert)
    {
        // type,addr,kind (conditions and commands after ';' are not offered, so not expected)
        int semi = args.IndexOf(';');
        if (semi >= 0) args = args[..semi];
        int c1 = args.IndexOf(',');
        if (c1 != 1 || !int.TryParse(args[..1], out int type)) return Error;
        if (!TryParseRange(args[2..], out ulong address, out ulong kind)) return Error;
        AddressSpace memory = _process.Memory;
        switch (type)
        {
            case 0 or 1:
                if (!insert) { _breakpoints.Remove(memory, address, type); return "OK"; }
                return _breakpoints.Insert(memory, address, type) ? "OK" : Fault;
            case 2 or 3 or 4:
                if (kind == 0 || kind > 1 << 20 || address + kind < address) return Error;
                WatchKind watch = WatchpointTable.KindOf(type)!.Value;
                if (insert) _watchpoints.Insert(memory, address, kind, watch);
                else _watchpoints.Remove(memory, address, kind, watch);
                return "OK";
            default:
                return "";
        }
    }

    // ---------------------------------------------------------------- resuming

    string? LegacyResume(char verb, ReadOnlySpan<char> args)
    {
        int signal = 0;
        if (verb is 'C' or 'S')
        {
            int semi = args.IndexOf(';');
            if (!GdbEncoding.TryParseHex(semi < 0 ? args : args[..semi], out ulong g)) return Error;
            signal = GdbSignals.ToLinux((int)g);
            args = semi < 0 ? [] : args[(semi + 1)..];
        }
        GuestThread t = _continueThread is { State: not GuestThreadState.Exited } c ? c : _lastStopThread is { State: not GuestThreadState.Exited } s ? s : GeneralThread();
        if (args.Length > 0)
        {
            if (!GdbEncoding.TryParseHex(args, out ulong address)) return Error;
            t.Cpu.Rip = address;
        }
        var self = new ThreadId(_process.Pid, t.Tid);
        var all = new ThreadId(ThreadId.All, ThreadId.All);
        Resume(verb is 'c' or 'C'
            ? new ResumePlan([new ResumeAction(ResumeKind.Continue, signal, self), new ResumeAction(ResumeKind.Continue, 0, all)])
            : new ResumePlan([new ResumeAction(ResumeKind.Step, signal, self)]));
        _next = Next.Resume;
        return null;
    }

    // ---------------------------------------------------------------- v packets

    string? VerbosePacket(string packet)
    {
        if (packet == "vCont?") return "vCont;c;C;s;S";
        if (packet.StartsWith("vCont;", StringComparison.Ordinal))
        {
            ResumePlan? plan = ResumePlan.ParseVCont(packet.AsSpan(5));
            if (plan == null) return Error;
            Resume(plan);
            _next = Next.Resume;
            return null;
        }
        if (packet.StartsWith("vKill", StringComparison.Ordinal))
        {
            Kill();
            _next = Next.Close;
            return "OK";
        }
        if (packet.StartsWith("vFile:", StringComparison.Ordinal)) return HostIo(packet.AsSpan(6));
        return ""; // vMustReplyEmpty, vRun, vAttach (extended-remote is not offered)…
    }

    // ---------------------------------------------------------------- queries

    string Query(string packet)
    {
        if (packet.StartsWith("qSupported", StringComparison.Ordinal))
        {
            _multiprocess = packet.Contains("multiprocess+", StringComparison.Ordinal);
            return $"PacketSize={PacketSize};QStartNoAckMode+;QPassSignals+;QProgramSignals+;qXfer:features:read+;" +
                   "qXfer:auxv:read+;qXfer:threads:read+;qXfer:exec-file:read+;qXfer:siginfo:read+;swbreak+;hwbreak+;vContSupported+" +
                   (_multiprocess ? ";multiprocess+" : "");
        }
        if (packet == "qAttached" || packet.StartsWith("qAttached:", StringComparison.Ordinal)) return "0"; // the VM started it: quitting kills it
        if (packet == "qC") return "QC" + ThreadIdOf(GeneralThread());
        if (packet == "qfThreadInfo") return "m" + string.Join(',', LiveThreads().Select(ThreadIdOf));
        if (packet == "qsThreadInfo") return "l";
        if (packet.StartsWith("qThreadExtraInfo,", StringComparison.Ordinal))
        {
            if (!ThreadId.TryParse(packet.AsSpan(17), out ThreadId id) || FindThread(id) is not { } t) return Error;
            return GdbEncoding.Hex($"{_process.ThreadName} ({(t.State == GuestThreadState.Blocked ? "blocked" : "runnable")})");
        }
        if (packet.StartsWith("qSymbol:", StringComparison.Ordinal)) return "OK";
        if (packet.StartsWith("qXfer:", StringComparison.Ordinal)) return Transfer(packet.AsSpan(6));
        return ""; // qOffsets, qTStatus, qGetTLSAddr, qRcmd…: not offered
    }

    string Set(string packet)
    {
        if (packet == "QStartNoAckMode") return "OK"; // acknowledgements stop after this reply
        if (packet.StartsWith("QPassSignals:", StringComparison.Ordinal))
        {
            ulong mask = 0;
            foreach (string s in packet[13..].Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!GdbEncoding.TryParseHex(s, out ulong g)) return Error;
                int sig = GdbSignals.ToLinux((int)g);
                // Synchronous faults and SIGKILL never pass unseen.
                if (sig is > 0 and <= 64 and not (Signals.SIGKILL or Signals.SIGTRAP)) mask |= 1UL << (sig - 1);
            }
            _passSignals = mask;
            return "OK";
        }
        if (packet.StartsWith("QProgramSignals:", StringComparison.Ordinal)) return "OK";
        return "";
    }

    /// <summary>qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH.</summary>
    string Transfer(ReadOnlySpan<char> request)
    {
        string[] parts = request.ToString().Split(':');
        if (parts.Length != 4 || parts[1] != "read") return "";
        if (!TryParseRange(parts[3], out ulong offset, out ulong length)) return Error;
        byte[]? data = (parts[0], parts[2]) switch
        {
            ("features", "target.xml") => Encoding.UTF8.GetBytes(RegisterLayout.TargetXml),
            ("features", _) => null,
            ("auxv", "") => _process.AuxiliaryVector,
            ("threads", "") => Encoding.UTF8.GetBytes(ThreadsXml()),
            ("exec-file", _) => Vfs.GuestNames.ToBytes(_process.ExecutablePath),
            ("siginfo", "") => GeneralThread() == _lastStopThread ? _lastStopInfo?.Bytes : null, // only the stopping thread has one
            _ => [],
        };
        if (data == null) return "E00";
        if (data.Length == 0 && parts[0] is not ("auxv" or "threads" or "exec-file" or "siginfo")) return "";
        if (offset >= (ulong)data.Length) return "l";
        int n = (int)Math.Min(Math.Min(length, MaxTransfer), (ulong)data.Length - offset);
        bool last = offset + (ulong)n >= (ulong)data.Length;
        byte[] chunk = GdbEncoding.Escape(data.AsSpan((int)offset, n));
        return (last ? "l" : "m") + Encoding.Latin1.GetString(chunk);
    }

    string ThreadsXml()
    {
        var x = new StringBuilder("<?xml version=\"1.0\"?>\n<threads>\n");
        string name = SecurityElement.Escape(_process.ThreadName) ?? "";
        foreach (GuestThread t in LiveThreads())
            x.Append($"<thread id=\"{ThreadIdOf(t)}\" core=\"0\" name=\"{name}\"/>\n");
        return x.Append("</threads>\n").ToString();
    }
}
