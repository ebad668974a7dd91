using Iced.Intel;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.State;
using static Iced.Intel.AssemblerRegisters;

namespace X86Vm.Tests.Cpu;

/// <summary>
/// The compiled tier must compute exactly what the interpreter computes. Random loops of the integer forms the compiler
/// emits inline (MOV, MOVZX/MOVSX, LEA, ALU, INC/DEC/NEG/NOT, IMUL, shifts and rotates, CDQE/CQO, PUSH/POP, CALL, SETcc,
/// CMOVcc, Jcc; partial registers and memory operands) run three times on two CPUs with the same start state: one
/// interpreting, one compiling every block after its first run; registers, flags, retired count and memory must then be
/// identical. The interpreter itself is checked
/// against the real CPU by the oracle tests.
/// </summary>
public class TierEquivalenceTests
{
    static readonly AssemblerRegister64[] Gpr64 = [rax, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14];
    static readonly AssemblerRegister32[] Gpr32 = [eax, ecx, edx, esi, edi, ebp, r8d, r9d, r10d, r11d, r12d, r13d, r14d];
    static readonly AssemblerRegister16[] Gpr16 = [ax, cx, dx, si, di, bp, r8w, r9w, r10w, r11w, r12w, r13w, r14w];
    // High-byte registers cannot be encoded with a REX prefix: 8-bit forms only pair these with each other, memory or an immediate.
    static readonly AssemblerRegister8[] Legacy8 = [al, cl, dl, ah, ch, dh];

    const int Iterations = 3;

    [Theory]
    [MemberData(nameof(Seeds))]
    public void CompiledCodeMatchesTheInterpreter(int seed)
    {
        var rng = new Random(seed);
        var interpreted = new CpuHarness(compiler: null);
        var compiled = new CpuHarness(new BlockCompiler { Threshold = 1, Synchronous = true });
        // The interpreter-only harness must really interpret, whatever the test run's JIT mode.
        Assert.Null(interpreted.Cpu.Code.Compiler);

        Action<Assembler> program = Program(rng);
        ulong[] registers = Enumerable.Range(0, 16).Select(_ => (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 63)).ToArray();
        byte[] data = new byte[CpuHarness.DataSize];
        rng.NextBytes(data);
        ulong flags = (ulong)rng.Next() & RFlags.Status;

        foreach (CpuHarness h in new[] { interpreted, compiled })
        {
            h.Assemble(program);
            h.Memory.Poke(CpuHarness.DataBase, data);
            for (int r = 0; r < 16; r++) h.Cpu.R(r) = registers[r];
            h.Cpu.R(Reg.RBX) = CpuHarness.DataBase;
            h.Cpu.Rsp = CpuHarness.StackTop - 0x800;
            h.Cpu.Rflags = flags | RFlags.Reserved1;
            Assert.Equal(StopReason.Fault, h.Run(100_000)); // the UD2 after the loop, or an access below the data page
        }

        for (int r = 0; r < 16; r++)
            Assert.True(interpreted.Cpu.R(r) == compiled.Cpu.R(r), $"seed {seed}: {Reg.Names[r]} {interpreted.Cpu.R(r):x} != {compiled.Cpu.R(r):x}");
        Assert.Equal(interpreted.Cpu.Rflags, compiled.Cpu.Rflags);
        Assert.Equal(interpreted.Cpu.Rip, compiled.Cpu.Rip);
        Assert.Equal(interpreted.Cpu.Retired, compiled.Cpu.Retired);
        Assert.Equal(Peek(interpreted, CpuHarness.DataBase, (int)CpuHarness.DataSize), Peek(compiled, CpuHarness.DataBase, (int)CpuHarness.DataSize));
        Assert.Equal(Peek(interpreted, CpuHarness.StackTop - 0x1000, 0x1000), Peek(compiled, CpuHarness.StackTop - 0x1000, 0x1000));
        Assert.True(compiled.Cpu.Code.Compiler!.CompiledRegions > 0, "nothing was compiled");
    }

    public static TheoryData<int> Seeds() => new(Enumerable.Range(1, 150));

    static byte[] Peek(CpuHarness h, ulong address, int length)
    {
        byte[] bytes = new byte[length];
        h.Memory.Read(address, bytes);
        return bytes;
    }

    /// <summary>r15 = 3; loop: 24 random instructions; dec r15; jnz loop; ud2. RBX stays the data page's address.</summary>
    static Action<Assembler> Program(Random rng)
    {
        var body = Enumerable.Range(0, 24).Select(_ => RandomInstruction(rng)).ToArray();
        return a =>
        {
            var loop = a.CreateLabel();
            a.mov(r15, Iterations);
            a.Label(ref loop);
            foreach (Action<Assembler> emit in body) emit(a);
            a.dec(r15);
            a.jnz(loop);
            a.ud2();
        };
    }

