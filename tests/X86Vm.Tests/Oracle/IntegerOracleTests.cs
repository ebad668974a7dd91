using Iced.Intel;
using Xunit.Abstractions;

namespace X86Vm.Tests.Oracle;

/// <summary>
/// The integer families (ALU, moves, stack, control transfer, flag instructions and NOPs, atomics, non-REP
/// string instructions) against the host CPU through the native oracle: every 64-bit legacy form Iced knows
/// for their mnemonics (see <see cref="OracleCases.FormsOf"/>), each with random and edge operands, random
/// incoming flags (CF, DF…), register and memory operands, high-byte and REX registers, 0x67 addressing,
/// FS/GS overrides, LOCK, and faulting addresses. GPRs, RIP (through the fault report or the fall-through),
/// the status flags, DF, both memory windows and the fault report must be identical.
/// </summary>
public class IntegerOracleTests(ITestOutputHelper output)
{
    const int PerForm = 40;

    public sealed record Family(string Name, Func<List<OracleCase>> Build);

    static List<OracleCase> Forms(int perForm, FormOptions opt, params Mnemonic[] mnemonics) =>
        OracleCases.FormsOf(mnemonics).SelectMany(c => OracleCases.Build(c, perForm, opt)).ToList();

    static readonly Mnemonic[] Alu =
    [
        Mnemonic.Add, Mnemonic.Adc, Mnemonic.Sub, Mnemonic.Sbb, Mnemonic.And, Mnemonic.Or, Mnemonic.Xor, Mnemonic.Cmp,
        Mnemonic.Test, Mnemonic.Inc, Mnemonic.Dec, Mnemonic.Neg, Mnemonic.Not,
    ];

    static readonly Mnemonic[] Moves =
    [
        Mnemonic.Mov, Mnemonic.Movzx, Mnemonic.Movsx, Mnemonic.Movsxd, Mnemonic.Xchg, Mnemonic.Bswap,
        Mnemonic.Cbw, Mnemonic.Cwde, Mnemonic.Cdqe, Mnemonic.Cwd, Mnemonic.Cdq, Mnemonic.Cqo,
    ];

    static readonly Mnemonic[] Cmovs =
    [
        Mnemonic.Cmovo, Mnemonic.Cmovno, Mnemonic.Cmovb, Mnemonic.Cmovae, Mnemonic.Cmove, Mnemonic.Cmovne, Mnemonic.Cmovbe,
        Mnemonic.Cmova, Mnemonic.Cmovs, Mnemonic.Cmovns, Mnemonic.Cmovp, Mnemonic.Cmovnp, Mnemonic.Cmovl, Mnemonic.Cmovge,
        Mnemonic.Cmovle, Mnemonic.Cmovg,
    ];

    static readonly Mnemonic[] Setccs =
    [
        Mnemonic.Seto, Mnemonic.Setno, Mnemonic.Setb, Mnemonic.Setae, Mnemonic.Sete, Mnemonic.Setne, Mnemonic.Setbe,
        Mnemonic.Seta, Mnemonic.Sets, Mnemonic.Setns, Mnemonic.Setp, Mnemonic.Setnp, Mnemonic.Setl, Mnemonic.Setge,
        Mnemonic.Setle, Mnemonic.Setg,
    ];

    static readonly Mnemonic[] Jccs =
    [
        Mnemonic.Jo, Mnemonic.Jno, Mnemonic.Jb, Mnemonic.Jae, Mnemonic.Je, Mnemonic.Jne, Mnemonic.Jbe, Mnemonic.Ja,
        Mnemonic.Js, Mnemonic.Jns, Mnemonic.Jp, Mnemonic.Jnp, Mnemonic.Jl, Mnemonic.Jge, Mnemonic.Jle, Mnemonic.Jg,
    ];

    static readonly Mnemonic[] Strings =
    [
        Mnemonic.Movsb, Mnemonic.Movsw, Mnemonic.Movsd, Mnemonic.Movsq, Mnemonic.Cmpsb, Mnemonic.Cmpsw, Mnemonic.Cmpsd,
        Mnemonic.Cmpsq, Mnemonic.Stosb, Mnemonic.Stosw, Mnemonic.Stosd, Mnemonic.Stosq, Mnemonic.Lodsb, Mnemonic.Lodsw,
        Mnemonic.Lodsd, Mnemonic.Lodsq, Mnemonic.Scasb, Mnemonic.Scasw, Mnemonic.Scasd, Mnemonic.Scasq,
    ];

