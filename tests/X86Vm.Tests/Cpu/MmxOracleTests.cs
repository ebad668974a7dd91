using Iced.Intel;
using X86Vm.Tests.Oracle;
using Xunit.Abstractions;
using static Iced.Intel.Register;
using Form = X86Vm.Tests.Cpu.X87OracleTests.Form;
using Mem = X86Vm.Tests.Cpu.X87OracleTests.Mem;

namespace X86Vm.Tests.Cpu;

/// <summary>
/// Every MMX form against the host CPU: the forms are all legacy-encoded 64-bit-mode instructions Iced
/// knows with an MMX register operand (the MMX set, the SSE/SSE2 additions on MMX registers, MOVQ2DQ,
/// MOVDQ2Q) plus EMMS, except the float conversions (CVTPI2PS family) and SSSE3. Random registers,
/// operands, shift counts and immediates, random x87 state (TOP, tags, register exponents, sometimes a
/// pending unmasked exception → #MF); MM0–7 (the x87 registers), FSW/TOP, FTW, XMM, GPRs and memory must
/// match bit for bit.
/// </summary>
public class MmxOracleTests(ITestOutputHelper output)
{
    static readonly Register[] Gprs32 = [ECX, EDX, EBX, ESI, R8D, R9D, R10D, R11D, R12D, R13D, R14D, R15D];
    static readonly Register[] Gprs64 = [RCX, RDX, RBX, RSI, R8, R9, R10, R11, R12, R13, R14, R15];

    static bool IsMm(OpCodeOperandKind k) => k is OpCodeOperandKind.mm_reg or OpCodeOperandKind.mm_rm or OpCodeOperandKind.mm_or_mem;

    /// <summary>The MMX forms under test.</summary>
    public static List<Code> MmxCodes()
    {
        var list = new List<Code>();
        foreach (Code code in Enum.GetValues<Code>())
        {
            OpCodeInfo oc = code.ToOpCode();
            if (oc.Encoding != EncodingKind.Legacy || !oc.Mode64) continue;
            bool mm = false;
            for (int i = 0; i < oc.OpCount; i++) mm |= IsMm(oc.GetOpKind(i));
            if (!mm) continue;
            string name = code.Mnemonic().ToString();
            if (name.StartsWith("Cvt", StringComparison.Ordinal)) continue; // the SSE floating-point engineer's
            if (code.CpuidFeatures().Contains(CpuidFeature.SSSE3)) continue;
            list.Add(code);
        }
        list.Add(Code.Emms);
        return list;
    }

    sealed class ByteWriter : CodeWriter
    {
        public readonly List<byte> Bytes = [];
        public override void WriteByte(byte value) => Bytes.Add(value);
    }

    static byte[] Encode(Instruction insn)
    {
        var w = new ByteWriter();
        var enc = Encoder.Create(64, w);
        if (!enc.TryEncode(insn, OracleState.InstructionAddress, out _, out string? error))
            throw new InvalidOperationException($"{insn.Code}: {error}");
        return w.Bytes.ToArray();
    }