    static Action<Assembler> RandomInstruction(Random rng)
    {
        T Pick<T>(T[] items) => items[rng.Next(items.Length)];
        int i = rng.Next(Gpr64.Length), j = rng.Next(Gpr64.Length);
        AssemblerRegister64 q1 = Gpr64[i], q2 = Gpr64[j];
        AssemblerRegister32 d1 = Gpr32[i], d2 = Gpr32[j];
        AssemblerRegister16 w1 = Gpr16[i], w2 = Gpr16[j];
        AssemblerRegister8 b1 = Pick(Legacy8), b2 = Pick(Legacy8);
        int disp = rng.Next(0, (int)CpuHarness.DataSize - 8);
        AssemblerMemoryOperand m64 = __qword_ptr[rbx + disp], m32 = __dword_ptr[rbx + disp],
            m16 = __word_ptr[rbx + disp], m8 = __byte_ptr[rbx + disp];
        int imm = rng.Next(4) == 0 ? rng.Next(-4, 4) : rng.Next();
        sbyte imm8 = (sbyte)rng.Next(-128, 128);
        int scale = 1 << rng.Next(4);
        // Every choice is made here, not inside the returned action: it assembles the same code for both CPUs.
        long imm64 = rng.NextInt64();
        AssemblerRegister64 index = Gpr64[rng.Next(Gpr64.Length)];
        int cc = rng.Next(16), form = rng.Next(3);
        switch (rng.Next(49))
        {
            case 0: return a => a.mov(q1, q2);
            case 1: return a => a.mov(d1, m32);
            case 2: return a => a.mov(m64, q2);
            case 3: return a => a.mov(w1, w2);
            case 4: return a => a.mov(b1, b2);
            case 5: return a => a.mov(m8, b1);
            case 6: return a => a.mov(q1, imm64);
            case 7: return a => a.mov(m32, imm);
            case 8: return a => a.movzx(d1, b1 == ah || b1 == ch || b1 == dh ? al : b1);
            case 9: return a => a.movzx(q1, m16);
            case 10: return a => a.movsx(q1, m8);
            case 11: return a => a.movsx(d1, w2);
            case 12: return a => a.movsxd(q1, d2);
            case 13: return a => a.lea(q1, __[q2 + index * scale + imm8]);
            case 14: return a => a.lea(d1, __[q2 + imm]);
            case 15: return a => a.add(q1, q2);
            case 16: return a => a.sub(d1, m32);
            case 17: return a => a.and(m64, q2);
            case 18: return a => a.or(w1, imm8);
            case 19: return a => a.xor(b1, b2);
            case 20: return a => a.cmp(q1, imm);
            case 21: return a => a.test(d1, d2);
            case 22: return a => a.cmp(b1, m8);
            case 23: return a => a.inc(m16);
            case 24: return a => a.dec(d1);
            case 25: return a => a.add(m8, imm8);
            case 26: return a => { a.push(q1); a.pop(q2); };
            case 27: return a => { a.push(m64); a.pop(m64); };
            case 28: return a => Setcc(a, cc, form == 0 ? b1 : null, m8);
            case 29: return a => Cmovcc(a, cc, q1, q2, d1, d2, m64, form);
            case 30:
                return a =>
                {
                    // A conditional branch over one instruction: blocks end and join inside the loop.
                    var skip = a.CreateLabel();
                    Jcc(a, cc, skip);
                    a.add(q1, imm8);
                    a.Label(ref skip);
                };
            case 31: return a => a.sub(q1, q2);
            case 32: return a => { a.cmp(d1, d2); Jcc(a, cc, null); };
            case 33: return a => { if (form == 0) a.shl(q1, (byte)(imm8 & 0x7F)); else if (form == 1) a.shl(d1, (byte)imm8); else a.shl(b1, 1); };
            case 34: return a => { if (form == 0) a.shr(q1, (byte)(imm8 & 0x7F)); else if (form == 1) a.shr(d1, (byte)imm8); else a.shr(w1, 1); };
            case 35: return a => a.sar(w1, 1);
            case 36: return a => a.sar(m32, (byte)(imm8 & 0x1F));
            case 37: return a => { a.rol(q1, (byte)(imm8 & 0x3F)); a.add(q2, 1); };
            case 38: return a => { a.ror(b1, (byte)(imm8 & 0x7)); a.sub(d2, 1); };
            case 39: return a => a.neg(form == 0 ? q1 : q2);
            case 40: return a => a.neg(m16);
            case 41: return a => a.not(d1);
            case 42: return a => { if (form == 0) a.cdqe(); else if (form == 1) a.cqo(); else a.cwd(); };
            case 43:
                return a =>
                {
                    // CALL to the next instruction, then POP: a return address in a register.
                    var next = a.CreateLabel();
                    a.call(next);
                    a.Label(ref next);
                    a.pop(q1);
                };
            case 44:
                // Faults in the last iteration (r15 = 1: the address is just below the data page), which runs compiled:
                // both CPUs must stop at this instruction with the same registers, flags and count.
                return a => a.mov(q1, __qword_ptr[rbx + r15 * 8 - 16]);
            case 45: return a => { a.imul(q1, q2); a.add(d2, imm8); }; // the ADD overwrites IMUL's flags: they are dead
            case 46: return a => { a.imul(d1, m32, imm); a.sub(q2, d1 == eax ? rcx : rax); };
            case 47: return a => { a.imul(w1, w2); a.xor(b1, b2); };
            default: return a => a.xor(q1, q1);
        }
    }

