using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace X86Vm.Tests.Cpu;

/// <summary>Every SSE form of native/sse_oracle.c, with its inputs, against the real CPU's results.</summary>
public class SseOracleTests
{
    public static IEnumerable<object[]> FormNames => SseOracle.Forms.Select(f => new object[] { f.Text });

    [Theory]
    [MemberData(nameof(FormNames))]
    public void MatchesNativeCpu(string form)
    {
        RecordedOracle.Form f = SseOracle.Get(form);
        var mismatches = new List<string>();
        for (int k = 0; k < f.Expected.Length; k++)
        {
            string actual;
            try { actual = SseOracle.Run(f, k); }
            catch (Exception e) { actual = $"threw {e.GetType().Name}: {e.Message}"; }
            if (actual != f.Expected[k])
                mismatches.Add($"case {k}:\n  cpu:      {f.Expected[k]}\n  emulator: {actual}");
        }
        Assert.True(mismatches.Count == 0, $"{form} ({Convert.ToHexString(f.Code)})\n{string.Join("\n", mismatches)}");
    }

    [Fact]
    public void OracleTableIsWellFormed()
    {
        Assert.True(SseOracle.Forms.Count > 900);
        Assert.Equal(SseOracle.Forms.Count, SseOracle.Forms.Select(f => f.Text).Distinct().Count());
        Assert.All(SseOracle.Forms, f => Assert.NotEmpty(f.Expected));
    }

    /// <summary>
    /// The embedded table must be what native/sse_oracle.c produces now (catches an edited form list that
    /// was not regenerated). Needs the source tree, gcc and an x86-64 Linux host; elsewhere it checks nothing.
    /// </summary>
    [Fact]
    public void EmbeddedTableMatchesAFreshNativeRun()
    {
        string? fresh = RecordedOracle.FreshNativeTable("sse_oracle.c");
        if (fresh == null) return;
        Assert.True(fresh == SseOracleData.Text.ReplaceLineEndings("\n"),
            "SseOracleData.g.cs is stale: regenerate it with the command in native/sse_oracle.c");
    }

}