    /// <summary>One random encoding of <paramref name="code"/>; memory operands are [rax + small displacement].</summary>
    static byte[] RandomEncoding(Random r, Code code)
    {
        if (code == Code.Emms) return Encode(Instruction.Create(code));
        if (code == Code.Maskmovq_rDI_mm_mm) // [rdi], or [edi] with 67h (RandomCase puts garbage in RDI's high half)
            return Encode(Instruction.CreateMaskmovq(r.Next(4) == 0 ? 32 : 64, MM0 + r.Next(8), MM0 + r.Next(8)));
        OpCodeInfo oc = code.ToOpCode();
        bool useMemory = r.Next(3) == 0;
        var insn = new Instruction { Code = code };
        for (int i = 0; i < oc.OpCount; i++)
        {
            OpCodeOperandKind k = oc.GetOpKind(i);
            switch (k)
            {
                case OpCodeOperandKind.mm_reg:
                case OpCodeOperandKind.mm_rm:
                    insn.SetOpKind(i, OpKind.Register);
                    insn.SetOpRegister(i, MM0 + r.Next(8));
                    break;
                case OpCodeOperandKind.xmm_reg:
                case OpCodeOperandKind.xmm_rm:
                    insn.SetOpKind(i, OpKind.Register);
                    insn.SetOpRegister(i, XMM0 + r.Next(16));
                    break;
                case OpCodeOperandKind.r32_reg:
                    insn.SetOpKind(i, OpKind.Register);
                    insn.SetOpRegister(i, Gprs32[r.Next(Gprs32.Length)]);
                    break;
                case OpCodeOperandKind.r64_reg:
                    insn.SetOpKind(i, OpKind.Register);
                    insn.SetOpRegister(i, Gprs64[r.Next(Gprs64.Length)]);
                    break;
                case OpCodeOperandKind.mm_or_mem:
                case OpCodeOperandKind.r32_or_mem:
                case OpCodeOperandKind.r64_or_mem:
                case OpCodeOperandKind.mem:
                    if (useMemory || k == OpCodeOperandKind.mem)
                    {
                        insn.SetOpKind(i, OpKind.Memory);
                        insn.MemoryBase = RAX;
                        insn.MemoryDisplacement64 = (ulong)r.Next(0, 24);
                        insn.MemoryDisplSize = 1;
                    }
                    else
                    {
                        insn.SetOpKind(i, OpKind.Register);
                        insn.SetOpRegister(i, k switch
                        {
                            OpCodeOperandKind.mm_or_mem => MM0 + r.Next(8),
                            OpCodeOperandKind.r32_or_mem => Gprs32[r.Next(Gprs32.Length)],
                            _ => Gprs64[r.Next(Gprs64.Length)],
                        });
                    }
                    break;
                case OpCodeOperandKind.imm8:
                    insn.SetOpKind(i, OpKind.Immediate8);
                    insn.Immediate8 = (byte)(r.Next(3) == 0 ? r.Next(256) : r.Next(0, 72));
                    break;
                default:
                    throw new InvalidOperationException($"{code}: operand kind {k}");
            }
        }
        return Encode(insn);
    }

    /// <summary>A 64-bit value biased towards lane edge cases and small shift counts.</summary>
    static ulong RandomQword(Random r)
    {
        ulong v = (ulong)r.NextInt64() ^ ((ulong)r.Next() << 63);
        return r.Next(8) switch
        {
            0 => (ulong)r.Next(0, 80),                                  // a shift count
            1 => r.Next(2) == 0 ? 0 : ulong.MaxValue,
            2 => v & 0x8080808080808080 | 0x7F7F7F7F7F7F7F7F * (ulong)r.Next(2), // lane extremes
            3 => v & 0xFFFF0000FFFF0000 ^ 0x80008000,
            _ => v,
        };
    }

    static OracleState RandomCase(Random r, Code code)
    {
        var s = new OracleState(RandomEncoding(r, code));
        s.Rflags = (ulong)(r.Next(2) | (r.Next(2) << 6)) | 2;
        for (int i = 0; i < 16; i++) s.Gpr[i] = RandomQword(r);
        s.Gpr[OracleState.RSP] = 0;
        s.Rax = OracleState.DataAddress;
        s.Rdi = OracleState.DataAddress + 32 + (ulong)r.Next(0, 24);
        if (s.Code[0] == 0x67) s.Rdi |= (ulong)r.Next(1, int.MaxValue) << 32;
        s.Fcw = X87OracleHarness.RandomControl(r);
        int top = r.Next(4) == 0 ? 0 : r.Next(8);
        int sw = (top << 11) | (r.Next(4) == 0 ? 0x4700 & r.Next() : 0);
        if (r.Next(5) == 0) sw |= r.Next(64) & s.Fcw & 0x3F;    // masked flags already set
        if (r.Next(10) == 0)
        {
            // A pending unmasked exception: #MF before anything else happens.
            int e = r.Next(6);
            sw |= 1 << e;
            s.Fcw = (ushort)(s.Fcw & ~(1 << e));
        }
        s.Fsw = (ushort)sw;
        s.Ftw = r.Next(3) switch { 0 => 0, 1 => 0xFF, _ => (byte)r.Next(256) };
        for (int i = 0; i < 8; i++)
        {
            ushort se = r.Next(3) switch { 0 => 0xFFFF, 1 => (ushort)r.Next(0x10000), _ => (ushort)(0x3FFF + r.Next(-64, 64)) };
            s.St[i] = X87OracleHarness.Bits(se, RandomQword(r));
        }
        for (int i = 0; i < 16; i++) s.Xmm[i] = ((UInt128)RandomQword(r) << 64) | RandomQword(r);
        for (int i = 0; i < 64; i += 8) BitConverter.TryWriteBytes(s.Data.AsSpan(i), RandomQword(r));
        return s;
    }

