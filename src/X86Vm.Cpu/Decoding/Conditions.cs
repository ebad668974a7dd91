namespace X86Vm.Cpu.Decoding;

/// <summary>
/// A condition code (the low nibble of Jcc/SETcc/CMOVcc, SDM Vol. 1 App. B) known at decode time. Conditional
/// handlers are generic over it, so <see cref="Cpu.Condition"/> is specialised per condition and no switch on the
/// condition runs at execution time.
/// </summary>
public interface ICondition
{
    static abstract int Code { get; }
}

public struct CondO : ICondition { public static int Code => 0x0; }
public struct CondNo : ICondition { public static int Code => 0x1; }
public struct CondB : ICondition { public static int Code => 0x2; }
public struct CondAe : ICondition { public static int Code => 0x3; }
public struct CondE : ICondition { public static int Code => 0x4; }
public struct CondNe : ICondition { public static int Code => 0x5; }
public struct CondBe : ICondition { public static int Code => 0x6; }
public struct CondA : ICondition { public static int Code => 0x7; }
public struct CondS : ICondition { public static int Code => 0x8; }
public struct CondNs : ICondition { public static int Code => 0x9; }
public struct CondP : ICondition { public static int Code => 0xA; }
public struct CondNp : ICondition { public static int Code => 0xB; }
public struct CondL : ICondition { public static int Code => 0xC; }
public struct CondGe : ICondition { public static int Code => 0xD; }
public struct CondLe : ICondition { public static int Code => 0xE; }
public struct CondG : ICondition { public static int Code => 0xF; }

public static class Conditions
{
    static readonly Type[] Types =
    [
        typeof(CondO), typeof(CondNo), typeof(CondB), typeof(CondAe), typeof(CondE), typeof(CondNe), typeof(CondBe),
        typeof(CondA), typeof(CondS), typeof(CondNs), typeof(CondP), typeof(CondNp), typeof(CondL), typeof(CondGe),
        typeof(CondLe), typeof(CondG),
    ];

    /// <summary>The condition type for condition code <paramref name="cc"/> (0–15).</summary>
    public static Type Of(int cc) => Types[cc];
}
