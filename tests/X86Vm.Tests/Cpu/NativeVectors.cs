using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;

namespace X86Vm.Tests.Cpu;

/// <summary>
/// Differential test vectors recorded on real hardware by native/harness.c (format described there;
/// regenerate with native/generate.sh). Each form is one instruction encoding; each row gives the
/// inputs and the registers, status flags and memory the CPU produced, or "DE" for a divide error.
/// </summary>
public static class NativeVectors
{
    public const ulong MemBase = CpuHarness.DataBase + 0x840;
    public const ulong Window = MemBase - 64;

    public sealed record Form(int Index, byte[] Code, ulong Mask, bool Memory, string Text, List<Row> Rows)
    {
        public int[] Registers => Enumerable.Range(0, 16).Where(r => (Mask >> r & 1) != 0).ToArray();
    }

    public sealed record Row(string Line, ulong FlagsIn, ulong[] In, ulong Seed, ulong Mem8, bool DivideError,
        ulong FlagsOut, ulong[] Out, (int Index, ulong Value)[] MemOut);

    static readonly Dictionary<string, List<Form>> Cache = new();

    public static List<Form> Load(string family)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(family, out var forms)) return forms;
            forms = Parse(File.ReadAllLines(Locate(family + ".txt")));
            Cache[family] = forms;
            return forms;
        }
    }

    /// <summary>xUnit member data: one case per form index.</summary>
    public static TheoryData<int> FormIndices(string family)
    {
        var data = new TheoryData<int>();
        foreach (Form f in Load(family)) data.Add(f.Index);
        return data;
    }

    static string Locate(string file, [CallerFilePath] string source = "")
    {
        string nextToSource = Path.Combine(Path.GetDirectoryName(source) ?? "", "native", file);
        if (File.Exists(nextToSource)) return nextToSource;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "X86Vm.Tests", "Cpu", "native", file);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"native test vectors {file} not found", nextToSource);
    }

    static ulong Hex(string s) => ulong.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    static List<Form> Parse(string[] lines)
    {
        var forms = new List<Form>();
        foreach (string line in lines)
        {
            if (line.Length == 0) continue;
            if (line.StartsWith("F ", StringComparison.Ordinal))
            {
                string[] p = line.Split(' ', 5);
                forms.Add(new Form(forms.Count, Convert.FromHexString(p[1]), Hex(p[2]), p[3] == "1", p[4], new List<Row>()));
                continue;
            }
            Form f = forms[^1];
            int n = f.Registers.Length;
            string[] sides = line.Split(" : ");
            ulong[] lhs = sides[0].Split(' ').Select(Hex).ToArray();
            ulong seed = f.Memory ? lhs[1 + n] : 0, mem8 = f.Memory ? lhs[2 + n] : 0;
            if (sides[1] == "DE")
            {
                f.Rows.Add(new Row(line, lhs[0], lhs[1..(1 + n)], seed, mem8, true, 0, [], []));
                continue;
            }
            string[] rhs = sides[1].Split(' ');
            var memOut = rhs[(1 + n)..].Select(x => x.Split('=')).Select(kv => (int.Parse(kv[0], CultureInfo.InvariantCulture), Hex(kv[1]))).ToArray();
            f.Rows.Add(new Row(line, lhs[0], lhs[1..(1 + n)], seed, mem8, false, Hex(rhs[0]), rhs[1..(1 + n)].Select(Hex).ToArray(), memOut));
        }
        return forms;
    }

    /// <summary>The value harness.c leaves in a register the form does not use.</summary>
    public static ulong UnusedValue(int r) => 0xC0DE000000000000UL + (ulong)r * 0x0101010101UL;

    /// <summary>splitmix64, as harness.c fills the memory window.</summary>
    public static ulong Mix(ulong x)
    {
        ulong z = x + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Runs every row of one form on the emulator and fails with the first mismatches.</summary>
    public static void Check(string family, int index)
    {
        Form f = Load(family)[index];
        Assert.NotEmpty(f.Rows);
        var h = new CpuHarness();
        h.LoadCode(f.Code);
        int[] used = f.Registers;
        var failures = new StringBuilder();
        int failed = 0;
        foreach (Row row in f.Rows)
        {
            string? error = RunRow(h, f, used, row);
            if (error == null) continue;
            if (++failed <= 8) failures.AppendLine($"  {row.Line}\n    {error}");
        }
        if (failed > 0)
            Assert.Fail($"{f.Text} [{Convert.ToHexString(f.Code)}]: {failed} of {f.Rows.Count} rows differ from the CPU\n{failures}");
    }

    static string? RunRow(CpuHarness h, Form f, int[] used, Row row)
    {
        var cpu = h.Cpu;
        ulong[] expected = new ulong[16];
        for (int r = 0; r < 16; r++) expected[r] = UnusedValue(r);
        expected[Reg.RSP] = CpuHarness.StackTop - 0x100;
        if (f.Memory) expected[Reg.RBX] = MemBase;
        for (int i = 0; i < used.Length; i++) expected[used[i]] = row.In[i];
        for (int r = 0; r < 16; r++) cpu.R(r) = expected[r];
        var window = new ulong[16];
        for (int i = 0; i < 16; i++)
        {
            window[i] = i == 8 ? row.Mem8 : Mix(row.Seed + (ulong)i);
            h.Memory.Write(Window + (ulong)i * 8, window[i]);
        }
        cpu.Rflags = row.FlagsIn;
        cpu.Rip = CpuHarness.CodeBase;
        cpu.PendingFault = null;
        StopReason stop = h.Run(1);

        var errors = new List<string>();
        ulong expectedFlags = row.FlagsIn & RFlags.Status;
        if (row.DivideError)
        {
            if (stop != StopReason.Fault || cpu.PendingFault?.Signal != Signals.SIGFPE)
                errors.Add($"expected #DE (SIGFPE), got {stop} {cpu.PendingFault?.Message}");
            else if (cpu.Rip != CpuHarness.CodeBase) errors.Add($"RIP {cpu.Rip:x} after #DE");
        }
        else
        {
            if (stop != StopReason.InstructionLimit) return $"stopped with {stop}: {cpu.PendingFault?.Message}";
            if (cpu.Rip != CpuHarness.CodeBase + (ulong)f.Code.Length) errors.Add($"RIP {cpu.Rip:x}");
            expectedFlags = row.FlagsOut;
            for (int i = 0; i < used.Length; i++) expected[used[i]] = row.Out[i];
            foreach (var (i, v) in row.MemOut) window[i] = v;
        }
        for (int r = 0; r < 16; r++)
            if (cpu.R(r) != expected[r]) errors.Add($"{Reg.Names[r]} = {cpu.R(r):x}, CPU {expected[r]:x}");
        ulong flags = cpu.StatusFlags;
        if (flags != expectedFlags) errors.Add($"flags {FlagText(flags)}, CPU {FlagText(expectedFlags)}");
        for (int i = 0; i < 16; i++)
        {
            ulong v = h.Memory.Read<ulong>(Window + (ulong)i * 8);
            if (v != window[i]) errors.Add($"mem[{i}] = {v:x}, CPU {window[i]:x}");
        }
        return errors.Count == 0 ? null : string.Join("; ", errors);
    }

    public static string FlagText(ulong f)
    {
        var sb = new StringBuilder();
        foreach (var (bit, name) in new[] { (RFlags.OF, "O"), (RFlags.SF, "S"), (RFlags.ZF, "Z"), (RFlags.AF, "A"), (RFlags.PF, "P"), (RFlags.CF, "C") })
            sb.Append((f & bit) != 0 ? name : "-");
        return sb.ToString();
    }
}