    static readonly Mnemonic[] FlagOps =
        [Mnemonic.Clc, Mnemonic.Stc, Mnemonic.Cmc, Mnemonic.Cld, Mnemonic.Std, Mnemonic.Lahf, Mnemonic.Sahf];

    static readonly Mnemonic[] Nops =
    [
        Mnemonic.Nop, Mnemonic.Pause, Mnemonic.Lfence, Mnemonic.Sfence, Mnemonic.Mfence, Mnemonic.Prefetchnta,
        Mnemonic.Prefetcht0, Mnemonic.Prefetcht1, Mnemonic.Prefetcht2, Mnemonic.Prefetchw, Mnemonic.Endbr64,
    ];

    /// <summary>
    /// RFLAGS bits compared after POPF: status flags, DF, IF and IOPL (which CPL 3 cannot change), AC, ID.
    /// NT (bit 14), which POPF does set on the host, is not modelled (docs/undefined-behaviour.md).
    /// </summary>
    const ulong PopfMask = OracleState.DefaultFlagsMask | 0x200 | 0x3000 | 0x40000 | 0x200000;

    static bool SetOperand0(CaseContext ctx, ulong value) => ctx.Operands[0] is { } l && (ctx.Set(l, value) || true);

    static ulong CountValue(Random rng) => rng.Next(8) switch
    {
        0 => 0, 1 => 1, 2 => 2, 3 => 0xFFFF_FFFF, 4 => 0x1_0000_0000, 5 => 0x1_0000_0001, 6 => ulong.MaxValue,
        _ => OracleCases.RegValue(rng),
    };

