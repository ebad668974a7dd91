using System.Runtime.CompilerServices;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Flags;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu;

/// <summary>
/// The architectural state of one x86-64 hardware thread at user level, plus the bookkeeping the
/// interpreter needs (instruction counter, lazy-flag record). Everything here is plain data so that it
/// can be serialised, hashed and restored.
/// </summary>
public sealed partial class Cpu
{
    public RegisterFile Regs;
    public ulong Rip;
    /// <summary>[0] = 0, [1] = FS base, [2] = GS base (arch_prctl).</summary>
    public SegmentBases SegBase;
    public XmmFile Xmm;
    /// <summary>
    /// Bits 255:128 of YMM0–15 (SDM Vol. 1 §14.1.1). Kept apart from <see cref="Xmm"/> as XSAVE keeps them (state
    /// component 2, YMM_Hi128): legacy SSE instructions never touch them, VEX.128 instructions zero them.
    /// </summary>
    public XmmFile YmmHigh;
    public uint Mxcsr = 0x1F80;

    // Lazy flags: the last flag-setting operation (see FlagOp) — kind, operands, result, auxiliary.
    public int FlagKind;
    public ulong FlagA, FlagB, FlagRes, FlagAux;
    /// <summary>The record under a <see cref="FlagOp.Partial"/> update: supplies the flags it did not set.</summary>
    public int FlagKind2;
    public ulong FlagA2, FlagB2, FlagRes2, FlagAux2;
    /// <summary>RFLAGS bits other than the six status flags (DF, TF, AC, ID, reserved bit 1, IF).</summary>
    public ulong FlagsOther = RFlags.Reserved1 | RFlags.IF;

    /// <summary>Instructions retired so far (each REP iteration counts one; a faulting instruction does not).</summary>
    public ulong Retired;

    public AddressSpace Memory;

    /// <summary>Decoded blocks of <see cref="Memory"/> (shared by the threads of one address space).</summary>
    public BlockCache Code;

    /// <summary>The fault that stopped <see cref="Interpreter.Run"/>, if it stopped for one.</summary>
    public GuestFault? PendingFault;

    /// <summary>
    /// Instructions the current block may still retire before the run limit. A REP string op (always a
    /// block of its own) runs at most this many iterations, adds the extra ones to <see cref="Retired"/>
    /// and leaves RIP on itself when it has more to do.
    /// </summary>
    public ulong InstructionBudget;

    /// <summary>The block being run and the index of the running op in it (what a fault needs to rewind).</summary>
    public BasicBlock? CurrentBlock;
    public int CurrentOpIndex;

    /// <summary>Receives SYSCALL. Set by the operating-system personality.</summary>
    public ISyscallHandler? Syscalls;

    /// <summary>Source of the time-stamp counter; deterministic mode supplies a counter derived from <see cref="Retired"/>.</summary>
    public Func<ulong>? TimeStampCounter;

    /// <summary>Set by a handler (e.g. exit) to leave <see cref="Interpreter.Run"/> after the current instruction.</summary>
    public bool StopRequested;

    public Cpu(AddressSpace memory, BlockCache? code = null)
    {
        Memory = memory;
        Code = code ?? new BlockCache(memory);
        FlagKind = LazyFlags.Kind(FlagOp.Materialized, 3);
        ResetSegments(Code.Bitness);
    }

    // ---------------------------------------------------------------- registers

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref ulong R(int index) => ref Unsafe.Add(ref Regs[0], index);

    public ulong Rsp { get => R(Reg.RSP); set => R(Reg.RSP) = value; }
    public ulong Rax { get => R(Reg.RAX); set => R(Reg.RAX) = value; }

    public ulong FsBase { get => SegBase[1]; set => SegBase[1] = value; }
    public ulong GsBase { get => SegBase[2]; set => SegBase[2] = value; }

    public bool DirectionFlag => (FlagsOther & RFlags.DF) != 0;

