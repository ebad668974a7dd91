using System.Text;
using X86Vm.Cpu.Float;
using X86Vm.Cpu.State;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Linux.Debugging;

/// <summary>
/// The registers GDB sees, in the order and sizes of the amd64 GNU/Linux target description (the features
/// org.gnu.gdb.i386.core, .sse, .linux and .segments — what gdbserver sends for a process without AVX):
/// 0–15 general registers in GDB's order, 16 rip, 17 eflags, 18–23 segment selectors, 24–31 st0–st7,
/// 32–39 the x87 control registers, 40–55 xmm0–15, 56 mxcsr, 57 orig_rax, 58 fs_base, 59 gs_base.
/// </summary>
public static class RegisterLayout
{
    public const int Count = 60;
    public const int Rip = 16, Eflags = 17, St0 = 24, Fctrl = 32, Xmm0 = 40, Mxcsr = 56, OrigRax = 57, FsBase = 58, GsBase = 59;

    /// <summary>GDB's general-register order (rax rbx rcx rdx rsi rdi rbp rsp r8–r15) as encoding indices.</summary>
    static readonly int[] GeneralOrder =
        [Reg.RAX, Reg.RBX, Reg.RCX, Reg.RDX, Reg.RSI, Reg.RDI, Reg.RBP, Reg.RSP, 8, 9, 10, 11, 12, 13, 14, 15];