    static void Setcc(Assembler a, int cc, AssemblerRegister8? reg, AssemblerMemoryOperand m8)
    {
        Action<AssemblerRegister8> r = cc switch
        {
            0 => a.seto, 1 => a.setno, 2 => a.setb, 3 => a.setae, 4 => a.sete, 5 => a.setne, 6 => a.setbe, 7 => a.seta,
            8 => a.sets, 9 => a.setns, 10 => a.setp, 11 => a.setnp, 12 => a.setl, 13 => a.setge, 14 => a.setle, _ => a.setg,
        };
        Action<AssemblerMemoryOperand> m = cc switch
        {
            0 => a.seto, 1 => a.setno, 2 => a.setb, 3 => a.setae, 4 => a.sete, 5 => a.setne, 6 => a.setbe, 7 => a.seta,
            8 => a.sets, 9 => a.setns, 10 => a.setp, 11 => a.setnp, 12 => a.setl, 13 => a.setge, 14 => a.setle, _ => a.setg,
        };
        if (reg is { } b) r(b);
        else m(m8);
    }

    static void Cmovcc(Assembler a, int cc, AssemblerRegister64 q1, AssemblerRegister64 q2, AssemblerRegister32 d1,
        AssemblerRegister32 d2, AssemblerMemoryOperand m64, int form)
    {
        Action<AssemblerRegister64, AssemblerRegister64> rr = cc switch
        {
            0 => a.cmovo, 1 => a.cmovno, 2 => a.cmovb, 3 => a.cmovae, 4 => a.cmove, 5 => a.cmovne, 6 => a.cmovbe, 7 => a.cmova,
            8 => a.cmovs, 9 => a.cmovns, 10 => a.cmovp, 11 => a.cmovnp, 12 => a.cmovl, 13 => a.cmovge, 14 => a.cmovle, _ => a.cmovg,
        };
        Action<AssemblerRegister64, AssemblerMemoryOperand> rm = cc switch
        {
            0 => a.cmovo, 1 => a.cmovno, 2 => a.cmovb, 3 => a.cmovae, 4 => a.cmove, 5 => a.cmovne, 6 => a.cmovbe, 7 => a.cmova,
            8 => a.cmovs, 9 => a.cmovns, 10 => a.cmovp, 11 => a.cmovnp, 12 => a.cmovl, 13 => a.cmovge, 14 => a.cmovle, _ => a.cmovg,
        };
        Action<AssemblerRegister32, AssemblerRegister32> dd = cc switch
        {
            0 => a.cmovo, 1 => a.cmovno, 2 => a.cmovb, 3 => a.cmovae, 4 => a.cmove, 5 => a.cmovne, 6 => a.cmovbe, 7 => a.cmova,
            8 => a.cmovs, 9 => a.cmovns, 10 => a.cmovp, 11 => a.cmovnp, 12 => a.cmovl, 13 => a.cmovge, 14 => a.cmovle, _ => a.cmovg,
        };
        if (form == 0) rr(q1, q2);
        else if (form == 1) rm(q1, m64);
        else dd(d1, d2);
    }

    /// <summary>Jcc to <paramref name="target"/>, or to the next instruction when null (a branch that only ends the block).</summary>
    static void Jcc(Assembler a, int cc, Label? target)
    {
        var next = a.CreateLabel();
        Label to = target ?? next;
        Action<Label> j = cc switch
        {
            0 => a.jo, 1 => a.jno, 2 => a.jb, 3 => a.jae, 4 => a.je, 5 => a.jne, 6 => a.jbe, 7 => a.ja,
            8 => a.js, 9 => a.jns, 10 => a.jp, 11 => a.jnp, 12 => a.jl, 13 => a.jge, 14 => a.jle, _ => a.jg,
        };
        j(to);
        if (target == null) a.Label(ref next);
    }
}
