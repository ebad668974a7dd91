using System.Reflection;
using System.Reflection.Emit;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Flags;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Execution.Inline;

/// <summary>
/// PUSH POP JMP Jcc CALL RET (<see cref="Instructions.InstStack"/>, <see cref="Instructions.InstControl"/>) and the
/// condition codes, compared directly from the operands of the last inline flag-setting op when it is known.
/// </summary>
static partial class InlineForms
{
    static readonly FieldInfo RipField = typeof(Cpu).GetField(nameof(Cpu.Rip))!;
    static readonly MethodInfo ConditionMethod = typeof(Cpu).GetMethod(nameof(Cpu.Condition))!;
    static readonly MethodInfo IsCanonical =
        typeof(Instructions.InstControl).GetMethod("IsCanonical", BindingFlags.NonPublic | BindingFlags.Static)!;
    static readonly MethodInfo RejectCallTarget =
        typeof(Instructions.InstControl).GetMethod("RejectCallTarget", BindingFlags.NonPublic | BindingFlags.Static)!;
    static readonly MethodInfo NonCanonical =
        typeof(Instructions.InstControl).GetMethod("NonCanonical", BindingFlags.NonPublic | BindingFlags.Static)!;

    static void AddControl(Registrar add)
    {
        add(Stack, "Push", Push);
        add(Stack, "Pop", Pop);
        add(Control, "Jmp", Jmp);
        add(Control, "Jcc", Jcc);
        add(Control, "Call", Call);
        add(Control, "Ret", Ret);
    }

    /// <summary>PUSH&lt;T, S&gt;: the value is read before RSP changes; a faulting store leaves RSP unchanged.</summary>
    static bool Push(InlineContext x, Type[] t, in DecodedOp op)
    {
        int size = InlineContext.SizeOf(t[0]);
        if (size == 0 || !InlineContext.IsOperand(t[1])) return false;
        ILGenerator il = x.IL;
        LocalBuilder value = x.Rent(), rsp = x.Rent();
        x.Read(t[1], size, op);
        il.Emit(OpCodes.Stloc, value);
        x.Registers.Push(Reg.RSP);
        il.Emit(OpCodes.Ldc_I8, (long)size);
        il.Emit(OpCodes.Sub);
        il.Emit(OpCodes.Stloc, rsp);
        x.WriteMemory(rsp, size, value);
        il.Emit(OpCodes.Ldloc, rsp);
        x.Registers.Pop(Reg.RSP);
        x.Return(value);
        x.Return(rsp);
        return true;
    }

    /// <summary>POP&lt;T, D&gt; into a register: RSP moves past the value, then the register is written (POP RSP loads RSP).</summary>
    static bool Pop(InlineContext x, Type[] t, in DecodedOp op)
    {
        int size = InlineContext.SizeOf(t[0]);
        if (size == 0 || t[1] == typeof(Mem) || !InlineContext.IsOperand(t[1])) return false;
        ILGenerator il = x.IL;
        LocalBuilder value = x.Rent();
        x.Read(typeof(Mem), size, StackTop());
        il.Emit(OpCodes.Stloc, value);
        x.Registers.Push(Reg.RSP);
        il.Emit(OpCodes.Ldc_I8, (long)size);
        il.Emit(OpCodes.Add);
        x.Registers.Pop(Reg.RSP);
        x.Write(t[1], size, op, value);
        x.Return(value);
        return true;
    }

    /// <summary>JMP&lt;T, S&gt;: to the immediate target, or to a register's or memory's canonical address.</summary>
    static bool Jmp(InlineContext x, Type[] t, in DecodedOp op)
    {
        // A 32-bit code's indirect target (T = uint) is left to the handler.
        if (!InlineContext.IsOperand(t[1]) || (t[1] != typeof(Imm) && t[0] != typeof(ulong))) return false;
        ILGenerator il = x.IL;
        il.Emit(OpCodes.Ldarg_1);
        if (t[1] == typeof(Imm)) il.Emit(OpCodes.Ldc_I8, (long)op.Imm);
        else
        {
            x.Read(t[1], 8, op);
            CheckCanonical(x);
        }
        il.Emit(OpCodes.Stfld, RipField);
        return true;
    }

