using Iced.Intel;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Tests.Cpu;

/// <summary>
/// Runs a few instructions on a bare CPU: code at <see cref="CodeBase"/>, a data page at
/// <see cref="DataBase"/> (the native oracle maps its data at the same address) and a stack below
/// <see cref="StackTop"/>.
/// </summary>
public sealed class CpuHarness
{
    public const ulong CodeBase = 0x400000;
    public const ulong DataBase = 0x10000000;
    public const ulong DataSize = 0x10000;
    public const ulong StackTop = 0x7fff0000;

    public readonly AddressSpace Memory = new();
    public readonly CpuCore Cpu;

    /// <summary>A CPU whose blocks are compiled as the test run's JIT mode says (<see cref="JitMode"/>).</summary>
    public CpuHarness() : this(JitMode.Compiler()) { }

    /// <param name="compiler">The block compiler, or null to interpret only.</param>
    /// <param name="level">The instruction-set level the CPU offers.</param>
    public CpuHarness(BlockCompiler? compiler, X86Vm.Cpu.Instructions.CpuLevel level = X86Vm.Cpu.Instructions.CpuLevel.Max)
    {
        Memory.Map(DataBase, DataSize, Protection.ReadWrite, MappingFlags.None, "data");
        Memory.Map(StackTop - 0x10000, 0x10000, Protection.ReadWrite, MappingFlags.None, "[stack]");
        Cpu = new CpuCore(Memory, new BlockCache(Memory, compiler, null, level)) { Rsp = StackTop - 0x100 };
    }

    /// <summary>Loads machine code at <see cref="CodeBase"/> and points RIP at it.</summary>
    public void LoadCode(byte[] code)
    {
        Memory.Map(CodeBase, (ulong)Math.Max(code.Length, 1), Protection.ReadExecute, MappingFlags.None, "code");
        Memory.Poke(CodeBase, code);
        Cpu.Code.Clear();
        Cpu.Rip = CodeBase;
    }

    /// <summary>Assembles with Iced's assembler (64-bit) and loads the result.</summary>
    public void Assemble(Action<Assembler> build)
    {
        var asm = new Assembler(64);
        build(asm);
        var writer = new CodeWriterImpl();
        asm.Assemble(writer, CodeBase);
        LoadCode(writer.ToArray());
    }

    /// <summary>Runs until <paramref name="instructions"/> more have retired (or a fault).</summary>
    public StopReason Run(ulong instructions) => Interpreter.Run(Cpu, Cpu.Retired + instructions);

    sealed class CodeWriterImpl : CodeWriter
    {
        readonly List<byte> _bytes = new();
        public override void WriteByte(byte value) => _bytes.Add(value);
        public byte[] ToArray() => _bytes.ToArray();
    }
}
