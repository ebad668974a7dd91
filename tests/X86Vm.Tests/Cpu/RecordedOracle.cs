using System.Globalization;

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
}
