using System.Runtime.CompilerServices;

namespace X86Vm.Cpu.State;

/// <summary>
/// The 16 general registers in encoding order (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8–R15), plus a
/// 17th that always reads zero so that an effective address "base + index*scale + disp" needs no branch
/// when base or index is absent.
/// </summary>
[InlineArray(Count)]
public struct RegisterFile
{
    public const int Count = 17;
    public const int Zero = 16;
    ulong _element;
}

/// <summary>Segment bases an effective address can add: 0 (none/CS/DS/ES/SS in long mode), FS, GS.</summary>
[InlineArray(3)]
public struct SegmentBases
{
    ulong _element;
}

/// <summary>16 128-bit vector registers: the XMM registers (the low halves of YMM), or the YMM upper halves (<see cref="Cpu.YmmHigh"/>).</summary>
[InlineArray(16)]
public struct XmmFile
{
    UInt128 _element;
}

public static class Reg
{
    public const int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7,
        R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15;

    public static readonly string[] Names =
        ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];
}

/// <summary>RFLAGS bit positions (Intel SDM Vol. 1 §3.4.3).</summary>
public static class RFlags
{
    public const ulong CF = 1 << 0, Reserved1 = 1 << 1, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7,
        TF = 1 << 8, IF = 1 << 9, DF = 1 << 10, OF = 1 << 11, AC = 1 << 18, ID = 1 << 21;

    /// <summary>The six status flags arithmetic instructions compute.</summary>
    public const ulong Status = CF | PF | AF | ZF | SF | OF;

    /// <summary>Bits user code can change with POPF (the rest read as the kernel leaves them).</summary>
    public const ulong UserWritable = Status | DF | TF | AC | ID;
}
