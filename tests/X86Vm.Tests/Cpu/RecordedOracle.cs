using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Instructions.Sse;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using CpuCore = X86Vm.Cpu.Cpu;
using Decoder = Iced.Intel.Decoder;

namespace X86Vm.Tests.Cpu;

/// <summary>
/// What the recorded instruction oracles (native/sse_oracle.c and native/ssefp_oracle.c, both built on
/// native/oracle_common.h) share: the table format they write (forms, their code bytes and one expected report
/// per case), the case state, the generator primitives mirrored from the C side, and the emulator run that
/// reports a case in the same format.
/// </summary>
public static class RecordedOracle
{
    public const int DataInit = 0x1000;

    public sealed record Form(string Text, byte[] Code, string[] Expected);

    public static List<Form> Parse(string data)
    {
        var forms = new List<Form>();
        string? text = null;
        byte[]? code = null;
        var expected = new List<string>();
        void Flush()
        {
            if (text != null) forms.Add(new Form(text, code!, expected.ToArray()));
            expected.Clear();
        }
        foreach (string raw in data.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            if (line[0] == '@')
            {
                Flush();
                text = line[1..];
            }
            else if (line.StartsWith("b ", StringComparison.Ordinal)) code = Convert.FromHexString(line[2..]);
            else
            {
                int space = line.IndexOf(' ');
                int k = int.Parse(space < 0 ? line : line[..space], CultureInfo.InvariantCulture);
                if (k != expected.Count) throw new FormatException($"case {k} out of order in {text}");
                expected.Add(space < 0 ? "" : line[(space + 1)..]);
            }
        }
        Flush();
        return forms;
    }

    public sealed class State
    {
        public readonly ulong[] Gpr = new ulong[16];
        public ulong Rflags;
        public uint Mxcsr;
        public readonly UInt128[] Xmm = new UInt128[16];
        /// <summary>Bits 255:128 of YMM0–15.</summary>
        public readonly UInt128[] YmmHigh = new UInt128[16];
        public readonly byte[] Data = new byte[DataInit];
    }

    public static ulong SplitMix(ref ulong s)
    {
        ulong z = s += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    public static ulong Fnv1a(string text)
    {
        ulong h = 0xcbf29ce484222325;
        foreach (char ch in text)
        {
            h ^= (byte)ch;
            h *= 0x100000001b3;
        }
        return h;
    }

    /// <summary>
    /// Builds native/<paramref name="generator"/> with gcc, runs it on this CPU and returns the table it prints
    /// (between its triple quotes). Null where that cannot be done: no source tree, not an x86-64 Linux host,
    /// or no gcc — the staleness tests then check nothing.
    /// </summary>
    public static string? FreshNativeTable(string generator)
    {
        string source = Path.Combine(Path.GetDirectoryName(ThisFile())!, "native", generator);
        if (!File.Exists(source) || !OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return null;
        string exe = Path.Combine(Path.GetTempPath(), $"{Path.GetFileNameWithoutExtension(generator)}_{Environment.ProcessId}");
        try
        {
            var compile = Process.Start(new ProcessStartInfo("gcc", ["-O1", "-no-pie", "-fno-toplevel-reorder", "-o", exe, source])
                { RedirectStandardError = true });
            if (compile == null) return null;
            string errors = compile.StandardError.ReadToEnd();
            compile.WaitForExit();
            Assert.True(compile.ExitCode == 0, errors);
            var run = Process.Start(new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            string output = run.StandardOutput.ReadToEnd();
            run.StandardError.ReadToEnd();
            run.WaitForExit();
            Assert.Equal(0, run.ExitCode);
            const string open = "\"\"\"\n", close = "\n\"\"\"";
            int start = output.IndexOf(open, StringComparison.Ordinal) + open.Length;
            return output[start..output.LastIndexOf(close, StringComparison.Ordinal)];
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // gcc is not installed: nothing to compare against
        }
        finally
        {
            File.Delete(exe);
        }
    }

    // ------------------------------------------------------------------ generator (mirror of oracle_common.h)

    static readonly byte[] B8 = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x81];
    static readonly ushort[] B16 = [0x0000, 0x0001, 0x7fff, 0x8000, 0xffff, 0x00ff, 0xff00];
    static readonly uint[] B32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x0000ffff, 0xffff0000];
    static readonly ulong[] B64 = [0, ~0UL, 0x8000000000000000, 0x7fffffffffffffff, 1, 0x8080808080808080, 0x0101010101010101];

    public static ulong Chunk(ref ulong s)
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


    // ------------------------------------------------------------------ emulator run

    /// <summary>Runs a form from initial state <paramref name="st"/> on the emulator and reports it in the oracles' format.</summary>
    public static string Report(Form form, State st)
    {
        var h = new CpuHarness();
        h.LoadCode(form.Code);
        CpuCore c = h.Cpu;
        for (int i = 0; i < 16; i++)
            if (i != Reg.RSP) c.R(i) = st.Gpr[i];
        c.Rflags = st.Rflags;
        c.Mxcsr = st.Mxcsr;
        for (int i = 0; i < 16; i++) c.Xmm[i] = st.Xmm[i];
        for (int i = 0; i < 16; i++) c.YmmHigh[i] = st.YmmHigh[i];
        h.Memory.Poke(CpuHarness.DataBase, st.Data);

        GuestFault? fault = Execute(h, form.Code);

        var report = new StringBuilder();
        if (fault != null)
        {
            // SIGFPE's si_addr is the instruction: printed relative to the stub, as oracle_common.h does.
            ulong addr = fault.Signal == Signals.SIGFPE ? fault.SiAddr - CpuHarness.CodeBase : fault.SiAddr;
            report.Append(CultureInfo.InvariantCulture, $" fault={fault.Signal}/{fault.SiCode}/{addr:x}@{c.Rip - CpuHarness.CodeBase:x}");
        }
        else if (c.Rip != CpuHarness.CodeBase + (ulong)form.Code.Length)
            report.Append(CultureInfo.InvariantCulture, $" rip=+{c.Rip - CpuHarness.CodeBase:x}");
        for (int i = 0; i < 16; i++)
            if (c.Xmm[i] != st.Xmm[i]) report.Append(CultureInfo.InvariantCulture, $" x{i}={c.Xmm[i]:x32}");
        for (int i = 0; i < 16; i++)
            if (c.YmmHigh[i] != st.YmmHigh[i]) report.Append(CultureInfo.InvariantCulture, $" y{i}={c.YmmHigh[i]:x32}");
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

    static string ThisFile([CallerFilePath] string path = "") => path;
}
