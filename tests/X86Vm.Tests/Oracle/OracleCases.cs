// Random test cases for the native oracle, built from Iced's description of an instruction form
// (OpCodeInfo): every operand gets a random register of its size (including AH..BH and R8..R15), a memory
// operand whose effective address is solved to land in a memory window (or, now and then, on a faulting
// address), or an immediate from edge values. Operand values are random 64-bit numbers or edge values of
// the operand size with random upper bits. Family-specific hooks then adjust values (branch targets,
// equal compare operands, stack pointers…).
using System.Numerics;
using Iced.Intel;
using Decoder = Iced.Intel.Decoder;

namespace X86Vm.Tests.Oracle;

/// <summary>One instruction to run natively and in the emulator.</summary>
public sealed class OracleCase
{
    /// <summary>What the case runs (the disassembly of its first instruction unless set).</summary>
    public string Label
    {
        get => _label ??= OracleCases.Decode(Input.Code) is { Code: not Code.INVALID } d ? d.ToString() : Convert.ToHexString(Input.Code);
        init => _label = value;
    }

    string? _label;

    /// <summary>The Iced form the instruction at <see cref="OracleState.InstructionAddress"/> decodes to (INVALID for #UD cases).</summary>
    public required Code Code { get; init; }
    public required OracleState Input { get; init; }
    public ulong FlagsMask { get; init; } = OracleState.DefaultFlagsMask;
    public int MaxInstructions { get; init; } = 16;

    /// <summary>
    /// The faults of the instruction's accesses when more than one of them faults (empty otherwise): the CPU
    /// reports one of them, which one is its choice, so the comparison accepts any of these from either side.
    /// </summary>
    public IReadOnlyList<OracleFault> FaultChoices { get; init; } = [];
}

/// <summary>A location an operand lives in: a register (size, byte shift for AH..BH) or memory.</summary>
public readonly record struct Loc(int Reg, int Shift, int Size, ulong Address)
{
    public bool IsMemory => Reg < 0;
    public ulong Mask => Size >= 8 ? ulong.MaxValue : (1UL << (8 * Size)) - 1;

    public static Loc Of(Register r) => new(r.GetFullRegister() - Register.RAX,
        r is >= Register.AH and <= Register.BH ? 8 : 0, r.GetSize(), 0);

    public static Loc Memory(ulong address, int size) => new(-1, 0, size, address);
}

public sealed class CaseContext
{
    public required Random Rng;
    public required Code Code;
    public required OracleState State;
    public Instruction Insn;
    public readonly List<Loc?> Operands = new();
    /// <summary>Registers used to address memory (their values must not change after the address was solved).</summary>
    public readonly HashSet<int> AddressRegs = new();
    public ulong? MemAddress;
    public int MemSize;
    /// <summary>See <see cref="OracleCase.FaultChoices"/>.</summary>
    public IReadOnlyList<OracleFault> FaultChoices = [];
    public int Length => State.Code.Length;
    public ulong End => OracleState.InstructionAddress + (ulong)State.Code.Length;

    public ulong Get(Loc l)
    {
        if (l.IsMemory)
        {
            ulong v = 0;
            for (int i = 0; i < l.Size && i < 8; i++)
                if (OracleState.IsInWindow(l.Address + (ulong)i))
                    v |= (ulong)State.MemoryAt(l.Address + (ulong)i) << (8 * i);
            return v;
        }
        return (State.Gpr[l.Reg] >> l.Shift) & l.Mask;
    }

    /// <summary>Sets an operand's value; false (nothing changed) for an address register or a memory operand outside the windows.</summary>
    public bool Set(Loc l, ulong value)
    {
        if (l.IsMemory)
        {
            for (int i = 0; i < l.Size; i++)
                if (!OracleState.IsInWindow(l.Address + (ulong)i)) return false;
            for (int i = 0; i < l.Size; i++)
                State.MemoryAt(l.Address + (ulong)i) = i < 8 ? (byte)(value >> (8 * i)) : (byte)Rng.Next(256);
            return true;
        }
        if (AddressRegs.Contains(l.Reg)) return false;
        State.Gpr[l.Reg] = (State.Gpr[l.Reg] & ~(l.Mask << l.Shift)) | ((value & l.Mask) << l.Shift);
        return true;
    }

    public bool SetReg(int reg, ulong value) => Set(new Loc(reg, 0, 8, 0), value);
}

public sealed class FormOptions
{
    /// <summary>The instruction uses the stack: RSP gets edge values around the windows.</summary>
    public bool UsesStack;
    /// <summary>The memory operand is not accessed (LEA, NOP, PREFETCH): address registers stay random.</summary>
    public bool NoMemoryAccess;
    /// <summary>Chance of a memory operand at a faulting address.</summary>
    public double FaultRate = 0.06;
    /// <summary>Alignment most memory operands get (CMPXCHG16B).</summary>
    public int Align = 1;
    public ulong FlagsMask = OracleState.DefaultFlagsMask;
    /// <summary>Adjusts the case after encoding; return false to reject it.</summary>
    public Func<CaseContext, bool>? Hook;
}

