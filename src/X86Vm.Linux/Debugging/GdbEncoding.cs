using System.Globalization;
using System.Text;

namespace X86Vm.Linux.Debugging;

/// <summary>
/// The encodings of the GDB remote serial protocol: checksums, hex, the binary escape (<c>}</c> then the byte
/// XOR 0x20) and little-endian register values.
/// </summary>
public static class GdbEncoding
{
    /// <summary>The modulo-256 sum of a packet's payload bytes (as transmitted, escapes included).</summary>
    public static byte Checksum(ReadOnlySpan<byte> payload)
    {
        int sum = 0;
        foreach (byte b in payload) sum += b;
        return (byte)sum;
    }

    public static string Hex(ReadOnlySpan<byte> data) => Convert.ToHexString(data).ToLowerInvariant();

    public static string Hex(string text) => Hex(Encoding.UTF8.GetBytes(text));

    /// <summary>Decodes an even-length hex string; null when malformed.</summary>
    public static byte[]? FromHex(ReadOnlySpan<char> hex)
    {
        if (hex.Length % 2 != 0) return null;
        var result = new byte[hex.Length / 2];
        for (int i = 0; i < result.Length; i++)
        {
            int hi = HexDigit(hex[2 * i]), lo = HexDigit(hex[2 * i + 1]);
            if (hi < 0 || lo < 0) return null;
            result[i] = (byte)(hi << 4 | lo);
        }
        return result;
    }

    public static int HexDigit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>Parses a hex number (no prefix, at most 16 digits).</summary>
    public static bool TryParseHex(ReadOnlySpan<char> text, out ulong value) =>
        ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) && text.Length > 0;

    /// <summary>A value as the protocol sends a register: <paramref name="size"/> bytes, target (little-endian) order.</summary>
    public static void AppendLittleEndian(StringBuilder sb, UInt128 value, int size)
    {
        for (int i = 0; i < size; i++) sb.Append(((byte)(value >> (8 * i))).ToString("x2"));
    }

    /// <summary>Bytes that must be escaped in binary data: '#', '$', '}' and '*' (which would start run-length encoding).</summary>
    static bool NeedsEscape(byte b) => b is (byte)'#' or (byte)'$' or (byte)'}' or (byte)'*';

    /// <summary>Escapes binary data for a packet (qXfer replies, vFile:pread).</summary>
    public static byte[] Escape(ReadOnlySpan<byte> data)
    {
        var output = new List<byte>(data.Length + 8);
        foreach (byte b in data)
        {
            if (NeedsEscape(b))
            {
                output.Add((byte)'}');
                output.Add((byte)(b ^ 0x20));
            }
            else output.Add(b);
        }
        return output.ToArray();
    }

    /// <summary>Undoes <see cref="Escape"/> (X packets, vFile:pwrite); null when the data ends inside an escape.</summary>
    public static byte[]? Unescape(ReadOnlySpan<byte> data)
    {
        var output = new List<byte>(data.Length);
        for (int i = 0; i < data.Length; i++)
        {
            if (data[i] != (byte)'}') { output.Add(data[i]); continue; }
            if (++i >= data.Length) return null;
            output.Add((byte)(data[i] ^ 0x20));
        }
        return output.ToArray();
    }
}
