using Iced.Intel;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using static Iced.Intel.AssemblerRegisters;

namespace X86Vm.Tests.Cpu;

/// <summary>
/// MOVS STOS LODS SCAS CMPS, plain and repeated. Expected register values at faults, with the 0x67
/// prefix and for overlapping copies were measured natively on this host (AMD EPYC) with small C
/// programs using inline assembly (signal handler reading the ucontext).
/// </summary>
public class InstStringTests
{
    const ulong D = CpuHarness.DataBase;
    const ulong Status = RFlags.CF | RFlags.PF | RFlags.AF | RFlags.ZF | RFlags.SF | RFlags.OF;

    static Action<Assembler> Op(string kind, int size) => (kind, size) switch
    {
        ("movs", 1) => a => a.movsb(), ("movs", 2) => a => a.movsw(), ("movs", 4) => a => a.movsd(), ("movs", 8) => a => a.movsq(),
        ("stos", 1) => a => a.stosb(), ("stos", 2) => a => a.stosw(), ("stos", 4) => a => a.stosd(), ("stos", 8) => a => a.stosq(),
        ("lods", 1) => a => a.lodsb(), ("lods", 2) => a => a.lodsw(), ("lods", 4) => a => a.lodsd(), ("lods", 8) => a => a.lodsq(),
        ("scas", 1) => a => a.scasb(), ("scas", 2) => a => a.scasw(), ("scas", 4) => a => a.scasd(), ("scas", 8) => a => a.scasq(),
        ("cmps", 1) => a => a.cmpsb(), ("cmps", 2) => a => a.cmpsw(), ("cmps", 4) => a => a.cmpsd(), ("cmps", 8) => a => a.cmpsq(),
        _ => throw new ArgumentException($"{kind}{size}"),
    };

    static CpuHarness Harness(Action<Assembler> build, bool df = false)
    {
        var h = new CpuHarness();
        h.Assemble(build);
        if (df) h.Cpu.Rflags |= RFlags.DF;
        return h;
    }

    /// <summary>Runs with a large budget into the UD2 that follows the instruction under test.</summary>
    static void RunToUd2(CpuHarness h)
    {
        Assert.Equal(StopReason.Fault, h.Run(1_000_000));
        Assert.Equal(Signals.SIGILL, h.Cpu.PendingFault!.Signal);
    }

