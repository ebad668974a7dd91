using System.Text.RegularExpressions;
using X86Vm.Cpu.Float;

namespace X86Vm.Tests.Cpu;

/// <summary>Host-independent checks of the soft-float core (no oracle needed).</summary>
public class X87SoftFloatTests
{
    static Float80 F(ushort se, ulong sig) => new(se, sig);
    static ushort Cw(int rc, int pc = 3) => (ushort)(0x7F | (pc << 8) | (rc << 10));

    [Theory]
    [InlineData(0, 0xAAAAAAAAAAAAAAABul, true)]   // nearest: rounds up
    [InlineData(1, 0xAAAAAAAAAAAAAAAAul, false)]  // down
    [InlineData(2, 0xAAAAAAAAAAAAAAABul, true)]   // up
    [InlineData(3, 0xAAAAAAAAAAAAAAAAul, false)]  // toward zero
    public void OneThirdUnderEachRoundingMode(int rc, ulong sig, bool roundedUp)
    {
        var env = new FpuEnv(Cw(rc));
        Float80 r = Float80.Div(Float80.One, Float80.FromInt64(3), ref env);
        Assert.Equal(F(0x3FFD, sig), r);
        Assert.Equal(FpuStatus.PE | (roundedUp ? FpuStatus.C1 : 0), env.Flags);
    }

    [Fact]
    public void PrecisionControlRoundsTheSignificandOnly()
    {
        var env = new FpuEnv(Cw(0, 0)); // 24-bit
        Float80 r = Float80.Div(Float80.One, Float80.FromInt64(3), ref env);
        Assert.Equal(F(0x3FFD, 0xAAAAAB0000000000), r);
        env = new FpuEnv(Cw(0, 2)); // 53-bit, exponent range stays extended
        Float80 tiny = Float80.Mul(F(0x0100, 1UL << 63), F(0x0100, 1UL << 63), ref env);
        Assert.Equal(0, tiny.BiasedExponent); // underflows only at the extended range
    }

    [Fact]
    public void SqrtTwoAndConstants()
    {
        var env = new FpuEnv(Cw(0));
        Assert.Equal(F(0x3FFF, 0xB504F333F9DE6484), Float80.Sqrt(Float80.FromInt64(2), ref env));
        Assert.Equal(F(0x4000, 0xC90FDAA22168C235), Float80.Constant(Float80.ConstPi, Cw(0)));
        Assert.Equal(F(0x4000, 0xC90FDAA22168C234), Float80.Constant(Float80.ConstPi, Cw(3)));
    }

    [Fact]
    public void IntegerConversionsUseIndefiniteNotSaturation()
    {
        var env = new FpuEnv(Cw(0));
        Assert.True(Float80.ToInteger(F(0x401F, 0xB2D05E0000000000), 32, false, ref env, out ulong v)); // 3e9
        Assert.Equal(0x80000000ul, v);
        Assert.Equal(FpuStatus.IE, env.Flags);
        env = new FpuEnv(Cw(0));
        Assert.True(Float80.ToInteger(Float80.Indefinite, 64, false, ref env, out v));
        Assert.Equal(0x8000000000000000ul, v);
    }

    [Fact]
    public void UnsupportedEncodingsAreInvalid()
    {
        var env = new FpuEnv(Cw(0));
        Assert.Equal(Float80.Indefinite, Float80.Add(F(0x3FFF, 0x4000000000000000), Float80.One, ref env)); // unnormal
        Assert.Equal(FpuStatus.IE, env.Flags);
    }

    /// <summary>Guest-visible results must not come from host floating point (x86 vs ARM64, SIMD or not).</summary>
    [Fact]
    public void NoHostFloatingPointInTheX87Code()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir != null && !Directory.Exists(Path.Combine(dir, "src", "X86Vm.Cpu"))) dir = Path.GetDirectoryName(dir);
        Assert.NotNull(dir);
        // The SSE fast paths (Fp32/Fp64) use host doubles with exact error analysis; the x87 code uses none.
        var files = Directory.GetFiles(Path.Combine(dir!, "src", "X86Vm.Cpu", "Float"), "Float80*.cs")
            .Concat(Directory.GetFiles(Path.Combine(dir!, "src", "X86Vm.Cpu", "Instructions", "X87"), "*.cs"))
            .Append(Path.Combine(dir!, "src", "X86Vm.Cpu", "State", "X87State.cs"));
        var forbidden = new Regex(@"\b(double|float|Half|decimal|Math|MathF|Vector\d*)\b");
        foreach (string file in files)
            foreach (var (line, i) in File.ReadAllLines(file).Select((l, i) => (l, i)))
            {
                string code = line.Split("//")[0];
                if (code.TrimStart().StartsWith("///", StringComparison.Ordinal) || code.TrimStart().StartsWith('*')) continue;
                Assert.False(forbidden.IsMatch(code), $"{Path.GetFileName(file)}:{i + 1}: {line.Trim()}");
            }
    }
}
