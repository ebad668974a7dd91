using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Instructions;
using X86Vm.Cpu.Memory;
using X86Vm.Tests.Programs;
using X86Vm.Tests.Snapshots;
using static Iced.Intel.AssemblerRegisters;

namespace X86Vm.Tests.Cpu;

/// <summary>
/// --cpu baseline|v2|v3|max: what CPUID reports at each level and which instructions run (SIGILL for an instruction
/// of a level not offered; F3 0F BC/BD as BSF/BSR below max), on a bare CPU and in a whole VM (CPUID, AT_HWCAP,
/// /proc/cpuinfo), and that a snapshot keeps the level.
/// </summary>
public class CpuLevelTests
{
    static readonly StaticProgramSuite Suite = new("cpu");

    [Theory]
    [InlineData(CpuLevel.Baseline, 0x00000000u, 0x00000200u, 0x00u)]
    [InlineData(CpuLevel.V2, 0x00982201u, 0x00000200u, 0x01u)]
    [InlineData(CpuLevel.V3, 0x3cd83201u, 0x00000328u, 0x21u)]
    [InlineData(CpuLevel.Max, 0x3cd83201u, 0x00080328u, 0x21u)]
    public void CpuidReportsTheLevel(CpuLevel level, uint leaf1Ecx, uint leaf7Ebx, uint extEcx)
    {
        Assert.Equal(leaf1Ecx, CpuidTable.Query(level, 1, 0).Ecx);
        Assert.Equal(leaf7Ebx, CpuidTable.Query(level, 7, 0).Ebx);
        Assert.Equal(extEcx, CpuidTable.Query(level, 0x80000001, 0).Ecx);
        // SSE2 and the rest of the baseline at every level.
        Assert.Equal(0x07888111u, CpuidTable.Query(level, 1, 0).Edx);
    }

    static StopReason RunOne(CpuLevel level, Action<Iced.Intel.Assembler> code, out CpuHarness h)
    {
        h = new CpuHarness(JitMode.Compiler(), level);
        h.Assemble(code);
        return h.Run(1);
    }

    [Theory]
    [InlineData(CpuLevel.Baseline, false, false, false)]
    [InlineData(CpuLevel.V2, true, false, false)]
    [InlineData(CpuLevel.V3, true, true, false)]
    [InlineData(CpuLevel.Max, true, true, true)]
    public void InstructionsOfALevelNotOfferedRaiseSigill(CpuLevel level, bool v2, bool v3, bool adx)
    {
        void Check(bool runs, Action<Iced.Intel.Assembler> code)
        {
            StopReason stop = RunOne(level, code, out CpuHarness h);
            if (runs) Assert.Equal(StopReason.InstructionLimit, stop);
            else
            {
                Assert.Equal(StopReason.Fault, stop);
                Assert.Equal(Signals.SIGILL, h.Cpu.PendingFault!.Signal);
            }
        }
        Check(v2, a => a.pshufb(xmm0, xmm1));
        Check(v2, a => a.pcmpistri(xmm0, xmm1, 0x0c));
        Check(v2, a => a.popcnt(rax, rcx));
        Check(v2, a => a.haddps(xmm0, xmm1));
        Check(v2, a => a.lahf());
        Check(v2, a => a.cmpxchg16b(__xmmword_ptr[rsp - 32]));
        Check(v3, a => a.andn(rax, rcx, rdx));
        Check(v3, a => a.pdep(rax, rcx, rdx));
        Check(adx, a => a.adcx(rax, rcx));
        Check(v3, a => a.movbe(rax, __qword_ptr[rsp - 8]));
        Check(v3, a => a.vpaddb(ymm0, ymm1, ymm2));
        Check(v3, a => a.vfmadd231ps(xmm0, xmm1, xmm2));
        Check(v3, a => a.vcvtph2ps(ymm0, xmm1));
        Check(v3, a => a.xgetbv());
        Check(true, a => a.paddb(xmm0, xmm1)); // SSE2: every level
    }

