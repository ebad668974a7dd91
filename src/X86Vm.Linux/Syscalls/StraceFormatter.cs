using System.Text;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Syscalls;

/// <summary>
/// Formats syscall arguments the way strace(1) prints them. Argument codes (comma separated):
/// <c>d</c> signed int, <c>u</c> unsigned, <c>x</c> hex, <c>p</c> pointer, <c>f</c> fd or AT_FDCWD,
/// <c>s</c> C string, <c>w#</c> buffer written by the guest whose length is argument #, <c>r</c> buffer
/// filled by the call (length = result), <c>o</c> open flags, <c>m</c> octal mode, <c>P</c> mmap prot,
/// <c>M</c> mmap flags.
/// </summary>
static class StraceFormatter
{
    const int MaxString = 32;

    public static string Arguments(GuestProcess p, string format, in SyscallArgs a, long? result)
    {
        if (format.Length == 0) return "";
        string[] codes = format.Split(',');
        var parts = new List<string>();
        for (int i = 0; i < codes.Length; i++) parts.Add(One(p, codes[i].Trim(), a, a[i], result));
        return string.Join(", ", parts);
    }

    static string One(GuestProcess p, string code, in SyscallArgs a, ulong v, long? result)
    {
        switch (code[0])
        {
            case 'd': return ((int)v).ToString();
            case 'u': return v.ToString();
            case 'x': return "0x" + v.ToString("x");
            case 'p': return v == 0 ? "NULL" : "0x" + v.ToString("x");
            case 'f': return (int)v == -100 ? "AT_FDCWD" : ((int)v).ToString();
            case 's':
            {
                byte[]? s = p.Memory.TryReadCString(v);
                return s == null ? "0x" + v.ToString("x") : Quote(s, 4096);
            }
            case 'w':
            {
                int lenArg = code[1] - '0';
                return Buffer(p, v, (long)Math.Min(a[lenArg], 1 << 20));
            }
            case 'r':
                return result is > 0 ? Buffer(p, v, result.Value) : "0x" + v.ToString("x");
            case 'o': return OpenFlagsText((int)v);
            case 'm': return "0" + Convert.ToString((long)v, 8);
            case 'P': return Flags(v, [(1, "PROT_READ"), (2, "PROT_WRITE"), (4, "PROT_EXEC")], "PROT_NONE");
            case 'M':
                return Flags(v & ~3UL, [(0x10, "MAP_FIXED"), (0x20, "MAP_ANONYMOUS"), (0x100, "MAP_GROWSDOWN"),
                    (0x2000, "MAP_LOCKED"), (0x4000, "MAP_NORESERVE"), (0x8000, "MAP_POPULATE"), (0x20000, "MAP_STACK"),
                    (0x100000, "MAP_FIXED_NOREPLACE")], null, (v & 3) switch { 1 => "MAP_SHARED", 2 => "MAP_PRIVATE", _ => "MAP_SHARED_VALIDATE" });
            default: return "0x" + v.ToString("x");
        }
    }

    static string Buffer(GuestProcess p, ulong address, long length)
    {
        var bytes = new byte[Math.Min(length, MaxString)];
        if (!p.Memory.TryRead(address, bytes)) return "0x" + address.ToString("x");
        return Quote(bytes, MaxString) + (length > MaxString ? "..." : "");
    }

    static string Quote(byte[] s, int max)
    {
        var sb = new StringBuilder("\"");
        foreach (byte b in s.Take(max))
        {
            sb.Append(b switch
            {
                (byte)'\n' => "\\n", (byte)'\t' => "\\t", (byte)'\r' => "\\r", (byte)'"' => "\\\"", (byte)'\\' => "\\\\",
                >= 32 and < 127 => ((char)b).ToString(),
                _ => "\\" + Convert.ToString(b, 8),
            });
        }
        return sb.Append('"').ToString();
    }

    static string Flags(ulong v, (ulong Bit, string Name)[] names, string? zero, string? first = null)
    {
        var parts = new List<string>();
        if (first != null) parts.Add(first);
        foreach (var (bit, name) in names)
            if ((v & bit) != 0) { parts.Add(name); v &= ~bit; }
        if (v != 0) parts.Add("0x" + v.ToString("x"));
        return parts.Count == 0 ? zero ?? "0" : string.Join('|', parts);
    }

    static string OpenFlagsText(int f)
    {
        string access = (f & 3) switch { 0 => "O_RDONLY", 1 => "O_WRONLY", 2 => "O_RDWR", _ => "O_ACCMODE" };
        return Flags((ulong)(f & ~3), [(0x40, "O_CREAT"), (0x80, "O_EXCL"), (0x100, "O_NOCTTY"), (0x200, "O_TRUNC"),
            (0x400, "O_APPEND"), (0x800, "O_NONBLOCK"), (0x10000, "O_DIRECTORY"), (0x20000, "O_NOFOLLOW"),
            (0x80000, "O_CLOEXEC"), (0x200000, "O_PATH")], null, access);
    }

    public static string Result(string name, long result)
    {
        if (result < 0 && result >= -4095) return $"-1 {Errno.Name((int)-result)} ({Errno.Describe((int)-result)})";
        return name is "mmap" or "brk" or "mremap" ? "0x" + result.ToString("x") : result.ToString();
    }
}