    /// <summary>
    /// Leaves the branch target on the stack if it is canonical; else raises #GP as <see cref="Instructions.InstControl"/>
    /// does, on a path that first makes the state exact (<see cref="InlineContext.BeforeFault"/>).
    /// </summary>
    static void CheckCanonical(InlineContext x)
    {
        ILGenerator il = x.IL;
        LocalBuilder target = x.Rent();
        Label canonical = il.DefineLabel();
        il.Emit(OpCodes.Stloc, target);
        il.Emit(OpCodes.Ldloc, target);
        il.Emit(OpCodes.Call, IsCanonical);
        il.Emit(OpCodes.Brtrue, canonical);
        x.BeforeFault();
        il.Emit(OpCodes.Call, NonCanonical);
        il.Emit(OpCodes.Pop);
        il.MarkLabel(canonical);
        il.Emit(OpCodes.Ldloc, target);
        x.Return(target);
    }

    /// <summary>Jcc&lt;T, S, C&gt;: RIP = condition ? target : next.</summary>
    static bool Jcc(InlineContext x, Type[] t, in DecodedOp op)
    {
        ILGenerator il = x.IL;
        Label taken = il.DefineLabel(), done = il.DefineLabel();
        Condition(x, ConditionCode(t[2]));
        il.Emit(OpCodes.Brtrue, taken);
        SetRip(il, op.NextIp);
        il.Emit(OpCodes.Br, done);
        il.MarkLabel(taken);
        SetRip(il, op.Imm);
        il.MarkLabel(done);
        return true;
    }

