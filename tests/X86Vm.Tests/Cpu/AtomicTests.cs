using Iced.Intel;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using static Iced.Intel.AssemblerRegisters;

namespace X86Vm.Tests.Cpu;

/// <summary>
/// XADD, CMPXCHG, CMPXCHG8B, CMPXCHG16B. Register zero-extension rules and the read-only-memory fault were
/// measured natively on this host (AMD EPYC) with inline assembly.
/// </summary>
public class AtomicTests
{
    const ulong D = CpuHarness.DataBase;
    const ulong Status = RFlags.CF | RFlags.PF | RFlags.AF | RFlags.ZF | RFlags.SF | RFlags.OF;

    static CpuHarness Harness(Action<Assembler> build)
    {
        var h = new CpuHarness();
        h.Assemble(build);
        return h;
    }

    static ulong R(CpuHarness h, int reg) => h.Cpu.R(reg);

    static ulong Mask(int size) => size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;

    /// <summary>Value of a register after writing <paramref name="value"/> at a size: 8/16-bit merge, 32-bit zero-extends.</summary>
    static ulong Merged(ulong old, ulong value, int size) => size switch
    {
        4 => (uint)value,
        8 => value,
        _ => (old & ~Mask(size)) | (value & Mask(size)),
    };

    // ---------------------------------------------------------------- XADD

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void XaddRegisterRegister(int size)
    {
        var h = Harness(a =>
        {
            switch (size)
            {
                case 1: a.xadd(bl, cl); break;
                case 2: a.xadd(bx, cx); break;
                case 4: a.xadd(ebx, ecx); break;
                default: a.xadd(rbx, rcx); break;
            }
        });
        ulong top = Mask(size) ^ (Mask(size) >> 1); // sign bit
        const ulong garbage = 0xA5A5A5A5A5A5A5A5;
        h.Cpu.R(Reg.RBX) = (garbage & ~Mask(size)) | top;
        h.Cpu.R(Reg.RCX) = (garbage & ~Mask(size)) | top | 1;
        h.Run(1);
        // dest = top + (top | 1) = 1 with carry out and signed overflow (two negatives give a positive).
        Assert.Equal(Merged(garbage, 1, size), R(h, Reg.RBX));
        Assert.Equal(Merged(garbage, top, size), R(h, Reg.RCX));
        Assert.Equal(RFlags.CF | RFlags.OF, h.Cpu.StatusFlags & Status);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void XaddMemoryRegister(int size)
    {
        var h = Harness(a =>
        {
            switch (size)
            {
                case 1: a.@lock.xadd(__byte_ptr[rdi], al); break;
                case 2: a.@lock.xadd(__word_ptr[rdi], ax); break;
                case 4: a.@lock.xadd(__dword_ptr[rdi], eax); break;
                default: a.@lock.xadd(__qword_ptr[rdi], rax); break;
            }
        });
        h.Memory.Write(D, 0x1111111111111111UL);
        h.Cpu.R(Reg.RDI) = D;
        h.Cpu.R(Reg.RAX) = 0xFFFFFFFFFFFFFFFF;
        h.Run(1);
        Assert.Equal((0x1111111111111111UL & ~Mask(size)) | (0x1111111111111110UL & Mask(size)), h.Memory.Read<ulong>(D));
        Assert.Equal(Merged(ulong.MaxValue, 0x1111111111111111, size), R(h, Reg.RAX));
        Assert.True((h.Cpu.StatusFlags & RFlags.CF) != 0);
    }

    [Fact]
    public void XaddSameRegisterKeepsTheSum()
    {
        // Native: xadd rax, rax with 5 gives 10.
        var h = Harness(a => a.xadd(rax, rax));
        h.Cpu.R(Reg.RAX) = 5;
        h.Run(1);
        Assert.Equal(10UL, R(h, Reg.RAX));
    }

    [Fact]
    public void XaddFaultChangesNoRegister()
    {
        var h = Harness(a => a.xadd(__qword_ptr[rdi], rax));
        h.Memory.Map(D + 0x20000, 0x1000, Protection.Read, MappingFlags.None, "ro");
        h.Cpu.R(Reg.RDI) = D + 0x20000;
        h.Cpu.R(Reg.RAX) = 7;
        Assert.Equal(StopReason.Fault, h.Run(1));
        Assert.Equal(Signals.SEGV_ACCERR, h.Cpu.PendingFault!.SiCode);
        Assert.Equal(7UL, R(h, Reg.RAX));
        Assert.Equal(0UL, h.Cpu.Retired);
    }

    // ---------------------------------------------------------------- CMPXCHG

    static void EmitCmpxchg(Assembler a, int size, bool memory)
    {
        if (memory)
            switch (size)
            {
                case 1: a.@lock.cmpxchg(__byte_ptr[rdi], cl); break;
                case 2: a.@lock.cmpxchg(__word_ptr[rdi], cx); break;
                case 4: a.@lock.cmpxchg(__dword_ptr[rdi], ecx); break;
                default: a.@lock.cmpxchg(__qword_ptr[rdi], rcx); break;
            }
        else
            switch (size)
            {
                case 1: a.cmpxchg(bl, cl); break;
                case 2: a.cmpxchg(bx, cx); break;
                case 4: a.cmpxchg(ebx, ecx); break;
                default: a.cmpxchg(rbx, rcx); break;
            }
    }

    public static IEnumerable<object[]> CmpxchgCases()
    {
        foreach (int size in new[] { 1, 2, 4, 8 })
            foreach (bool memory in new[] { false, true })
                yield return [size, memory];
    }

    [Theory, MemberData(nameof(CmpxchgCases))]
    public void CmpxchgSucceeds(int size, bool memory)
    {
        var h = Harness(a => EmitCmpxchg(a, size, memory));
        const ulong raxBits = 0xFFFFFFFF00000007, src = 0x1111111122222222;
        ulong destBits = size == 8 ? raxBits : 0xEEEEEEEE00000007; // equal in the low `size` bytes only
        h.Cpu.R(Reg.RAX) = raxBits;
        h.Cpu.R(Reg.RCX) = src;
        if (memory)
        {
            h.Memory.Write(D, destBits);
            h.Cpu.R(Reg.RDI) = D;
        }
        else h.Cpu.R(Reg.RBX) = destBits;
        h.Run(1);
        Assert.Equal(raxBits, R(h, Reg.RAX)); // accumulator untouched
        if (memory)
            Assert.Equal((destBits & ~Mask(size)) | (src & Mask(size)), h.Memory.Read<ulong>(D));
        else
            Assert.Equal(Merged(destBits, src, size), R(h, Reg.RBX)); // native: RBX = 0x22222222 for 32-bit
        Assert.Equal(RFlags.ZF | RFlags.PF, h.Cpu.StatusFlags & Status);
    }

    [Theory, MemberData(nameof(CmpxchgCases))]
    public void CmpxchgFails(int size, bool memory)
    {
        var h = Harness(a => EmitCmpxchg(a, size, memory));
        const ulong raxBits = 0xFFFFFFFF00000005, destBits = 0xFFFFFFFF00000007, src = 0x1111111122222222;
        h.Cpu.R(Reg.RAX) = raxBits;
        h.Cpu.R(Reg.RCX) = src;
        if (memory)
        {
            h.Memory.Write(D, destBits);
            h.Cpu.R(Reg.RDI) = D;
        }
        else h.Cpu.R(Reg.RBX) = destBits;
        h.Run(1);
        // Native (32-bit): RAX = 7 (zero-extended), RBX keeps its upper half.
        Assert.Equal(Merged(raxBits, destBits, size), R(h, Reg.RAX));
        if (memory) Assert.Equal(destBits, h.Memory.Read<ulong>(D));
        else Assert.Equal(destBits, R(h, Reg.RBX));
        // CMP 5, 7: borrow, negative, AF; 0xFE has odd parity.
        Assert.Equal(RFlags.CF | RFlags.SF | RFlags.AF, h.Cpu.StatusFlags & Status);
    }

    [Fact]
    public void CmpxchgEaxEaxZeroExtends()
    {
        // Native: cmpxchg eax, eax with RAX = 0xFFFFFFFF00000007 gives 7.
        var h = Harness(a => a.cmpxchg(eax, eax));
        h.Cpu.R(Reg.RAX) = 0xFFFFFFFF00000007;
        h.Run(1);
        Assert.Equal(7UL, R(h, Reg.RAX));
    }

    [Fact]
    public void CmpxchgHighByteRegisters()
    {
        var h = Harness(a => a.cmpxchg(ah, bh));
        h.Cpu.R(Reg.RAX) = 0x3434;   // AL = AH
        h.Cpu.R(Reg.RBX) = 0x5600;
        h.Run(1);
        Assert.Equal(0x5634UL, R(h, Reg.RAX));
        Assert.True((h.Cpu.StatusFlags & RFlags.ZF) != 0);
    }

    [Fact]
    public void FailingCmpxchgOnReadOnlyMemoryFaults()
    {
        // Native: the locked cycle writes even when the compare fails → SEGV_ACCERR, RAX unchanged.
        var h = Harness(a => a.@lock.cmpxchg(__qword_ptr[rdi], rcx));
        h.Memory.Map(D + 0x20000, 0x1000, Protection.Read, MappingFlags.None, "ro");
        h.Cpu.R(Reg.RDI) = D + 0x20000;
        h.Cpu.R(Reg.RAX) = 1;
        h.Cpu.R(Reg.RCX) = 5;
        h.Cpu.SetStatusFlags(RFlags.CF);
        Assert.Equal(StopReason.Fault, h.Run(1));
        Assert.Equal(Signals.SIGSEGV, h.Cpu.PendingFault!.Signal);
        Assert.Equal(Signals.SEGV_ACCERR, h.Cpu.PendingFault.SiCode);
        Assert.Equal(D + 0x20000, h.Cpu.PendingFault.SiAddr);
        Assert.Equal(1UL, R(h, Reg.RAX));
        Assert.Equal(RFlags.CF, h.Cpu.StatusFlags & Status);
        Assert.Equal(CpuHarness.CodeBase, h.Cpu.Rip);
    }

    // ---------------------------------------------------------------- CMPXCHG8B / CMPXCHG16B

    [Fact]
    public void Cmpxchg8bSucceedsAndFails()
    {
        // Native: success leaves RAX/RDX untouched; failure loads EDX:EAX zero-extended.
        var h = Harness(a => { a.@lock.cmpxchg8b(__[rdi + 3]); a.@lock.cmpxchg8b(__[rdi + 3]); });
        h.Memory.Write(D + 3, 0x1234567800000009UL); // unaligned is allowed
        h.Cpu.R(Reg.RDI) = D;
        h.Cpu.R(Reg.RAX) = 0xFFFFFFFF00000009;
        h.Cpu.R(Reg.RDX) = 0xFFFFFFFF12345678;
        h.Cpu.R(Reg.RBX) = 0xAAAAAAAA0000000B;
        h.Cpu.R(Reg.RCX) = 0xBBBBBBBB0000000C;
        h.Cpu.SetStatusFlags(RFlags.CF | RFlags.SF);
        h.Run(1);
        Assert.Equal(0x0000000C0000000BUL, h.Memory.Read<ulong>(D + 3));
        Assert.Equal(0xFFFFFFFF00000009UL, R(h, Reg.RAX));
        Assert.Equal(0xFFFFFFFF12345678UL, R(h, Reg.RDX));
        Assert.Equal(RFlags.CF | RFlags.SF | RFlags.ZF, h.Cpu.StatusFlags & Status); // only ZF changes

        h.Cpu.R(Reg.RAX) = 0xFFFFFFFF00000001;
        h.Cpu.R(Reg.RDX) = 0xFFFFFFFF00000002;
        h.Run(1);
        Assert.Equal(0xBUL, R(h, Reg.RAX));
        Assert.Equal(0xCUL, R(h, Reg.RDX));
        Assert.Equal(0x0000000C0000000BUL, h.Memory.Read<ulong>(D + 3));
        Assert.Equal(RFlags.CF | RFlags.SF, h.Cpu.StatusFlags & Status);
    }

    [Fact]
    public void Cmpxchg16bSucceedsAndFails()
    {
        var h = Harness(a => { a.@lock.cmpxchg16b(__[rdi]); a.@lock.cmpxchg16b(__[rdi]); });
        h.Memory.Write(D + 0x40, 0x1111111111111111UL);
        h.Memory.Write(D + 0x48, 0x2222222222222222UL);
        h.Cpu.R(Reg.RDI) = D + 0x40;
        h.Cpu.R(Reg.RAX) = 0x1111111111111111;
        h.Cpu.R(Reg.RDX) = 0x2222222222222222;
        h.Cpu.R(Reg.RBX) = 0x3333333333333333;
        h.Cpu.R(Reg.RCX) = 0x4444444444444444;
        h.Cpu.SetStatusFlags(RFlags.OF);
        h.Run(1);
        Assert.Equal(0x3333333333333333UL, h.Memory.Read<ulong>(D + 0x40));
        Assert.Equal(0x4444444444444444UL, h.Memory.Read<ulong>(D + 0x48));
        Assert.Equal(0x1111111111111111UL, R(h, Reg.RAX));
        Assert.Equal(RFlags.OF | RFlags.ZF, h.Cpu.StatusFlags & Status);

        h.Run(1); // RDX:RAX still holds the old value: fails and loads the new one
        Assert.Equal(0x3333333333333333UL, R(h, Reg.RAX));
        Assert.Equal(0x4444444444444444UL, R(h, Reg.RDX));
        Assert.Equal(RFlags.OF, h.Cpu.StatusFlags & Status);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(1)]
    [InlineData(15)]
    public void Cmpxchg16bMisalignedRaisesGeneralProtection(int offset)
    {
        // Native: SIGSEGV, si_code SI_KERNEL (0x80), si_addr 0.
        var h = Harness(a => { a.nop(); a.@lock.cmpxchg16b(__[rdi]); });
        h.Cpu.R(Reg.RDI) = D + 0x40 + (ulong)offset;
        h.Cpu.R(Reg.RAX) = 0;
        h.Cpu.R(Reg.RDX) = 0;
        h.Cpu.R(Reg.RBX) = 0x1234;
        Assert.Equal(StopReason.Fault, h.Run(10));
        Assert.Equal(Signals.SIGSEGV, h.Cpu.PendingFault!.Signal);
        Assert.Equal(Signals.SI_KERNEL, h.Cpu.PendingFault.SiCode);
        Assert.Equal(0UL, h.Cpu.PendingFault.SiAddr);
        Assert.Equal(CpuHarness.CodeBase + 1, h.Cpu.Rip);
        Assert.Equal(1UL, h.Cpu.Retired);
        Assert.Equal(0UL, h.Memory.Read<ulong>(D + 0x40 + (ulong)offset));
    }

    [Fact]
    public void Cmpxchg16bMisalignedUnmappedIsStillGeneralProtection()
    {
        var h = Harness(a => a.cmpxchg16b(__[rdi]));
        h.Cpu.R(Reg.RDI) = 0x7000_0000_0008;
        Assert.Equal(StopReason.Fault, h.Run(1));
        Assert.Equal(Signals.SI_KERNEL, h.Cpu.PendingFault!.SiCode);
    }
}
