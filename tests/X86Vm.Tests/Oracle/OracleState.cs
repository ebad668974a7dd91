// OracleState: one test case / result record of the native instruction oracle
// (tests/oracle/oracle-helper.c). Binary layout, little-endian, 0x2400 bytes,
// identical for input and result records (mirrors `struct rec` in the helper):
//
//   0x0000  u64[16]  Gpr        RAX RCX RDX RBX RSP RBP RSI RDI R8..R15
//   0x0080  u64      Rflags     input: only CF PF AF ZF SF DF OF (0xCD5) used
//   0x0088  u64      FsBase     FS base while the instruction runs
//   0x0090  u64      GsBase     GS base while the instruction runs
//   0x0098  u32      code length (0..15)
//   0x009C  u32      Flags      output: bit0 YmmHigh valid, bit1 Fs/GsBase honoured
//   0x00A0  u8[16]   Code
//   0x00B0  i32      Signal     output: 0 = ran to completion
//   0x00B4  i32      SiCode
//   0x00B8  u64      SiAddr
//   0x00C0  i64      FaultRipOffset   RIP at the signal minus InstructionAddress
//   0x00C8  u64      TrapNo     (uc_mcontext REG_TRAPNO, signal only)
//   0x00D0  u64      ErrorCode  (uc_mcontext REG_ERR, signal only)
//   0x00D8  u64      StrayWriteAddress  first nonzero byte of the data region
//                               outside the Data/Stack windows (0 = none)
//   0x00E0  u8[32]   reserved (0)
//   0x0100  u8[512]  FXSAVE64 image: FCW+0 FSW+2 FTW(abridged)+4 FOP+6 FIP+8
//                    FDP+16 MXCSR+24 MXCSR_MASK+28 ST0-7 +32 (16 each)
//                    XMM0-15 +160 (16 each); bytes 416..511 zero
//   0x0300  u8[256]  YmmHigh: bits 255:128 of YMM0..15
//   0x0400  u8[4096] Data   memory at 0x10000000..0x10000FFF
//   0x1400  u8[4096] Stack  memory at 0x1000F000..0x1000FFFF
//
// The rest of the 64 KiB data region (0x10001000..0x1000EFFF) is zero before
// every case. The instruction is executed at InstructionAddress (0x10201000).
using System.Buffers.Binary;
using System.Text;

namespace X86Vm.Tests.Oracle;

public sealed class OracleState
{
    public const int RecordSize = 0x2400;

    public const ulong RegionAddress = 0x1000_0000;
    public const int RegionSize = 0x1_0000;
    public const ulong DataAddress = 0x1000_0000;
    public const int DataSize = 4096;
    public const ulong StackAddress = 0x1000_F000;
    public const int StackSize = 4096;
    /// <summary>Address of the first byte of the instruction on the host (page aligned).</summary>
    public const ulong InstructionAddress = 0x1020_1000;
    public const int MaxCodeLength = 15;

    /// <summary>RFLAGS bits compared by default: CF PF AF ZF SF DF OF.</summary>
    public const ulong DefaultFlagsMask = 0xCD5;

    // GPR indices (x86 encoding order).
    public const int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
    public const int R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15;

    // Linux signal numbers / si_code values the oracle can report.
    public const int SIGILL = 4, SIGTRAP = 5, SIGBUS = 7, SIGFPE = 8, SIGSEGV = 11, SIGALRM = 14, SIGSYS = 31;
    public const int SI_KERNEL = 0x80;
    public const int FPE_INTDIV = 1, FPE_INTOVF = 2, FPE_FLTDIV = 3, FPE_FLTOVF = 4, FPE_FLTUND = 5,
        FPE_FLTRES = 6, FPE_FLTINV = 7, FPE_FLTSUB = 8;
    public const int SEGV_MAPERR = 1, SEGV_ACCERR = 2;
    public const int ILL_ILLOPN = 2;
    public const int BUS_ADRALN = 1;

    public static readonly string[] GprNames =
    [
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    ];

    // ---- architectural state (input and result) ----
    public ulong[] Gpr = new ulong[16];
    public ulong Rflags = 0x2;
    public ulong FsBase;
    public ulong GsBase;
    /// <summary>Instruction bytes (at most 15).</summary>
    public byte[] Code = [];

