using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Memory;

namespace X86Vm.Cpu.Instructions.Sse;

/// <summary>
/// A 128-bit vector operand kind known at decode time (the vector counterpart of <see cref="IOperand"/>).
/// Memory kinds narrower than 128 bits read their value zero-extended into the low lanes and write only
/// the low bits of the value they are given, so one handler serves the register and memory forms.
/// </summary>
public interface IXmmOperand
{
    static abstract Vector128<byte> Read(Cpu c, ref DecodedOp op);
    static abstract void Write(Cpu c, ref DecodedOp op, Vector128<byte> value);
}

public static class XmmAccess
{
    /// <summary>XMM register <paramref name="index"/> (0–15, validated by the decoder) viewed as bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref Vector128<byte> At(Cpu c, byte index) =>
        ref Unsafe.As<UInt128, Vector128<byte>>(ref Unsafe.Add(ref c.Xmm[0], index));

    /// <summary>
    /// Effective address of a 16-byte operand that must be 16-byte aligned (SDM Vol. 1 §4.1.1, Vol. 2
    /// "Exceptions": legacy-SSE m128 operands other than MOVDQU/MOVUPS/MOVUPD/LDDQU). The alignment check
    /// comes before any page fault, as on hardware.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AlignedAddress(Cpu c, ref DecodedOp op)
    {
        ulong address = c.EffectiveAddress(ref op);
        if ((address & 15) != 0) ThrowMisaligned();
        return address;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void ThrowMisaligned() => throw GuestFault.GeneralProtection("misaligned 16-byte SSE memory operand");
}

/// <summary>The XMM register in the first register slot (<see cref="DecodedOp.R1"/>).</summary>
public struct X1 : IXmmOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Read(Cpu c, ref DecodedOp op) => XmmAccess.At(c, op.R1);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Cpu c, ref DecodedOp op, Vector128<byte> value) => XmmAccess.At(c, op.R1) = value;
}

/// <summary>The XMM register in the second register slot (<see cref="DecodedOp.R2"/>).</summary>
public struct X2 : IXmmOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Read(Cpu c, ref DecodedOp op) => XmmAccess.At(c, op.R2);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Cpu c, ref DecodedOp op, Vector128<byte> value) => XmmAccess.At(c, op.R2) = value;
}

/// <summary>The XMM register in the third register slot (<see cref="DecodedOp.R3"/>).</summary>
public struct X3 : IXmmOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Read(Cpu c, ref DecodedOp op) => XmmAccess.At(c, op.R3);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Cpu c, ref DecodedOp op, Vector128<byte> value) => XmmAccess.At(c, op.R3) = value;
}

/// <summary>A 128-bit memory operand with no alignment requirement (MOVDQU, MOVUPS, MOVUPD, LDDQU).</summary>
public struct XMem : IXmmOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Read(Cpu c, ref DecodedOp op) => c.Memory.Read<Vector128<byte>>(c.EffectiveAddress(ref op));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Cpu c, ref DecodedOp op, Vector128<byte> value) => c.Memory.Write(c.EffectiveAddress(ref op), value);
}

/// <summary>A 128-bit memory operand that must be 16-byte aligned, else #GP (MOVDQA, MOVAPS, MOVNTDQ, and the m128 source of legacy-SSE arithmetic).</summary>
public struct XMemAligned : IXmmOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Read(Cpu c, ref DecodedOp op) => c.Memory.Read<Vector128<byte>>(XmmAccess.AlignedAddress(c, ref op));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Cpu c, ref DecodedOp op, Vector128<byte> value) => c.Memory.Write(XmmAccess.AlignedAddress(c, ref op), value);
}

/// <summary>A 64-bit memory operand (MOVQ, MOVSD, MOVLPS…): read zero-extended, written from the low quadword. No alignment requirement.</summary>
public struct XMem64 : IXmmOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Read(Cpu c, ref DecodedOp op) =>
        Vector128.CreateScalar(c.Memory.Read<ulong>(c.EffectiveAddress(ref op))).AsByte();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Cpu c, ref DecodedOp op, Vector128<byte> value) =>
        c.Memory.Write(c.EffectiveAddress(ref op), value.AsUInt64().ToScalar());
}

/// <summary>A 32-bit memory operand (MOVSS): read zero-extended, written from the low doubleword. No alignment requirement.</summary>
public struct XMem32 : IXmmOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Read(Cpu c, ref DecodedOp op) =>
        Vector128.CreateScalar(c.Memory.Read<uint>(c.EffectiveAddress(ref op))).AsByte();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Cpu c, ref DecodedOp op, Vector128<byte> value) =>
        c.Memory.Write(c.EffectiveAddress(ref op), value.AsUInt32().ToScalar());
}

/// <summary>A 16-bit memory operand (PMOVSXBQ/PMOVZXBQ): read zero-extended. No alignment requirement.</summary>
public struct XMem16 : IXmmOperand
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Read(Cpu c, ref DecodedOp op) =>
        Vector128.CreateScalar(c.Memory.Read<ushort>(c.EffectiveAddress(ref op))).AsByte();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Cpu c, ref DecodedOp op, Vector128<byte> value) =>
        c.Memory.Write(c.EffectiveAddress(ref op), value.AsUInt16().ToScalar());
}

/// <summary>dest = Apply(dest, source) on 128-bit values. Implementations are exact integer/bitwise operations.</summary>
public interface IVectorOp
{
    static abstract Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b);
}

/// <summary>dest = Apply(dest, source, imm8).</summary>
public interface IVectorImmOp
{
    static abstract Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b, byte imm);
}

