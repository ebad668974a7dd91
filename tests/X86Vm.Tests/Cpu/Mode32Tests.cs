using Iced.Intel;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using CpuCore = X86Vm.Cpu.Cpu;
using static Iced.Intel.AssemblerRegisters;

namespace X86Vm.Tests.Cpu;

/// <summary>
/// The CPU in 32-bit mode: the same handlers with the widths Iced reports for 32-bit code, %gs-relative addresses
/// wrapping at 4 GiB, and decodings shared across address spaces only within one mode.
/// </summary>
public class Mode32Tests
{
    const ulong Code = 0x400000, Data = 0x10000000, StackTop = 0x7fff0000;

    static (CpuCore Cpu, AddressSpace Memory) Machine(Action<Assembler> build, DecodedBlocks? shared = null, int bitness = 32)
    {
        var memory = new AddressSpace { Wraps32 = bitness == 32 };
        memory.Map(Data, 0x10000, Protection.ReadWrite, MappingFlags.None, "data");
        memory.Map(StackTop - 0x10000, 0x10000, Protection.ReadWrite, MappingFlags.None, "[stack]");
        var asm = new Assembler(bitness);
        build(asm);
        var bytes = new List<byte>();
        asm.Assemble(new Writer(bytes), Code);
        memory.Map(Code, 0x1000, Protection.ReadExecute, MappingFlags.None, "code");
        memory.Poke(Code, bytes.ToArray());
        var cpu = new CpuCore(memory, new BlockCache(memory, JitMode.Compiler(), shared, bitness: bitness)) { Rip = Code, Rsp = StackTop - 0x100 };
        return (cpu, memory);
    }

    sealed class Writer(List<byte> bytes) : CodeWriter
    {
        public override void WriteByte(byte value) => bytes.Add(value);
    }

    [Fact]
    public void StackOperationsAreFourBytesWide()
    {
        var (cpu, _) = Machine(a =>
        {
            Label f = a.CreateLabel();
            a.push(0x12345678);
            a.call(f);
            a.pop(ebx);
            a.hlt();
            a.Label(ref f);
            a.mov(eax, __dword_ptr[esp]);
            a.ret();
        });
        Interpreter.Run(cpu, 3); // PUSH imm32, CALL, MOV
        Assert.Equal(StackTop - 0x108, cpu.Rsp);
        Assert.Equal(Code + 10, cpu.R(Reg.RAX)); // the return address: after PUSH imm32 (5) and CALL rel32 (5)
        Interpreter.Run(cpu, 5); // RET, POP
        Assert.Equal(StackTop - 0x100, cpu.Rsp);
        Assert.Equal(0x12345678UL, cpu.R(Reg.RBX));
    }

    [Fact]
    public void GsRelativeAddressesWrapAt4GiB()
    {
        var (cpu, memory) = Machine(a =>
        {
            a.mov(eax, __dword_ptr.gs[0xFFFFFFFC]); // TLS below the thread pointer, as i386 glibc addresses errno
            a.mov(__dword_ptr.gs[eax], 7);
            a.hlt();
        });
        memory.Write(Data + 0xFC, 0xFFFFFFF8u);
        cpu.Tls[0] = new SegmentDescriptor((uint)Data + 0x100, 0xFFFFF, SegmentDescriptor.Seg32Bit | SegmentDescriptor.LimitInPages | SegmentDescriptor.Useable);
        cpu.LoadSegment(Segments.GS, Segments.Selector(Segments.TlsFirstEntry));
        Interpreter.Run(cpu, 2);
        Assert.Equal(0xFFFFFFF8UL, cpu.R(Reg.RAX));
        Assert.Equal(7u, memory.Read<uint>(Data + 0xF8));
    }

    [Fact]
    public void TheSameBytesAreNotSharedAcrossModes()
    {
        var shared = new DecodedBlocks();
        // 40 is INC EAX in 32-bit code and a REX prefix in 64-bit code (here of NOP).
        Action<Assembler> code = a => { a.db(0x40, 0x90); a.hlt(); };
        var (cpu64, _) = Machine(code, shared, bitness: 64);
        Interpreter.Run(cpu64, 1);
        var (cpu32, _) = Machine(code, shared, bitness: 32);
        Interpreter.Run(cpu32, 2);
        Assert.Equal(0UL, cpu64.R(Reg.RAX));
        Assert.Equal(1UL, cpu32.R(Reg.RAX));
    }
}