    public ushort Fcw = 0x037F;
    public ushort Fsw;
    /// <summary>Abridged x87 tag word as stored by FXSAVE (bit i set = physical register i valid).</summary>
    public byte Ftw;
    public ushort Fop;
    public ulong Fip;
    public ulong Fdp;
    public uint Mxcsr = 0x1F80;
    /// <summary>Output only (host MXCSR_MASK); ignored on input.</summary>
    public uint MxcsrMask;
    /// <summary>x87 registers ST0..ST7 as stored by FXSAVE (80-bit value in the low 10 bytes).</summary>
    public UInt128[] St = new UInt128[8];
    public UInt128[] Xmm = new UInt128[16];
    /// <summary>Bits 255:128 of YMM0..15.</summary>
    public UInt128[] YmmHigh = new UInt128[16];

    /// <summary>Memory at <see cref="DataAddress"/> (4096 bytes).</summary>
    public byte[] Data = new byte[DataSize];
    /// <summary>Memory at <see cref="StackAddress"/> (4096 bytes).</summary>
    public byte[] Stack = new byte[StackSize];

    // ---- result-only fields ----
    public uint Flags;
    public int Signal;
    public int SiCode;
    public ulong SiAddr;
    public long FaultRipOffset;
    public ulong TrapNo;
    public ulong ErrorCode;
    public ulong StrayWriteAddress;

    public bool YmmHighValid => (Flags & 1) != 0;

    public ulong Rax { get => Gpr[RAX]; set => Gpr[RAX] = value; }
    public ulong Rcx { get => Gpr[RCX]; set => Gpr[RCX] = value; }
    public ulong Rdx { get => Gpr[RDX]; set => Gpr[RDX] = value; }
    public ulong Rbx { get => Gpr[RBX]; set => Gpr[RBX] = value; }
    public ulong Rsp { get => Gpr[RSP]; set => Gpr[RSP] = value; }
    public ulong Rbp { get => Gpr[RBP]; set => Gpr[RBP] = value; }
    public ulong Rsi { get => Gpr[RSI]; set => Gpr[RSI] = value; }
    public ulong Rdi { get => Gpr[RDI]; set => Gpr[RDI] = value; }

    public OracleState() { }

    public OracleState(params byte[] code) => Code = code;