    public static readonly Family[] Families =
    [
        new("alu", () => Forms(PerForm, new FormOptions(), Alu)),
        new("move", () => Forms(PerForm, new FormOptions(), Moves)),
        new("lea", () => Forms(PerForm, new FormOptions { NoMemoryAccess = true }, Mnemonic.Lea)),
        new("cmovcc", () => Forms(PerForm, new FormOptions(), Cmovs)),
        new("setcc", () => Forms(PerForm, new FormOptions(), Setccs)),
        new("push-pop", () => Forms(PerForm, new FormOptions { UsesStack = true }, Mnemonic.Push, Mnemonic.Pop)),
        new("pushf", () => Forms(PerForm, new FormOptions { UsesStack = true }, Mnemonic.Pushf, Mnemonic.Pushfq)),
        new("popf", () => Forms(PerForm * 2, new FormOptions
        {
            UsesStack = true, FlagsMask = PopfMask,
            Hook = ctx =>
            {
                // Any flags image except TF (a single-step trap would land in the helper's epilogue).
                ulong image = OracleCases.Random64(ctx.Rng) & ~0x100UL;
                if (ctx.Rng.Next(2) == 0) image &= 0xFFFF_FFFF;
                ctx.Set(Loc.Memory(ctx.State.Rsp, 8), image);
                return true;
            },
        }, Mnemonic.Popf, Mnemonic.Popfq)),
        new("leave", () => Forms(PerForm, new FormOptions
        {
            UsesStack = true,
            Hook = ctx => ctx.SetReg(5, OracleCases.StackPointer(ctx.Rng)),
        }, Mnemonic.Leave)),
        new("enter", () => Forms(PerForm * 2, new FormOptions
        {
            UsesStack = true,
            Hook = ctx =>
            {
                ctx.State.Rsp = OracleState.StackAddress + 0x400 + (ulong)ctx.Rng.Next(0x170) * 8 + (ctx.Rng.Next(8) == 0 ? 4UL : 0);
                ctx.SetReg(5, ctx.Rng.Next(10) == 0 ? OracleCases.StackPointer(ctx.Rng)
                    : OracleState.StackAddress + 0x100 + (ulong)ctx.Rng.Next(0xF00));
                return true;
            },
        }, Mnemonic.Enter)),
        new("jmp-call-ret", () => Forms(PerForm * 2, new FormOptions
        {
            UsesStack = true,
            Hook = ctx =>
            {
                if (ctx.Code is Code.Retnq or Code.Retnq_imm16)
                    ctx.Set(Loc.Memory(ctx.State.Rsp, 8), OracleCases.BranchTarget(ctx));
                else if (ctx.Code is Code.Jmp_rm64 or Code.Call_rm64)
                    SetOperand0(ctx, OracleCases.BranchTarget(ctx));
                if (ctx.Code == Code.Call_rm64) ctx.FaultChoices = CallFaults(ctx);
                return true;
            },
        }, Mnemonic.Jmp, Mnemonic.Call, Mnemonic.Ret)),
        new("jcc", () => Forms(PerForm, new FormOptions(), Jccs)),
        new("loop-jrcxz", () => Forms(PerForm * 2, new FormOptions
        {
            Hook = ctx => ctx.SetReg(1, CountValue(ctx.Rng)),
        }, Mnemonic.Loop, Mnemonic.Loope, Mnemonic.Loopne, Mnemonic.Jrcxz, Mnemonic.Jecxz)),
        new("flag-ops", () => Forms(PerForm * 2, new FormOptions(), FlagOps)),
        new("nops", () => Forms(PerForm / 2, new FormOptions { NoMemoryAccess = true }, Nops)),
        new("xadd-cmpxchg", () => Forms(PerForm * 2, new FormOptions
        {
            Hook = ctx =>
            {
                if (ctx.Code.Mnemonic() == Mnemonic.Cmpxchg && ctx.Rng.Next(2) == 0 && ctx.Operands[0] is { } dest)
                    ctx.Set(new Loc(0, 0, dest.Size, 0), ctx.Get(dest));
                return true;
            },
        }, Mnemonic.Xadd, Mnemonic.Cmpxchg)),
        new("cmpxchg8b", () => Forms(PerForm * 2, new FormOptions
        {
            Hook = ctx =>
            {
                if (ctx.Rng.Next(2) == 0 && ctx.MemAddress is { } a)
                    ctx.Set(Loc.Memory(a, 8), (uint)ctx.State.Rax | ((ulong)(uint)ctx.State.Rdx << 32));
                return true;
            },
        }, Mnemonic.Cmpxchg8b)),
        new("cmpxchg16b", () => Forms(PerForm * 2, new FormOptions
        {
            Align = 16,
            Hook = ctx =>
            {
                if (ctx.Rng.Next(2) == 0 && ctx.MemAddress is { } a)
                {
                    ctx.Set(Loc.Memory(a, 8), ctx.State.Rax);
                    ctx.Set(Loc.Memory(a + 8, 8), ctx.State.Rdx);
                }
                return true;
            },
        }, Mnemonic.Cmpxchg16b)),
        new("strings", () => Forms(PerForm * 2, new FormOptions(), Strings)),
        new("string-faults", () => Forms(PerForm, new FormOptions { FaultRate = 0.6 }, Strings)),
        new("lock-invalid", LockInvalid),
    ];

    /// <summary>
    /// CALL r/m64 can fault three ways: reading a memory operand, pushing the return address, a non-canonical
    /// target (#GP). Only the #GP needs the operand's value; which of the others comes first is the CPU's choice.
    /// x86vm's order (read, push, #GP) comes first in the list.
    /// </summary>
    internal static List<OracleFault> CallFaults(CaseContext ctx)
    {
        var faults = new List<OracleFault>();
        OracleFault? read = ctx.Operands[0] is { IsMemory: true } m ? OracleFault.OfAccess(m.Address, 8, false) : null;
        if (read is { } r) faults.Add(r);
        if (OracleFault.OfAccess(ctx.State.Rsp - 8, 8, true) is { } push) faults.Add(push);
        ulong target = ctx.Operands[0] is { } l ? ctx.Get(l) : 0;
        if (read == null && (ulong)((long)(target << 16) >> 16) != target)
            faults.Add(new OracleFault(OracleState.SIGSEGV, OracleState.SI_KERNEL, 0));
        return faults.Distinct().Count() > 1 ? faults.Distinct().ToList() : [];
    }