    /// <summary>
    /// CALL (64-bit): the target is read first (it may be addressed through RSP), a non-canonical one is rejected by
    /// <see cref="Instructions.InstControl.RejectCallTarget"/>, then the return address is pushed and RIP = target.
    /// </summary>
    static bool Call(InlineContext x, Type[] t, in DecodedOp op)
    {
        if (t[0] != typeof(ulong) || !InlineContext.IsOperand(t[1])) return false;
        ILGenerator il = x.IL;
        LocalBuilder value = x.Rent(), rsp = x.Rent(), target = x.Rent();
        x.Read(t[1], 8, op);
        il.Emit(OpCodes.Stloc, target);
        if (t[1] != typeof(Imm))
        {
            Label canonical = il.DefineLabel();
            il.Emit(OpCodes.Ldloc, target);
            il.Emit(OpCodes.Call, IsCanonical);
            il.Emit(OpCodes.Brtrue, canonical);
            x.BeforeFault(); // RejectCallTarget reads RSP from the CPU
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Call, RejectCallTarget);
            il.MarkLabel(canonical);
        }
        il.Emit(OpCodes.Ldc_I8, (long)op.NextIp);
        il.Emit(OpCodes.Stloc, value);
        x.Registers.Push(Reg.RSP);
        il.Emit(OpCodes.Ldc_I8, 8L);
        il.Emit(OpCodes.Sub);
        il.Emit(OpCodes.Stloc, rsp);
        x.WriteMemory(rsp, 8, value);
        il.Emit(OpCodes.Ldloc, rsp);
        x.Registers.Pop(Reg.RSP);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldloc, target);
        il.Emit(OpCodes.Stfld, RipField);
        x.Return(value);
        x.Return(rsp);
        x.Return(target);
        return true;
    }

    /// <summary>RET: RIP = the canonical address at RSP (#GP before anything changes otherwise), RSP += 8.</summary>
    static bool Ret(InlineContext x, Type[] t, in DecodedOp op)
    {
        ILGenerator il = x.IL;
        il.Emit(OpCodes.Ldarg_1);
        x.Read(typeof(Mem), 8, StackTop());
        CheckCanonical(x);
        il.Emit(OpCodes.Stfld, RipField);
        x.Registers.Push(Reg.RSP);
        il.Emit(OpCodes.Ldc_I8, 8L);
        il.Emit(OpCodes.Add);
        x.Registers.Pop(Reg.RSP);
        return true;
    }

    /// <summary>A memory operand at [RSP].</summary>
    static DecodedOp StackTop() => new() { Base = Reg.RSP, Index = RegisterFile.Zero, EaMask = ulong.MaxValue };

    static void SetRip(ILGenerator il, ulong rip)
    {
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldc_I8, (long)rip);
        il.Emit(OpCodes.Stfld, RipField);
    }

    static int ConditionCode(Type condition) =>
        (int)condition.GetProperty(nameof(ICondition.Code), BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    /// <summary>
    /// Pushes condition <paramref name="cc"/> (SDM Vol. 1 App. B) as 0 or 1: compared from the last inline op's operands
    /// for the common pairs, as <see cref="Cpu.Condition"/>'s fast paths do, else evaluated by it from the flag record.
    /// </summary>
    static void Condition(InlineContext x, int cc)
    {
        ILGenerator il = x.IL;
        if (x.Flags is { } f && FusedCondition(x, f, cc)) return;
        x.FlushFlags(); // Cpu.Condition reads the CPU's record
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldc_I4, cc);
        il.Emit(OpCodes.Call, ConditionMethod);
    }

    static bool FusedCondition(InlineContext x, KnownFlags f, int cc)
    {
        ILGenerator il = x.IL;
        int shift = 64 - 8 * f.Size;
        // Operands shifted to the top of 64 bits compare like the sized values, signed or unsigned.
        void Top(LocalBuilder v)
        {
            il.Emit(OpCodes.Ldloc, v);
            if (shift == 0) return;
            il.Emit(OpCodes.Ldc_I4, shift);
            il.Emit(OpCodes.Shl);
        }
        void Not()
        {
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Ceq);
        }
        void Compare(LocalBuilder a, LocalBuilder b, OpCode compare, bool negate)
        {
            Top(a);
            Top(b);
            il.Emit(compare);
            if (negate) Not();
        }
        if (f.Kind == FlagOp.Sub)
        {
            switch (cc)
            {
                case 0x2: Compare(x.FlagA, x.FlagB, OpCodes.Clt_Un, false); return true; // B
                case 0x3: Compare(x.FlagA, x.FlagB, OpCodes.Clt_Un, true); return true; // AE
                case 0x4: Compare(x.FlagA, x.FlagB, OpCodes.Ceq, false); return true; // E
                case 0x5: Compare(x.FlagA, x.FlagB, OpCodes.Ceq, true); return true; // NE
                case 0x6: Compare(x.FlagA, x.FlagB, OpCodes.Cgt_Un, true); return true; // BE
                case 0x7: Compare(x.FlagA, x.FlagB, OpCodes.Cgt_Un, false); return true; // A
                case 0xC: Compare(x.FlagA, x.FlagB, OpCodes.Clt, false); return true; // L
                case 0xD: Compare(x.FlagA, x.FlagB, OpCodes.Clt, true); return true; // GE
                case 0xE: Compare(x.FlagA, x.FlagB, OpCodes.Cgt, true); return true; // LE
                case 0xF: Compare(x.FlagA, x.FlagB, OpCodes.Cgt, false); return true; // G
            }
        }
        if (f.Kind == FlagOp.Add && cc is 0x2 or 0x3)
        {
            // ADD carries out exactly when the truncated sum is below an operand.
            Compare(x.FlagResult, x.FlagA, OpCodes.Clt_Un, cc == 0x3);
            return true;
        }
        if (f.Kind == FlagOp.Logic && cc is 0xC or 0xD or 0xE or 0xF)
        {
            // OF = 0 after a logic op: L is SF, LE is ZF or SF.
            Top(x.FlagResult);
            il.Emit(OpCodes.Ldc_I8, 0L);
            il.Emit(cc is 0xC or 0xD ? OpCodes.Clt : OpCodes.Cgt);
            if (cc is 0xD or 0xE) Not();
            return true;
        }
        if (cc is 0x4 or 0x5 or 0x8 or 0x9)
        {
            // Every recorded operation takes ZF and SF from its result.
            Top(x.FlagResult);
            il.Emit(OpCodes.Ldc_I8, 0L);
            il.Emit(cc is 0x4 or 0x5 ? OpCodes.Ceq : OpCodes.Clt);
            if (cc is 0x5 or 0x9) Not();
            return true;
        }
        return false;
    }
}
