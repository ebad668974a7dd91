using X86Vm.Cpu.State;
using static X86Vm.Tests.Cpu.RecordedOracle;

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
        for (int i = 0; i < 16; i++) // YMM upper halves: drawn last, as in the C generator
        {
            ulong lo = Chunk(ref s), hi = Chunk(ref s);
            st.YmmHigh[i] = new UInt128(hi, lo);
        }
        return st;
    }

    /// <summary>Runs case <paramref name="k"/> of a form on the emulator and reports it in the oracle's format.</summary>
    public static string Run(Form form, int k) => Report(form, Initial(form.Text, k));
}
