using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Float;
using X86Vm.Cpu.Instructions.Sse;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions.Mmx;

/// <summary>
/// The MMX registers as the x87 state holds them (SDM Vol. 1 §9.5): MMi is the significand (low 64 bits)
/// of physical register Ri. A write sets bits 79:64 of Ri to all ones. Every MMX instruction first takes
/// a pending unmasked x87 exception (#MF); when it completes, TOP = 0 and all eight registers are tagged
/// valid (EMMS instead tags them all empty).
/// </summary>
public static class MmxAccess
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Get(Cpu c, byte index) => c.Fpu.Regs[index].Significand;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set(Cpu c, byte index, ulong value) => c.Fpu.Regs[index] = new Float80(0xFFFF, value);

    /// <summary>Start of an MMX instruction: a pending unmasked x87 exception raises #MF (the instruction does not execute).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Begin(Cpu c, ref DecodedOp op)
    {
        if (c.Fpu.ExceptionPending) throw X87.X87.MathFault(c.Fpu, op.Ip);
    }

    /// <summary>End of an MMX instruction (after any memory access that could fault): TOP = 0, all tags valid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Finish(Cpu c)
    {
        X87State f = c.Fpu;
        f.Top = 0;
        f.Valid = 0xFF;
    }
}

/// <summary>A 64-bit MMX operand kind known at decode time (the MMX counterpart of <see cref="IXmmOperand"/>).</summary>
public interface IMmOperand
{
    static abstract ulong Read(Cpu c, ref DecodedOp op);
    static abstract void Write(Cpu c, ref DecodedOp op, ulong value);
}

/// <summary>The MMX register in the first register slot.</summary>
public struct Mm1 : IMmOperand
{
    public static ulong Read(Cpu c, ref DecodedOp op) => MmxAccess.Get(c, op.R1);
    public static void Write(Cpu c, ref DecodedOp op, ulong value) => MmxAccess.Set(c, op.R1, value);
}

/// <summary>The MMX register in the second register slot.</summary>
public struct Mm2 : IMmOperand
{
    public static ulong Read(Cpu c, ref DecodedOp op) => MmxAccess.Get(c, op.R2);
    public static void Write(Cpu c, ref DecodedOp op, ulong value) => MmxAccess.Set(c, op.R2, value);
}

/// <summary>A 64-bit memory operand (no alignment requirement).</summary>
public struct MmMem64 : IMmOperand
{
    public static ulong Read(Cpu c, ref DecodedOp op) => c.Memory.Read<ulong>(c.EffectiveAddress(ref op));
    public static void Write(Cpu c, ref DecodedOp op, ulong value) => c.Memory.Write(c.EffectiveAddress(ref op), value);
}

/// <summary>A 32-bit memory operand, read zero-extended (the m32 source of PUNPCKLBW/WD/DQ mm).</summary>
public struct MmMem32 : IMmOperand
{
    public static ulong Read(Cpu c, ref DecodedOp op) => c.Memory.Read<uint>(c.EffectiveAddress(ref op));
    public static void Write(Cpu c, ref DecodedOp op, ulong value) => c.Memory.Write(c.EffectiveAddress(ref op), (uint)value);
}

/// <summary>
/// How a 64-bit MMX operation runs on the 128-bit SSE operation structs (<see cref="IVectorOp"/>), so the
/// arithmetic is shared with the XMM forms rather than duplicated.
/// </summary>
public interface IMmLayout
{
    static abstract ulong Apply<TOp>(ulong a, ulong b) where TOp : struct, IVectorOp;
}

/// <summary>Element-wise operations (and those working per quadword): the operands in the low quadword, upper lanes zero.</summary>
public struct Lanes : IMmLayout
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Apply<TOp>(ulong a, ulong b) where TOp : struct, IVectorOp =>
        TOp.Apply(Vector128.CreateScalar(a).AsByte(), Vector128.CreateScalar(b).AsByte()).AsUInt64().ToScalar();
}

/// <summary>
/// PUNPCKHBW/WD/DQ mm: the operands in the high quadword; the 128-bit high-half interleave then holds the
/// interleave of their high doublewords in its high quadword.
/// </summary>
public struct HighHalves : IMmLayout
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Apply<TOp>(ulong a, ulong b) where TOp : struct, IVectorOp =>
        TOp.Apply(Vector128.Create(0UL, a).AsByte(), Vector128.Create(0UL, b).AsByte()).AsUInt64().GetElement(1);
}

/// <summary>PACKSSWB/PACKSSDW/PACKUSWB mm: the pack of the 128-bit value (dest : source) with itself, low quadword.</summary>
public struct Concatenated : IMmLayout
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Apply<TOp>(ulong a, ulong b) where TOp : struct, IVectorOp
    {
        Vector128<byte> v = Vector128.Create(a, b).AsByte();
        return TOp.Apply(v, v).AsUInt64().ToScalar();
    }
}

