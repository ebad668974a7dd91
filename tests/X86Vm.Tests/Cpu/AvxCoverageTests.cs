using Iced.Intel;
using X86Vm.Cpu.Decoding;

namespace X86Vm.Tests.Cpu;

/// <summary>Every VEX-encoded AVX and AVX2 mnemonic Iced knows is bound to an instruction family (the forms are checked by the oracles).</summary>
public class AvxCoverageTests
{
    /// <summary>The AVX/AVX2 mnemonics, excluding those that also need another feature (FMA, F16C, AES, PCLMULQDQ…).</summary>
    public static IEnumerable<Mnemonic> AvxMnemonics() =>
        Enum.GetValues<Code>()
            .Where(c => c.Encoding() == EncodingKind.VEX && c.CpuidFeatures() is { Length: 1 } f && f[0] is CpuidFeature.AVX or CpuidFeature.AVX2)
            .Select(c => c.Mnemonic()).Distinct().Order();

    [Fact]
    public void EveryAvxAndAvx2MnemonicIsBound()
    {
        string[] missing = AvxMnemonics().Where(m => InstructionTable.Default.Find(m) == null).Select(m => m.ToString()).ToArray();
        Assert.True(missing.Length == 0, "not bound: " + string.Join(" ", missing));
    }

    /// <summary>The AVX/AVX2 encodings (Iced Code values) the native oracles run.</summary>
    public static HashSet<Code> OracleCodes()
    {
        var codes = new HashSet<Code>();
        foreach (RecordedOracle.Form f in SseOracle.Forms.Concat(SseFpOracle.Forms))
        {
            var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(f.Code));
            while (decoder.IP < (ulong)f.Code.Length) codes.Add(decoder.Decode().Code);
        }
        return codes;
    }

    [Fact]
    public void TheOraclesRunEveryAvxAndAvx2Encoding()
    {
        HashSet<Code> run = OracleCodes();
        string[] missing = Enum.GetValues<Code>()
            .Where(c => c.Encoding() == EncodingKind.VEX && c.CpuidFeatures() is { Length: 1 } f && f[0] is CpuidFeature.AVX or CpuidFeature.AVX2)
            .Where(c => !run.Contains(c)).Select(c => c.ToString()).ToArray();
        Assert.True(missing.Length == 0, $"{missing.Length} not run: " + string.Join(" ", missing));
    }
}