public static class OracleCases
{
    public const ulong IA = OracleState.InstructionAddress;

    /// <summary>Extra seed for exploratory runs: <c>X86VM_ORACLE_SEED=n dotnet test …</c> (default 0, the committed cases).</summary>
    public static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("X86VM_ORACLE_SEED"), out int s) ? s : 0;

    static readonly Register[] R8 =
    [
        Register.AL, Register.CL, Register.DL, Register.BL, Register.AH, Register.CH, Register.DH, Register.BH,
        Register.SPL, Register.BPL, Register.SIL, Register.DIL, Register.R8L, Register.R9L, Register.R10L,
        Register.R11L, Register.R12L, Register.R13L, Register.R14L, Register.R15L,
    ];

    public static Register Gpr(int size, int index) => size switch
    {
        2 => Register.AX + index,
        4 => Register.EAX + index,
        _ => Register.RAX + index,
    };

    static Register RandomReg(Random rng, int size) => size == 1 ? R8[rng.Next(R8.Length)] : Gpr(size, rng.Next(16));

    // ------------------------------------------------------------------ values

    static readonly ulong[] Edge8 = [0, 1, 2, 0x7F, 0x80, 0x81, 0xFE, 0xFF, 0x0F, 0x10];
    static readonly ulong[] Edge16 = [0, 1, 0x7FFF, 0x8000, 0x8001, 0xFFFE, 0xFFFF, 0x00FF, 0xFF00, 0x0080, 0x007F, 0x0100];
    static readonly ulong[] Edge32 = [0, 1, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFE, 0xFFFFFFFF, 0x0000FFFF, 0xFFFF0000, 0x8000, 0x7FFF, 0x10000];
    static readonly ulong[] Edge64 =
    [
        0, 1, ulong.MaxValue, ulong.MaxValue - 1, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0x8000000000000001,
        0x00000000FFFFFFFF, 0xFFFFFFFF00000000, 0x0000000080000000, 0xFFFFFFFF80000000, 0x0000000100000000,
    ];

    public static ulong Random64(Random rng) => (ulong)rng.NextInt64() ^ ((ulong)rng.Next(2) << 63);

    /// <summary>An edge value of <paramref name="size"/> bytes (1, 2, 4, 8).</summary>
    public static ulong Edge(Random rng, int size)
    {
        ulong[] pool = size switch { 1 => Edge8, 2 => Edge16, 4 => Edge32, _ => Edge64 };
        ulong v = pool[rng.Next(pool.Length)];
        if (rng.Next(4) == 0) v = (v ^ (ulong)rng.Next(1, 16)) & (size >= 8 ? ulong.MaxValue : (1UL << (8 * size)) - 1);
        return v;
    }

    /// <summary>A register value: random, or an edge value in the low bits (or in bits 15:8) with random or uniform upper bits.</summary>
    public static ulong RegValue(Random rng)
    {
        if (rng.Next(2) == 0) return Random64(rng);
        int size = 1 << rng.Next(4);
        ulong edge = Edge(rng, size);
        int shift = size == 1 && rng.Next(3) == 0 ? 8 : 0;
        ulong fieldMask = (size >= 8 ? ulong.MaxValue : (1UL << (8 * size)) - 1) << shift;
        ulong upper = rng.Next(3) switch { 0 => 0, 1 => ulong.MaxValue, _ => Random64(rng) };
        return (upper & ~fieldMask) | (edge << shift);
    }

    static ulong Imm(Random rng, int bits)
    {
        ulong v = rng.Next(3) == 0 ? Random64(rng) : Edge(rng, bits / 8);
        return bits == 64 ? v : v & ((1UL << bits) - 1);
    }

    /// <summary>Status flags and DF, random (bit 1 set).</summary>
    public static ulong RandomFlags(Random rng) => ((ulong)rng.Next() & OracleState.DefaultFlagsMask) | 2;

    /// <summary>A fresh state: random registers and flags, random window contents, RSP inside the stack window.</summary>
    public static OracleState NewState(Random rng, bool usesStack)
    {
        var s = new OracleState();
        for (int i = 0; i < 16; i++) s.Gpr[i] = RegValue(rng);
        s.Rflags = RandomFlags(rng);
        rng.NextBytes(s.Data);
        rng.NextBytes(s.Stack);
        s.Rsp = usesStack ? StackPointer(rng) : OracleState.StackAddress + 0x400 + (ulong)rng.Next(0xA00);
        return s;
    }

    /// <summary>RSP for stack instructions: mostly well inside the stack window, sometimes at its edges or faulting.</summary>
    public static ulong StackPointer(Random rng) => rng.Next(16) switch
    {
        0 => 0x1001_0000,                                    // top: a pop/ret reads unmapped memory
        1 => OracleState.DataAddress,                        // a push writes below the region (unmapped)
        2 => OracleState.DataAddress + 8 + (ulong)rng.Next(0xF00) * 8, // data window
        3 => OracleState.StackAddress + 0x400 + (ulong)rng.Next(0xB00), // misaligned
        4 => 0x1001_0000 - 8,
        _ => OracleState.StackAddress + 0x400 + (ulong)rng.Next(0x160) * 8,
    };

    /// <summary>A branch target: the end of the code (falls into the epilogue), int3 land, or a faulting address.</summary>
    public static ulong BranchTarget(CaseContext ctx)
    {
        Random rng = ctx.Rng;
        return rng.Next(10) switch
        {
            0 or 1 => ctx.End,
            2 or 3 => IA + 0x800 + (ulong)rng.Next(0x700),
            4 => VmOracleRunner.CodePagesAddress + (ulong)rng.Next(0x800),
            5 => OracleState.DataAddress + (ulong)rng.Next(0x1000),       // not executable
            6 => 0x1010_0000 + (ulong)rng.Next(0x10000),                   // unmapped
            7 => rng.Next(2) == 0 ? 0x0000_8000_0000_0000UL + (ulong)rng.Next(0x1000) : 0xFFFF_7FFF_FFFF_F000UL, // non-canonical
            8 => (ulong)rng.Next(0x1000),                                  // null page
            _ => 0xFFFF_FFFF_FFFF_F000UL + (ulong)rng.Next(0x1000),        // kernel half
        };
    }

    /// <summary>An address for a memory operand of <paramref name="size"/> bytes.</summary>
    static ulong MemTarget(Random rng, int size, FormOptions opt, bool addr32)
    {
        size = Math.Max(size, 1);
        if (rng.NextDouble() < opt.FaultRate)
        {
            switch (rng.Next(addr32 ? 4 : 5))
            {
                case 0: return 0x1001_0000 + (ulong)rng.Next(0x10000);                   // unmapped above the region
                case 1: return 0x1001_0000 - (ulong)rng.Next(1, Math.Max(2, size));     // straddles into unmapped
                case 2: return IA + 0x800 + (ulong)rng.Next(0x700);                     // read-only code page (int3 bytes)
                case 3: return (ulong)rng.Next(0x1000);                                 // null page
                default: return 0x0000_8000_0000_0000UL + (ulong)rng.Next(0x100000);   // non-canonical
            }
        }
        if (rng.Next(40) == 0)
            return OracleState.DataAddress + OracleState.DataSize - (ulong)rng.Next(1, Math.Max(2, size)); // into the zero gap
        ulong window = rng.Next(4) == 0 ? OracleState.StackAddress : OracleState.DataAddress;
        ulong a = window + (ulong)rng.Next(OracleState.DataSize - size + 1);
        if (opt.Align > 1 && rng.Next(8) != 0) a &= ~(ulong)(opt.Align - 1);
        return a;
    }

    // ------------------------------------------------------------------ forms

    static readonly HashSet<Code> Excluded =
    [
        // 16-bit near branches: AMD honours the 0x66 prefix (IP truncated to 16 bits), Intel ignores it.
        Code.Jmp_rm16, Code.Call_rm16, Code.Retnw, Code.Retnw_imm16,
        // far transfers
        Code.Jmp_m1616, Code.Jmp_m1632, Code.Jmp_m1664, Code.Call_m1616, Code.Call_m1632, Code.Call_m1664,
    ];

    public static bool IsStringCode(Code c) => c.Mnemonic() is Mnemonic.Movsb or Mnemonic.Movsw or Mnemonic.Movsd or Mnemonic.Movsq
        or Mnemonic.Cmpsb or Mnemonic.Cmpsw or Mnemonic.Cmpsd or Mnemonic.Cmpsq or Mnemonic.Stosb or Mnemonic.Stosw
        or Mnemonic.Stosd or Mnemonic.Stosq or Mnemonic.Lodsb or Mnemonic.Lodsw or Mnemonic.Lodsd or Mnemonic.Lodsq
        or Mnemonic.Scasb or Mnemonic.Scasw or Mnemonic.Scasd or Mnemonic.Scasq;

    static bool SupportedKind(OpCodeOperandKind k) => k switch
    {
        OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r64_or_mem
            or OpCodeOperandKind.r8_reg or OpCodeOperandKind.r16_reg or OpCodeOperandKind.r32_reg or OpCodeOperandKind.r64_reg
            or OpCodeOperandKind.r8_opcode or OpCodeOperandKind.r16_opcode or OpCodeOperandKind.r32_opcode or OpCodeOperandKind.r64_opcode
            or OpCodeOperandKind.r16_rm or OpCodeOperandKind.r32_rm or OpCodeOperandKind.r64_rm
            or OpCodeOperandKind.al or OpCodeOperandKind.cl or OpCodeOperandKind.ax or OpCodeOperandKind.eax or OpCodeOperandKind.rax
            or OpCodeOperandKind.imm8 or OpCodeOperandKind.imm8_const_1 or OpCodeOperandKind.imm8sex16 or OpCodeOperandKind.imm8sex32
            or OpCodeOperandKind.imm8sex64 or OpCodeOperandKind.imm16 or OpCodeOperandKind.imm32 or OpCodeOperandKind.imm32sex64
            or OpCodeOperandKind.imm64 or OpCodeOperandKind.mem or OpCodeOperandKind.mem_offs
            or OpCodeOperandKind.br64_1 or OpCodeOperandKind.br64_4 => true,
        _ => false,
    };

    /// <summary>The 64-bit legacy forms of the mnemonics this generator can build (see <see cref="Skipped"/> for the rest).</summary>
    public static List<Code> FormsOf(params Mnemonic[] mnemonics)
    {
        var set = new HashSet<Mnemonic>(mnemonics);
        var list = new List<Code>();
        foreach (Code c in Enum.GetValues<Code>())
        {
            if (!set.Contains(c.Mnemonic()) || Excluded.Contains(c)) continue;
            OpCodeInfo o = c.ToOpCode();
            if (!o.IsInstruction || o.Encoding != EncodingKind.Legacy || !o.Mode64) continue;
            if (IsStringCode(c))
            {
                if (c is Code.Movsd_m32_m32 or Code.Cmpsd_m32_m32 || c.Mnemonic() is not (Mnemonic.Movsd or Mnemonic.Cmpsd))
                    list.Add(c);
                continue;
            }
            bool ok = true;
            for (int i = 0; i < o.OpCount; i++) ok &= SupportedKind(o.GetOpKind(i));
            if (ok) list.Add(c);
        }
        return list;
    }

    /// <summary>Forms of the mnemonics that <see cref="FormsOf"/> leaves out (for the report).</summary>
    public static List<Code> Skipped(params Mnemonic[] mnemonics)
    {
        var taken = new HashSet<Code>(FormsOf(mnemonics));
        var set = new HashSet<Mnemonic>(mnemonics);
        return Enum.GetValues<Code>().Where(c => set.Contains(c.Mnemonic()) && !taken.Contains(c)
            && c.ToOpCode() is { IsInstruction: true, Encoding: EncodingKind.Legacy, Mode64: true }
            && c is not (Code.Movsd_xmm_xmmm64 or Code.Movsd_xmmm64_xmm or Code.Cmpsd_xmm_xmmm64_imm8)).ToList();
    }

    // ------------------------------------------------------------------ building

    /// <summary>Builds <paramref name="count"/> cases of one form (fewer if the form cannot be encoded).</summary>
    public static List<OracleCase> Build(Code code, int count, FormOptions opt, int seed = 1)
    {
        var rng = new Random(unchecked((int)code * 7919 + (seed + Seed) * 104729));
        var cases = new List<OracleCase>(count);
        int failures = 0;
        while (cases.Count < count && failures < 200 + 4 * count)
        {
            OracleCase? c = TryBuild(code, rng, opt);
            if (c == null) failures++;
            else cases.Add(c);
        }
        return cases;
    }

    static OracleCase? TryBuild(Code code, Random rng, FormOptions opt)
    {
        OpCodeInfo o = code.ToOpCode();
        var ctx = new CaseContext { Rng = rng, Code = code, State = NewState(rng, opt.UsesStack) };
        if (opt.UsesStack) ctx.AddressRegs.Add(4); // RSP keeps its stack value
        OracleState s = ctx.State;
        Instruction insn;
        if (IsStringCode(code))
        {
            insn = StringInstruction(ctx, opt);
        }
        else
        {
            insn = new Instruction { Code = code };
            bool memOperand = rng.Next(5) < 2;
            bool addr32 = rng.Next(8) == 0;
            int immediates = 0;
            for (int i = 0; i < o.OpCount; i++)
            {
                OpCodeOperandKind k = o.GetOpKind(i);
                switch (k)
                {
                    case OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r32_or_mem
                        or OpCodeOperandKind.r64_or_mem when memOperand:
                    case OpCodeOperandKind.mem:
                        if (!Memory(ctx, ref insn, i, opt, addr32, false)) return null;
                        break;
                    case OpCodeOperandKind.mem_offs:
                        if (!Memory(ctx, ref insn, i, opt, false, true)) return null;
                        break;
                    case OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r8_reg or OpCodeOperandKind.r8_opcode:
                        RegOperand(ctx, ref insn, i, RandomReg(rng, 1));
                        break;
                    case OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r16_reg or OpCodeOperandKind.r16_opcode or OpCodeOperandKind.r16_rm:
                        RegOperand(ctx, ref insn, i, RandomReg(rng, 2));
                        break;
                    case OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r32_reg or OpCodeOperandKind.r32_opcode or OpCodeOperandKind.r32_rm:
                        RegOperand(ctx, ref insn, i, RandomReg(rng, 4));
                        break;
                    case OpCodeOperandKind.r64_or_mem or OpCodeOperandKind.r64_reg or OpCodeOperandKind.r64_opcode or OpCodeOperandKind.r64_rm:
                        RegOperand(ctx, ref insn, i, RandomReg(rng, 8));
                        break;
                    case OpCodeOperandKind.al: RegOperand(ctx, ref insn, i, Register.AL); break;
                    case OpCodeOperandKind.cl: RegOperand(ctx, ref insn, i, Register.CL); break;
                    case OpCodeOperandKind.ax: RegOperand(ctx, ref insn, i, Register.AX); break;
                    case OpCodeOperandKind.eax: RegOperand(ctx, ref insn, i, Register.EAX); break;
                    case OpCodeOperandKind.rax: RegOperand(ctx, ref insn, i, Register.RAX); break;
                    case OpCodeOperandKind.imm8_const_1:
                        insn.SetOpKind(i, OpKind.Immediate8);
                        insn.Immediate8 = 1;
                        ctx.Operands.Add(null);
                        break;
                    case OpCodeOperandKind.imm8:
                        insn.SetOpKind(i, immediates++ == 0 ? OpKind.Immediate8 : OpKind.Immediate8_2nd);
                        if (immediates == 1) insn.Immediate8 = (byte)Imm(rng, 8);
                        else insn.Immediate8_2nd = (byte)Imm(rng, 8);
                        ctx.Operands.Add(null);
                        break;
                    case OpCodeOperandKind.imm8sex16:
                        insn.SetOpKind(i, OpKind.Immediate8to16);
                        insn.Immediate8to16 = (sbyte)Imm(rng, 8);
                        immediates++;
                        ctx.Operands.Add(null);
                        break;
                    case OpCodeOperandKind.imm8sex32:
                        insn.SetOpKind(i, OpKind.Immediate8to32);
                        insn.Immediate8to32 = (sbyte)Imm(rng, 8);
                        immediates++;
                        ctx.Operands.Add(null);
                        break;
                    case OpCodeOperandKind.imm8sex64:
                        insn.SetOpKind(i, OpKind.Immediate8to64);
                        insn.Immediate8to64 = (sbyte)Imm(rng, 8);
                        immediates++;
                        ctx.Operands.Add(null);
                        break;
                    case OpCodeOperandKind.imm16:
                        insn.SetOpKind(i, OpKind.Immediate16);
                        insn.Immediate16 = (ushort)Imm(rng, 16);
                        immediates++;
                        ctx.Operands.Add(null);
                        break;
                    case OpCodeOperandKind.imm32:
                        insn.SetOpKind(i, OpKind.Immediate32);
                        insn.Immediate32 = (uint)Imm(rng, 32);
                        immediates++;
                        ctx.Operands.Add(null);
                        break;
                    case OpCodeOperandKind.imm32sex64:
                        insn.SetOpKind(i, OpKind.Immediate32to64);
                        insn.Immediate32to64 = (int)Imm(rng, 32);
                        immediates++;
                        ctx.Operands.Add(null);
                        break;
                    case OpCodeOperandKind.imm64:
                        insn.SetOpKind(i, OpKind.Immediate64);
                        insn.Immediate64 = Imm(rng, 64);
                        immediates++;
                        ctx.Operands.Add(null);
                        break;
                    case OpCodeOperandKind.br64_1:
                        insn.SetOpKind(i, OpKind.NearBranch64);
                        insn.NearBranch64 = IA + 8; // fixed below, once the length is known
                        ctx.Operands.Add(null);
                        break;
                    case OpCodeOperandKind.br64_4:
                        insn.SetOpKind(i, OpKind.NearBranch64);
                        insn.NearBranch64 = IA + 0x800 + (ulong)rng.Next(0x700);
                        ctx.Operands.Add(null);
                        break;
                    default:
                        return null;
                }
            }
            if (ctx.MemAddress != null && o.CanUseLockPrefix && rng.Next(4) == 0) insn.HasLockPrefix = true;
            // A locked access that crosses a cache line is a split lock: Linux on CPUs that detect them throttles the
            // task (split_lock_mitigate sleeps it), so the host run may time out. Semantics do not depend on the line.
            if (ctx.MemAddress is { } ea && (insn.HasLockPrefix || ctx.Code.Mnemonic() == Mnemonic.Xchg) &&
                (ea & 63) + (ulong)Math.Max(ctx.MemSize, 1) > 64)
                return null;
        }

        byte[]? bytes = Encode(insn);
        if (bytes == null) return null;
        bool shortBranch = o.OpCount > 0 && o.GetOpKind(0) == OpCodeOperandKind.br64_1;
        if (shortBranch)
        {
            // rel8 reaches only the helper's prologue/epilogue: jump over one int3 instead
            // (taken: RIP = end of code; not taken: the int3 traps).
            insn.NearBranch64 = IA + (ulong)bytes.Length + 1;
            bytes = Encode(insn);
            if (bytes == null) return null;
            bytes = [.. bytes, 0xCC];
        }
        if (!DecodesAs(bytes, code, shortBranch ? bytes.Length - 1 : bytes.Length)) return null;
        s.Code = bytes;
        ctx.Insn = insn;
        ApplyValues(ctx);
        if (opt.Hook != null && !opt.Hook(ctx)) return null;
        return new OracleCase { Code = code, Input = s, FlagsMask = opt.FlagsMask, FaultChoices = ctx.FaultChoices };
    }

    static void RegOperand(CaseContext ctx, ref Instruction insn, int i, Register r)
    {
        insn.SetOpKind(i, OpKind.Register);
        insn.SetOpRegister(i, r);
        ctx.Operands.Add(Loc.Of(r));
    }

    /// <summary>Random edge values for the operands, and sometimes equal operands.</summary>
    static void ApplyValues(CaseContext ctx)
    {
        Random rng = ctx.Rng;
        foreach (Loc? l in ctx.Operands)
            if (l is { } loc && rng.Next(2) == 0)
                ctx.Set(loc, Edge(rng, Math.Min(loc.Size, 8)));
        var locs = ctx.Operands.Where(l => l != null).Select(l => l!.Value).ToList();
        if (locs.Count >= 2 && locs[0].Size == locs[1].Size && rng.Next(6) == 0)
        {
            if (rng.Next(2) == 0) ctx.Set(locs[0], ctx.Get(locs[1]));
            else ctx.Set(locs[1], ctx.Get(locs[0]));
        }
    }

    /// <summary>A memory operand: registers and displacement solved so that the access lands on a chosen address.</summary>
    static bool Memory(CaseContext ctx, ref Instruction insn, int i, FormOptions opt, bool addr32, bool moffs)
    {
        Random rng = ctx.Rng;
        OracleState s = ctx.State;
        int size = new Instruction { Code = ctx.Code }.MemorySize.GetSize();
        insn.SetOpKind(i, OpKind.Memory);
        Register seg = rng.Next(12) switch { 0 => Register.FS, 1 => Register.GS, _ => Register.None };
        if (moffs)
        {
            ulong target = MemTarget(rng, size, opt, false);
            if (seg != Register.None) SetSegBase(s, seg, (ulong)rng.Next(0x1000) * 0x1000, out _);
            insn.MemoryBase = Register.None;
            insn.MemoryIndex = Register.None;
            insn.MemoryDisplSize = 8;
            insn.MemoryDisplacement64 = target - SegBase(s, seg);
            insn.SegmentPrefix = seg;
            ctx.MemAddress = target;
            ctx.MemSize = size;
            ctx.Operands.Add(Loc.Memory(target, size));
            return true;
        }

        int regSize = addr32 ? 4 : 8;
        int baseReg = rng.Next(10) == 0 ? -1 : rng.Next(16);
        int indexReg = rng.Next(3) == 0 ? rng.Next(16) : -1;
        if (indexReg == 4) indexReg = -1; // RSP cannot be an index
        int scaleLog = rng.Next(4);
        insn.MemoryBase = baseReg < 0 ? Register.None : Gpr(regSize, baseReg);
        insn.MemoryIndex = indexReg < 0 ? Register.None : Gpr(regSize, indexReg);
        insn.MemoryIndexScale = indexReg < 0 ? 1 : 1 << scaleLog;
        insn.SegmentPrefix = seg;
        ulong addrMask = addr32 ? 0xFFFF_FFFFUL : ulong.MaxValue;

        if (opt.NoMemoryAccess)
        {
            long d = rng.Next(3) switch { 0 => 0, 1 => (sbyte)rng.Next(256), _ => rng.Next() - (1L << 30) };
            insn.MemoryDisplacement64 = addr32 ? (uint)d : (ulong)d;
            insn.MemoryDisplSize = d == 0 ? 0 : addr32 ? 4 : 8;
            if (seg != Register.None) SetSegBase(s, seg, Random64(rng), out _);
            ctx.Operands.Add(null);
            return true;
        }

        ulong ea = MemTarget(rng, size, opt, addr32);
        // A non-canonical address through RSP/RBP (the SS segment) raises #SS, which Linux reports as SIGBUS;
        // x86vm reports #GP (SIGSEGV) for every non-canonical access (docs/undefined-behaviour.md).
        if (seg == Register.None && baseReg is 4 or 5 && (ulong)((long)(ea << 16) >> 16) != ea) return false;
        ulong segBase = 0;
        if (seg != Register.None)
        {
            // The segment base is added after the address-size truncation.
            SetSegBase(s, seg, addr32 ? ea - (uint)rng.Next() : Random64(rng), out segBase);
        }
        else if (addr32 && ea > uint.MaxValue) return false;
        ulong off = (ea - segBase) & addrMask;
        long disp;
        if (baseReg < 0)
        {
            // [index*scale + disp32] or [disp32]
            if (indexReg < 0)
            {
                disp = addr32 ? (long)off : (long)off;
                if (!addr32 && (long)off != (int)off) return false;
            }
            else
            {
                long k = rng.Next(-64, 64);
                disp = k * (1L << scaleLog) + (long)(off & (ulong)((1 << scaleLog) - 1));
                ulong idx = (off - (ulong)disp) >> scaleLog;
                if (addr32) idx = (idx & 0xFFFF_FFFF) | (Random64(rng) << 32);
                else if ((ulong)(off - (ulong)disp) >> scaleLog << scaleLog != off - (ulong)disp) return false;
                if (!addr32 && (long)disp != (int)disp) return false;
                s.Gpr[indexReg] = idx;
                if (addr32 && ((((idx << scaleLog) + (ulong)disp) & addrMask) != off)) return false;
                if (!addr32 && (idx << scaleLog) + (ulong)disp != off) return false;
            }
        }
        else if (baseReg == 4)
        {
            // RSP keeps its (stack) value: solve the index and displacement around it.
            ulong idx = 0;
            if (indexReg >= 0)
            {
                idx = addr32 ? (Random64(rng) & ~0xFFFF_FFFFUL) | (uint)rng.Next(-64, 64) : (ulong)rng.Next(-64, 64);
                s.Gpr[indexReg] = idx;
            }
            disp = (long)((off - s.Rsp - (idx << scaleLog)) & addrMask);
            if (!addr32 && disp != (int)disp) return false;
        }
        else if (baseReg == indexReg)
        {
            ulong m = 1 + (1UL << scaleLog);
            ulong v = (off & addrMask) / m + (ulong)rng.Next(-16, 16);
            disp = (long)(((off - v * m)) & addrMask);
            if (addr32) v = (v & 0xFFFF_FFFF) | (Random64(rng) << 32);
            if (!addr32 && disp != (int)disp) return false;
            s.Gpr[baseReg] = v;
        }
        else
        {
            disp = rng.Next(3) switch { 0 => 0, 1 => (sbyte)rng.Next(256), _ => rng.Next() - (1L << 30) };
            ulong idx = indexReg >= 0 ? s.Gpr[indexReg] : 0;
            ulong b = off - (idx << scaleLog) - (ulong)disp;
            if (addr32) b = (b & 0xFFFF_FFFF) | (Random64(rng) << 32);
            s.Gpr[baseReg] = b;
        }
        if (addr32)
        {
            if (baseReg < 0 && indexReg < 0) return false; // [disp32] with 0x67 is pointless
            disp = (long)(uint)disp;
        }
        insn.MemoryDisplacement64 = addr32 ? (uint)disp : (ulong)disp;
        insn.MemoryDisplSize = disp == 0 && baseReg >= 0 && baseReg % 8 != 5 ? 0 : addr32 ? 4 : 8;
        if (baseReg >= 0) ctx.AddressRegs.Add(baseReg);
        if (indexReg >= 0) ctx.AddressRegs.Add(indexReg);

        // Verify the solution.
        ulong check = ((baseReg >= 0 ? s.Gpr[baseReg] : 0) + (indexReg >= 0 ? s.Gpr[indexReg] << scaleLog : 0)
                       + (addr32 ? (ulong)(uint)disp : (ulong)disp)) & addrMask;
        if (check + segBase != ea) return false;
        ctx.MemAddress = ea;
        ctx.MemSize = size;
        ctx.Operands.Add(Loc.Memory(ea, size));
        return true;
    }

    static ulong SegBase(OracleState s, Register seg) => seg switch
    {
        Register.FS => s.FsBase,
        Register.GS => s.GsBase,
        _ => 0,
    };

    static void SetSegBase(OracleState s, Register seg, ulong value, out ulong set)
    {
        // Segment bases must be canonical (WRFSBASE faults otherwise).
        value = (ulong)((long)(value << 16) >> 16);
        if (seg == Register.FS) s.FsBase = value;
        else s.GsBase = value;
        set = value;
    }

    /// <summary>MOVS/CMPS/STOS/LODS/SCAS without REP: RSI/RDI point into the windows (or, rarely, at a faulting address).</summary>
    static Instruction StringInstruction(CaseContext ctx, FormOptions opt)
    {
        Random rng = ctx.Rng;
        OracleState s = ctx.State;
        int addressSize = rng.Next(6) == 0 ? 32 : 64;
        Code c = ctx.Code;
        bool hasSource = c.Mnemonic() is Mnemonic.Movsb or Mnemonic.Movsw or Mnemonic.Movsd or Mnemonic.Movsq
            or Mnemonic.Cmpsb or Mnemonic.Cmpsw or Mnemonic.Cmpsd or Mnemonic.Cmpsq
            or Mnemonic.Lodsb or Mnemonic.Lodsw or Mnemonic.Lodsd or Mnemonic.Lodsq;
        Register seg = !hasSource ? Register.None : rng.Next(8) switch { 0 => Register.FS, 1 => Register.GS, _ => Register.None };
        Instruction insn = c.Mnemonic() switch
        {
            Mnemonic.Movsb => Instruction.CreateMovsb(addressSize, seg),
            Mnemonic.Movsw => Instruction.CreateMovsw(addressSize, seg),
            Mnemonic.Movsd => Instruction.CreateMovsd(addressSize, seg),
            Mnemonic.Movsq => Instruction.CreateMovsq(addressSize, seg),
            Mnemonic.Cmpsb => Instruction.CreateCmpsb(addressSize, seg),
            Mnemonic.Cmpsw => Instruction.CreateCmpsw(addressSize, seg),
            Mnemonic.Cmpsd => Instruction.CreateCmpsd(addressSize, seg),
            Mnemonic.Cmpsq => Instruction.CreateCmpsq(addressSize, seg),
            Mnemonic.Lodsb => Instruction.CreateLodsb(addressSize, seg),
            Mnemonic.Lodsw => Instruction.CreateLodsw(addressSize, seg),
            Mnemonic.Lodsd => Instruction.CreateLodsd(addressSize, seg),
            Mnemonic.Lodsq => Instruction.CreateLodsq(addressSize, seg),
            Mnemonic.Stosb => Instruction.CreateStosb(addressSize),
            Mnemonic.Stosw => Instruction.CreateStosw(addressSize),
            Mnemonic.Stosd => Instruction.CreateStosd(addressSize),
            Mnemonic.Stosq => Instruction.CreateStosq(addressSize),
            Mnemonic.Scasb => Instruction.CreateScasb(addressSize),
            Mnemonic.Scasw => Instruction.CreateScasw(addressSize),
            Mnemonic.Scasd => Instruction.CreateScasd(addressSize),
            _ => Instruction.CreateScasq(addressSize),
        };
        int size = insn.MemorySize.GetSize();
        ulong segBase = 0;
        if (seg != Register.None)
        {
            segBase = (ulong)rng.Next(1, 0x100) * 0x1000;
            SetSegBase(s, seg, segBase, out _);
        }
        ulong src = MemTarget(rng, size, opt, addressSize == 32) - segBase;
        ulong dst = MemTarget(rng, size, opt, addressSize == 32);
        if (addressSize == 32)
        {
            src = (src & 0xFFFF_FFFF) | (Random64(rng) << 32);
            dst = (dst & 0xFFFF_FFFF) | (Random64(rng) << 32);
        }
        s.Rsi = src;
        s.Rdi = dst;
        Loc srcLoc = Loc.Memory(((src & (addressSize == 32 ? 0xFFFF_FFFFUL : ulong.MaxValue)) + segBase), size);
        Loc dstLoc = Loc.Memory(dst & (addressSize == 32 ? 0xFFFF_FFFFUL : ulong.MaxValue), size);
        ctx.AddressRegs.Add(6);
        ctx.AddressRegs.Add(7);
        ctx.MemAddress = dstLoc.Address;
        ctx.MemSize = size;
        bool movs = c.Mnemonic() is Mnemonic.Movsb or Mnemonic.Movsw or Mnemonic.Movsd or Mnemonic.Movsq;
        bool cmps = c.Mnemonic() is Mnemonic.Cmpsb or Mnemonic.Cmpsw or Mnemonic.Cmpsd or Mnemonic.Cmpsq;
        // Both operands faulting: the CPU reports one of the two faults, which one is its choice (hosts differ).
        if ((movs || cmps) && OracleFault.OfAccess(srcLoc.Address, size, false) is { } srcFault
            && OracleFault.OfAccess(dstLoc.Address, size, movs) is { } dstFault && srcFault != dstFault)
            ctx.FaultChoices = [srcFault, dstFault];
        Loc acc = Loc.Of(Gpr(Math.Max(size, 2), 0));
        if (size == 1) acc = Loc.Of(Register.AL);
        // Equal operands now and then, so CMPS/SCAS see ZF = 1.
        if (rng.Next(3) == 0)
        {
            if (cmps) ctx.Set(dstLoc, ctx.Get(srcLoc));
            if (c.Mnemonic() is Mnemonic.Scasb or Mnemonic.Scasw or Mnemonic.Scasd or Mnemonic.Scasq) ctx.Set(acc, ctx.Get(dstLoc));
        }
        return insn;
    }

    public static byte[]? Encode(in Instruction insn)
    {
        var writer = new ByteWriter();
        var encoder = Iced.Intel.Encoder.Create(64, writer);
        if (!encoder.TryEncode(insn, IA, out _, out _)) return null;
        byte[] b = writer.ToArray();
        return b.Length <= OracleState.MaxCodeLength ? b : null;
    }

    static bool DecodesAs(byte[] bytes, Code code, int length)
    {
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes), IA);
        decoder.Decode(out Instruction d);
        return d.Code == code && d.Length == length;
    }

    /// <summary>The form the code at the start of <paramref name="bytes"/> decodes to.</summary>
    public static Instruction Decode(byte[] bytes)
    {
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes), IA);
        decoder.Decode(out Instruction d);
        return d;
    }

    sealed class ByteWriter : CodeWriter
    {
        readonly List<byte> _bytes = new();
        public override void WriteByte(byte value) => _bytes.Add(value);
        public byte[] ToArray() => _bytes.ToArray();
    }
}
