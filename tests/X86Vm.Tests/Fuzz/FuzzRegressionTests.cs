using System.Buffers.Binary;
using X86Vm.Fuzz;

namespace X86Vm.Tests.Fuzz;

/// <summary>Inputs the fuzzer found that crashed the VM, reduced: each must now end as the guest's own outcome.</summary>
public sealed class FuzzRegressionTests : IDisposable
{
    readonly FuzzRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    static readonly byte[] ExitCode = new CodeWriter().ExitGroup(5).ToArray();

    Outcome Run(byte[] program, byte[]? interpreter = null)
    {
        Outcome o = _runner.Run(new FuzzInput(FuzzKind.Elf, 0, 0, program, interpreter, false));
        Assert.False(o.IsFinding, o.Detail);
        return o;
    }

    static void Patch64(byte[] f, int offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(f.AsSpan(offset), value);

    [Fact]
    public void SegmentsOutOfAddressOrderAllGetMapped()
    {
        byte[] elf = ElfWriter.Build([
            new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_W, GuestLayout.Data, new byte[100], 0x2000),
            new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_X, GuestLayout.Code, ExitCode, (ulong)ExitCode.Length),
        ], GuestLayout.Code);
        Outcome o = Run(elf);
        Assert.Equal((OutcomeKind.Exited, 5), (o.Kind, o.Status));
    }

    [Theory]
    [InlineData(ElfWriter.E_PHOFF, 0xFFFFFFFFFFFFFFC0)]                     // e_phoff + size wraps around to a small number
    [InlineData(ElfWriter.HeaderSize + 56 + ElfWriter.P_OFFSET, 0xFFFFFFFFFFFFF000)] // a segment's p_offset + p_filesz wraps
    public void OffsetsThatWrapAroundAreRejected(int field, ulong value)
    {
        byte[] elf = ElfWriter.Build([new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_X, GuestLayout.Code, ExitCode, (ulong)ExitCode.Length)],
            GuestLayout.Code, interpreter: "/interp");
        Patch64(elf, field, value);
        Outcome o = Run(elf);
        Assert.Equal(OutcomeKind.Rejected, o.Kind);
        Assert.Contains("corrupt", o.Detail);
    }

    [Fact]
    public void InterpreterPathWithWrappingOffsetIsRejected()
    {
        byte[] elf = ElfWriter.Build([new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_X, GuestLayout.Code, ExitCode, (ulong)ExitCode.Length)],
            GuestLayout.Code, interpreter: "/interp");
        Patch64(elf, ElfWriter.PhdrOffset(0) + ElfWriter.P_OFFSET, 0xFFFFFFFFFFFFFFF0);
        Outcome o = Run(elf);
        Assert.Equal(OutcomeKind.Rejected, o.Kind);
        Assert.Contains("interpreter path", o.Detail);
    }

    [Theory]
    [InlineData("/inter\np\n", "corrupt ELF interpreter path")]   // not NUL-terminated: ENOEXEC on Linux
    [InlineData("/no\nsuch\0", "interpreter /no?such not found")] // control characters never break the one line
    public void InterpreterPathsGiveOneLine(string path, string expected)
    {
        byte[] elf = ElfWriter.Build([new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_X, GuestLayout.Code, ExitCode, (ulong)ExitCode.Length)],
            GuestLayout.Code, interpreter: "/interpXXXXX");
        byte[] bytes = System.Text.Encoding.ASCII.GetBytes(path);
        Patch64(elf, ElfWriter.PhdrOffset(0) + ElfWriter.P_FILESZ, (ulong)bytes.Length);
        bytes.CopyTo(elf, (int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(ElfWriter.PhdrOffset(0) + ElfWriter.P_OFFSET)));
        Outcome o = Run(elf);
        Assert.Equal(OutcomeKind.Rejected, o.Kind);
        Assert.Contains(expected, o.Detail);
        Assert.DoesNotContain('\n', o.Detail);
    }

    /// <summary>The interpreter is looked up while the first process is still being built: /proc must cope.</summary>
    [Theory]
    [InlineData("/proc/self/exe")]
    [InlineData("/proc/self/fd/0")]
    [InlineData("/proc/1/status")]
    [InlineData("/dev/stdin")] // a link to the magic link /proc/self/fd/0, whose file is a stream
    public void InterpreterUnderProcDuringStart(string path)
    {
        byte[] elf = ElfWriter.Build([new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_X, GuestLayout.Code, ExitCode, (ulong)ExitCode.Length)],
            GuestLayout.Code, interpreter: path);
        Outcome o = Run(elf);
        Assert.Equal(OutcomeKind.Rejected, o.Kind);
        Assert.Contains(path, o.Detail);
    }

    /// <summary>Far JMP and CALL through memory (m16:32, m16:64) are not modelled: SIGILL, in both tiers.</summary>
    [Theory]
    [InlineData(new byte[] { 0xFF, 0x2C, 0x25, 0x00, 0x00, 0x60, 0x00 }, false)]       // jmp far [0x600000]
    [InlineData(new byte[] { 0x48, 0xFF, 0x1C, 0x25, 0x00, 0x00, 0x60, 0x00 }, false)] // call far qword [0x600000]
    [InlineData(new byte[] { 0xFF, 0x2C, 0x25, 0x00, 0x00, 0x60, 0x00 }, true)]
    public void FarBranchesRaiseSigill(byte[] instruction, bool eagerJit)
    {
        byte[] text = [.. instruction, .. ExitCode];
        byte[] elf = ElfWriter.Build([
            new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_X, GuestLayout.Code, text, (ulong)text.Length),
            new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_W, GuestLayout.Data, new byte[16], 0x1000),
        ], GuestLayout.Code);
        Outcome o = _runner.Run(new FuzzInput(FuzzKind.Insn, 0, 0, elf, null, eagerJit));
        Assert.False(o.IsFinding, o.Detail);
        Assert.Equal((OutcomeKind.Exited, 128 + 4), (o.Kind, o.Status));
    }

    /// <summary>A segment whose p_vaddr + p_memsz wraps around to just past its start: outside the address space.</summary>
    [Fact]
    public void SegmentSizeThatWrapsAroundIsRejected()
    {
        byte[] elf = ElfWriter.Build([
            new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_X, GuestLayout.Code, ExitCode, (ulong)ExitCode.Length),
            new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_W, 0x3fe998, new byte[0xd0f], ulong.MaxValue),
        ], GuestLayout.Code);
        Outcome o = Run(elf);
        Assert.Equal(OutcomeKind.Rejected, o.Kind);
        Assert.Contains("outside the user address space", o.Detail);
    }

    /// <summary>An ET_DYN segment whose p_vaddr wraps around below the others once relocated: its pages are mapped first.</summary>
    [Fact]
    public void RelocatedSegmentBelowTheFirstIsMapped()
    {
        byte[] elf = ElfWriter.Build([
            new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_X, 0, ExitCode, (ulong)ExitCode.Length),
            new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_W, 0x200000, new byte[0x80], 0x3000),
        ], 0, ElfWriter.ET_DYN);
        Patch64(elf, ElfWriter.PhdrOffset(1) + ElfWriter.P_VADDR, 0xFFFFFFFFFFFFFC6C);
        Patch64(elf, ElfWriter.PhdrOffset(1) + ElfWriter.P_OFFSET, 0x2C6C);
        Outcome o = Run(elf);
        Assert.Equal((OutcomeKind.Exited, 5), (o.Kind, o.Status));
    }

    /// <summary>
    /// clone's exit signal is any byte (CSIGNAL); Linux's do_notify_parent sends it only when valid. A child with exit
    /// signal 200 exits and its parent, waiting with __WALL, reaps it.
    /// </summary>
    [Fact]
    public void CloneWithAnInvalidExitSignal()
    {
        var code = new CodeWriter()
            .MovImmediate(0, 56).MovImmediate(7, 200).MovImmediate(6, 0).MovImmediate(2, 0).MovImmediate(10, 0).MovImmediate(8, 0)
            .Syscall()
            .Raw([0x48, 0x85, 0xC0]);                   // test rax, rax
        byte[] parent = new CodeWriter()
            .MovImmediate(0, 61).MovImmediate(7, ulong.MaxValue).MovImmediate(6, 0).MovImmediate(2, 0x40000000).MovImmediate(10, 0)
            .Syscall()                                   // wait4(-1, NULL, __WALL, NULL)
            .MovImmediate(7, 7).Raw([0x48, 0x39, 0xC7])  // a harmless cmp; the status is the parent's exit code
            .ExitGroup(7).ToArray();
        byte[] child = new CodeWriter().ExitGroup(3).ToArray();
        code.Raw([0x74, (byte)parent.Length]).Raw(parent).Raw(child); // jz child
        byte[] text = code.ToArray();
        byte[] elf = ElfWriter.Build([new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_X, GuestLayout.Code, text, (ulong)text.Length)], GuestLayout.Code);
        Outcome o = Run(elf);
        Assert.Equal((OutcomeKind.Exited, 7), (o.Kind, o.Status));
    }
}