    // ---------------------------------------------------------------- flags

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetFlags(FlagOp op, int sizeLog2, ulong a, ulong b, ulong res)
    {
        FlagKind = ((int)op << 2) | sizeLog2;
        FlagA = a;
        FlagB = b;
        FlagRes = res;
    }

    /// <summary>Records an operation whose CF comes from before it (INC/DEC keep CF).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetFlagsKeepCarry(FlagOp op, int sizeLog2, ulong a, ulong res)
    {
        ulong carry = Carry ? RFlags.CF : 0;
        FlagKind = ((int)op << 2) | sizeLog2;
        FlagA = a;
        FlagB = 1;
        FlagRes = res;
        FlagAux = carry;
    }

    /// <summary>
    /// Sets the status flags in <paramref name="mask"/> to <paramref name="value"/>, keeping the others — lazily:
    /// the current record is kept underneath (FlagOp.Partial) instead of being evaluated now.
    /// </summary>
    public void SetStatusFlags(ulong value, ulong mask = RFlags.Status)
    {
        const int partial = (int)FlagOp.Partial << 2;
        if (mask == RFlags.Status)
        {
            FlagKind = LazyFlags.Kind(FlagOp.Materialized, 3);
            FlagRes = value & mask;
            return;
        }
        if (FlagKind == partial)
        {
            FlagRes = (FlagRes & ~mask) | (value & mask);
            FlagB |= mask;
            return;
        }
        FlagKind2 = FlagKind; FlagA2 = FlagA; FlagB2 = FlagB; FlagRes2 = FlagRes; FlagAux2 = FlagAux;
        FlagKind = partial;
        FlagRes = value & mask;
        FlagB = mask;
    }