    /// <summary>LOCK on a register destination or on an instruction that cannot be locked: #UD.</summary>
    static List<OracleCase> LockInvalid()
    {
        string[] codes =
        [
            "F0 01 C0", "F0 48 29 D9", "F0 87 C8", "F0 0F C1 C0", "F0 0F B1 C8", "F0 F7 D0", "F0 FF C0", "F0 89 00",
            "F0 8B 00", "F0 85 00", "F0 3B 00", "F0 90", "F0 8D 00", "F0 0F C7 C8",
        ];
        var rng = new Random(77);
        var list = new List<OracleCase>();
        foreach (string hex in codes)
        {
            for (int k = 0; k < 4; k++)
            {
                OracleState s = OracleCases.NewState(rng, false);
                s.Code = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
                s.Rax = OracleState.DataAddress + (ulong)rng.Next(0x800);
                list.Add(new OracleCase { Label = "lock " + hex, Code = OracleCases.Decode(s.Code).Code, Input = s });
            }
        }
        return list;
    }

    public static IEnumerable<object[]> FamilyNames => Families.Select(f => new object[] { f.Name });

    static readonly Dictionary<string, List<OracleCase>> Built = new();

    static List<OracleCase> CasesOf(string name)
    {
        lock (Built)
        {
            if (!Built.TryGetValue(name, out List<OracleCase>? list))
                Built[name] = list = Families.Single(f => f.Name == name).Build();
            return list;
        }
    }

    /// <summary>The Iced forms a family's cases exercise (the instruction at the start of each case's code).</summary>
    public static HashSet<Code> Cover(string family) =>
        CasesOf(family).Select(c => c.Code).Where(c => c != Code.INVALID).ToHashSet();

    [Theory]
    [MemberData(nameof(FamilyNames))]
    public void MatchesHost(string family)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        List<OracleCase> cases = CasesOf(family);
        Assert.NotEmpty(cases);
        if (!NativeOracle.IsAvailable) return;
        TimeSpan built = clock.Elapsed;
        List<string> failures = OracleCheck.Run(cases, out TimeSpan native);
        output.WriteLine($"{family}: {cases.Count} cases, {Cover(family).Count} forms " +
                         $"(build {built.TotalMilliseconds:F0} ms, host {native.TotalMilliseconds:F0} ms, " +
                         $"emulator {(clock.Elapsed - built - native).TotalMilliseconds:F0} ms)");
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {cases.Count} cases differ from the host:\n" + string.Join("\n", failures.Take(25)));
    }

    /// <summary>Every form of every family got cases (a form the generator cannot encode would silently drop out).</summary>
    [Fact]
    public void EveryFormHasCases()
    {
        var missing = new List<string>();
        foreach (Family f in Families.Where(f => f.Name != "lock-invalid"))
        {
            HashSet<Code> cover = Cover(f.Name);
            // Recover the family's mnemonics from its cases' forms; any form of those mnemonics that FormsOf
            // offers must appear.
            Mnemonic[] mnemonics = cover.Select(c => c.Mnemonic()).Distinct().ToArray();
            foreach (Code c in OracleCases.FormsOf(mnemonics))
                if (!cover.Contains(c) && !Families.Any(g => g.Name != f.Name && Cover(g.Name).Contains(c)))
                    missing.Add($"{f.Name}: {c}");
        }
        Assert.True(missing.Count == 0, "forms without cases:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void CountsCoveredForms()
    {
        var all = new HashSet<Code>();
        int cases = 0;
        foreach (Family f in Families)
        {
            HashSet<Code> cover = Cover(f.Name);
            output.WriteLine($"{f.Name,-14} {cover.Count,4} forms {CasesOf(f.Name).Count,6} cases");
            all.UnionWith(cover);
            cases += CasesOf(f.Name).Count;
        }
        Mnemonic[] every = Families.SelectMany(f => Cover(f.Name)).Select(c => c.Mnemonic()).Distinct().ToArray();
        output.WriteLine($"oracle-verified Iced Code values: {all.Count} ({cases} cases)");
        output.WriteLine("forms of these mnemonics not generated: " +
                         string.Join(", ", OracleCases.Skipped(every).Select(c => c.ToString())));
        Assert.True(all.Count > 400, $"only {all.Count} forms covered");
    }
}
