using System.Globalization;
using X86Vm.Cpu.State;
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
        for (int i = 0; i < 16; i++) // YMM upper halves: drawn last, as in the C generator
        {
            ulong lo = FChunk(ref s), hi = FChunk(ref s);
            st.YmmHigh[i] = new UInt128(hi, lo);
        }
        return st;
    }

    /// <summary>Runs case <paramref name="k"/> of a form on the emulator and reports it in the oracle's format.</summary>
    public static string Run(Form form, int k) => Report(form, Initial(form.Text, k));

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
            UInt128 before = reg >= 16 ? initial.YmmHigh[reg - 16] : initial.Xmm[reg]; // 16-31: YMM upper halves
            UInt128 ev = ex.TryGetValue(reg, out var v1) ? v1 : before;
            UInt128 av = ax.TryGetValue(reg, out var v2) ? v2 : before;
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
            if (token[0] is 'x' or 'y' && eq > 1)
                xmm[int.Parse(token[1..eq], CultureInfo.InvariantCulture) + (token[0] == 'y' ? 16 : 0)] =
                    UInt128.Parse(token[(eq + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            else other.Add(token);
        }
        return other;
    }

    static bool IsNormal(uint x) => ((x >> 23) & 0xFF) is > 0 and < 0xFF;
}