    public bool Carry
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => FlagKind == (int)FlagOp.Partial << 2
            ? ((FlagB & RFlags.CF) != 0 ? (FlagRes & RFlags.CF) != 0 : LazyFlags.Carry(FlagKind2, FlagA2, FlagB2, FlagRes2, FlagAux2))
            : LazyFlags.Carry(FlagKind, FlagA, FlagB, FlagRes, FlagAux);
    }

    public ulong StatusFlags => FlagKind == (int)FlagOp.Partial << 2
        ? (FlagRes & FlagB) | (LazyFlags.Compute(FlagKind2, FlagA2, FlagB2, FlagRes2, FlagAux2) & ~FlagB)
        : LazyFlags.Compute(FlagKind, FlagA, FlagB, FlagRes, FlagAux);

    public ulong Rflags
    {
        get => StatusFlags | FlagsOther;
        set
        {
            FlagRes = value & RFlags.Status;
            FlagKind = LazyFlags.Kind(FlagOp.Materialized, 3);
            FlagsOther = (value & ~RFlags.Status & (RFlags.UserWritable | RFlags.IF)) | RFlags.Reserved1;
        }
    }

    /// <summary>
    /// Evaluates condition code <paramref name="cc"/> (the low nibble of Jcc/SETcc/CMOVcc, SDM Vol. 1 App. B)
    /// with fast paths for the common compare-then-branch pattern.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Condition(int cc)
    {
        int kind = FlagKind;
        if ((kind >> 2) == (int)FlagOp.Sub)
        {
            int size = kind & 3;
            int shift = 64 - (8 << size);
            ulong a = FlagA << shift, b = FlagB << shift;
            switch (cc)
            {
                case 0x2: return a < b;            // B
                case 0x3: return a >= b;           // AE
                case 0x4: return a == b;           // E
                case 0x5: return a != b;           // NE
                case 0x6: return a <= b;           // BE
                case 0x7: return a > b;            // A
                case 0xC: return (long)a < (long)b;  // L
                case 0xD: return (long)a >= (long)b; // GE
                case 0xE: return (long)a <= (long)b; // LE
                case 0xF: return (long)a > (long)b;  // G
            }
        }
        else if ((kind >> 2) == (int)FlagOp.Add && (cc is 0x2 or 0x3))
        {
            // ADD carries out exactly when the truncated sum is below an operand.
            int shift = 64 - (8 << (kind & 3));
            bool carry = FlagRes << shift < FlagA << shift;
            return cc == 0x2 ? carry : !carry;
        }
        else if ((kind >> 2) == (int)FlagOp.Logic)
        {
            int shift = 64 - (8 << (kind & 3));
            long r = (long)(FlagRes << shift);
            switch (cc)
            {
                case 0x4: return r == 0;
                case 0x5: return r != 0;
                case 0x8: return r < 0;
                case 0x9: return r >= 0;
                case 0xC: return r < 0;   // L: SF != OF, OF = 0
                case 0xD: return r >= 0;
                case 0xE: return r <= 0;
                case 0xF: return r > 0;
            }
        }
        if (cc is 0x4 or 0x5 or 0x8 or 0x9 && (kind >> 2) != (int)FlagOp.Materialized && (kind >> 2) != (int)FlagOp.Partial)
        {
            // Every recorded operation (ADD… SAR) takes ZF and SF from its result.
            long r = (long)(FlagRes << (64 - (8 << (kind & 3))));
            return cc switch { 0x4 => r == 0, 0x5 => r != 0, 0x8 => r < 0, _ => r >= 0 };
        }
        return ConditionSlow(cc);
    }

    bool ConditionSlow(int cc)
    {
        // Only the flags the condition reads: a materialised record, or a partial one (BT, MUL, rotates…) that set them
        // all, answers without evaluating the record underneath.
        ulong needed = (cc >> 1) switch
        {
            0 => RFlags.OF, 1 => RFlags.CF, 2 => RFlags.ZF, 3 => RFlags.CF | RFlags.ZF, 4 => RFlags.SF, 5 => RFlags.PF,
            6 => RFlags.SF | RFlags.OF, _ => RFlags.ZF | RFlags.SF | RFlags.OF,
        };
        int op = FlagKind >> 2;
        ulong f = op == (int)FlagOp.Materialized || (op == (int)FlagOp.Partial && (needed & ~FlagB) == 0)
            ? FlagRes
            : StatusFlags;
        bool result = (cc >> 1) switch
        {
            0 => (f & RFlags.OF) != 0,
            1 => (f & RFlags.CF) != 0,
            2 => (f & RFlags.ZF) != 0,
            3 => (f & (RFlags.CF | RFlags.ZF)) != 0,
            4 => (f & RFlags.SF) != 0,
            5 => (f & RFlags.PF) != 0,
            6 => ((f & RFlags.SF) != 0) != ((f & RFlags.OF) != 0),
            _ => (f & RFlags.ZF) != 0 || (((f & RFlags.SF) != 0) != ((f & RFlags.OF) != 0)),
        };
        return (cc & 1) != 0 ? !result : result;
    }
}

public sealed partial class Cpu
{
    /// <summary>base + (index &lt;&lt; scale) + disp + segment base, without a branch (absent registers read register 16 = 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong EffectiveAddress(ref Decoding.DecodedOp op)
    {
        ref ulong r = ref Regs[0];
        // The 0x67 address-size mask applies to the offset, before the FS/GS base is added.
        return ((Unsafe.Add(ref r, op.Base) + (Unsafe.Add(ref r, op.Index) << op.Scale) + op.Disp) & op.EaMask)
               + Unsafe.Add(ref SegBase[0], op.Seg);
    }
}

public sealed partial class Cpu
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push<T>(T value) where T : unmanaged
    {
        ulong rsp = R(State.Reg.RSP) - (ulong)Unsafe.SizeOf<T>();
        Memory.Write(rsp, value); // a fault leaves RSP unchanged
        R(State.Reg.RSP) = rsp;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Pop<T>() where T : unmanaged
    {
        ulong rsp = R(State.Reg.RSP);
        T value = Memory.Read<T>(rsp);
        R(State.Reg.RSP) = rsp + (ulong)Unsafe.SizeOf<T>();
        return value;
    }
}
