using System.Text;

namespace X86Vm.Linux.Debugging;

/// <summary>What arrived while the VM was running (all-stop: the debugger only ever sends an interrupt then).</summary>
public enum PollResult { Nothing, Interrupt, Closed }

/// <summary>
/// Packet framing of the GDB remote serial protocol over a byte stream: <c>$payload#cs</c> with a two-digit
/// modulo-256 checksum, <c>+</c>/<c>-</c> acknowledgements until no-ack mode is negotiated, and the out-of-band
/// interrupt byte 0x03. Payloads are Latin-1 strings so that binary packet data maps one byte to one char.
/// </summary>
public sealed class GdbPacketChannel
{
    /// <summary>Longest payload accepted; a longer one is discarded and answered with an error.</summary>
    public const int MaxPacket = 256 * 1024;

    /// <summary>Returned by <see cref="ReadPacket"/> for a packet that was too long (the caller replies with an error).</summary>
    public const string Oversized = "\u0000oversized";

    readonly Stream _stream;
    readonly Func<bool>? _dataAvailable;
    readonly byte[] _buffer = new byte[64 * 1024];
    int _start, _end;
    bool _closed;
    byte[]? _lastSent;

    /// <param name="stream">The connection.</param>
    /// <param name="dataAvailable">Whether bytes can be read without blocking (for <see cref="Poll"/>); null: never.</param>
    public GdbPacketChannel(Stream stream, Func<bool>? dataAvailable = null)
    {
        _stream = stream;
        _dataAvailable = dataAvailable;
    }

    /// <summary>Set once <c>QStartNoAckMode</c> was acknowledged: packets are no longer acknowledged either way.</summary>
    public bool NoAck { get; set; }

    public bool Closed => _closed;

    /// <summary>Incoming bytes for a log, when set.</summary>
    public TextWriter? Log { get; set; }

    /// <summary>
    /// The next packet's payload (escapes intact), or null when the connection closed. A packet with a bad
    /// checksum is refused with <c>-</c> (the debugger sends it again); in no-ack mode it is taken as it is.
    /// Interrupt bytes and acknowledgements between packets are skipped; a <c>-</c> resends the last packet.
    /// </summary>
    public string? ReadPacket()
    {
        while (true)
        {
            int b = ReadByte();
            if (b < 0) return null;
            if (b == '-' && !NoAck && _lastSent != null) { Write(_lastSent); continue; }
            if (b != '$') continue; // '+', stray 0x03, noise
            var payload = new List<byte>();
            bool oversized = false;
            int sum = 0;
            while (true)
            {
                b = ReadByte();
                if (b < 0) return null;
                if (b == '#') break;
                sum += b;
                if (payload.Count < MaxPacket) payload.Add((byte)b);
                else oversized = true;
            }
            int hi = ReadByte(), lo = ReadByte();
            if (hi < 0 || lo < 0) return null;
            int d1 = GdbEncoding.HexDigit((char)hi), d2 = GdbEncoding.HexDigit((char)lo);
            bool valid = d1 >= 0 && d2 >= 0 && (d1 << 4 | d2) == (sum & 0xFF);
            if (!NoAck)
            {
                Write(valid ? "+"u8.ToArray() : "-"u8.ToArray());
                if (!valid) continue;
            }
            string text = Encoding.Latin1.GetString(payload.ToArray());
            Log?.WriteLine($"<- {text}");
            return oversized ? Oversized : text;
        }
    }

    /// <summary>Sends one packet (the payload must already be escaped where it carries binary data).</summary>
    public void Send(string payload) => Send(Encoding.Latin1.GetBytes(payload));

    public void Send(ReadOnlySpan<byte> payload)
    {
        var frame = new byte[payload.Length + 4];
        frame[0] = (byte)'$';
        payload.CopyTo(frame.AsSpan(1));
        frame[^3] = (byte)'#';
        byte sum = GdbEncoding.Checksum(payload);
        frame[^2] = (byte)"0123456789abcdef"[sum >> 4];
        frame[^1] = (byte)"0123456789abcdef"[sum & 15];
        _lastSent = frame;
        Log?.WriteLine($"-> {Encoding.Latin1.GetString(payload)}");
        Write(frame);
    }

    /// <summary>
    /// Without blocking: whether an interrupt request (0x03) arrived, or the connection closed. Anything else that
    /// arrived (acknowledgements) is consumed; a packet start is left for <see cref="ReadPacket"/>.
    /// </summary>
    public PollResult Poll()
    {
        if (_closed) return PollResult.Closed;
        while (_start < _end || Available())
        {
            if (_start == _end && !Fill()) return PollResult.Closed;
            byte b = _buffer[_start];
            if (b == '$') return PollResult.Nothing;
            _start++;
            if (b == 0x03) return PollResult.Interrupt;
        }
        return _closed ? PollResult.Closed : PollResult.Nothing;
    }

    bool Available()
    {
        try { return _dataAvailable?.Invoke() ?? false; }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            _closed = true;
            return false;
        }
    }

    int ReadByte()
    {
        if (_start == _end && !Fill()) return -1;
        return _buffer[_start++];
    }

    bool Fill()
    {
        if (_closed) return false;
        try
        {
            int n = _stream.Read(_buffer, 0, _buffer.Length);
            if (n <= 0) { _closed = true; return false; }
            _start = 0;
            _end = n;
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            _closed = true;
            return false;
        }
    }

    void Write(byte[] data)
    {
        if (_closed) return;
        try
        {
            _stream.Write(data);
            _stream.Flush();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            _closed = true;
        }
    }
}