/// <summary>Marks an operation whose MMX form is <see cref="Concatenated"/> (the SSSE3 horizontal adds and subtracts).</summary>
public interface IMmxConcatenated;

/// <summary>The generic MMX handlers, specialised by operation, layout and operand kinds.</summary>
public static class MmxHandlers
{
    /// <summary>"op mm, mm/m64" (or m32): the destination is the first register.</summary>
    public static void Binary<TOp, L, S>(Cpu c, ref DecodedOp op) where TOp : struct, IVectorOp where L : struct, IMmLayout where S : struct, IMmOperand
    {
        MmxAccess.Begin(c, ref op);
        ulong b = S.Read(c, ref op);
        MmxAccess.Set(c, op.R1, L.Apply<TOp>(MmxAccess.Get(c, op.R1), b));
        MmxAccess.Finish(c);
    }

    /// <summary>"shift mm, imm8": the count is the immediate.</summary>
    public static void ImmediateCount<TOp>(Cpu c, ref DecodedOp op) where TOp : struct, IVectorOp
    {
        MmxAccess.Begin(c, ref op);
        MmxAccess.Set(c, op.R1, Lanes.Apply<TOp>(MmxAccess.Get(c, op.R1), (byte)op.Imm));
        MmxAccess.Finish(c);
    }

    /// <summary>"op mm, mm/m64, imm8" (PSHUFW).</summary>
    public static void BinaryImm<TOp, S>(Cpu c, ref DecodedOp op) where TOp : struct, IVectorImmOp where S : struct, IMmOperand
    {
        MmxAccess.Begin(c, ref op);
        ulong b = S.Read(c, ref op);
        Vector128<byte> r = TOp.Apply(Vector128.CreateScalar(MmxAccess.Get(c, op.R1)).AsByte(), Vector128.CreateScalar(b).AsByte(), (byte)op.Imm);
        MmxAccess.Set(c, op.R1, r.AsUInt64().ToScalar());
        MmxAccess.Finish(c);
    }

    /// <summary>MOVQ mm, mm/m64; MOVQ mm/m64, mm; MOVNTQ m64, mm.</summary>
    public static void Move<D, S>(Cpu c, ref DecodedOp op) where D : struct, IMmOperand where S : struct, IMmOperand
    {
        MmxAccess.Begin(c, ref op);
        D.Write(c, ref op, S.Read(c, ref op));
        MmxAccess.Finish(c);
    }
}

/// <summary>Binder helpers: the SSE families hand their MMX forms (operands in MMX registers) to these.</summary>
public static class MmxBind
{
    /// <summary>The MMX operand kind of a decoded operand: register slot → Mm1/Mm2, memory → <paramref name="memory"/>.</summary>
    public static Type Mm(Type kind, Type memory) =>
        kind == typeof(R1) ? typeof(Mm1) :
        kind == typeof(R2) ? typeof(Mm2) :
        kind == typeof(Mem) ? memory :
        throw new ArgumentException($"{kind.Name} is not an MMX operand", nameof(kind));

    /// <summary>The memory kind of an "mm, mm/m" source: 32 bits for the low unpacks, else 64.</summary>
    static Type SourceMemory(in Instruction insn) => insn.MemorySize.GetSize() == 4 ? typeof(MmMem32) : typeof(MmMem64);

    /// <summary>How an op type maps onto 64-bit operands.</summary>
    static Type Layout(Type operation) =>
        operation == typeof(SseShuffle.UnpackHighB) || operation == typeof(SseShuffle.UnpackHighW) || operation == typeof(SseShuffle.UnpackHighD)
            ? typeof(HighHalves)
            : operation == typeof(SseShuffle.PackSSWB) || operation == typeof(SseShuffle.PackSSDW) || operation == typeof(SseShuffle.PackUSWB)
                || typeof(IMmxConcatenated).IsAssignableFrom(operation)
                ? typeof(Concatenated)
                : typeof(Lanes);

    /// <summary>"op mm, mm/m64" through <see cref="MmxHandlers.Binary{TOp, L, S}"/>; 0 for anything else.</summary>
    public static nint Binary<TOp>(in Instruction insn, Type[] o) where TOp : struct, IVectorOp =>
        o.Length != 2 || o[1] == typeof(Imm)
            ? 0
            : Handlers.Get(typeof(MmxHandlers), nameof(MmxHandlers.Binary), typeof(TOp), Layout(typeof(TOp)), Mm(o[1], SourceMemory(insn)));

    /// <summary>A shift: "op mm, imm8" or "op mm, mm/m64".</summary>
    public static nint Shift<TOp>(in Instruction insn, Type[] o) where TOp : struct, IVectorOp =>
        o.Length == 2 && o[1] == typeof(Imm)
            ? Handlers.Get(typeof(MmxHandlers), nameof(MmxHandlers.ImmediateCount), typeof(TOp))
            : Binary<TOp>(insn, o);
}