    [Theory]
    [InlineData(CpuLevel.Baseline)]
    [InlineData(CpuLevel.V2)]
    [InlineData(CpuLevel.V3)]
    [InlineData(CpuLevel.Max)]
    public void TzcntAndLzcntAreBsfAndBsrWithoutBmi(CpuLevel level)
    {
        // TZCNT of 0: the operand width with CF set; BSF of 0 leaves the destination and sets ZF.
        Assert.Equal(StopReason.InstructionLimit, RunOne(level, a => a.tzcnt(rax, rcx), out CpuHarness h));
        // (the harness starts with rax = rcx = 0)
        Assert.Equal(level >= CpuLevel.V3 ? 64UL : 0UL, h.Cpu.R(0));
        Assert.Equal(StopReason.InstructionLimit, RunOne(level, a => { a.mov(rcx, 8); a.lzcnt(rax, rcx); }, out h));
        h.Run(1);
        Assert.Equal(level >= CpuLevel.V3 ? 60UL : 3UL, h.Cpu.R(0));
    }

    [Fact]
    public void V4IsRefusedWithAReason()
    {
        Assert.Null(CpuLevels.Parse("v4", out string? error));
        Assert.Contains("AVX-512", error);
        Assert.Equal(CpuLevel.V2, CpuLevels.Parse("x86-64-v2", out _));
        Assert.Equal(CpuLevels.Default, CpuLevels.Parse("v3", out _));
        Assert.Equal(CpuLevel.V3, CpuLevels.Parse("x86-64-v3", out _));
        Assert.Equal(CpuLevel.Max, CpuLevels.Parse("max", out _));
    }

    [Theory]
    [InlineData(CpuLevel.V2, 0u, 0u)]
    [InlineData(CpuLevel.V3, 7u, 832u)]
    public void XsaveLeafAndXgetbvAgree(CpuLevel level, uint components, uint size)
    {
        Assert.Equal((components, size, size, 0u), CpuidTable.Query(level, 0xD, 0));
        if (level < CpuLevel.V3) return;
        Assert.Equal((3u, 832u, 0u, 0u), CpuidTable.Query(level, 0xD, 1)); // XSAVEOPT, XSAVEC
        Assert.Equal((256u, 576u, 0u, 0u), CpuidTable.Query(level, 0xD, 2)); // YMM_Hi128
        Assert.Equal(StopReason.InstructionLimit, RunOne(level, a => a.xgetbv(), out CpuHarness h)); // ECX = 0
        Assert.Equal(7UL, h.Cpu.R(0));
        Assert.Equal(0UL, h.Cpu.R(2));
    }

    static VirtualMachineOptions Options(string program, string[] args, Stream stdout, CpuLevel level) => new()
    {
        Program = program,
        Arguments = args,
        Stdout = stdout,
        Stderr = new MemoryStream(),
        WorkingDirectory = "/",
        Mounts = GuestRunner.ReadOnlyRootView,
        Deterministic = true,
        Jit = GuestRunner.RunJit != null,
        JitThreshold = GuestRunner.RunJit?.Threshold ?? 1000,
        JitSynchronous = GuestRunner.RunJit?.Synchronous ?? false,
        Cpu = level,
    };

    static string Run(string program, CpuLevel level, string[] args)
    {
        var stdout = new MemoryStream();
        var vm = new VirtualMachine(Options(program, args, stdout, level));
        RunResult r = vm.Run(ulong.MaxValue);
        Assert.Equal(RunStatus.Exited, r.Status);
        return SnapshotRuns.Text(stdout);
    }