    [Fact]
    public void AllMmxFormsMatchTheCpu()
    {
        if (!NativeOracle.IsAvailable) return;
        var r = new Random(int.TryParse(Environment.GetEnvironmentVariable("MMX_SEED"), out int seed) ? seed : 4087);
        int perForm = int.TryParse(Environment.GetEnvironmentVariable("MMX_CASES"), out int n) ? n : 300;
        List<Code> codes = MmxCodes();
        var cases = new List<(Form, OracleState)>();
        foreach (Code code in codes)
        {
            var form = new Form(code.ToString(), Mem.None, _ => []);
            for (int i = 0; i < perForm; i++) cases.Add((form, RandomCase(r, code)));
        }
        var failures = X87OracleTests.Compare(cases);
        output.WriteLine($"MMX forms tested against the CPU: {codes.Count}, cases: {cases.Count}, failing forms: {failures.Count}");
        foreach (var (name, l) in failures.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"--- {name}: {l.Count} mismatches");
            foreach (string s in l.Take(3)) output.WriteLine(s);
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {codes.Count} MMX forms differ from the CPU (see output)");
    }

    /// <summary>An x87 instruction after MMX code sees the aliased registers: FLD ST(i) of an MMX-written register is a NaN-like 0xFFFF exponent value.</summary>
    [Fact]
    public void X87AfterMmxAndEmmsMatchesTheCpu()
    {
        if (!NativeOracle.IsAvailable) return;
        var r = new Random(5087);
        var sequences = new (string Name, Func<Random, byte[]> Code)[]
        {
            ("paddb; fld st1", _ => [0x0F, 0xFC, 0xC1, 0xD9, 0xC1]),
            ("movq mm3,[rax]; fstp st0", _ => [0x0F, 0x6F, 0x18, 0xDD, 0xD8]),
            ("emms; fld1", _ => [0x0F, 0x77, 0xD9, 0xE8]),
            ("pxor mm1,mm1; emms; fldz; fadd st0,st2", _ => [0x0F, 0xEF, 0xC9, 0x0F, 0x77, 0xD9, 0xEE, 0xD8, 0xC2]),
            ("fld1; movd mm0,ecx; fstp st0", _ => [0xD9, 0xE8, 0x0F, 0x6E, 0xC1, 0xDD, 0xD8]),
        };
        var cases = new List<(Form, OracleState)>();
        foreach (var (name, code) in sequences)
        {
            var form = new Form(name, Mem.None, code);
            for (int i = 0; i < 100; i++)
            {
                OracleState s = RandomCase(r, Code.Emms);
                s.Code = code(r);
                s.Fsw &= 0x3800 | 0x4700; // no pending exception: the sequence runs to its end
                cases.Add((form, s));
            }
        }
        var failures = X87OracleTests.Compare(cases, runWhole: true);
        foreach (var (name, l) in failures)
        {
            output.WriteLine($"--- {name}: {l.Count} mismatches");
            foreach (string s in l.Take(3)) output.WriteLine(s);
        }
        Assert.True(failures.Count == 0, $"{failures.Count} MMX/x87 sequences differ from the CPU (see output)");
    }
}