/// <summary>The handlers shared by the SSE families; each is specialised by its operation and operand kinds.</summary>
public static class SseHandlers
{
    /// <summary>"op xmm, xmm/m128": the destination is always the first register.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // hot and small: inlined into compiled blocks
    public static void Binary<TOp, S>(Cpu c, ref DecodedOp op) where TOp : struct, IVectorOp where S : struct, IXmmOperand
    {
        Vector128<byte> b = S.Read(c, ref op);
        ref Vector128<byte> d = ref XmmAccess.At(c, op.R1);
        d = TOp.Apply(d, b);
    }

    /// <summary>"op xmm, xmm/m128, imm8".</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // hot and small: inlined into compiled blocks
    public static void BinaryImm<TOp, S>(Cpu c, ref DecodedOp op) where TOp : struct, IVectorImmOp where S : struct, IXmmOperand
    {
        Vector128<byte> b = S.Read(c, ref op);
        ref Vector128<byte> d = ref XmmAccess.At(c, op.R1);
        d = TOp.Apply(d, b, (byte)op.Imm);
    }

    /// <summary>"op xmm, imm8" where the operation takes its count from the low quadword of a vector (shifts).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // hot and small: inlined into compiled blocks
    public static void ImmediateCount<TOp>(Cpu c, ref DecodedOp op) where TOp : struct, IVectorOp
    {
        ref Vector128<byte> d = ref XmmAccess.At(c, op.R1);
        d = TOp.Apply(d, Vector128.CreateScalar((ulong)(byte)op.Imm).AsByte());
    }

    /// <summary>Whole-operand move (narrow memory kinds store or load only their width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // hot and small: inlined into compiled blocks
    public static void Move<D, S>(Cpu c, ref DecodedOp op) where D : struct, IXmmOperand where S : struct, IXmmOperand =>
        D.Write(c, ref op, S.Read(c, ref op));
}

/// <summary>Binder helpers of the SSE families.</summary>
public static class SseBind
{
    /// <summary>True when an operand is an MMX register: those forms are bound by <see cref="Mmx.MmxBind"/>.</summary>
    public static bool UsesMmx(in Instruction insn)
    {
        for (int i = 0; i < insn.OpCount; i++)
            if (insn.GetOpKind(i) == OpKind.Register && insn.GetOpRegister(i).IsMM()) return true;
        return false;
    }

    /// <summary>The vector operand kind of a decoded operand: register slot → X1/X2/X3, memory → <paramref name="memory"/>.</summary>
    public static Type Xmm(Type kind, Type memory) =>
        kind == typeof(R1) ? typeof(X1) :
        kind == typeof(R2) ? typeof(X2) :
        kind == typeof(R3) ? typeof(X3) :
        kind == typeof(Mem) ? memory :
        throw new ArgumentException($"{kind.Name} is not a vector operand", nameof(kind));

    /// <summary>
    /// "op xmm, xmm/m128" through <see cref="SseHandlers.Binary{TOp, S}"/>; legacy m128 sources must be aligned.
    /// The MMX form "op mm, mm/m64" runs the same operation through <see cref="Mmx.MmxBind.Binary{TOp}"/>.
    /// </summary>
    public static Binder Binary<TOp>(Type? memory = null) where TOp : struct, IVectorOp =>
        (in Instruction insn, ref DecodedOp op, Type[] o) =>
            VexBind.IsVex(insn) ? VexBind.Lanes<IntLane<TOp>>(insn, o, typeof(YMem))
            : UsesMmx(insn) ? Mmx.MmxBind.Binary<TOp>(insn, o)
            : o.Length != 2 || o[1] == typeof(Imm)
                ? 0
                : Handlers.Get(typeof(SseHandlers), nameof(SseHandlers.Binary), typeof(TOp), Xmm(o[1], memory ?? typeof(XMemAligned)));

    /// <summary>"op xmm, xmm/m128, imm8" through <see cref="SseHandlers.BinaryImm{TOp, S}"/>.</summary>
    public static Binder BinaryImm<TOp>() where TOp : struct, IVectorImmOp => BinaryImm<TOp, SameImm>();

    /// <summary>As <see cref="BinaryImm{TOp}"/>; the VEX.256 form's upper lane takes its immediate bits as <typeparamref name="TImm"/> says.</summary>
    public static Binder BinaryImm<TOp, TImm>() where TOp : struct, IVectorImmOp where TImm : struct, ILaneImm =>
        (in Instruction insn, ref DecodedOp op, Type[] o) =>
            VexBind.IsVex(insn) ? VexBind.Lanes<ImmLane<TOp, TImm>>(insn, o, typeof(YMem))
            : UsesMmx(insn) || o.Length != 3
                ? 0
                : Handlers.Get(typeof(SseHandlers), nameof(SseHandlers.BinaryImm), typeof(TOp), Xmm(o[1], typeof(XMemAligned)));

    /// <summary>A move between any two vector operand kinds; memory is accessed as <paramref name="memory"/>.</summary>
    public static nint Move(in Instruction insn, Type[] o, Type memory) =>
        VexBind.IsVex(insn) ? VexBind.Move(insn, o, memory == typeof(XMemAligned) ? typeof(YMemAligned) : VexBind.MemoryFor(memory))
        : UsesMmx(insn) || o.Length != 2
            ? 0
            : Handlers.Get(typeof(SseHandlers), nameof(SseHandlers.Move), Xmm(o[0], memory), Xmm(o[1], memory));
}
