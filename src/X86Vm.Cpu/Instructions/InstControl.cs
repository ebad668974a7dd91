using System.Runtime.CompilerServices;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions;

/// <summary>
/// Control transfer: JMP Jcc CALL RET LOOP LOOPE LOOPNE JRCXZ/JECXZ. These always end a block and set
/// RIP themselves. Direct targets were resolved at decode time into <see cref="DecodedOp.Imm"/>.
/// </summary>
[InstructionFamily]
static class InstControl
{
    static readonly Type Self = typeof(InstControl);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Jmp, NearOnly(Bind.Sized(Self, nameof(Jmp))));
        foreach (Mnemonic m in new[] { Mnemonic.Jo, Mnemonic.Jno, Mnemonic.Jb, Mnemonic.Jae, Mnemonic.Je, Mnemonic.Jne,
                     Mnemonic.Jbe, Mnemonic.Ja, Mnemonic.Js, Mnemonic.Jns, Mnemonic.Jp, Mnemonic.Jnp, Mnemonic.Jl,
                     Mnemonic.Jge, Mnemonic.Jle, Mnemonic.Jg })
            t.Add(m, Bind.Conditional(Self, nameof(Jcc)));
        // CALL's size is the width of the return address it pushes (8 in 64-bit mode, 4 in 32-bit mode).
        t.Add(Mnemonic.Call, NearOnly((in Instruction insn, ref DecodedOp op, Type[] o) =>
            Handlers.Get(Self, nameof(Call), OperandDecoder.UnsignedType(insn.CodeSize == CodeSize.Code32 ? -insn.StackPointerIncrement : 8), o[0])));
        t.Add(Mnemonic.Ret, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            insn.CodeSize != CodeSize.Code32 ? Handlers.Get(Self, insn.OpCount == 0 ? nameof(Ret) : nameof(RetImm))
                : Handlers.Get(Self, nameof(RetNarrow), OperandDecoder.UnsignedType(insn.Code is Code.Retnw or Code.Retnw_imm16 ? 2 : 4)));
        t.Add(Mnemonic.Loop, Counted(nameof(Loop), 0));
        t.Add(Mnemonic.Loope, Counted(nameof(Loop), 1));
        t.Add(Mnemonic.Loopne, Counted(nameof(Loop), 2));
        t.Add(Mnemonic.Jrcxz, Counted(nameof(Jrcxz), 0));
        t.Add(Mnemonic.Jecxz, Counted(nameof(Jrcxz), 0));
        t.Add(Mnemonic.Jcxz, Counted(nameof(Jrcxz), 0));
    }

    /// <summary>
    /// Far JMP/CALL (FF /5, FF /3 through an m16:32 or m16:64 pointer) load CS, which x86vm does not model: they bind
    /// to nothing and raise #UD (SIGILL) like every unimplemented instruction.
    /// </summary>
    static Binder NearOnly(Binder near) => (in Instruction insn, ref DecodedOp op, Type[] o) =>
        insn.IsJmpFar || insn.IsJmpFarIndirect || insn.IsCallFar || insn.IsCallFarIndirect ? 0 : near(insn, ref op, o);

    /// <summary>LOOP/JRCXZ: the count register's size follows the address size (RCX or ECX).</summary>
    static Binder Counted(string name, int variant) => (in Instruction insn, ref DecodedOp op, Type[] o) =>
    {
        op.Cond = (byte)variant;
        Type count = insn.Code switch
        {
            Code.Jecxz_rel8_64 or Code.Loop_rel8_64_ECX or Code.Loope_rel8_64_ECX or Code.Loopne_rel8_64_ECX
                or Code.Jecxz_rel8_32 or Code.Jecxz_rel8_16 or Code.Loop_rel8_32_ECX or Code.Loope_rel8_32_ECX
                or Code.Loopne_rel8_32_ECX or Code.Loop_rel8_16_ECX or Code.Loope_rel8_16_ECX or Code.Loopne_rel8_16_ECX => typeof(uint),
            Code.Jcxz_rel8_32 or Code.Jcxz_rel8_16 or Code.Loop_rel8_32_CX or Code.Loope_rel8_32_CX or Code.Loopne_rel8_32_CX
                or Code.Loop_rel8_16_CX or Code.Loope_rel8_16_CX or Code.Loopne_rel8_16_CX => typeof(ushort),
            _ => typeof(ulong),
        };
        return Handlers.Get(Self, name, count);
    };

    /// <summary>
    /// A non-canonical branch target raises #GP on the branch itself (SDM JMP/CALL/RET: "If the target
    /// address is non-canonical"), before RSP or RIP change: RIP stays on the branch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsCanonical(ulong address) => (ulong)((long)(address << 16) >> 16) == address;

    /// <summary>The target, or #GP for a non-canonical one (thrown out of line so RET and indirect jumps inline this).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Checked(ulong target) => IsCanonical(target) ? target : NonCanonical();

    [MethodImpl(MethodImplOptions.NoInlining)]
    static ulong NonCanonical() => throw GuestFault.GeneralProtection("non-canonical branch target");

    /// <summary>JMP rel (target in Imm) or JMP r/m64 (r/m32 in 32-bit mode: T is the operand size).</summary>
    [MethodImpl(Hot.Handler)]
    public static void Jmp<T, S>(Cpu c, ref DecodedOp op) where T : unmanaged, System.Numerics.IBinaryInteger<T> where S : IOperand =>
        c.Rip = typeof(S) == typeof(Imm) ? op.Imm : Checked(ulong.CreateTruncating(S.Read<T>(c, ref op)));

    [MethodImpl(Hot.Handler)]
    public static void Jcc<T, S, C>(Cpu c, ref DecodedOp op) where T : unmanaged, System.Numerics.IBinaryInteger<T> where S : IOperand where C : ICondition =>
        c.Rip = c.Condition(C.Code) ? op.Imm : op.NextIp;

    /// <summary>
    /// CALL: the target is read before the return address is pushed (it may be addressed through RSP). T is the
    /// width of the return address and of an indirect target (ulong in 64-bit mode, uint in 32-bit mode).
    /// </summary>
    [MethodImpl(Hot.Handler)]
    public static void Call<T, S>(Cpu c, ref DecodedOp op) where T : unmanaged, System.Numerics.IBinaryInteger<T> where S : IOperand
    {
        ulong target = typeof(S) == typeof(Imm) ? op.Imm : ulong.CreateTruncating(S.Read<T>(c, ref op));
        if (typeof(S) != typeof(Imm) && !IsCanonical(target)) RejectCallTarget(c);
        c.Push(T.CreateTruncating(op.NextIp));
        c.Rip = target;
    }

    /// <summary>
    /// A CALL to a non-canonical target: the push's page fault takes precedence over the target's #GP (as on the host);
    /// neither changes anything. Always throws.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void RejectCallTarget(Cpu c)
    {
        ulong slot = c.Rsp - 8;
        c.Memory.Write(slot, c.Memory.Read<ulong>(slot));
        NonCanonical();
    }

    [MethodImpl(Hot.Handler)]
    public static void Ret(Cpu c, ref DecodedOp op)
    {
        c.Rip = Checked(c.Memory.Read<ulong>(c.Rsp));
        c.Rsp += 8;
    }

    public static void RetImm(Cpu c, ref DecodedOp op)
    {
        c.Rip = Checked(c.Memory.Read<ulong>(c.Rsp));
        c.Rsp += 8 + (ulong)(ushort)op.Imm;
    }

    /// <summary>RET and RET imm16 with a 32- or 16-bit return address (32-bit mode; Iced's Retnd/Retnw forms).</summary>
    public static void RetNarrow<T>(Cpu c, ref DecodedOp op) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        c.Rip = ulong.CreateTruncating(c.Memory.Read<T>(c.Rsp));
        c.Rsp += (ulong)Unsafe.SizeOf<T>() + (ulong)(ushort)op.Imm;
    }

    /// <summary>LOOP (Cond 0), LOOPE (1), LOOPNE (2): decrement the count without touching flags.</summary>
    public static void Loop<T>(Cpu c, ref DecodedOp op) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        T count = GprAccess.Read<T>(c, Reg.RCX * 8) - T.One;
        GprAccess.Write(c, Reg.RCX * 8, count);
        bool take = count != T.Zero && op.Cond switch { 1 => c.Condition(4), 2 => c.Condition(5), _ => true };
        c.Rip = take ? op.Imm : op.NextIp;
    }

    public static void Jrcxz<T>(Cpu c, ref DecodedOp op) where T : unmanaged, System.Numerics.IBinaryInteger<T> =>
        c.Rip = GprAccess.Read<T>(c, Reg.RCX * 8) == T.Zero ? op.Imm : op.NextIp;
}