    static readonly string[] GeneralNames =
        ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];

    /// <summary>64-bit Linux user segment selectors: cs, ss, ds, es, fs, gs.</summary>
    static readonly uint[] Selectors = [0x33, 0x2B, 0, 0, 0, 0];
    static readonly string[] SelectorNames = ["cs", "ss", "ds", "es", "fs", "gs"];
    static readonly string[] X87ControlNames = ["fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"];

    /// <summary>Size in bytes of register <paramref name="n"/>.</summary>
    public static int Size(int n) => n switch
    {
        < 16 or Rip => 8,
        Eflags or (> Eflags and < St0) => 4,
        < Fctrl => 10,
        < Xmm0 => 4,
        < Mxcsr => 16,
        Mxcsr => 4,
        _ => 8,
    };

    /// <summary>The value of register <paramref name="n"/> (the low <see cref="Size"/> bytes count).</summary>
    public static UInt128 Read(CpuCore c, int n)
    {
        X87State f = c.Fpu;
        return n switch
        {
            < 16 => c.R(GeneralOrder[n]),
            Rip => c.Rip,
            Eflags => (uint)c.Rflags,
            < St0 => Selectors[n - 18],
            < Fctrl => f.St(n - St0).ToBits(),
            Fctrl => f.Control,
            Fctrl + 1 => f.StatusWord,
            Fctrl + 2 => f.TagWord,
            Fctrl + 3 => (uint)(f.Fip >> 32),
            Fctrl + 4 => (uint)f.Fip,
            Fctrl + 5 => (uint)(f.Fdp >> 32),
            Fctrl + 6 => (uint)f.Fdp,
            Fctrl + 7 => f.Fop,
            < Mxcsr => c.Xmm[n - Xmm0],
            Mxcsr => c.Mxcsr,
            OrigRax => ulong.MaxValue, // -1: not stopped at a syscall entry
            FsBase => c.FsBase,
            GsBase => c.GsBase,
            _ => 0,
        };
    }

    /// <summary>Sets register <paramref name="n"/>; the read-only ones (selectors, orig_rax) ignore the value.</summary>
    public static void Write(CpuCore c, int n, UInt128 value)
    {
        X87State f = c.Fpu;
        switch (n)
        {
            case < 16: c.R(GeneralOrder[n]) = (ulong)value; break;
            case Rip: c.Rip = (ulong)value; break;
            case Eflags: c.Rflags = (uint)value; break;
            case < St0: break;
            case < Fctrl: f.St(n - St0) = Float80.FromBits(value & ((UInt128.One << 80) - 1)); break;
            case Fctrl: f.Control = X87State.CanonicalControl((ushort)value); break;
            case Fctrl + 1: f.StatusWord = (ushort)value; break;
            case Fctrl + 2: f.TagWord = (ushort)value; break;
            case Fctrl + 3: f.Fip = (f.Fip & 0xFFFF_FFFF) | ((ulong)(uint)value << 32); break;
            case Fctrl + 4: f.Fip = (f.Fip & ~0xFFFF_FFFFUL) | (uint)value; break;
            case Fctrl + 5: f.Fdp = (f.Fdp & 0xFFFF_FFFF) | ((ulong)(uint)value << 32); break;
            case Fctrl + 6: f.Fdp = (f.Fdp & ~0xFFFF_FFFFUL) | (uint)value; break;
            case Fctrl + 7: f.Fop = (ushort)(value & 0x7FF); break;
            case < Mxcsr: c.Xmm[n - Xmm0] = value; break;
            case Mxcsr: c.Mxcsr = (uint)value & CpuCore.MxcsrMask; break;
            case FsBase: c.FsBase = (ulong)value; break;
            case GsBase: c.GsBase = (ulong)value; break;
        }
    }

    /// <summary>The 'g' reply: every register, hex, target byte order.</summary>
    public static string ReadAll(CpuCore c)
    {
        var sb = new StringBuilder(1200);
        for (int n = 0; n < Count; n++) GdbEncoding.AppendLittleEndian(sb, Read(c, n), Size(n));
        return sb.ToString();
    }

    /// <summary>The 'p' reply for one register.</summary>
    public static string ReadOne(CpuCore c, int n)
    {
        var sb = new StringBuilder(32);
        GdbEncoding.AppendLittleEndian(sb, Read(c, n), Size(n));
        return sb.ToString();
    }

    /// <summary>Decodes a register value of <see cref="Size"/>(<paramref name="n"/>) bytes; false when malformed.</summary>
    public static bool TryDecode(int n, ReadOnlySpan<char> hex, out UInt128 value)
    {
        value = 0;
        byte[]? bytes = GdbEncoding.FromHex(hex);
        if (bytes == null || bytes.Length != Size(n)) return false;
        for (int i = bytes.Length - 1; i >= 0; i--) value = value << 8 | bytes[i];
        return true;
    }

    /// <summary>The 'G' packet: every register; false (nothing written) when malformed.</summary>
    public static bool WriteAll(CpuCore c, ReadOnlySpan<char> hex)
    {
        var values = new UInt128[Count];
        int at = 0;
        for (int n = 0; n < Count; n++)
        {
            int len = 2 * Size(n);
            if (at + len > hex.Length) return false;
            // 'x' digits mark a value the debugger does not have: keep ours.
            if (hex.Slice(at, len).Contains('x')) values[n] = Read(c, n);
            else if (!TryDecode(n, hex.Slice(at, len), out values[n])) return false;
            at += len;
        }
        if (at != hex.Length) return false;
        // st0–st7 are relative to TOP, which fstat sets: write them last.
        foreach (int n in Enumerable.Range(0, Count).OrderBy(n => n is >= St0 and < Fctrl))
            if (values[n] != Read(c, n)) Write(c, n, values[n]);
        return true;
    }

    /// <summary>The target description (qXfer:features:read:target.xml).</summary>
    public static string TargetXml { get; } = BuildTargetXml();

    static string BuildTargetXml()
    {
        var x = new StringBuilder();
        x.Append("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n");
        x.Append("<architecture>i386:x86-64</architecture>\n<osabi>GNU/Linux</osabi>\n");

        x.Append("<feature name=\"org.gnu.gdb.i386.core\">\n<flags id=\"i386_eflags\" size=\"4\">\n");
        foreach (var (name, bit) in new[] { ("CF", 0), ("", 1), ("PF", 2), ("AF", 4), ("ZF", 6), ("SF", 7), ("TF", 8), ("IF", 9),
                     ("DF", 10), ("OF", 11), ("NT", 14), ("RF", 16), ("VM", 17), ("AC", 18), ("VIF", 19), ("VIP", 20), ("ID", 21) })
            x.Append($"<field name=\"{name}\" start=\"{bit}\" end=\"{bit}\"/>\n");
        x.Append("</flags>\n");
        for (int i = 0; i < 16; i++)
            x.Append($"<reg name=\"{GeneralNames[i]}\" bitsize=\"64\" type=\"{(i is 6 or 7 ? "data_ptr" : "int64")}\" regnum=\"{i}\"/>\n");
        x.Append("<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>\n<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>\n");
        foreach (string s in SelectorNames) x.Append($"<reg name=\"{s}\" bitsize=\"32\" type=\"int32\"/>\n");
        for (int i = 0; i < 8; i++) x.Append($"<reg name=\"st{i}\" bitsize=\"80\" type=\"i387_ext\"/>\n");
        foreach (string s in X87ControlNames) x.Append($"<reg name=\"{s}\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n");
        x.Append("</feature>\n");

        x.Append("<feature name=\"org.gnu.gdb.i386.sse\">\n");
        foreach (var (id, type, count) in new[] { ("v4f", "ieee_single", 4), ("v2d", "ieee_double", 2), ("v16i8", "int8", 16),
                     ("v8i16", "int16", 8), ("v4i32", "int32", 4), ("v2i64", "int64", 2) })
            x.Append($"<vector id=\"{id}\" type=\"{type}\" count=\"{count}\"/>\n");
        x.Append("<union id=\"vec128\">\n");
        foreach (var (name, type) in new[] { ("v4_float", "v4f"), ("v2_double", "v2d"), ("v16_int8", "v16i8"), ("v8_int16", "v8i16"),
                     ("v4_int32", "v4i32"), ("v2_int64", "v2i64"), ("uint128", "uint128") })
            x.Append($"<field name=\"{name}\" type=\"{type}\"/>\n");
        x.Append("</union>\n<flags id=\"i386_mxcsr\" size=\"4\">\n");
        foreach (var (name, bit) in new[] { ("IE", 0), ("DE", 1), ("ZE", 2), ("OE", 3), ("UE", 4), ("PE", 5), ("DAZ", 6), ("IM", 7),
                     ("DM", 8), ("ZM", 9), ("OM", 10), ("UM", 11), ("PM", 12), ("FZ", 15) })
            x.Append($"<field name=\"{name}\" start=\"{bit}\" end=\"{bit}\"/>\n");
        x.Append("</flags>\n");
        for (int i = 0; i < 16; i++) x.Append($"<reg name=\"xmm{i}\" bitsize=\"128\" type=\"vec128\" regnum=\"{Xmm0 + i}\"/>\n");
        x.Append($"<reg name=\"mxcsr\" bitsize=\"32\" type=\"i386_mxcsr\" group=\"vector\" regnum=\"{Mxcsr}\"/>\n</feature>\n");

        x.Append($"<feature name=\"org.gnu.gdb.i386.linux\">\n<reg name=\"orig_rax\" bitsize=\"64\" type=\"int\" regnum=\"{OrigRax}\"/>\n</feature>\n");
        x.Append("<feature name=\"org.gnu.gdb.i386.segments\">\n");
        x.Append($"<reg name=\"fs_base\" bitsize=\"64\" type=\"int\" regnum=\"{FsBase}\"/>\n");
        x.Append($"<reg name=\"gs_base\" bitsize=\"64\" type=\"int\" regnum=\"{GsBase}\"/>\n</feature>\n");
        x.Append("</target>\n");
        return x.ToString();
    }
}
