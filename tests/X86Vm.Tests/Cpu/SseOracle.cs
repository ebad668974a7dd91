using System.Globalization;
using System.Text;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Instructions.Sse;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using CpuCore = X86Vm.Cpu.Cpu;
using static X86Vm.Tests.Cpu.RecordedOracle;
using Decoder = Iced.Intel.Decoder;

namespace X86Vm.Tests.Cpu;

/// <summary>
/// Replays the native oracle's cases (<see cref="SseOracleData"/>, produced by native/sse_oracle.c on the
/// real CPU) on the emulator. The initial state of a case is rebuilt here with the generator the C
/// program uses; the emulator's report of what changed must equal the CPU's, byte for byte.
/// </summary>
public static class SseOracle
{
    public static readonly IReadOnlyList<Form> Forms = Parse(SseOracleData.Text);
    static readonly Dictionary<string, Form> ByText = Forms.ToDictionary(f => f.Text);

    public static Form Get(string text) => ByText[text];


    // ------------------------------------------------------------------ inputs (mirror of sse_oracle.c)



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


    public static State Initial(string text, int k)
    {
        var st = new State();
        ulong s = Fnv1a(text) ^ ((ulong)(k + 1) * 0xD1B54A32D192ED03);
        for (int i = 0; i < 16; i++) st.Gpr[i] = Chunk(ref s);
        st.Gpr[Reg.RSP] = 0;
        st.Gpr[Reg.RSI] = CpuHarness.DataBase + 0x100;
        st.Gpr[Reg.RDI] = CpuHarness.DataBase + 0x200;
        st.Rflags = 0x202 | (SplitMix(ref s) & 0x8d5);
        st.Mxcsr = 0x1f80;
        for (int i = 0; i < 16; i++)
        {
            ulong lo = Chunk(ref s), hi = Chunk(ref s);
            st.Xmm[i] = new UInt128(hi, lo);
        }
        for (int off = 0; off < DataInit; off += 8)
            BitConverter.TryWriteBytes(st.Data.AsSpan(off), Chunk(ref s));
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

        GuestFault? fault = Execute(h, form.Code);

        var report = new StringBuilder();
        if (fault != null)
            report.Append(CultureInfo.InvariantCulture, $" fault={fault.Signal}/{fault.SiCode}/{fault.SiAddr:x}@{c.Rip - CpuHarness.CodeBase:x}");
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

    /// <summary>
    /// Runs the stub through the interpreter. Until the string family registers MOVSD (and hands its SSE
    /// forms to <see cref="SseScalarForms.BindMovsd"/>), stubs using it are stepped here through that binder.
    /// </summary>
    static GuestFault? Execute(CpuHarness h, byte[] code)
    {
        CpuCore c = h.Cpu;
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(code), CpuHarness.CodeBase);
        var insns = new List<Instruction>();
        while (decoder.IP < CpuHarness.CodeBase + (ulong)code.Length) insns.Add(decoder.Decode());
        bool direct = insns.Any(i => i.Mnemonic == Mnemonic.Movsd && InstructionTable.Default.Find(Mnemonic.Movsd) == null);
        if (!direct)
        {
            StopReason stop = h.Run((ulong)insns.Count);
            return stop == StopReason.Fault ? c.PendingFault : null;
        }
        foreach (Instruction insn in insns)
        {
            var op = new DecodedOp();
            Type[] kinds = OperandDecoder.Decode(insn, ref op);
            nint handler = insn.Mnemonic == Mnemonic.Movsd
                ? SseScalarForms.BindMovsd(insn, ref op, kinds)
                : InstructionTable.Default.Find(insn.Mnemonic)?.Invoke(insn, ref op, kinds) ?? 0;
            if (handler == 0) return GuestFault.InvalidOpcode(insn.IP);
            try
            {
                unsafe { ((delegate*<CpuCore, ref DecodedOp, void>)handler)(c, ref op); }
            }
            catch (GuestFault f)
            {
                return f;
            }
            c.Rip = insn.NextIP;
            c.Retired++;
        }
        return null;
    }
}
