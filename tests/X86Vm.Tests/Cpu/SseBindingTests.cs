using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Instructions.Sse;
using X86Vm.Cpu.Memory;
using static Iced.Intel.AssemblerRegisters;
using CpuCore = X86Vm.Cpu.Cpu;
using Decoder = Iced.Intel.Decoder;

namespace X86Vm.Tests.Cpu;

/// <summary>Binder contracts of the SSE families, and the guarantee that no handler depends on the host's vector unit.</summary>
public class SseBindingTests
{
    static Instruction Decode(params byte[] code)
    {
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(code), CpuHarness.CodeBase);
        return decoder.Decode();
    }

    static nint Bind(Func<Instruction, (nint, DecodedOp)> bind, params byte[] code) => bind(Decode(code)).Item1;

    static (nint, DecodedOp) Movsd(Instruction insn)
    {
        var op = new DecodedOp();
        Type[] kinds = OperandDecoder.Decode(insn, ref op);
        return (SseScalarForms.BindMovsd(insn, ref op, kinds), op);
    }

    static (nint, DecodedOp) Cmpsd(Instruction insn)
    {
        var op = new DecodedOp();
        Type[] kinds = OperandDecoder.Decode(insn, ref op);
        return (SseScalarForms.BindCmpsd(insn, ref op, kinds), op);
    }

    [Fact]
    public void BindMovsdTakesOnlyTheSseForms()
    {
        Assert.NotEqual(0, Bind(Movsd, 0xF2, 0x0F, 0x10, 0xC1));       // movsd xmm0, xmm1
        Assert.NotEqual(0, Bind(Movsd, 0xF2, 0x0F, 0x10, 0x06));       // movsd xmm0, [rsi]
        Assert.NotEqual(0, Bind(Movsd, 0xF2, 0x0F, 0x11, 0x06));       // movsd [rsi], xmm0
        Assert.Equal(0, Bind(Movsd, 0xA5));                             // movsd (string, dword)
        Assert.Equal(0, Bind(Movsd, 0xF3, 0xA5));                       // rep movsd
        Assert.NotEqual(0, Bind(Cmpsd, 0xF2, 0x0F, 0xC2, 0xC1, 0x00)); // cmpeqsd xmm0, xmm1
        Assert.Equal(0, Bind(Cmpsd, 0xA7));                             // cmpsd (string)
    }

    [Fact]
    public void MovsdRegisterFormKeepsTheHighQuadword()
    {
        var c = new CpuCore(new AddressSpace());
        c.Xmm[0] = new UInt128(0xAAAA_AAAA_AAAA_AAAA, 0xBBBB_BBBB_BBBB_BBBB);
        c.Xmm[1] = new UInt128(0x1111_1111_1111_1111, 0x2222_2222_2222_2222);
        var (handler, op) = Movsd(Decode(0xF2, 0x0F, 0x10, 0xC1));
        unsafe { ((delegate*<CpuCore, ref DecodedOp, void>)handler)(c, ref op); }
        Assert.Equal(new UInt128(0xAAAA_AAAA_AAAA_AAAA, 0x2222_2222_2222_2222), c.Xmm[0]);
    }

    [Fact]
    public void EveryInstructionOfTheMilestoneIsRegistered()
    {
        Mnemonic[] required =
        [
            Mnemonic.Movd, Mnemonic.Movq, Mnemonic.Movdqa, Mnemonic.Movdqu, Mnemonic.Movaps, Mnemonic.Movups, Mnemonic.Movapd,
            Mnemonic.Movupd, Mnemonic.Movntdq, Mnemonic.Movnti, Mnemonic.Movntps, Mnemonic.Movntpd, Mnemonic.Lddqu,
            Mnemonic.Movlps, Mnemonic.Movhps, Mnemonic.Movlpd, Mnemonic.Movhpd, Mnemonic.Movhlps, Mnemonic.Movlhps, Mnemonic.Movss,
            Mnemonic.Pxor, Mnemonic.Por, Mnemonic.Pand, Mnemonic.Pandn, Mnemonic.Xorps, Mnemonic.Xorpd, Mnemonic.Andps, Mnemonic.Andpd,
            Mnemonic.Andnps, Mnemonic.Andnpd, Mnemonic.Orps, Mnemonic.Orpd, Mnemonic.Pcmpeqb, Mnemonic.Pcmpeqw, Mnemonic.Pcmpeqd,
            Mnemonic.Pcmpgtb, Mnemonic.Pcmpgtw, Mnemonic.Pcmpgtd, Mnemonic.Pmovmskb, Mnemonic.Movmskps, Mnemonic.Movmskpd,
            Mnemonic.Pminub, Mnemonic.Pmaxub, Mnemonic.Pminsw, Mnemonic.Pmaxsw, Mnemonic.Paddb, Mnemonic.Paddw, Mnemonic.Paddd,
            Mnemonic.Paddq, Mnemonic.Psubb, Mnemonic.Psubw, Mnemonic.Psubd, Mnemonic.Psubq, Mnemonic.Paddusb, Mnemonic.Paddusw,
            Mnemonic.Psubusb, Mnemonic.Psubusw, Mnemonic.Paddsb, Mnemonic.Paddsw, Mnemonic.Psubsb, Mnemonic.Psubsw, Mnemonic.Pavgb,
            Mnemonic.Pavgw, Mnemonic.Psadbw, Mnemonic.Pmullw, Mnemonic.Pmulhw, Mnemonic.Pmulhuw, Mnemonic.Pmuludq, Mnemonic.Pmaddwd,
            Mnemonic.Pshufd, Mnemonic.Pshuflw, Mnemonic.Pshufhw, Mnemonic.Shufps, Mnemonic.Shufpd, Mnemonic.Punpcklbw,
            Mnemonic.Punpcklwd, Mnemonic.Punpckldq, Mnemonic.Punpcklqdq, Mnemonic.Punpckhbw, Mnemonic.Punpckhwd, Mnemonic.Punpckhdq,
            Mnemonic.Punpckhqdq, Mnemonic.Unpcklps, Mnemonic.Unpckhps, Mnemonic.Unpcklpd, Mnemonic.Unpckhpd, Mnemonic.Packsswb,
            Mnemonic.Packssdw, Mnemonic.Packuswb, Mnemonic.Psllw, Mnemonic.Pslld, Mnemonic.Psllq, Mnemonic.Psrlw, Mnemonic.Psrld,
            Mnemonic.Psrlq, Mnemonic.Psraw, Mnemonic.Psrad, Mnemonic.Pslldq, Mnemonic.Psrldq, Mnemonic.Pextrw, Mnemonic.Pinsrw,
            Mnemonic.Ldmxcsr, Mnemonic.Stmxcsr,
        ];
        Assert.DoesNotContain(required, m => InstructionTable.Default.Find(m) == null);
    }

    [Fact]
    public void MmxFormsOfSseMnemonicsAreBound()
    {
        // MMX register forms share the SSE mnemonics; the SSE binders hand them to the Mmx family.
        foreach (Action<Assembler> form in new Action<Assembler>[]
                 {
                     a => a.paddb(mm0, mm1), a => a.pxor(mm2, mm2), a => a.movd(mm0, eax), a => a.movq(rax, mm1),
                     a => a.pmovmskb(eax, mm0), a => a.psllw(mm0, 3), a => a.punpcklbw(mm0, __dword_ptr[rsp]), a => a.pinsrw(mm0, eax, 1),
                 })
        {
            var h = new CpuHarness();
            h.Cpu.Fpu.Top = 5;
            h.Cpu.Fpu.Valid = 0x21;
            h.Assemble(form);
            Assert.Equal(StopReason.InstructionLimit, h.Run(1));
            // Any MMX instruction: TOP = 0, all registers tagged valid.
            Assert.Equal(0, h.Cpu.Fpu.Top);
            Assert.Equal(0xFF, h.Cpu.Fpu.Valid);
        }
        // SSSE3 on MMX registers (its own family, Ssse3) has the same x87 effects.
        var u = new CpuHarness();
        u.Cpu.Fpu.Top = 5;
        u.Assemble(a => a.pshufb(mm0, mm1));
        Assert.Equal(StopReason.InstructionLimit, u.Run(1));
        Assert.Equal(0, u.Cpu.Fpu.Top);
    }

    [Fact]
    public void MmxWritesSetTheExponentFieldAndEmmsEmptiesTheTags()
    {
        var h = new CpuHarness();
        h.Cpu.Fpu.Regs[3] = new X86Vm.Cpu.Float.Float80(0x3FFF, 0x8000_0000_0000_0000);
        h.Cpu.R(1) = 0x1122_3344;
        h.Assemble(a =>
        {
            a.movd(mm3, ecx);
            a.paddd(mm3, mm3);
            a.emms();
        });
        Assert.Equal(StopReason.InstructionLimit, h.Run(2));
        Assert.Equal((ushort)0xFFFF, h.Cpu.Fpu.Regs[3].SignExponent);
        Assert.Equal(0x2244_6688UL, h.Cpu.Fpu.Regs[3].Significand);
        Assert.Equal(0xFF, h.Cpu.Fpu.Valid);
        Assert.Equal(StopReason.InstructionLimit, h.Run(1));
        Assert.Equal(0, h.Cpu.Fpu.Valid);
        Assert.Equal(0x2244_6688UL, h.Cpu.Fpu.Regs[3].Significand);
    }

    // ------------------------------------------------------------------ host independence

    static readonly Dictionary<short, OpCode> IlOpCodes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Methods called (call, callvirt, newobj, ldftn) from the IL of <paramref name="method"/>.</summary>
    static IEnumerable<MethodBase> Callees(MethodBase method)
    {
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il == null) yield break;
        Type[]? typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int pos = 0;
        while (pos < il.Length)
        {
            short value = il[pos] == 0xFE ? unchecked((short)(0xFE00 | il[pos + 1])) : il[pos];
            pos += il[pos] == 0xFE ? 2 : 1;
            OpCode code = IlOpCodes[value];
            switch (code.OperandType)
            {
                case OperandType.InlineMethod:
                    yield return method.Module.ResolveMethod(BitConverter.ToInt32(il, pos), typeArgs, methodArgs)!;
                    pos += 4;
                    break;
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: pos += 1; break;
                case OperandType.InlineVar: pos += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: pos += 8; break;
                case OperandType.InlineSwitch: pos += 4 + 4 * BitConverter.ToInt32(il, pos); break;
                default: pos += 4; break;
            }
        }
    }

    /// <summary>
    /// Results must not depend on the host: the same with DOTNET_EnableHWIntrinsic=0 (software fallbacks of
    /// Vector128) as with any instruction set. So the SSE handlers may use only the exact, cross-platform
    /// Vector128 operations — no ISA classes (Sse2, AdvSimd…), no *Estimate and no *Native variants, whose
    /// results differ between hosts.
    /// </summary>
    [Fact]
    public void SseHandlersUseOnlyHostIndependentOperations()
    {
        Type[] types = typeof(SseScalarForms).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(SseScalarForms).Namespace).ToArray();
        var offenders = new List<string>();
        int vectorCalls = 0;
        foreach (Type type in types)
        foreach (MethodBase m in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                     .Cast<MethodBase>().Concat(type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance)))
        foreach (MethodBase callee in Callees(m))
        {
            string ns = callee.DeclaringType?.Namespace ?? "";
            if (callee.DeclaringType == typeof(Vector128) || callee.DeclaringType?.Name.StartsWith("Vector128`", StringComparison.Ordinal) == true)
                vectorCalls++;
            if (ns.StartsWith("System.Runtime.Intrinsics.", StringComparison.Ordinal)
                || callee.Name.Contains("Estimate", StringComparison.Ordinal)
                || callee.Name.EndsWith("Native", StringComparison.Ordinal)
                || callee.DeclaringType == typeof(float) || callee.DeclaringType == typeof(double) || callee.DeclaringType == typeof(MathF))
                offenders.Add($"{type.Name}.{m.Name} calls {callee.DeclaringType?.FullName}.{callee.Name}");
        }
        Assert.True(vectorCalls > 50, $"IL scan found only {vectorCalls} Vector128 calls: the scan is broken");
        Assert.Empty(offenders);
    }

    [Fact]
    public void SoftwareFallbackModeIsEffectiveWhenRequested()
    {
        // CI runs the suite a second time with DOTNET_EnableHWIntrinsic=0; make sure that setting really took.
        if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0")
            Assert.False(Vector128.IsHardwareAccelerated);
    }
}
