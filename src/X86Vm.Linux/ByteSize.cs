using System.Globalization;

namespace X86Vm.Linux;

/// <summary>Sizes as people write them: <c>512M</c>, <c>4G</c>, <c>64KiB</c> (binary units) in options and reports.</summary>
public static class ByteSize
{
    const long KiB = 1L << 10, MiB = 1L << 20, GiB = 1L << 30, TiB = 1L << 40;

    /// <summary>
    /// A number of bytes with an optional K, M, G or T suffix (powers of 1024; "KB", "KiB" and lower case also
    /// accepted); null when malformed, negative or too large.
    /// </summary>
    public static long? Parse(string text)
    {
        string t = text.Trim();
        if (t.EndsWith("iB", StringComparison.OrdinalIgnoreCase)) t = t[..^2];
        else if (t.Length > 1 && char.IsLetter(t[^2]) && (t[^1] is 'B' or 'b')) t = t[..^1];
        long unit = 1;
        if (t.Length > 0 && char.IsLetter(t[^1]))
        {
            unit = char.ToUpperInvariant(t[^1]) switch { 'K' => KiB, 'M' => MiB, 'G' => GiB, 'T' => TiB, _ => 0 };
            if (unit == 0) return null;
            t = t[..^1];
        }
        if (t.Length == 0 || !t.All(char.IsAsciiDigit)) return null;
        if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n > long.MaxValue / unit) return null;
        return n * unit;
    }

    /// <summary>The largest binary unit that divides the size exactly: "256 MiB", "4 GiB", "1536 KiB", "100 bytes".</summary>
    public static string Format(long bytes)
    {
        foreach (var (unit, name) in new[] { (TiB, "TiB"), (GiB, "GiB"), (MiB, "MiB"), (KiB, "KiB") })
            if (bytes >= unit && bytes % unit == 0) return $"{bytes / unit} {name}";
        return bytes == 1 ? "1 byte" : $"{bytes} bytes";
    }
}
