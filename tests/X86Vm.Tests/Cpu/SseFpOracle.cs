using System.Globalization;
using System.Text;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using CpuCore = X86Vm.Cpu.Cpu;
using static X86Vm.Tests.Cpu.RecordedOracle;

namespace X86Vm.Tests.Cpu;

/// <summary>
/// Replays the cases of native/ssefp_oracle.c (<see cref="SseFpOracleData"/>, recorded on the real CPU)
/// on the emulator. The initial state of a case — floating-point-biased vector registers and memory,
/// and a per-case MXCSR — is rebuilt here with the generator the C program uses.
/// </summary>
public static class SseFpOracle
{
    public static readonly IReadOnlyList<Form> Forms = Parse(SseFpOracleData.Text);
    static readonly Dictionary<string, Form> ByText = Forms.ToDictionary(f => f.Text);

    public static Form Get(string text) => ByText[text];


    // ------------------------------------------------------------------ inputs (mirror of ssefp_oracle.c)



    static readonly byte[] B8 = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x81];
    static readonly ushort[] B16 = [0x0000, 0x0001, 0x7fff, 0x8000, 0xffff, 0x00ff, 0xff00];
    static readonly uint[] B32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x0000ffff, 0xffff0000];
    static readonly ulong[] B64 = [0, ~0UL, 0x8000000000000000, 0x7fffffffffffffff, 1, 0x8080808080808080, 0x0101010101010101];

    static ulong Chunk(ref ulong s)
    {
        ulong r = SplitMix(ref s), v, result = 0;
        switch (r & 7)
        {
            case 3: return (r >> 3) % 80;
            case 4:
                v = SplitMix(ref s);
                for (int i = 0; i < 8; i++)
                {
                    int sel = (int)((v >> (i * 8)) & 7);
                    ulong e = sel < 7 ? B8[sel] : (v >> (i * 8 + 3)) & 0x1f;
                    result |= e << (i * 8);
                }
                return result;
            case 5:
                v = SplitMix(ref s);
                for (int i = 0; i < 4; i++)
                {
                    int sel = (int)((v >> (i * 16)) & 7);
                    ulong e = sel < 7 ? B16[sel] : (v >> (i * 16 + 3)) & 0x1fff;
                    result |= e << (i * 16);
                }
                return result;
            case 6:
                v = SplitMix(ref s);
                for (int i = 0; i < 2; i++)
                {
                    int sel = (int)((v >> (i * 32)) & 7);
                    ulong e = sel < 7 ? B32[sel] : (v >> (i * 32 + 3)) & 0x1fffffff;
                    result |= e << (i * 32);
                }
                return result;
            case 7: return ((r >> 3) & 7) < 7 ? B64[(r >> 3) & 7] : r >> 6;
            default: return SplitMix(ref s);
        }
    }

    static readonly uint[] S32 =
    [
        0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0xffa00000,
        0x7fc0beef, 0x00000001, 0x007fffff, 0x80400000, 0x00800000, 0x00800001, 0x01000000, 0x7f7fffff,
        0xff7fffff, 0x7f000000, 0x3f800000, 0xbf800000, 0x4f000000, 0xcf000000, 0x4effffff, 0xcf000001,
        0x5f000000, 0xdf000000, 0x5effffff, 0x3f000000, 0x3fc00000, 0x40200000, 0xbfc00000, 0xc0200000,
        0x3eaaaaab, 0x4b000000, 0x4b800000, 0x80000001, 0x807fffff, 0x0c800000, 0x72800000, 0xbf000000,
    ];

    static readonly ulong[] S64 =
    [
        0x0000000000000000, 0x8000000000000000, 0x7ff0000000000000, 0xfff0000000000000,
        0x7ff8000000000000, 0xfff8000000000000, 0x7ff0000000000001, 0xfff4000000000000,
        0x7ff80000deadbeef, 0x0000000000000001, 0x000fffffffffffff, 0x8008000000000000,
        0x0010000000000000, 0x0010000000000001, 0x0020000000000000, 0x7fefffffffffffff,
        0xffefffffffffffff, 0x7fe0000000000000, 0x3ff0000000000000, 0xbff0000000000000,
        0x41e0000000000000, 0xc1e0000000000000, 0x41dfffffffc00000, 0x41dfffffffe00000,
        0xc1e0000000200000, 0xc1e0000000100000, 0x43e0000000000000, 0xc3e0000000000000,
        0x43dfffffffffffff, 0x3fe0000000000000, 0x3ff8000000000000, 0x4004000000000000,
        0xbff8000000000000, 0xc004000000000000, 0x47efffffe0000000, 0x47effffff0000000,
        0x3810000000000000, 0x36a0000000000000, 0x3690000000000000, 0x3fd5555555555555,
        0x380fffffffffffff, 0x47f0000000000000, 0xc7effffff0000001, 0x8000000000000001,
        0x41dfffffffffffff, 0xc1dfffffffffffff, 0x3fe0000000000001, 0x4330000000000000,
    ];

    static uint F32(ref ulong s)
    {
        ulong r = SplitMix(ref s);
        uint sign = (uint)(r >> 63) << 31, mant = (uint)(r >> 20) & 0x7fffff, e;
        switch (r & 15)
        {
            case 0: case 1: case 2: case 3: case 4: return S32[(r >> 8) % (ulong)S32.Length];
            case 5: case 6: case 7: case 8: e = 127 + (uint)((r >> 8) % 17) - 8; break;
            case 9: case 10: e = 127 + (uint)((r >> 8) % 41) - 20; mant &= 0x780000; break;
            case 11: e = 1 + (uint)((r >> 8) % 254); break;
            case 12: e = (uint)((r >> 8) % 26); break;
            case 13: e = 254 - (uint)((r >> 8) % 26); break;
            case 14:
            {
                int n = (int)((r >> 8) % 25);
                uint v = (uint)(r >> 32) & ((1u << n) - 1);
                return BitConverter.SingleToUInt32Bits(v) | sign; // exact: v < 2^24
            }
            default: return (uint)(r >> 16);
        }
        return sign | (e << 23) | mant;
    }

    static ulong F64(ref ulong s)
    {
        ulong r = SplitMix(ref s), m = SplitMix(ref s);
        ulong sign = (r >> 63) << 63, mant = m & 0xfffffffffffff, e;
        switch (r & 15)
        {
            case 0: case 1: case 2: case 3: case 4: return S64[(r >> 8) % (ulong)S64.Length];
            case 5: case 6: case 7: case 8: e = 1023 + (r >> 8) % 33 - 16; break;
            case 9: case 10: e = 1023 + (r >> 8) % 81 - 40; mant &= 0xff00000000000; break;
            case 11: e = 1 + (r >> 8) % 2046; break;
            case 12: e = (r >> 8) % 60; break;
            case 13: e = 2046 - (r >> 8) % 60; break;
            case 14:
            {
                int n = (int)((r >> 8) % 54);
                ulong v = m & ((1UL << n) - 1);
                return BitConverter.DoubleToUInt64Bits(v) | sign; // exact: v < 2^53
            }
            default: return m;
        }
        return sign | (e << 52) | mant;
    }

    static ulong FChunk(ref ulong s)
    {
        ulong r = SplitMix(ref s);
        switch (r & 7)
        {
            case 0: case 1: case 2: return F64(ref s);
            case 6: return Chunk(ref s);
            default:
                ulong lo = F32(ref s);
                ulong hi = F32(ref s);
                return lo | (hi << 32);
        }
    }

    static ulong IChunk(ref ulong s)
    {
        ulong r = SplitMix(ref s);
        if ((r & 3) == 0) return Chunk(ref s);
        int n = (int)((r >> 8) % 65);
        ulong v = SplitMix(ref s);
        v = n == 0 ? 0 : n == 64 ? v : (v & ((1UL << n) - 1)) | (1UL << (n - 1));
        return ((r >> 20) & 1) != 0 ? 0 - v : v;
    }

    static readonly uint[] MxcsrVariants =
        [0x1f80, 0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x1fc0, 0x9f80, 0x9fc0, 0x1f00, 0x1e80, 0x1d80, 0x1b80, 0x1780, 0x0f80, 0x1fbf];

    static uint MxcsrFor(int k, ref ulong s)
    {
        ulong r = SplitMix(ref s);
        if (k % 16 < 15) return MxcsrVariants[k % 16];
        uint m = 0x1f80 | (uint)((r & 3) << 13);
        if ((r & 4) != 0) m |= 0x40;
        if ((r & 8) != 0) m |= 0x8000;
        for (int i = 0; i < 6; i++)
            if (((r >> (4 + 2 * i)) & 3) == 0) m &= ~(0x80u << i);
        return m | (uint)((r >> 16) & 0x3f);
    }


    public static State Initial(string text, int k)
    {
        var st = new State();
        ulong s = Fnv1a(text) ^ ((ulong)(k + 1) * 0xD1B54A32D192ED03);
        for (int i = 0; i < 16; i++) st.Gpr[i] = IChunk(ref s);
        st.Gpr[Reg.RSP] = 0;
        st.Gpr[Reg.RSI] = CpuHarness.DataBase + 0x100;
        st.Gpr[Reg.RDI] = CpuHarness.DataBase + 0x200;
        st.Rflags = 0x202 | (SplitMix(ref s) & 0x8d5);
        st.Mxcsr = MxcsrFor(k, ref s);
        for (int i = 0; i < 16; i++)
        {
            ulong lo = FChunk(ref s), hi = FChunk(ref s);
            st.Xmm[i] = new UInt128(hi, lo);
        }
        for (int off = 0; off < DataInit; off += 8)
            BitConverter.TryWriteBytes(st.Data.AsSpan(off), FChunk(ref s));
        return st;
    }

    // ------------------------------------------------------------------ emulator run

    /// <summary>Runs case <paramref name="k"/> of a form on the emulator and reports it in the oracle's format.</summary>
    public static string Run(Form form, int k)
    {
        State st = Initial(form.Text, k);
        var h = new CpuHarness();
        h.LoadCode(form.Code);
        CpuCore c = h.Cpu;
        for (int i = 0; i < 16; i++)
            if (i != Reg.RSP) c.R(i) = st.Gpr[i];
        c.Rflags = st.Rflags;
        c.Mxcsr = st.Mxcsr;
        for (int i = 0; i < 16; i++) c.Xmm[i] = st.Xmm[i];
        h.Memory.Poke(CpuHarness.DataBase, st.Data);

        int count = CountInstructions(form.Code);
        StopReason stop = h.Run((ulong)count);
        GuestFault? fault = stop == StopReason.Fault ? c.PendingFault : null;

        var report = new StringBuilder();
        if (fault != null)
        {
            ulong addr = fault.Signal == Signals.SIGFPE ? fault.SiAddr - CpuHarness.CodeBase : fault.SiAddr;
            report.Append(CultureInfo.InvariantCulture, $" fault={fault.Signal}/{fault.SiCode}/{addr:x}@{c.Rip - CpuHarness.CodeBase:x}");
        }
        else if (c.Rip != CpuHarness.CodeBase + (ulong)form.Code.Length)
            report.Append(CultureInfo.InvariantCulture, $" rip=+{c.Rip - CpuHarness.CodeBase:x}");
        for (int i = 0; i < 16; i++)
            if (c.Xmm[i] != st.Xmm[i]) report.Append(CultureInfo.InvariantCulture, $" x{i}={c.Xmm[i]:x32}");
        for (int i = 0; i < 16; i++)
            if (i != Reg.RSP && c.R(i) != st.Gpr[i]) report.Append(CultureInfo.InvariantCulture, $" r{i}={c.R(i):x}");
        ulong flags = c.Rflags;
        if (((flags ^ st.Rflags) & 0x8d5) != 0) report.Append(CultureInfo.InvariantCulture, $" fl={flags & 0x8d5:x}");
        if (c.Mxcsr != st.Mxcsr) report.Append(CultureInfo.InvariantCulture, $" mx={c.Mxcsr:x}");
        var before = new byte[CpuHarness.DataSize];
        st.Data.CopyTo(before, 0);
        var after = new byte[CpuHarness.DataSize];
        h.Memory.Read(CpuHarness.DataBase, after);
        for (int i = 0; i < after.Length;)
        {
            if (before[i] == after[i]) { i++; continue; }
            report.Append(CultureInfo.InvariantCulture, $" m{i:x}=");
            while (i < after.Length && before[i] != after[i]) report.Append(CultureInfo.InvariantCulture, $"{after[i++]:x2}");
        }
        return report.Length == 0 ? "" : report.ToString(1, report.Length - 1);
    }

    static int CountInstructions(byte[] code)
    {
        var decoder = Iced.Intel.Decoder.Create(64, new Iced.Intel.ByteArrayCodeReader(code), CpuHarness.CodeBase);
        int n = 0;
        while (decoder.IP < CpuHarness.CodeBase + (ulong)code.Length)
        {
            decoder.Decode();
            n++;
        }
        return n;
    }

    // ------------------------------------------------------------------ estimates

    /// <summary>
    /// RCPPS/RSQRTPS results differ between CPU models: two reports agree when they are equal except for
    /// single-precision lanes that are both normal and within 3·2^−12 of each other (each of them is
    /// within 1.5·2^−12 of the exact value; the emulator's own bound is checked exactly elsewhere).
    /// </summary>
    public static bool EstimatesAgree(string expected, string actual, State initial)
    {
        var e = Split(expected, out var ex);
        var a = Split(actual, out var ax);
        if (!e.SequenceEqual(a)) return false;
        foreach (int reg in ex.Keys.Union(ax.Keys))
        {
            UInt128 ev = ex.TryGetValue(reg, out var v1) ? v1 : initial.Xmm[reg];
            UInt128 av = ax.TryGetValue(reg, out var v2) ? v2 : initial.Xmm[reg];
            for (int lane = 0; lane < 4; lane++)
            {
                uint el = (uint)(ev >> (32 * lane)), al = (uint)(av >> (32 * lane));
                if (el == al) continue;
                if (!IsNormal(el) || !IsNormal(al) || ((el ^ al) & 0x8000_0000) != 0) return false;
                double x = BitConverter.UInt32BitsToSingle(el), y = BitConverter.UInt32BitsToSingle(al);
                if (Math.Abs(y / x - 1) > 3.0 / 4096) return false;
            }
        }
        return true;
    }

    /// <summary>The report's tokens other than XMM registers, and the XMM register values.</summary>
    static List<string> Split(string report, out Dictionary<int, UInt128> xmm)
    {
        var other = new List<string>();
        xmm = new Dictionary<int, UInt128>();
        foreach (string token in report.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = token.IndexOf('=');
            if (token[0] == 'x' && eq > 1)
                xmm[int.Parse(token[1..eq], CultureInfo.InvariantCulture)] =
                    UInt128.Parse(token[(eq + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            else other.Add(token);
        }
        return other;
    }

    static bool IsNormal(uint x) => ((x >> 23) & 0xFF) is > 0 and < 0xFF;
}
