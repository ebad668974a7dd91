using System.Numerics;
using System.Runtime.CompilerServices;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Flags;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions;

/// <summary>
/// Instructions that exist only outside 64-bit mode (Iced decodes them only for 32-bit code): PUSHA/POPA, the BCD
/// adjustments AAA AAS AAM AAD DAA DAS, BOUND, INTO, LDS/LES (and LFS/LGS/LSS, valid in both), and the segment
/// register loads and stores (MOV/PUSH/POP Sreg), which x86vm models in 32-bit mode only. Flags the SDM leaves
/// undefined for the BCD instructions follow qemu-i386, the reference for 32-bit programs (docs/undefined-behaviour.md).
/// </summary>
[InstructionFamily]
static class InstLegacy
{
    static readonly Type Self = typeof(InstLegacy);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Pushad, Bind.Fixed(Self, nameof(PushAll), typeof(uint)));
        t.Add(Mnemonic.Pusha, Bind.Fixed(Self, nameof(PushAll), typeof(ushort)));
        t.Add(Mnemonic.Popad, Bind.Fixed(Self, nameof(PopAll), typeof(uint)));
        t.Add(Mnemonic.Popa, Bind.Fixed(Self, nameof(PopAll), typeof(ushort)));
        t.Add(Mnemonic.Aaa, Bind.Fixed(Self, nameof(Aaa)));
        t.Add(Mnemonic.Aas, Bind.Fixed(Self, nameof(Aas)));
        t.Add(Mnemonic.Daa, Bind.Fixed(Self, nameof(Daa)));
        t.Add(Mnemonic.Das, Bind.Fixed(Self, nameof(Das)));
        t.Add(Mnemonic.Aam, Bind.Fixed(Self, nameof(Aam)));
        t.Add(Mnemonic.Aad, Bind.Fixed(Self, nameof(Aad)));
        t.Add(Mnemonic.Into, Bind.Fixed(Self, nameof(Into)));
        t.Add(Mnemonic.Bound, Bind.Sized(Self, nameof(Bound)));
        foreach (var (m, sreg) in new[] { (Mnemonic.Lds, Segments.DS), (Mnemonic.Les, Segments.ES), (Mnemonic.Lfs, Segments.FS),
                     (Mnemonic.Lgs, Segments.GS), (Mnemonic.Lss, Segments.SS) })
            t.Add(m, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            {
                if (insn.CodeSize != CodeSize.Code32) return 0;
                op.Imm = (ulong)sreg;
                return Handlers.Get(Self, nameof(LoadFarPointer), OperandDecoder.UnsignedType(OperandDecoder.OperandSize(insn, 0)), o[0]);
            });
    }

    static bool IsSegment(in Instruction insn) => insn.Op0Kind == OpKind.Register && insn.Op0Register.IsSegmentRegister();

    static int SegmentNumber(Iced.Intel.Register r) => r - Iced.Intel.Register.ES;

    /// <summary>MOV Sreg, r/m16 (32-bit mode only; CS cannot be loaded this way).</summary>
    internal static nint BindLoadSegment(in Instruction insn, ref DecodedOp op, Type[] o)
    {
        if (insn.CodeSize != CodeSize.Code32 || insn.Op0Register == Iced.Intel.Register.CS) return 0;
        op.Imm = (ulong)SegmentNumber(insn.Op0Register);
        return Handlers.Get(Self, nameof(MovToSegment), o[1]);
    }

    /// <summary>PUSH Sreg (32-bit mode only): the selector zero-extended to the stack width, as qemu-i386 stores it.</summary>
    internal static nint BindPushSegment(in Instruction insn, ref DecodedOp op)
    {
        if (insn.CodeSize != CodeSize.Code32 || !IsSegment(insn)) return 0;
        op.Imm = (ulong)SegmentNumber(insn.Op0Register);
        return Handlers.Get(Self, nameof(PushSegment), OperandDecoder.UnsignedType(-insn.StackPointerIncrement));
    }

    /// <summary>POP Sreg (32-bit mode only; POP CS does not exist).</summary>
    internal static nint BindPopSegment(in Instruction insn, ref DecodedOp op)
    {
        if (insn.CodeSize != CodeSize.Code32 || !IsSegment(insn) || insn.Op0Register == Iced.Intel.Register.CS) return 0;
        op.Imm = (ulong)SegmentNumber(insn.Op0Register);
        return Handlers.Get(Self, nameof(PopSegment), OperandDecoder.UnsignedType(insn.StackPointerIncrement));
    }

    public static void MovToSegment<S>(Cpu c, ref DecodedOp op) where S : IOperand =>
        c.LoadSegment((int)op.Imm, S.Read<ushort>(c, ref op));

    public static void PushSegment<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> =>
        c.Push(T.CreateTruncating(c.Selectors[(int)op.Imm]));

    /// <summary>POP Sreg: a selector that cannot be loaded faults with ESP unchanged.</summary>
    public static void PopSegment<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T>
    {
        T value = c.Memory.Read<T>(c.Rsp);
        c.LoadSegment((int)op.Imm, ushort.CreateTruncating(value));
        c.Rsp += (ulong)Unsafe.SizeOf<T>();
    }

    /// <summary>LDS/LES/LFS/LGS/LSS r, m16:16/32: the offset, then the selector after it (SDM LDS/LES/LFS/LGS/LSS).</summary>
    public static void LoadFarPointer<T, D>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand
    {
        ulong address = c.EffectiveAddress(ref op);
        T offset = c.Memory.Read<T>(address);
        ushort selector = c.Memory.Read<ushort>((address + (ulong)Unsafe.SizeOf<T>()) & uint.MaxValue);
        c.LoadSegment((int)op.Imm, selector);
        GprAccess.Write(c, op.R1, offset);
    }

    /// <summary>PUSHA/PUSHAD: EAX ECX EDX EBX, the ESP before the first push, EBP ESI EDI (SDM PUSHA).</summary>
    public static void PushAll<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T>
    {
        ulong size = (ulong)Unsafe.SizeOf<T>(), sp = c.Rsp, at = sp;
        // Probe the lowest slot first so a fault leaves memory and ESP unchanged.
        c.Memory.Write(sp - 8 * size, c.Memory.Read<T>(sp - 8 * size));
        for (int r = 0; r < 8; r++)
        {
            at -= size;
            c.Memory.Write(at, r == Reg.RSP ? T.CreateTruncating(sp) : GprAccess.Read<T>(c, (byte)(r * 8)));
        }
        c.Rsp = at;
    }

    /// <summary>POPA/POPAD: EDI ESI EBP, a skipped slot for ESP, EBX EDX ECX EAX.</summary>
    public static void PopAll<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T>
    {
        ulong size = (ulong)Unsafe.SizeOf<T>(), sp = c.Rsp;
        Span<ulong> values = stackalloc ulong[8];
        for (int i = 0; i < 8; i++) values[7 - i] = ulong.CreateTruncating(c.Memory.Read<T>(sp + (ulong)i * size));
        for (int r = 0; r < 8; r++)
            if (r != Reg.RSP) GprAccess.Write(c, (byte)(r * 8), T.CreateTruncating(values[r]));
        c.Rsp = sp + 8 * size;
    }

    static byte Al(Cpu c) => GprAccess.Read<byte>(c, 0);
    static byte Ah(Cpu c) => GprAccess.Read<byte>(c, 1);
    static void SetAx(Cpu c, int al, int ah) => GprAccess.Write(c, 0, (ushort)((al & 0xFF) | ((ah & 0xFF) << 8)));

    /// <summary>The status flags with ZF, SF and PF of <paramref name="al"/>, and OF clear (DAA/DAS as qemu computes them).</summary>
    static ulong ResultFlags(int al, ulong carries) =>
        carries | (al == 0 ? RFlags.ZF : 0) | ((ulong)al & RFlags.SF) | (BitOperations.PopCount((uint)al) % 2 == 0 ? RFlags.PF : 0);

    /// <summary>AAA: ASCII adjust after addition; CF = AF = adjusted, the other status flags unchanged (qemu).</summary>
    public static void Aaa(Cpu c, ref DecodedOp op)
    {
        ulong flags = c.StatusFlags;
        int al = Al(c), ah = Ah(c);
        bool adjust = (al & 0x0F) > 9 || (flags & RFlags.AF) != 0;
        if (adjust) { ah += 1 + (al > 0xF9 ? 1 : 0); al = (al + 6) & 0x0F; }
        else al &= 0x0F;
        SetAx(c, al, ah);
        c.SetStatusFlags(adjust ? RFlags.CF | RFlags.AF : 0, RFlags.CF | RFlags.AF);
    }

    /// <summary>AAS: ASCII adjust after subtraction.</summary>
    public static void Aas(Cpu c, ref DecodedOp op)
    {
        ulong flags = c.StatusFlags;
        int al = Al(c), ah = Ah(c);
        bool adjust = (al & 0x0F) > 9 || (flags & RFlags.AF) != 0;
        if (adjust) { ah -= 1 + (al < 6 ? 1 : 0); al = (al - 6) & 0x0F; }
        else al &= 0x0F;
        SetAx(c, al, ah);
        c.SetStatusFlags(adjust ? RFlags.CF | RFlags.AF : 0, RFlags.CF | RFlags.AF);
    }

    /// <summary>DAA: decimal adjust AL after addition (SDM DAA; OF, undefined there, is cleared as qemu does).</summary>
    public static void Daa(Cpu c, ref DecodedOp op)
    {
        ulong flags = c.StatusFlags, carries = 0;
        int old = Al(c), al = old;
        if ((al & 0x0F) > 9 || (flags & RFlags.AF) != 0) { al = (al + 6) & 0xFF; carries |= RFlags.AF; }
        if (old > 0x99 || (flags & RFlags.CF) != 0) { al = (al + 0x60) & 0xFF; carries |= RFlags.CF; }
        GprAccess.Write(c, 0, (byte)al);
        c.SetStatusFlags(ResultFlags(al, carries));
    }

    /// <summary>DAS: decimal adjust AL after subtraction.</summary>
    public static void Das(Cpu c, ref DecodedOp op)
    {
        ulong flags = c.StatusFlags, carries = 0;
        int old = Al(c), al = old;
        bool cf = (flags & RFlags.CF) != 0;
        if ((al & 0x0F) > 9 || (flags & RFlags.AF) != 0)
        {
            carries |= RFlags.AF;
            if (al < 6 || cf) carries |= RFlags.CF;
            al = (al - 6) & 0xFF;
        }
        if (old > 0x99 || cf) { al = (al - 0x60) & 0xFF; carries |= RFlags.CF; }
        GprAccess.Write(c, 0, (byte)al);
        c.SetStatusFlags(ResultFlags(al, carries));
    }

    /// <summary>AAM imm8: AH = AL / imm, AL = AL mod imm; flags as a logic result on AL; imm 0 is #DE.</summary>
    public static void Aam(Cpu c, ref DecodedOp op)
    {
        int b = (byte)op.Imm, al = Al(c);
        if (b == 0) throw GuestFault.DivideError(op.Ip);
        SetAx(c, al % b, al / b);
        c.SetFlags(FlagOp.Logic, 0, 0, 0, (ulong)(al % b));
    }

    /// <summary>AAD imm8: AL = AH * imm + AL, AH = 0; flags as a logic result on AL.</summary>
    public static void Aad(Cpu c, ref DecodedOp op)
    {
        int al = (Ah(c) * (byte)op.Imm + Al(c)) & 0xFF;
        SetAx(c, al, 0);
        c.SetFlags(FlagOp.Logic, 0, 0, 0, (ulong)al);
    }

    /// <summary>INTO: with OF set, the overflow trap (vector 4), which Linux reports as SIGSEGV after the instruction.</summary>
    public static void Into(Cpu c, ref DecodedOp op)
    {
        if (c.Condition(0)) throw new GuestFault(Signals.SIGSEGV, Signals.SI_KERNEL, 0) { IsTrap = true, Vector = 4 };
    }

    /// <summary>BOUND r, m: signed lower and upper bounds at m; outside them, #BR (vector 5), SIGSEGV at the instruction.</summary>
    public static void Bound<T, R, M>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where R : IOperand where M : IOperand
    {
        ulong address = c.EffectiveAddress(ref op);
        long index = (long)InstMove.SignExtend(GprAccess.Read<T>(c, op.R1));
        long lower = (long)InstMove.SignExtend(c.Memory.Read<T>(address));
        long upper = (long)InstMove.SignExtend(c.Memory.Read<T>((address + (ulong)Unsafe.SizeOf<T>()) & uint.MaxValue));
        if (index < lower || index > upper) throw new GuestFault(Signals.SIGSEGV, Signals.SI_KERNEL, 0) { Vector = 5 };
    }
}
