using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace X86Vm.Tests.Cpu;

/// <summary>
/// What the recorded SSE oracles (native/sse_oracle.c and native/ssefp_oracle.c) share: the table format
/// they write (forms, their code bytes and one expected report per case), the case state, and the
/// generator primitives mirrored from the C side.
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

    static string ThisFile([CallerFilePath] string path = "") => path;
}