    [Theory]
    [InlineData("gcc")]
    [InlineData("musl")]
    public void AWholeVmReportsItsLevel(string variant)
    {
        string program = Suite.Build("cpulevel", variant) ?? throw new InvalidOperationException($"{variant} toolchain missing");
        string baseline = Run(program, CpuLevel.Baseline, []), v2 = Run(program, CpuLevel.V2, []), max = Run(program, CpuLevel.Max, []);
        Assert.Contains("leaf1 ecx=00000000 edx=07888111 leaf7 ebx=00000200 ext ecx=00000000 hwcap=07888111", baseline);
        Assert.Contains("runs: !sse3 !ssse3 !sse4.1 !sse4.2 !popcnt !cx16 !movbe !bmi1 !bmi2 !adx", baseline);
        Assert.Contains("tzcnt(0)=77 lzcnt(8)=3", baseline);
        Assert.DoesNotContain(" sse4_2", baseline);
        Assert.Contains("runs: sse3 ssse3 sse4.1 sse4.2 popcnt cx16 !movbe !bmi1 !bmi2 !adx", v2);
        Assert.Contains("tzcnt(0)=77 lzcnt(8)=3", v2);
        Assert.Contains(" ssse3 cx16 sse4_1 sse4_2 popcnt lahf_lm ", v2);
        Assert.Contains("runs: sse3 ssse3 sse4.1 sse4.2 popcnt cx16 movbe bmi1 bmi2 adx", max);
        Assert.Contains("tzcnt(0)=64 lzcnt(8)=60", max);
        Assert.Contains(" ssse3 fma cx16 ", max);
        Assert.Contains(" movbe popcnt xsave avx f16c lahf_lm abm bmi1 avx2 bmi2 erms adx xsaveopt xsavec ", max);
        string v3 = Run(program, CpuLevel.V3, []);
        Assert.Contains("runs: sse3 ssse3 sse4.1 sse4.2 popcnt cx16 movbe bmi1 bmi2 !adx", v3);
        Assert.Contains(" movbe popcnt xsave avx f16c lahf_lm abm bmi1 avx2 bmi2 erms xsaveopt xsavec ", v3);
    }

    /// <summary>glibc's dynamic loader sees the level: its ISA-level bits (baseline 1, v2 2, v3 4) and the XSAVE state size it uses.</summary>
    [Theory]
    [InlineData(CpuLevel.V2, "x86.cpu_features.isa_1=0x3")]
    [InlineData(CpuLevel.V3, "x86.cpu_features.isa_1=0x7")]
    public void GlibcSelectsTheLevel(CpuLevel level, string isa)
    {
        const string loader = "/lib64/ld-linux-x86-64.so.2";
        if (!File.Exists(loader)) return; // no glibc on this host
        string diagnostics = Run(loader, level, ["--list-diagnostics"]);
        Assert.Contains(isa + "\n", diagnostics);
        if (level == CpuLevel.V3) Assert.Contains("x86.cpu_features.xsave_state_size=0x380\n", diagnostics); // XSAVEC of x87, SSE, AVX
    }

    [Fact]
    public void ASnapshotKeepsTheLevel()
    {
        string program = Suite.Build("cpulevel", "musl") ?? throw new InvalidOperationException("musl-gcc missing");
        var stdout = new MemoryStream();
        var vm = new VirtualMachine(Options(program, ["twice"], stdout, CpuLevel.V2));
        Assert.Equal(RunStatus.OutOfBudget, vm.Run(2_000_000).Status);
        var saved = new MemoryStream();
        vm.SaveSnapshot(saved);
        string before = SnapshotRuns.Text(stdout);
        var rest = new MemoryStream();
        vm = VirtualMachine.LoadSnapshot(new MemoryStream(saved.ToArray()), SnapshotRuns.Restore(rest));
        Assert.Equal(RunStatus.Exited, vm.Run(ulong.MaxValue).Status);
        string after = SnapshotRuns.Text(rest);
        Assert.DoesNotContain("busy", before);
        string first = before[..before.IndexOf("flags", StringComparison.Ordinal)];
        Assert.Contains("runs: sse3 ssse3 sse4.1 sse4.2 popcnt cx16 !movbe !bmi1 !bmi2 !adx", first);
        // After the restore the second report is the same as the first.
        Assert.Contains(first, after[after.IndexOf("busy", StringComparison.Ordinal)..]);
    }
}
