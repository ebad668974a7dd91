using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace X86Vm.Tests.Cpu;

/// <summary>Every SSE floating-point form of native/ssefp_oracle.c, with its inputs and MXCSR, against the real CPU's results.</summary>
public class SseFpOracleTests
{
    public static IEnumerable<object[]> FormNames => SseFpOracle.Forms.Select(f => new object[] { f.Text });

    [Theory]
    [MemberData(nameof(FormNames))]
    public void MatchesNativeCpu(string form)
    {
        RecordedOracle.Form f = SseFpOracle.Get(form);
        bool estimate = form.TrimStart('v').StartsWith("rcp", StringComparison.Ordinal) || form.TrimStart('v').StartsWith("rsqrt", StringComparison.Ordinal);
        var mismatches = new List<string>();
        for (int k = 0; k < f.Expected.Length; k++)
        {
            string actual;
            try { actual = SseFpOracle.Run(f, k); }
            catch (Exception e) { actual = $"threw {e.GetType().Name}: {e.Message}"; }
            bool same = estimate ? SseFpOracle.EstimatesAgree(f.Expected[k], actual, SseFpOracle.Initial(form, k)) : actual == f.Expected[k];
            if (!same)
                mismatches.Add($"case {k} (mxcsr {SseFpOracle.Initial(form, k).Mxcsr:x}{Inputs(form, k)}):\n  cpu:      {f.Expected[k]}\n  emulator: {actual}");
        }
        Assert.True(mismatches.Count == 0, $"{form} ({Convert.ToHexString(f.Code)})\n{string.Join("\n", mismatches)}");
    }

    /// <summary>The initial values of the XMM registers the form names and of the first data bytes it may read.</summary>
    static string Inputs(string form, int k)
    {
        RecordedOracle.State st = SseFpOracle.Initial(form, k);
        var parts = new List<string>();
        for (int i = 15; i >= 0; i--)
            if (form.Contains($"xmm{i}", StringComparison.Ordinal) && !parts.Any(p => p.StartsWith($"x{i}=", StringComparison.Ordinal)))
            {
                bool shadowed = Enumerable.Range(10, 6).Any(j => j != i && i < 10 && form.Contains($"xmm{j}", StringComparison.Ordinal) && !form.Replace($"xmm{j}", "", StringComparison.Ordinal).Contains($"xmm{i}", StringComparison.Ordinal));
                if (!shadowed) parts.Add($"x{i}={st.Xmm[i]:x32}");
            }
        if (form.Contains("rsi", StringComparison.Ordinal)) parts.Add($"[rsi]={Convert.ToHexString(st.Data, 0x100, 32)}");
        if (form.Contains("rdi", StringComparison.Ordinal)) parts.Add($"[rdi]={Convert.ToHexString(st.Data, 0x200, 0x50)}");
        return parts.Count == 0 ? "" : "; " + string.Join(" ", parts);
    }

    [Fact]
    public void OracleTableIsWellFormed()
    {
        Assert.True(SseFpOracle.Forms.Count > 300);
        Assert.Equal(SseFpOracle.Forms.Count, SseFpOracle.Forms.Select(f => f.Text).Distinct().Count());
        Assert.All(SseFpOracle.Forms, f => Assert.NotEmpty(f.Expected));
    }

    /// <summary>
    /// The embedded table must be what native/ssefp_oracle.c produces now. Needs the source tree, gcc and
    /// an x86-64 Linux host; elsewhere it checks nothing. RCPPS/RSQRTPS lines depend on the CPU model, so
    /// only the other forms are compared.
    /// </summary>
    [Fact]
    public void EmbeddedTableMatchesAFreshNativeRun()
    {
        string? fresh = RecordedOracle.FreshNativeTable("ssefp_oracle.c");
        if (fresh == null) return;
        Assert.True(WithoutEstimates(fresh) == WithoutEstimates(SseFpOracleData.Text.ReplaceLineEndings("\n")),
            "SseFpOracleData.g.cs is stale: regenerate it with the command in native/ssefp_oracle.c");
    }

    /// <summary>The table without the result lines of the estimate forms (their bits are model-specific).</summary>
    static string WithoutEstimates(string table)
    {
        var kept = new List<string>();
        bool estimate = false;
        foreach (string line in table.Split('\n'))
        {
            if (line.StartsWith('@')) estimate = line.TrimStart('@', 'v').StartsWith("rcp", StringComparison.Ordinal) || line.TrimStart('@', 'v').StartsWith("rsqrt", StringComparison.Ordinal);
            else if (estimate && !line.StartsWith("b ", StringComparison.Ordinal)) continue;
            kept.Add(line);
        }
        return string.Join("\n", kept);
    }

}