    /// <summary>Length of the first instruction of the harness code (the one under test).</summary>
    static ulong FirstLength(CpuHarness h)
    {
        var bytes = new byte[16];
        h.Memory.Read(CpuHarness.CodeBase, bytes);
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes));
        decoder.IP = CpuHarness.CodeBase;
        return (ulong)decoder.Decode().Length;
    }

    static byte[] Pattern(int length, int seed = 1)
    {
        var b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte)(i * 7 + seed + (i >> 8));
        return b;
    }

    static byte[] ReadBytes(CpuHarness h, ulong address, int length)
    {
        var b = new byte[length];
        h.Memory.Read(address, b);
        return b;
    }

    static ulong Element(byte[] bytes, int offset, int size)
    {
        ulong v = 0;
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | bytes[offset + i];
        return v;
    }

    static ulong Mask(int size) => size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;

    static ulong R(CpuHarness h, int reg) => h.Cpu.R(reg);

    // ---------------------------------------------------------------- single iterations

    public static IEnumerable<object[]> SizesAndDirections()
    {
        foreach (int size in new[] { 1, 2, 4, 8 })
            foreach (bool df in new[] { false, true })
                yield return [size, df];
    }

    [Theory, MemberData(nameof(SizesAndDirections))]
    public void MovsCopiesOneElementAndAdvances(int size, bool df)
    {
        var h = Harness(Op("movs", size), df);
        h.Memory.Write(D + 0x100, Pattern(16));
        h.Cpu.R(Reg.RSI) = D + 0x100;
        h.Cpu.R(Reg.RDI) = D + 0x800;
        h.Cpu.R(Reg.RCX) = 77;
        Assert.Equal(StopReason.InstructionLimit, h.Run(1));
        byte[] expected = new byte[16];
        Array.Copy(Pattern(16), expected, size);
        Assert.Equal(expected, ReadBytes(h, D + 0x800, 16));
        ulong step = df ? (ulong)-size : (ulong)size;
        Assert.Equal(D + 0x100 + step, R(h, Reg.RSI));
        Assert.Equal(D + 0x800 + step, R(h, Reg.RDI));
        Assert.Equal(77UL, R(h, Reg.RCX));
        Assert.Equal(1UL, h.Cpu.Retired);
        Assert.Equal(CpuHarness.CodeBase + FirstLength(h), h.Cpu.Rip);
    }

    [Theory, MemberData(nameof(SizesAndDirections))]
    public void StosStoresAccumulator(int size, bool df)
    {
        var h = Harness(Op("stos", size), df);
        h.Cpu.R(Reg.RAX) = 0x1122334455667788;
        h.Cpu.R(Reg.RDI) = D + 0x800;
        h.Run(1);
        Assert.Equal(0x1122334455667788 & Mask(size), h.Memory.Read<ulong>(D + 0x800));
        Assert.Equal(D + 0x800 + (df ? (ulong)-size : (ulong)size), R(h, Reg.RDI));
    }

    [Theory, MemberData(nameof(SizesAndDirections))]
    public void LodsLoadsAccumulator(int size, bool df)
    {
        var h = Harness(Op("lods", size), df);
        h.Memory.Write(D + 0x100, Pattern(8));
        h.Cpu.R(Reg.RAX) = ulong.MaxValue;
        h.Cpu.R(Reg.RSI) = D + 0x100;
        h.Run(1);
        ulong loaded = Element(Pattern(8), 0, size);
        ulong expected = size switch
        {
            4 => loaded,                            // LODSD zero-extends into RAX
            8 => loaded,
            _ => (ulong.MaxValue & ~Mask(size)) | loaded,
        };
        Assert.Equal(expected, R(h, Reg.RAX));
        Assert.Equal(D + 0x100 + (df ? (ulong)-size : (ulong)size), R(h, Reg.RSI));
    }

    [Theory, MemberData(nameof(SizesAndDirections))]
    public void ScasComparesAccumulatorWithMemory(int size, bool df)
    {
        var h = Harness(a => { Op("scas", size)(a); Op("scas", size)(a); }, df);
        h.Memory.Write(D + 0x100, 5UL);
        h.Memory.Write(D + 0x108, 5UL);
        h.Cpu.R(Reg.RAX) = 5;
        h.Cpu.R(Reg.RDI) = D + 0x100;
        h.Run(1);
        Assert.Equal(RFlags.ZF | RFlags.PF, h.Cpu.StatusFlags & Status);
        h.Cpu.R(Reg.RAX) = 3;
        h.Cpu.R(Reg.RDI) = D + 0x108;
        h.Run(1);
        // 3 - 5: borrow, negative, AF (3 - 5 borrows from bit 4), parity of 0xFE is odd.
        Assert.Equal(RFlags.CF | RFlags.SF | RFlags.AF, h.Cpu.StatusFlags & Status);
        Assert.Equal(D + 0x108 + (df ? (ulong)-size : (ulong)size), R(h, Reg.RDI));
    }

    [Theory, MemberData(nameof(SizesAndDirections))]
    public void CmpsComparesSourceWithDestination(int size, bool df)
    {
        var h = Harness(Op("cmps", size), df);
        ulong big = 0x8000000000000000UL >> (64 - size * 8);
        h.Memory.Write(D + 0x100, big);      // [RSI] = most negative
        h.Memory.Write(D + 0x200, 1UL);      // [RDI] = 1
        h.Cpu.R(Reg.RSI) = D + 0x100;
        h.Cpu.R(Reg.RDI) = D + 0x200;
        h.Run(1);
        // MIN - 1 overflows to MAX: OF and AF, no carry; PF from the low byte (0x7F odd, 0xFF even).
        Assert.Equal(RFlags.OF | RFlags.AF | (size > 1 ? RFlags.PF : 0), h.Cpu.StatusFlags & Status);
        ulong step = df ? (ulong)-size : (ulong)size;
        Assert.Equal(D + 0x100 + step, R(h, Reg.RSI));
        Assert.Equal(D + 0x200 + step, R(h, Reg.RDI));
    }

    // ---------------------------------------------------------------- REP with various counts

    public static IEnumerable<object[]> RepCases()
    {
        foreach (int size in new[] { 1, 2, 4, 8 })
            foreach (bool df in new[] { false, true })
                foreach (int count in new[] { 0, 1, 3, 100, 1500 })
                    yield return [size, df, count];
    }

    /// <summary>Lays out a source and destination region of <paramref name="count"/> elements and points RSI/RDI at their first element in the DF direction.</summary>
    static (ulong Src, ulong Dst) Regions(CpuHarness h, int size, bool df, int count)
    {
        ulong src = D + 0x0F3, dst = D + 0x84F5; // unaligned, so chunks straddle page boundaries
        int bytes = Math.Max(count * size, 1);
        h.Memory.Write(src, Pattern(bytes));
        h.Cpu.R(Reg.RSI) = df && count > 0 ? src + (ulong)((count - 1) * size) : src;
        h.Cpu.R(Reg.RDI) = df && count > 0 ? dst + (ulong)((count - 1) * size) : dst;
        h.Cpu.R(Reg.RCX) = (ulong)count;
        return (src, dst);
    }

    static void AssertRepFinished(CpuHarness h, int count)
    {
        Assert.Equal(0UL, R(h, Reg.RCX));
        Assert.Equal((ulong)Math.Max(count, 1), h.Cpu.Retired); // RCX = 0 still retires once
        Assert.Equal(CpuHarness.CodeBase + FirstLength(h), h.Cpu.Rip);
    }

    static void AssertPointersAdvanced(CpuHarness h, int reg, ulong start, int size, bool df, int count)
    {
        ulong expected = df ? start - (ulong)(count * size) : start + (ulong)(count * size);
        Assert.Equal(expected, R(h, reg));
    }

    [Theory, MemberData(nameof(RepCases))]
    public void RepMovs(int size, bool df, int count)
    {
        var h = Harness(a => { Op("movs", size)(a.rep); a.nop(); }, df);
        var (_, dst) = Regions(h, size, df, count);
        ulong rsi = R(h, Reg.RSI), rdi = R(h, Reg.RDI);
        Assert.Equal(StopReason.InstructionLimit, h.Run((ulong)Math.Max(count, 1)));
        AssertRepFinished(h, count);
        byte[] expected = Pattern(Math.Max(count * size, 1));
        if (count == 0) expected[0] = 0;
        Assert.Equal(expected, ReadBytes(h, dst, expected.Length));
        Assert.Equal(0, ReadBytes(h, dst + (ulong)(count * size), 1)[0]);
        if (df) Assert.Equal(0, ReadBytes(h, dst - 1, 1)[0]);
        AssertPointersAdvanced(h, Reg.RSI, rsi, size, df, count);
        AssertPointersAdvanced(h, Reg.RDI, rdi, size, df, count);
    }

    [Theory, MemberData(nameof(RepCases))]
    public void RepStos(int size, bool df, int count)
    {
        var h = Harness(a => { Op("stos", size)(a.rep); a.nop(); }, df);
        var (_, dst) = Regions(h, size, df, count);
        ulong rdi = R(h, Reg.RDI);
        h.Cpu.R(Reg.RAX) = 0xA1B2C3D4E5F60718;
        h.Run((ulong)Math.Max(count, 1));
        AssertRepFinished(h, count);
        byte[] written = ReadBytes(h, dst, count * size + 1);
        for (int i = 0; i < count; i++)
            Assert.Equal(0xA1B2C3D4E5F60718 & Mask(size), Element(written, i * size, size));
        Assert.Equal(0, written[count * size]);
        AssertPointersAdvanced(h, Reg.RDI, rdi, size, df, count);
        Assert.Equal(0xA1B2C3D4E5F60718UL, R(h, Reg.RAX));
    }

    [Theory, MemberData(nameof(RepCases))]
    public void RepLods(int size, bool df, int count)
    {
        var h = Harness(a => { Op("lods", size)(a.rep); a.nop(); }, df);
        Regions(h, size, df, count);
        ulong rsi = R(h, Reg.RSI);
        h.Cpu.R(Reg.RAX) = ulong.MaxValue;
        h.Run((ulong)Math.Max(count, 1));
        AssertRepFinished(h, count);
        AssertPointersAdvanced(h, Reg.RSI, rsi, size, df, count);
        if (count == 0)
        {
            Assert.Equal(ulong.MaxValue, R(h, Reg.RAX));
            return;
        }
        ulong last = Element(Pattern(count * size), df ? 0 : (count - 1) * size, size);
        ulong expected = size >= 4 ? last : (ulong.MaxValue & ~Mask(size)) | last;
        Assert.Equal(expected, R(h, Reg.RAX));
    }

    [Theory, MemberData(nameof(RepCases))]
    public void RepeScasAllEqualRunsOut(int size, bool df, int count)
    {
        var h = Harness(a => { Op("scas", size)(a.repe); a.nop(); }, df);
        var (_, dst) = Regions(h, size, df, count);
        ulong rdi = R(h, Reg.RDI);
        for (int i = 0; i < count; i++) h.Memory.Write(dst + (ulong)(i * size), new byte[size]);
        h.Cpu.R(Reg.RAX) = 0;
        h.Cpu.SetStatusFlags(RFlags.CF); // RCX = 0 must leave the flags alone
        h.Run((ulong)Math.Max(count, 1));
        AssertRepFinished(h, count);
        AssertPointersAdvanced(h, Reg.RDI, rdi, size, df, count);
        Assert.Equal(count == 0 ? RFlags.CF : RFlags.ZF | RFlags.PF, h.Cpu.StatusFlags & Status);
    }

    [Theory, MemberData(nameof(RepCases))]
    public void RepeCmpsAllEqualRunsOut(int size, bool df, int count)
    {
        var h = Harness(a => { Op("cmps", size)(a.repe); a.nop(); }, df);
        var (_, dst) = Regions(h, size, df, count);
        ulong rsi = R(h, Reg.RSI), rdi = R(h, Reg.RDI);
        h.Memory.Write(dst, Pattern(Math.Max(count * size, 1)));
        h.Run((ulong)Math.Max(count, 1));
        AssertRepFinished(h, count);
        AssertPointersAdvanced(h, Reg.RSI, rsi, size, df, count);
        AssertPointersAdvanced(h, Reg.RDI, rdi, size, df, count);
        if (count > 0) Assert.Equal(RFlags.ZF | RFlags.PF, h.Cpu.StatusFlags & Status);
    }

    // ---------------------------------------------------------------- REPE / REPNE early exit

    [Fact]
    public void RepeCmpsbStopsAtFirstDifference()
    {
        // Native: "abcdef" vs "abcxef", RCX = 6 → RCX = 2, RSI += 4, flags CF|AF|SF (0x64 - 0x78).
        var h = Harness(a => { a.repe.cmpsb(); a.ud2(); });
        h.Memory.Write(D, "abcdef"u8);
        h.Memory.Write(D + 0x100, "abcxef"u8);
        h.Cpu.R(Reg.RSI) = D;
        h.Cpu.R(Reg.RDI) = D + 0x100;
        h.Cpu.R(Reg.RCX) = 6;
        RunToUd2(h);
        Assert.Equal(2UL, R(h, Reg.RCX));
        Assert.Equal(D + 4, R(h, Reg.RSI));
        Assert.Equal(D + 0x104, R(h, Reg.RDI));
        Assert.Equal(RFlags.CF | RFlags.AF | RFlags.SF, h.Cpu.StatusFlags & Status);
        Assert.Equal(4UL, h.Cpu.Retired);
        Assert.Equal(CpuHarness.CodeBase + FirstLength(h), h.Cpu.Rip);
    }

    [Fact]
    public void RepneScasbFindsTerminator()
    {
        // strlen idiom: RCX = -1, AL = 0.
        var h = Harness(a => { a.repne.scasb(); a.ud2(); });
        h.Memory.Write(D + 0x10, "hello\0"u8);
        h.Cpu.R(Reg.RDI) = D + 0x10;
        h.Cpu.R(Reg.RCX) = ulong.MaxValue;
        h.Cpu.R(Reg.RAX) = 0x4100;
        RunToUd2(h);
        Assert.Equal(ulong.MaxValue - 6, R(h, Reg.RCX));
        Assert.Equal(D + 0x16, R(h, Reg.RDI));
        Assert.Equal(RFlags.ZF | RFlags.PF, h.Cpu.StatusFlags & Status);
        Assert.Equal(6UL, h.Cpu.Retired);
        Assert.Equal(CpuHarness.CodeBase + FirstLength(h), h.Cpu.Rip);
    }

    public static IEnumerable<object[]> EarlyExitCases()
    {
        foreach (int size in new[] { 1, 2, 4, 8 })
            foreach (bool df in new[] { false, true })
                foreach (int at in new[] { 0, 5, 700, 2999 })
                    yield return [size, df, at];
    }

    [Theory, MemberData(nameof(EarlyExitCases))]
    public void RepneScasStopsOnMatch(int size, bool df, int at)
    {
        const int count = 3000;
        var h = Harness(a => { Op("scas", size)(a.repne); a.ud2(); }, df);
        var (_, dst) = Regions(h, size, df, count);
        ulong rdi = R(h, Reg.RDI);
        var region = new byte[count * size];
        Array.Fill(region, (byte)0x11);
        int index = df ? count - 1 - at : at; // element position in memory
        region[index * size] = 0x42;
        h.Memory.Write(dst, region);
        h.Cpu.R(Reg.RAX) = Element(region, index * size, size);
        RunToUd2(h);
        Assert.Equal((ulong)(count - at - 1), R(h, Reg.RCX));
        ulong step = df ? (ulong)-size : (ulong)size;
        Assert.Equal(rdi + (ulong)(at + 1) * step, R(h, Reg.RDI));
        Assert.True((h.Cpu.StatusFlags & RFlags.ZF) != 0);
        Assert.Equal((ulong)at + 1, h.Cpu.Retired);
        Assert.Equal(CpuHarness.CodeBase + FirstLength(h), h.Cpu.Rip);
    }

    [Theory, MemberData(nameof(EarlyExitCases))]
    public void RepeCmpsStopsOnMismatch(int size, bool df, int at)
    {
        const int count = 3000;
        var h = Harness(a => { Op("cmps", size)(a.repe); a.ud2(); }, df);
        var (_, dst) = Regions(h, size, df, count);
        ulong rsi = R(h, Reg.RSI), rdi = R(h, Reg.RDI);
        byte[] same = Pattern(count * size);
        int index = df ? count - 1 - at : at;
        byte[] other = (byte[])same.Clone();
        other[index * size + size - 1] ^= 0x80; // top byte differs: source smaller or greater by 2^(8·size−1)
        h.Memory.Write(dst, other);
        RunToUd2(h);
        Assert.Equal((ulong)(count - at - 1), R(h, Reg.RCX));
        ulong step = df ? (ulong)-size : (ulong)size;
        Assert.Equal(rsi + (ulong)(at + 1) * step, R(h, Reg.RSI));
        Assert.Equal(rdi + (ulong)(at + 1) * step, R(h, Reg.RDI));
        ulong x = Element(same, index * size, size), y = Element(other, index * size, size);
        Assert.Equal(0UL, h.Cpu.StatusFlags & RFlags.ZF);
        Assert.Equal(x < y, (h.Cpu.StatusFlags & RFlags.CF) != 0);
        Assert.Equal((ulong)at + 1, h.Cpu.Retired);
        Assert.Equal(CpuHarness.CodeBase + FirstLength(h), h.Cpu.Rip);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(8, false)]
    [InlineData(1, true)]
    public void RepneCmpsStopsOnFirstEqualPair(int size, bool df)
    {
        const int count = 500;
        var h = Harness(a => { Op("cmps", size)(a.repne); a.ud2(); }, df);
        var (_, dst) = Regions(h, size, df, count);
        byte[] src = Pattern(count * size);
        byte[] other = new byte[count * size];
        for (int i = 0; i < other.Length; i++) other[i] = (byte)~src[i];
        const int at = 321;
        int index = df ? count - 1 - at : at;
        Array.Copy(src, index * size, other, index * size, size);
        h.Memory.Write(dst, other);
        RunToUd2(h);
        Assert.Equal((ulong)at + 1, h.Cpu.Retired);
        Assert.Equal((ulong)(count - at - 1), R(h, Reg.RCX));
        Assert.True((h.Cpu.StatusFlags & RFlags.ZF) != 0);
        Assert.Equal(CpuHarness.CodeBase + FirstLength(h), h.Cpu.Rip);
    }

    // ---------------------------------------------------------------- instruction limit inside a REP

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RepMovsbStoppedByInstructionLimitResumes(bool df)
    {
        const int count = 10000;
        var h = Harness(a => { a.mov(eax, 1); a.rep.movsb(); a.nop(); }, df);
        var (_, dst) = Regions(h, 1, df, count);
        ulong rsi = R(h, Reg.RSI), rdi = R(h, Reg.RDI);
        ulong step = df ? ulong.MaxValue : 1;
        ulong movLength = 5;

        Assert.Equal(StopReason.InstructionLimit, h.Run(1 + 3001));
        Assert.Equal((ulong)(count - 3001), R(h, Reg.RCX));
        Assert.Equal(rsi + 3001 * step, R(h, Reg.RSI));
        Assert.Equal(rdi + 3001 * step, R(h, Reg.RDI));
        Assert.Equal(3002UL, h.Cpu.Retired);
        Assert.Equal(CpuHarness.CodeBase + movLength, h.Cpu.Rip); // still on the REP MOVSB
        byte[] partial = ReadBytes(h, dst, count);
        int copiedFrom = df ? count - 3001 : 0;
        for (int i = 0; i < count; i++)
            Assert.Equal(i >= copiedFrom && i < copiedFrom + 3001 ? Pattern(count)[i] : 0, partial[i]);

        Assert.Equal(StopReason.InstructionLimit, h.Run(1));   // a single iteration
        Assert.Equal((ulong)(count - 3002), R(h, Reg.RCX));
        Assert.Equal(CpuHarness.CodeBase + movLength, h.Cpu.Rip);

        h.Run((ulong)(count - 3002));                          // exactly the rest
        Assert.Equal(0UL, R(h, Reg.RCX));
        Assert.Equal((ulong)count + 1, h.Cpu.Retired);
        Assert.Equal(CpuHarness.CodeBase + movLength + 2, h.Cpu.Rip);
        Assert.Equal(Pattern(count), ReadBytes(h, dst, count));
    }

    [Fact]
    public void RepStosqStoppedByInstructionLimit()
    {
        var h = Harness(a => { a.rep.stosq(); a.nop(); });
        h.Cpu.R(Reg.RDI) = D + 0x10;
        h.Cpu.R(Reg.RCX) = 1000;
        h.Cpu.R(Reg.RAX) = 0x0102030405060708;
        h.Run(777);
        Assert.Equal(223UL, R(h, Reg.RCX));
        Assert.Equal(D + 0x10 + 777 * 8, R(h, Reg.RDI));
        Assert.Equal(CpuHarness.CodeBase, h.Cpu.Rip);
        Assert.Equal(0x0102030405060708UL, h.Memory.Read<ulong>(D + 0x10 + 776 * 8));
        Assert.Equal(0UL, h.Memory.Read<ulong>(D + 0x10 + 777 * 8));
        h.Run(223);
        Assert.Equal(0UL, R(h, Reg.RCX));
        Assert.Equal(CpuHarness.CodeBase + 3, h.Cpu.Rip);
        Assert.Equal(0x0102030405060708UL, h.Memory.Read<ulong>(D + 0x10 + 999 * 8));
    }

    [Fact]
    public void RepeCmpsbStoppedByInstructionLimitKeepsFlagsOfLastIteration()
    {
        var h = Harness(a => { a.repe.cmpsb(); a.nop(); });
        h.Memory.Write(D, "aaaab"u8);
        h.Memory.Write(D + 0x100, "aaaac"u8);
        h.Cpu.R(Reg.RSI) = D;
        h.Cpu.R(Reg.RDI) = D + 0x100;
        h.Cpu.R(Reg.RCX) = 5;
        h.Run(2);
        Assert.Equal(3UL, R(h, Reg.RCX));
        Assert.Equal(RFlags.ZF | RFlags.PF, h.Cpu.StatusFlags & Status);
        Assert.Equal(CpuHarness.CodeBase, h.Cpu.Rip);
        h.Run(3);
        Assert.Equal(0UL, R(h, Reg.RCX));
        Assert.Equal(RFlags.CF | RFlags.SF | RFlags.AF | RFlags.PF, h.Cpu.StatusFlags & Status); // 'b' - 'c' = 0xFF
        Assert.Equal(CpuHarness.CodeBase + 2, h.Cpu.Rip);
        Assert.Equal(5UL, h.Cpu.Retired);
    }

    [Fact]
    public void LimitEqualToCountFinishesTheInstruction()
    {
        var h = Harness(a => { a.rep.movsb(); a.nop(); });
        Regions(h, 1, false, 200);
        h.Run(200);
        Assert.Equal(0UL, R(h, Reg.RCX));
        Assert.Equal(CpuHarness.CodeBase + 2, h.Cpu.Rip);
        h.Run(1);
        Assert.Equal(CpuHarness.CodeBase + 3, h.Cpu.Rip);
        Assert.Equal(201UL, h.Cpu.Retired);
    }

    // ---------------------------------------------------------------- faults inside a REP

    /// <summary>The harness data region with its third page (D+0x2000) unmapped.</summary>
    static CpuHarness HoleHarness(Action<Assembler> build, bool df = false)
    {
        var h = Harness(build, df);
        h.Memory.Unmap(D + 0x2000, 0x1000);
        return h;
    }

    static void AssertSegv(CpuHarness h, StopReason stop, ulong address)
    {
        Assert.Equal(StopReason.Fault, stop);
        Assert.NotNull(h.Cpu.PendingFault);
        Assert.Equal(Signals.SIGSEGV, h.Cpu.PendingFault!.Signal);
        Assert.Equal(Signals.SEGV_MAPERR, h.Cpu.PendingFault.SiCode);
        Assert.Equal(address, h.Cpu.PendingFault.SiAddr);
    }

    [Fact]
    public void RepMovsbDestinationFaultReportsProgressAndResumes()
    {
        // Native: RDI = hole − 100, RCX = 300 → si_addr = hole, RCX = 200, RSI += 100, RDI = hole.
        var h = HoleHarness(a => { a.rep.movsb(); a.nop(); });
        h.Memory.Write(D + 0x3000, Pattern(300));
        h.Cpu.R(Reg.RSI) = D + 0x3000;
        h.Cpu.R(Reg.RDI) = D + 0x2000 - 100;
        h.Cpu.R(Reg.RCX) = 300;
        AssertSegv(h, h.Run(1000), D + 0x2000);
        Assert.Equal(200UL, R(h, Reg.RCX));
        Assert.Equal(D + 0x3064, R(h, Reg.RSI));
        Assert.Equal(D + 0x2000, R(h, Reg.RDI));
        Assert.Equal(100UL, h.Cpu.Retired);
        Assert.Equal(CpuHarness.CodeBase, h.Cpu.Rip);
        Assert.Equal(Pattern(300)[..100], ReadBytes(h, D + 0x2000 - 100, 100));

        // The "signal handler" maps the page; the instruction resumes where it stopped.
        h.Memory.Map(D + 0x2000, 0x1000, Protection.ReadWrite, MappingFlags.None, "data");
        h.Cpu.PendingFault = null;
        Assert.Equal(StopReason.InstructionLimit, h.Run(200));
        Assert.Equal(0UL, R(h, Reg.RCX));
        Assert.Equal(300UL, h.Cpu.Retired);
        Assert.Equal(CpuHarness.CodeBase + 2, h.Cpu.Rip);
        Assert.Equal(Pattern(300), ReadBytes(h, D + 0x2000 - 100, 300));
    }

    [Fact]
    public void RepMovsbSourceFault()
    {
        var h = HoleHarness(a => { a.rep.movsb(); a.nop(); });
        h.Cpu.R(Reg.RSI) = D + 0x2000 - 100;
        h.Cpu.R(Reg.RDI) = D + 0x3000;
        h.Cpu.R(Reg.RCX) = 300;
        AssertSegv(h, h.Run(1000), D + 0x2000);
        Assert.Equal(200UL, R(h, Reg.RCX));
        Assert.Equal(D + 0x2000, R(h, Reg.RSI));
        Assert.Equal(D + 0x3064, R(h, Reg.RDI));
        Assert.Equal(100UL, h.Cpu.Retired);
    }

    [Fact]
    public void RepStosqStraddlingElementFaultsAtFirstBadByte()
    {
        // Native: RDI = hole − 20, RCX = 10 → si_addr = hole, RCX = 8, RDI = hole − 4; nothing of element 2 written.
        var h = HoleHarness(a => { a.rep.stosq(); a.nop(); });
        h.Cpu.R(Reg.RDI) = D + 0x2000 - 20;
        h.Cpu.R(Reg.RCX) = 10;
        h.Cpu.R(Reg.RAX) = ulong.MaxValue;
        AssertSegv(h, h.Run(1000), D + 0x2000);
        Assert.Equal(8UL, R(h, Reg.RCX));
        Assert.Equal(D + 0x2000 - 4, R(h, Reg.RDI));
        Assert.Equal(2UL, h.Cpu.Retired);
        Assert.Equal(0u, h.Memory.Read<uint>(D + 0x2000 - 4));
    }

    [Fact]
    public void RepMovsqStraddlingSourceFault()
    {
        // Native: RSI = hole − 20 → si_addr = hole, RCX = 8, RSI = hole − 4, RDI += 16.
        var h = HoleHarness(a => { a.rep.movsq(); a.nop(); });
        h.Cpu.R(Reg.RSI) = D + 0x2000 - 20;
        h.Cpu.R(Reg.RDI) = D + 0x3000;
        h.Cpu.R(Reg.RCX) = 10;
        AssertSegv(h, h.Run(1000), D + 0x2000);
        Assert.Equal(8UL, R(h, Reg.RCX));
        Assert.Equal(D + 0x2000 - 4, R(h, Reg.RSI));
        Assert.Equal(D + 0x3010, R(h, Reg.RDI));
        Assert.Equal(2UL, h.Cpu.Retired);
    }

    [Fact]
    public void BackwardRepMovsbFaultsAtLastByteOfHole()
    {
        // Native: STD, RSI = hole + 0x1000 + 50, RDI = +200, RCX = 100 → si_addr = hole + 0xFFF, RCX = 49.
        var h = HoleHarness(a => { a.rep.movsb(); a.nop(); }, df: true);
        h.Cpu.R(Reg.RSI) = D + 0x3000 + 50;
        h.Cpu.R(Reg.RDI) = D + 0x3000 + 200;
        h.Cpu.R(Reg.RCX) = 100;
        AssertSegv(h, h.Run(1000), D + 0x2FFF);
        Assert.Equal(49UL, R(h, Reg.RCX));
        Assert.Equal(D + 0x2FFF, R(h, Reg.RSI));
        Assert.Equal(D + 0x3000 + 200 - 51, R(h, Reg.RDI));
        Assert.Equal(51UL, h.Cpu.Retired);
    }

    [Fact]
    public void RepeCmpsbFaultKeepsFlagsOfCompletedIterations()
    {
        // Native: equal bytes up to the hole → si_addr = hole, RCX = 200, flags ZF|PF.
        var h = HoleHarness(a => { a.repe.cmpsb(); a.nop(); });
        var sevens = new byte[300];
        Array.Fill(sevens, (byte)7);
        h.Memory.Write(D + 0x3000, sevens);
        h.Memory.Write(D + 0x2000 - 100, sevens[..100]);
        h.Cpu.R(Reg.RSI) = D + 0x3000;
        h.Cpu.R(Reg.RDI) = D + 0x2000 - 100;
        h.Cpu.R(Reg.RCX) = 300;
        h.Cpu.SetStatusFlags(RFlags.CF);
        AssertSegv(h, h.Run(1000), D + 0x2000);
        Assert.Equal(200UL, R(h, Reg.RCX));
        Assert.Equal(RFlags.ZF | RFlags.PF, h.Cpu.StatusFlags & Status);
        Assert.Equal(100UL, h.Cpu.Retired);
    }

    [Fact]
    public void RepneScasbAndRepLodsbFaults()
    {
        // Native: AL = 0 over 100 sevens, then the hole → RCX = 200, flags of 0 − 7 (CF|PF|AF|SF).
        var h = HoleHarness(a => { a.repne.scasb(); a.rep.lodsb(); });
        var sevens = new byte[100];
        Array.Fill(sevens, (byte)7);
        h.Memory.Write(D + 0x2000 - 100, sevens);
        h.Cpu.R(Reg.RDI) = D + 0x2000 - 100;
        h.Cpu.R(Reg.RCX) = 300;
        h.Cpu.R(Reg.RAX) = 0x1111111111111100;
        AssertSegv(h, h.Run(1000), D + 0x2000);
        Assert.Equal(200UL, R(h, Reg.RCX));
        Assert.Equal(RFlags.CF | RFlags.PF | RFlags.AF | RFlags.SF, h.Cpu.StatusFlags & Status);

        // Native: REP LODSB from hole − 100 → RCX = 200, AL = last byte loaded.
        h.Cpu.Rip = CpuHarness.CodeBase + 2;
        h.Cpu.R(Reg.RSI) = D + 0x2000 - 100;
        h.Cpu.R(Reg.RCX) = 300;
        h.Cpu.R(Reg.RAX) = 0x1111111111111111;
        AssertSegv(h, h.Run(1000), D + 0x2000);
        Assert.Equal(200UL, R(h, Reg.RCX));
        Assert.Equal(0x1111111111111107UL, R(h, Reg.RAX));
        Assert.Equal(D + 0x2000, R(h, Reg.RSI));
    }

    /// <summary>
    /// Both operands of CMPS/MOVS faulting: which fault a CPU reports is its choice (hosts differ); x86vm
    /// always reports the source's, in the plain, REP element and REP chunked forms (docs/undefined-behaviour.md).
    /// </summary>
    [Theory]
    [InlineData("cmps", false, 1UL)]
    [InlineData("cmps", true, 1UL)]
    [InlineData("cmps", true, 100UL)]
    [InlineData("movs", false, 1UL)]
    [InlineData("movs", true, 100UL)]
    public void BothOperandsFaultingReportsTheSource(string kind, bool rep, ulong count)
    {
        var h = HoleHarness(a =>
        {
            if (rep && kind == "cmps") a.repe.cmpsb();
            else if (rep) a.rep.movsb();
            else Op(kind, 1)(a);
            a.nop();
        });
        h.Memory.Unmap(D + 0x4000, 0x1000);
        h.Cpu.R(Reg.RSI) = D + 0x4000;
        h.Cpu.R(Reg.RDI) = D + 0x2000;
        h.Cpu.R(Reg.RCX) = count;
        AssertSegv(h, h.Run(1000), D + 0x4000);
        Assert.Equal(D + 0x4000, R(h, Reg.RSI));
        Assert.Equal(D + 0x2000, R(h, Reg.RDI));
        Assert.Equal(count, R(h, Reg.RCX));
        Assert.Equal(CpuHarness.CodeBase, h.Cpu.Rip);

        // A non-canonical source (#GP) comes first as well.
        h.Cpu.PendingFault = null;
        h.Cpu.R(Reg.RSI) = 0x0000_8000_0000_0000;
        Assert.Equal(StopReason.Fault, h.Run(1000));
        Assert.Equal(Signals.SIGSEGV, h.Cpu.PendingFault!.Signal);
        Assert.Equal(Signals.SI_KERNEL, h.Cpu.PendingFault.SiCode);
    }

    [Fact]
    public void FaultOnFirstIterationChangesNothing()
    {
        var h = HoleHarness(a => { a.nop(); a.rep.movsq(); });
        h.Cpu.R(Reg.RSI) = D;
        h.Cpu.R(Reg.RDI) = D + 0x2000;
        h.Cpu.R(Reg.RCX) = 50;
        AssertSegv(h, h.Run(1000), D + 0x2000);
        Assert.Equal(50UL, R(h, Reg.RCX));
        Assert.Equal(D, R(h, Reg.RSI));
        Assert.Equal(D + 0x2000, R(h, Reg.RDI));
        Assert.Equal(1UL, h.Cpu.Retired);
        Assert.Equal(CpuHarness.CodeBase + 1, h.Cpu.Rip);
    }

    [Fact]
    public void WriteToReadOnlyPageReportsAccessError()
    {
        var h = Harness(a => { a.rep.stosb(); a.nop(); });
        h.Memory.Protect(D + 0x1000, 0x1000, Protection.Read);
        h.Cpu.R(Reg.RDI) = D + 0x1000 - 10;
        h.Cpu.R(Reg.RCX) = 100;
        var stop = h.Run(1000);
        Assert.Equal(StopReason.Fault, stop);
        Assert.Equal(Signals.SEGV_ACCERR, h.Cpu.PendingFault!.SiCode);
        Assert.Equal(D + 0x1000, h.Cpu.PendingFault.SiAddr);
        Assert.Equal(90UL, R(h, Reg.RCX));
        Assert.Equal(10UL, h.Cpu.Retired);
    }

    // ---------------------------------------------------------------- overlapping copies

    /// <summary>The architectural result: element after element, each read completely before it is written.</summary>
    static byte[] ReferenceForwardCopy(byte[] memory, int src, int dst, int count, int size)
    {
        var m = (byte[])memory.Clone();
        var element = new byte[size];
        for (int k = 0; k < count; k++)
        {
            Array.Copy(m, src + k * size, element, 0, size);
            Array.Copy(element, 0, m, dst + k * size, size);
        }
        return m;
    }

    [Theory]
    [InlineData(1, 1, 5000)]
    [InlineData(1, 3, 5000)]
    [InlineData(1, 100, 5000)]
    [InlineData(1, 4095, 9000)]
    [InlineData(1, 4097, 9000)]
    [InlineData(1, -1, 5000)]
    [InlineData(1, -300, 5000)]
    [InlineData(1, 0, 5000)]
    [InlineData(2, 1, 3000)]
    [InlineData(2, 3, 3000)]
    [InlineData(4, 2, 2000)]
    [InlineData(4, 6, 2000)]
    [InlineData(8, 3, 1000)]
    [InlineData(8, 8, 1000)]
    [InlineData(8, 12, 1000)]
    [InlineData(8, -5, 1000)]
    public void OverlappingForwardMovsBehavesElementByElement(int size, int distance, int count)
    {
        var h = Harness(a => { Op("movs", size)(a.rep); a.nop(); });
        const int regionOffset = 0x1000;
        int regionLength = 0xC000;
        byte[] initial = Pattern(regionLength, seed: 3);
        ulong region = D + regionOffset;
        h.Memory.Write(region, initial);
        int src = 0x3F1 + Math.Max(0, -distance), dst = src + distance;
        h.Cpu.R(Reg.RSI) = region + (ulong)src;
        h.Cpu.R(Reg.RDI) = region + (ulong)dst;
        h.Cpu.R(Reg.RCX) = (ulong)count;
        h.Run((ulong)count);
        Assert.Equal(0UL, R(h, Reg.RCX));
        Assert.Equal(ReferenceForwardCopy(initial, src, dst, count, size), ReadBytes(h, region, regionLength));
    }

    [Fact]
    public void OverlappingMovsqMatchesHardware()
    {
        // Native: bytes 0..63, RSI = b, RDI = b + 3, RCX = 5, REP MOVSQ.
        var h = Harness(a => { a.rep.movsq(); a.nop(); });
        var b = new byte[64];
        for (int i = 0; i < 64; i++) b[i] = (byte)i;
        h.Memory.Write(D, b);
        h.Cpu.R(Reg.RSI) = D;
        h.Cpu.R(Reg.RDI) = D + 3;
        h.Cpu.R(Reg.RCX) = 5;
        h.Run(5);
        byte[] expected =
        [
            0, 1, 2, 0, 1, 2, 3, 4, 5, 6, 7, 5, 6, 7, 11, 12, 13, 14, 15, 13, 14, 15, 19, 20, 21, 22, 23, 21, 22, 23,
            27, 28, 29, 30, 31, 29, 30, 31, 35, 36, 37, 38, 39, 43,
        ];
        Assert.Equal(expected, ReadBytes(h, D, expected.Length));
    }

    // ---------------------------------------------------------------- prefixes

    [Fact]
    public void SourceSegmentOverrideIsHonoured()
    {
        var h = Harness(a =>
        {
            a.db(0x64, 0xA4);             // movsb byte [rdi], fs:[rsi]
            a.db(0x65, 0xF3, 0xA6);       // repe cmpsb gs:[rsi], [rdi]
            a.db(0x64, 0xAA);             // stosb: ES:RDI cannot be overridden
            a.db(0x65, 0xAC);             // lodsb al, gs:[rsi]
        });
        h.Cpu.FsBase = D + 0x1000;
        h.Cpu.GsBase = D + 0x2000;
        h.Memory.Write(D + 0x1010, (byte)0x5A);
        h.Cpu.R(Reg.RSI) = 0x10;
        h.Cpu.R(Reg.RDI) = D + 0x800;
        h.Run(1);
        Assert.Equal((byte)0x5A, h.Memory.Read<byte>(D + 0x800));
        Assert.Equal(0x11UL, R(h, Reg.RSI));

        h.Memory.Write(D + 0x2020, "xyz"u8);
        h.Memory.Write(D + 0x900, "xyw"u8);
        h.Cpu.R(Reg.RSI) = 0x20;
        h.Cpu.R(Reg.RDI) = D + 0x900;
        h.Cpu.R(Reg.RCX) = 3;
        h.Run(3);
        Assert.Equal(0UL, R(h, Reg.RCX));
        Assert.Equal(0UL, h.Cpu.StatusFlags & RFlags.ZF);
        Assert.Equal(0UL, h.Cpu.StatusFlags & RFlags.CF); // 'z' > 'w'

        h.Cpu.R(Reg.RDI) = D + 0xA00;
        h.Cpu.R(Reg.RAX) = 0x77;
        h.Run(1);
        Assert.Equal((byte)0x77, h.Memory.Read<byte>(D + 0xA00));
        Assert.Equal((byte)0, h.Memory.Read<byte>(D + 0x1A00));

        h.Cpu.R(Reg.RSI) = 0x21;
        h.Run(1);
        Assert.Equal((ulong)'y', R(h, Reg.RAX) & 0xFF);
    }

    [Fact]
    public void AddressSizePrefixUsesAndZeroExtendsEsiEdiEcx()
    {
        // Native: RSI/RDI/RCX with garbage upper halves; ADDR32 REP MOVSB with ECX = 3 zero-extends all three.
        var h = Harness(a => { a.db(0x67, 0xF3, 0xA4); a.db(0x67, 0xF3, 0xA4); a.db(0x67, 0xA4); });
        h.Memory.Write(D, "\x01\x02\x03"u8);
        h.Cpu.R(Reg.RSI) = 0xAAAA000000000000 | D;
        h.Cpu.R(Reg.RDI) = 0xBBBB000000000000 | (D + 0x100);
        h.Cpu.R(Reg.RCX) = 0xCCCC000000000003;
        h.Run(3);
        Assert.Equal(D + 3, R(h, Reg.RSI));
        Assert.Equal(D + 0x103, R(h, Reg.RDI));
        Assert.Equal(0UL, R(h, Reg.RCX));
        Assert.Equal("\x01\x02\x03"u8.ToArray(), ReadBytes(h, D + 0x100, 3));

        // ECX = 0 (upper half set): nothing runs, nothing is written.
        h.Cpu.R(Reg.RSI) = 0xAAAA000000000000 | D;
        h.Cpu.R(Reg.RDI) = 0xBBBB000000000000 | (D + 0x100);
        h.Cpu.R(Reg.RCX) = 0xCCCC000000000000;
        h.Run(1);
        Assert.Equal(0xAAAA000000000000 | D, R(h, Reg.RSI));
        Assert.Equal(0xBBBB000000000000 | (D + 0x100), R(h, Reg.RDI));
        Assert.Equal(0xCCCC000000000000, R(h, Reg.RCX));
        Assert.Equal(CpuHarness.CodeBase + 6, h.Cpu.Rip);

        // Without REP: ADDR32 MOVSB.
        h.Run(1);
        Assert.Equal(D + 1, R(h, Reg.RSI));
        Assert.Equal(D + 0x101, R(h, Reg.RDI));
    }

    [Fact]
    public void AddressSizePrefixWrapsAt4GiB()
    {
        // ESI = 0xFFFFFFFF going up wraps to 0: map the last byte below 4 GiB and the first page.
        var h = Harness(a => { a.db(0x67, 0xF3, 0xA4); a.nop(); });
        h.Memory.Map(0xFFFFF000, 0x1000, Protection.ReadWrite, MappingFlags.None, "top");
        h.Memory.Map(0, 0x1000, Protection.ReadWrite, MappingFlags.None, "zero");
        h.Memory.Write(0xFFFFFFFE, "\x0A\x0B"u8);
        h.Memory.Write(0, "\x0C\x0D"u8);
        h.Cpu.R(Reg.RSI) = 0xFFFFFFFE;
        h.Cpu.R(Reg.RDI) = D;
        h.Cpu.R(Reg.RCX) = 4;
        h.Run(4);
        Assert.Equal("\x0A\x0B\x0C\x0D"u8.ToArray(), ReadBytes(h, D, 4));
        Assert.Equal(2UL, R(h, Reg.RSI));
    }

    [Fact]
    public void RepneOnMovsActsAsRep()
    {
        // Native: F2 A4 with RCX = 3 copies three bytes.
        var h = Harness(a => { a.db(0xF2, 0xA4); a.nop(); });
        h.Memory.Write(D, "\x01\x02\x03\x04"u8);
        h.Cpu.R(Reg.RSI) = D;
        h.Cpu.R(Reg.RDI) = D + 0x100;
        h.Cpu.R(Reg.RCX) = 3;
        h.Run(3);
        Assert.Equal(0UL, R(h, Reg.RCX));
        Assert.Equal("\x01\x02\x03\x00"u8.ToArray(), ReadBytes(h, D + 0x100, 4));
        Assert.Equal(CpuHarness.CodeBase + 2, h.Cpu.Rip);
    }

    [Fact]
    public void StringMovsdAndCmpsdAreTheStringForms()
    {
        var h = Harness(a => { a.movsd(); a.cmpsd(); });
        h.Memory.Write(D, 0xDEADBEEFu);
        h.Memory.Write(D + 0x104, 0xDEADBEEFu);
        h.Cpu.R(Reg.RSI) = D;
        h.Cpu.R(Reg.RDI) = D + 0x100;
        Assert.Equal(StopReason.InstructionLimit, h.Run(2));
        Assert.Equal(0xDEADBEEFu, h.Memory.Read<uint>(D + 0x100));
        Assert.Equal(D + 8, R(h, Reg.RSI));
        Assert.Equal(D + 0x108, R(h, Reg.RDI));
        Assert.Equal(0UL, h.Cpu.StatusFlags & RFlags.ZF); // [D+4] = 0 vs 0xDEADBEEF
    }

    // ---------------------------------------------------------------- bulk

    [Fact]
    public void MegabyteCopyAndFill()
    {
        const int size = 1 << 20;
        var h = Harness(a => { a.rep.stosq(); a.rep.movsb(); a.repe.cmpsb(); a.nop(); });
        h.Memory.Map(0x20000000, 2 * size + 0x2000, Protection.ReadWrite, MappingFlags.None, "big");
        ulong src = 0x20000000, dst = 0x20000000 + size + 0x1001;
        h.Cpu.R(Reg.RDI) = src;
        h.Cpu.R(Reg.RCX) = size / 8;
        h.Cpu.R(Reg.RAX) = 0x0706050403020100;
        h.Run(size / 8);
        Assert.Equal(src + size, R(h, Reg.RDI));
        h.Cpu.R(Reg.RSI) = src;
        h.Cpu.R(Reg.RDI) = dst;
        h.Cpu.R(Reg.RCX) = size;
        h.Run(size);
        Assert.Equal(0UL, R(h, Reg.RCX));
        h.Cpu.R(Reg.RSI) = src;
        h.Cpu.R(Reg.RDI) = dst;
        h.Cpu.R(Reg.RCX) = size;
        h.Run(size);
        Assert.Equal(0UL, R(h, Reg.RCX));
        Assert.True((h.Cpu.StatusFlags & RFlags.ZF) != 0);
        Assert.Equal((ulong)(size / 8 + 2 * size), h.Cpu.Retired);
        Assert.Equal(0x0706050403020100UL, h.Memory.Read<ulong>(dst + size - 8));
    }
}