    /// <summary>State with default registers and the given instruction, e.g. <c>FromHex("48 01 d8")</c>.</summary>
    public static OracleState FromHex(string hex) => new(Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal)));

    /// <summary>Deep copy.</summary>
    public OracleState Clone()
    {
        var c = (OracleState)MemberwiseClone();
        c.Gpr = (ulong[])Gpr.Clone();
        c.Code = (byte[])Code.Clone();
        c.St = (UInt128[])St.Clone();
        c.Xmm = (UInt128[])Xmm.Clone();
        c.YmmHigh = (UInt128[])YmmHigh.Clone();
        c.Data = (byte[])Data.Clone();
        c.Stack = (byte[])Stack.Clone();
        return c;
    }

    /// <summary>True if the address lies in one of the two memory windows carried by the record.</summary>
    public static bool IsInWindow(ulong address) =>
        address - DataAddress < DataSize || address - StackAddress < StackSize;

    /// <summary>The window byte at a guest address (Data or Stack window).</summary>
    public ref byte MemoryAt(ulong address)
    {
        if (address - DataAddress < DataSize)
            return ref Data[(int)(address - DataAddress)];
        if (address - StackAddress < StackSize)
            return ref Stack[(int)(address - StackAddress)];
        throw new ArgumentOutOfRangeException(nameof(address), $"0x{address:X} is not inside the oracle memory windows");
    }

    public ulong ReadUInt64(ulong address)
    {
        Span<byte> b = stackalloc byte[8];
        for (int i = 0; i < 8; i++)
            b[i] = MemoryAt(address + (ulong)i);
        return BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    public void WriteUInt64(ulong address, ulong value)
    {
        for (int i = 0; i < 8; i++)
            MemoryAt(address + (ulong)i) = (byte)(value >> (8 * i));
    }

    // ---------------------------------------------------------------- serialization

    public void WriteTo(Span<byte> r)
    {
        if (r.Length < RecordSize)
            throw new ArgumentException("record buffer too small", nameof(r));
        if (Gpr.Length != 16 || St.Length != 8 || Xmm.Length != 16 || YmmHigh.Length != 16)
            throw new InvalidOperationException("OracleState arrays have the wrong length");
        if (Code.Length > MaxCodeLength)
            throw new InvalidOperationException($"instruction too long ({Code.Length} bytes)");
        if (Data.Length != DataSize || Stack.Length != StackSize)
            throw new InvalidOperationException("Data/Stack must be 4096 bytes each");

        r[..RecordSize].Clear();
        for (int i = 0; i < 16; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(r[(8 * i)..], Gpr[i]);
        BinaryPrimitives.WriteUInt64LittleEndian(r[0x80..], Rflags);
        BinaryPrimitives.WriteUInt64LittleEndian(r[0x88..], FsBase);
        BinaryPrimitives.WriteUInt64LittleEndian(r[0x90..], GsBase);
        BinaryPrimitives.WriteUInt32LittleEndian(r[0x98..], (uint)Code.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(r[0x9C..], Flags);
        Code.CopyTo(r[0xA0..]);
        BinaryPrimitives.WriteInt32LittleEndian(r[0xB0..], Signal);
        BinaryPrimitives.WriteInt32LittleEndian(r[0xB4..], SiCode);
        BinaryPrimitives.WriteUInt64LittleEndian(r[0xB8..], SiAddr);
        BinaryPrimitives.WriteInt64LittleEndian(r[0xC0..], FaultRipOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(r[0xC8..], TrapNo);
        BinaryPrimitives.WriteUInt64LittleEndian(r[0xD0..], ErrorCode);
        BinaryPrimitives.WriteUInt64LittleEndian(r[0xD8..], StrayWriteAddress);

        var fx = r.Slice(0x100, 512);
        BinaryPrimitives.WriteUInt16LittleEndian(fx, Fcw);
        BinaryPrimitives.WriteUInt16LittleEndian(fx[2..], Fsw);
        fx[4] = Ftw;
        BinaryPrimitives.WriteUInt16LittleEndian(fx[6..], Fop);
        BinaryPrimitives.WriteUInt64LittleEndian(fx[8..], Fip);
        BinaryPrimitives.WriteUInt64LittleEndian(fx[16..], Fdp);
        BinaryPrimitives.WriteUInt32LittleEndian(fx[24..], Mxcsr);
        BinaryPrimitives.WriteUInt32LittleEndian(fx[28..], MxcsrMask);
        for (int i = 0; i < 8; i++)
            BinaryPrimitives.WriteUInt128LittleEndian(fx[(32 + 16 * i)..], St[i] & ((UInt128.One << 80) - 1));
        for (int i = 0; i < 16; i++)
            BinaryPrimitives.WriteUInt128LittleEndian(fx[(160 + 16 * i)..], Xmm[i]);
        for (int i = 0; i < 16; i++)
            BinaryPrimitives.WriteUInt128LittleEndian(r[(0x300 + 16 * i)..], YmmHigh[i]);
        Data.CopyTo(r[0x400..]);
        Stack.CopyTo(r[0x1400..]);
    }

    public byte[] ToBytes()
    {
        var b = new byte[RecordSize];
        WriteTo(b);
        return b;
    }

    public static OracleState ReadFrom(ReadOnlySpan<byte> r)
    {
        if (r.Length < RecordSize)
            throw new ArgumentException("record buffer too small", nameof(r));
        var s = new OracleState();
        for (int i = 0; i < 16; i++)
            s.Gpr[i] = BinaryPrimitives.ReadUInt64LittleEndian(r[(8 * i)..]);
        s.Rflags = BinaryPrimitives.ReadUInt64LittleEndian(r[0x80..]);
        s.FsBase = BinaryPrimitives.ReadUInt64LittleEndian(r[0x88..]);
        s.GsBase = BinaryPrimitives.ReadUInt64LittleEndian(r[0x90..]);
        uint len = Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(r[0x98..]), (uint)MaxCodeLength);
        s.Flags = BinaryPrimitives.ReadUInt32LittleEndian(r[0x9C..]);
        s.Code = r.Slice(0xA0, (int)len).ToArray();
        s.Signal = BinaryPrimitives.ReadInt32LittleEndian(r[0xB0..]);
        s.SiCode = BinaryPrimitives.ReadInt32LittleEndian(r[0xB4..]);
        s.SiAddr = BinaryPrimitives.ReadUInt64LittleEndian(r[0xB8..]);
        s.FaultRipOffset = BinaryPrimitives.ReadInt64LittleEndian(r[0xC0..]);
        s.TrapNo = BinaryPrimitives.ReadUInt64LittleEndian(r[0xC8..]);
        s.ErrorCode = BinaryPrimitives.ReadUInt64LittleEndian(r[0xD0..]);
        s.StrayWriteAddress = BinaryPrimitives.ReadUInt64LittleEndian(r[0xD8..]);

        var fx = r.Slice(0x100, 512);
        s.Fcw = BinaryPrimitives.ReadUInt16LittleEndian(fx);
        s.Fsw = BinaryPrimitives.ReadUInt16LittleEndian(fx[2..]);
        s.Ftw = fx[4];
        s.Fop = BinaryPrimitives.ReadUInt16LittleEndian(fx[6..]);
        s.Fip = BinaryPrimitives.ReadUInt64LittleEndian(fx[8..]);
        s.Fdp = BinaryPrimitives.ReadUInt64LittleEndian(fx[16..]);
        s.Mxcsr = BinaryPrimitives.ReadUInt32LittleEndian(fx[24..]);
        s.MxcsrMask = BinaryPrimitives.ReadUInt32LittleEndian(fx[28..]);
        for (int i = 0; i < 8; i++)
            s.St[i] = BinaryPrimitives.ReadUInt128LittleEndian(fx[(32 + 16 * i)..]) & ((UInt128.One << 80) - 1);
        for (int i = 0; i < 16; i++)
            s.Xmm[i] = BinaryPrimitives.ReadUInt128LittleEndian(fx[(160 + 16 * i)..]);
        for (int i = 0; i < 16; i++)
            s.YmmHigh[i] = BinaryPrimitives.ReadUInt128LittleEndian(r[(0x300 + 16 * i)..]);
        s.Data = r.Slice(0x400, DataSize).ToArray();
        s.Stack = r.Slice(0x1400, StackSize).ToArray();
        return s;
    }

    // ---------------------------------------------------------------- comparison / diagnostics

    /// <summary>
    /// Lists differences between an expected (oracle) and actual (emulator) state:
    /// GPRs, RFLAGS under <paramref name="flagsMask"/>, MXCSR, XMM, memory windows and
    /// signal information. x87 state, FS/GS bases and YMM upper halves are compared only
    /// when the corresponding option is set. Returns an empty list when they match.
    /// </summary>
    public static List<string> Compare(OracleState expected, OracleState actual, ulong flagsMask = DefaultFlagsMask,
        bool compareX87 = false, bool compareYmmHigh = false, bool compareSegBases = false)
    {
        var d = new List<string>();
        if (expected.Signal != actual.Signal)
            d.Add($"signal: expected {expected.Signal} actual {actual.Signal}");
        if (expected.Signal != 0 && expected.Signal == actual.Signal)
        {
            if (expected.SiCode != actual.SiCode)
                d.Add($"si_code: expected {expected.SiCode} actual {actual.SiCode}");
            if (expected.SiAddr != actual.SiAddr)
                d.Add($"si_addr: expected 0x{expected.SiAddr:X} actual 0x{actual.SiAddr:X}");
        }
        for (int i = 0; i < 16; i++)
            if (expected.Gpr[i] != actual.Gpr[i])
                d.Add($"{GprNames[i]}: expected 0x{expected.Gpr[i]:X16} actual 0x{actual.Gpr[i]:X16}");
        if (((expected.Rflags ^ actual.Rflags) & flagsMask) != 0)
            d.Add($"rflags (mask 0x{flagsMask:X}): expected 0x{expected.Rflags & flagsMask:X} ({FlagsToString(expected.Rflags & flagsMask)}) " +
                  $"actual 0x{actual.Rflags & flagsMask:X} ({FlagsToString(actual.Rflags & flagsMask)})");
        if (expected.Mxcsr != actual.Mxcsr)
            d.Add($"mxcsr: expected 0x{expected.Mxcsr:X8} actual 0x{actual.Mxcsr:X8}");
        for (int i = 0; i < 16; i++)
            if (expected.Xmm[i] != actual.Xmm[i])
                d.Add($"xmm{i}: expected 0x{expected.Xmm[i]:X32} actual 0x{actual.Xmm[i]:X32}");
        if (compareYmmHigh)
            for (int i = 0; i < 16; i++)
                if (expected.YmmHigh[i] != actual.YmmHigh[i])
                    d.Add($"ymm{i}[255:128]: expected 0x{expected.YmmHigh[i]:X32} actual 0x{actual.YmmHigh[i]:X32}");
        if (compareX87)
        {
            if (expected.Fcw != actual.Fcw) d.Add($"fcw: expected 0x{expected.Fcw:X4} actual 0x{actual.Fcw:X4}");
            if (expected.Fsw != actual.Fsw) d.Add($"fsw: expected 0x{expected.Fsw:X4} actual 0x{actual.Fsw:X4}");
            if (expected.Ftw != actual.Ftw) d.Add($"ftw: expected 0x{expected.Ftw:X2} actual 0x{actual.Ftw:X2}");
            for (int i = 0; i < 8; i++)
                if (expected.St[i] != actual.St[i])
                    d.Add($"st{i}: expected 0x{expected.St[i]:X20} actual 0x{actual.St[i]:X20}");
        }
        if (compareSegBases)
        {
            if (expected.FsBase != actual.FsBase) d.Add($"fs_base: expected 0x{expected.FsBase:X} actual 0x{actual.FsBase:X}");
            if (expected.GsBase != actual.GsBase) d.Add($"gs_base: expected 0x{expected.GsBase:X} actual 0x{actual.GsBase:X}");
        }
        CompareMemory(d, "mem", DataAddress, expected.Data, actual.Data);
        CompareMemory(d, "mem", StackAddress, expected.Stack, actual.Stack);
        if (expected.StrayWriteAddress != actual.StrayWriteAddress)
            d.Add($"stray write outside windows: expected 0x{expected.StrayWriteAddress:X} actual 0x{actual.StrayWriteAddress:X}");
        return d;
    }

    private static void CompareMemory(List<string> d, string name, ulong baseAddr, byte[] e, byte[] a)
    {
        int shown = 0;
        for (int i = 0; i < e.Length; i++)
        {
            if (e[i] == a[i])
                continue;
            if (++shown > 16)
            {
                d.Add($"{name}: more differences...");
                return;
            }
            d.Add($"{name}[0x{baseAddr + (ulong)i:X}]: expected 0x{e[i]:X2} actual 0x{a[i]:X2}");
        }
    }

    public static string FlagsToString(ulong f)
    {
        var sb = new StringBuilder();
        void F(ulong bit, string n) { if ((f & bit) != 0) sb.Append(sb.Length > 0 ? " " : "").Append(n); }
        F(0x1, "CF"); F(0x4, "PF"); F(0x10, "AF"); F(0x40, "ZF"); F(0x80, "SF");
        F(0x100, "TF"); F(0x200, "IF"); F(0x400, "DF"); F(0x800, "OF"); F(0x40000, "AC");
        return sb.Length == 0 ? "-" : sb.ToString();
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("code=").Append(Convert.ToHexString(Code));
        if (Signal != 0)
            sb.Append($" signal={Signal} si_code={SiCode} si_addr=0x{SiAddr:X} rip_off={FaultRipOffset} trapno={TrapNo} err=0x{ErrorCode:X}");
        sb.AppendLine();
        for (int i = 0; i < 16; i++)
        {
            sb.Append($"{GprNames[i],3}=0x{Gpr[i]:X16}");
            sb.Append(i % 4 == 3 ? "\n" : "  ");
        }
        sb.Append($"rflags=0x{Rflags:X} ({FlagsToString(Rflags)}) mxcsr=0x{Mxcsr:X} fcw=0x{Fcw:X} fsw=0x{Fsw:X} ftw=0x{Ftw:X}");
        if (StrayWriteAddress != 0)
            sb.Append($" stray=0x{StrayWriteAddress:X}");
        return sb.ToString();
    }
}
