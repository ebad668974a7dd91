using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Flags;
using X86Vm.Cpu.Instructions.Sse;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions;

/// <summary>
/// String instructions MOVS STOS LODS SCAS CMPS in byte/word/doubleword/quadword sizes, plain and with
/// REP/REPE/REPNE (SDM Vol. 2 "MOVS", "REP/REPE/REPZ/REPNE/REPNZ").
///
/// Handlers are generic over the element type T and the address-size type A: <see cref="ulong"/> uses
/// RSI/RDI/RCX, <see cref="uint"/> (0x67 prefix) uses ESI/EDI/ECX, whose updates zero-extend into the full
/// registers (as measured on hardware; with ECX = 0 nothing is written). The source operand
/// (DS:RSI) honours an FS/GS override (<see cref="DecodedOp.Seg"/>); ES:RDI cannot be overridden.
///
/// REP forms run as one-op blocks. Every iteration retires one instruction: a REP op runs at most
/// <see cref="Cpu.InstructionBudget"/> iterations, adds the iterations beyond the one the interpreter
/// counts to <see cref="Cpu.Retired"/>, and leaves RIP on itself while work remains (it then resumes exactly
/// where it stopped). RCX = 0 runs no iteration and retires once. A fault in iteration k leaves RCX/RSI/RDI
/// (and RAX or the flags, for LODS/SCAS/CMPS) as after the k completed iterations, which are counted as
/// retired; the interpreter rewinds RIP to the instruction, as the CPU reports it. F2 (REPNE) on MOVS/STOS/
/// LODS acts as REP, as on hardware.
///
/// Fast paths (64-bit addressing, DF = 0, at least <see cref="FastBytes"/> bytes): MOVS and STOS move whole
/// chunks through <see cref="AddressSpace.Read(ulong, Span{byte})"/> / <see cref="AddressSpace.Write(ulong, ReadOnlySpan{byte})"/>,
/// SCAS and CMPS search chunks. A chunk never crosses a page boundary of any operand, so it either completes
/// or faults on its first element at the same address the element-by-element loop would fault on; an element
/// straddling two pages is done alone. Overlapping forward MOVS (destination just above the source) keeps the
/// element-by-element result: the chunk is replicated forward in the buffer, never memmove'd.
/// </summary>
[InstructionFamily]
static class InstString
{
    static readonly Type Self = typeof(InstString);

    /// <summary>Below this many bytes the element loop (through the TLB) beats a chunk copy.</summary>
    const int FastBytes = 64;

    const byte Rax = Reg.RAX * 8, Rcx = Reg.RCX * 8, Rsi = Reg.RSI * 8, Rdi = Reg.RDI * 8;

    /// <summary><see cref="DecodedOp.Cond"/> of SCAS/CMPS: REPE (and REP) stop when ZF = 0, REPNE when ZF = 1.</summary>
    const byte UntilNotEqual = 1, UntilEqual = 2;

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Movsb, Str(nameof(Movs), nameof(RepMovs), 1));
        t.Add(Mnemonic.Movsw, Str(nameof(Movs), nameof(RepMovs), 2));
        t.Add(Mnemonic.Movsq, Str(nameof(Movs), nameof(RepMovs), 8));
        t.Add(Mnemonic.Stosb, Str(nameof(Stos), nameof(RepStos), 1));
        t.Add(Mnemonic.Stosw, Str(nameof(Stos), nameof(RepStos), 2));
        t.Add(Mnemonic.Stosd, Str(nameof(Stos), nameof(RepStos), 4));
        t.Add(Mnemonic.Stosq, Str(nameof(Stos), nameof(RepStos), 8));
        t.Add(Mnemonic.Lodsb, Str(nameof(Lods), nameof(RepLods), 1));
        t.Add(Mnemonic.Lodsw, Str(nameof(Lods), nameof(RepLods), 2));
        t.Add(Mnemonic.Lodsd, Str(nameof(Lods), nameof(RepLods), 4));
        t.Add(Mnemonic.Lodsq, Str(nameof(Lods), nameof(RepLods), 8));
        t.Add(Mnemonic.Scasb, Str(nameof(Scas), nameof(RepScas), 1));
        t.Add(Mnemonic.Scasw, Str(nameof(Scas), nameof(RepScas), 2));
        t.Add(Mnemonic.Scasd, Str(nameof(Scas), nameof(RepScas), 4));
        t.Add(Mnemonic.Scasq, Str(nameof(Scas), nameof(RepScas), 8));
        t.Add(Mnemonic.Cmpsb, Str(nameof(Cmps), nameof(RepCmps), 1));
        t.Add(Mnemonic.Cmpsw, Str(nameof(Cmps), nameof(RepCmps), 2));
        t.Add(Mnemonic.Cmpsq, Str(nameof(Cmps), nameof(RepCmps), 8));
        // Iced shares MOVSD/CMPSD with the SSE2 scalar-double instructions: this family owns the mnemonics
        // and passes the SSE forms on to the SSE family's binders.
        t.Add(Mnemonic.Movsd, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            insn.Code == Code.Movsd_m32_m32
                ? BindString(insn, ref op, nameof(Movs), nameof(RepMovs), 4)
                : SseScalarForms.BindMovsd(insn, ref op, o));
        t.Add(Mnemonic.Cmpsd, (in Instruction insn, ref DecodedOp op, Type[] o) =>
            insn.Code == Code.Cmpsd_m32_m32
                ? BindString(insn, ref op, nameof(Cmps), nameof(RepCmps), 4)
                : SseScalarForms.BindCmpsd(insn, ref op, o));
    }

    static Binder Str(string single, string rep, int size) =>
        (in Instruction insn, ref DecodedOp op, Type[] o) => BindString(insn, ref op, single, rep, size);

    static nint BindString(in Instruction insn, ref DecodedOp op, string single, string rep, int size)
    {
        // 16-bit addressing (MemorySegSI/MemoryESDI) cannot be encoded in 64-bit mode.
        bool addr32 = false;
        for (int i = 0; i < insn.OpCount; i++)
            if (insn.GetOpKind(i) is OpKind.MemorySegESI or OpKind.MemoryESEDI) addr32 = true;
        op.Seg = insn.SegmentPrefix switch { Iced.Intel.Register.FS => 1, Iced.Intel.Register.GS => 2, _ => 0 };
        bool repeated = insn.HasRepPrefix || insn.HasRepePrefix || insn.HasRepnePrefix;
        op.Cond = insn.HasRepnePrefix ? UntilEqual : UntilNotEqual;
        return Handlers.Get(Self, repeated ? rep : single, OperandDecoder.UnsignedType(size), addr32 ? typeof(uint) : typeof(ulong));
    }

    // ---------------------------------------------------------------- helpers

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Get<A>(Cpu c, byte offset) where A : unmanaged, IBinaryInteger<A> =>
        ulong.CreateTruncating(GprAccess.Read<A>(c, offset));

    /// <summary>Writes RSI/RDI/RCX at the address size (a 32-bit write zero-extends).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Set<A>(Cpu c, byte offset, ulong value) where A : unmanaged, IBinaryInteger<A> =>
        GprAccess.Write(c, offset, A.CreateTruncating(value));

    /// <summary>An RSI/RDI value after arithmetic, wrapped to the address size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Wrap<A>(ulong value) where A : unmanaged => Unsafe.SizeOf<A>() == 4 ? (uint)value : value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong SourceBase(Cpu c, ref DecodedOp op) => Unsafe.Add(ref c.SegBase[0], op.Seg);

    /// <summary>+size, or −size when DF = 1 (as a wrapping ulong).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Step<T>(Cpu c) where T : unmanaged =>
        c.DirectionFlag ? (ulong)-(long)Unsafe.SizeOf<T>() : (ulong)Unsafe.SizeOf<T>();

    /// <summary>Iterations this REP op may run: the count, limited by the instructions left in this run.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Iterations(Cpu c, ulong count) => Math.Min(count, Math.Max(c.InstructionBudget, 1));

    /// <summary>Chunked fast paths apply to forward 64-bit addressing of at least <see cref="FastBytes"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool Fast<T, A>(ulong step, ulong n) where T : unmanaged where A : unmanaged =>
        Unsafe.SizeOf<A>() == 8 && step == (ulong)Unsafe.SizeOf<T>() && n >= (ulong)(FastBytes / Unsafe.SizeOf<T>());

    /// <summary>RCX/RSI/RDI after <paramref name="done"/> iterations (not written at all when none completed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Advance<A>(Cpu c, ulong count, ulong done, ulong step, ulong si, ulong di, bool usesSi, bool usesDi)
        where A : unmanaged, IBinaryInteger<A>
    {
        if (done == 0) return;
        Set<A>(c, Rcx, count - done);
        if (usesSi) Set<A>(c, Rsi, si + done * step);
        if (usesDi) Set<A>(c, Rdi, di + done * step);
    }

    /// <summary>
    /// Ends a REP op that ran <paramref name="done"/> ≥ 1 iterations: the interpreter retires one, we the
    /// rest; RIP stays on the instruction unless it has finished.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Retire(Cpu c, ref DecodedOp op, ulong done, bool finished)
    {
        c.Retired += done - 1;
        c.Rip = finished ? op.NextIp : op.Ip;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void SetCompareFlags<T>(Cpu c, T a, T b) where T : unmanaged, IBinaryInteger<T> =>
        c.SetFlags(FlagOp.Sub, LazyFlags.SizeLog2<T>(), ulong.CreateTruncating(a), ulong.CreateTruncating(b),
            ulong.CreateTruncating(a - b));

    // ---------------------------------------------------------------- single iterations

    public static void Movs<T, A>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where A : unmanaged, IBinaryInteger<A>
    {
        ulong si = Get<A>(c, Rsi), di = Get<A>(c, Rdi), step = Step<T>(c);
        c.Memory.Write(di, c.Memory.Read<T>(SourceBase(c, ref op) + si));
        Set<A>(c, Rsi, si + step);
        Set<A>(c, Rdi, di + step);
    }

    public static void Stos<T, A>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where A : unmanaged, IBinaryInteger<A>
    {
        ulong di = Get<A>(c, Rdi);
        c.Memory.Write(di, GprAccess.Read<T>(c, Rax));
        Set<A>(c, Rdi, di + Step<T>(c));
    }

    /// <summary>LODS: LODSD zero-extends into RAX; LODSB/LODSW keep the rest of RAX.</summary>
    public static void Lods<T, A>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where A : unmanaged, IBinaryInteger<A>
    {
        ulong si = Get<A>(c, Rsi);
        GprAccess.Write(c, Rax, c.Memory.Read<T>(SourceBase(c, ref op) + si));
        Set<A>(c, Rsi, si + Step<T>(c));
    }

    /// <summary>SCAS: flags of CMP accumulator, [RDI].</summary>
    public static void Scas<T, A>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where A : unmanaged, IBinaryInteger<A>
    {
        ulong di = Get<A>(c, Rdi);
        T a = GprAccess.Read<T>(c, Rax), b = c.Memory.Read<T>(di);
        Set<A>(c, Rdi, di + Step<T>(c));
        SetCompareFlags(c, a, b);
    }

    /// <summary>CMPS: flags of CMP [RSI], [RDI].</summary>
    public static void Cmps<T, A>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where A : unmanaged, IBinaryInteger<A>
    {
        ulong si = Get<A>(c, Rsi), di = Get<A>(c, Rdi), step = Step<T>(c);
        // [RSI] is read first, as in the REP form: when both operands fault, the source's fault is reported
        // (the CPU's choice; docs/undefined-behaviour.md).
        T a = c.Memory.Read<T>(SourceBase(c, ref op) + si), b = c.Memory.Read<T>(di);
        Set<A>(c, Rsi, si + step);
        Set<A>(c, Rdi, di + step);
        SetCompareFlags(c, a, b);
    }

    // ---------------------------------------------------------------- REP forms

    public static void RepMovs<T, A>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where A : unmanaged, IBinaryInteger<A>
    {
        ulong count = Get<A>(c, Rcx);
        if (count == 0)
        {
            c.Rip = op.NextIp;
            return;
        }
        ulong n = Iterations(c, count);
        ulong si = Get<A>(c, Rsi), di = Get<A>(c, Rdi), src = SourceBase(c, ref op), step = Step<T>(c);
        ulong done = 0;
        AddressSpace mem = c.Memory;
        try
        {
            if (Fast<T, A>(step, n))
                CopyForward<T>(mem, src + si, di, n, ref done);
            else
                for (; done < n; done++)
                    mem.Write(Wrap<A>(di + done * step), mem.Read<T>(src + Wrap<A>(si + done * step)));
        }
        catch (GuestFault)
        {
            Advance<A>(c, count, done, step, si, di, true, true);
            c.Retired += done;
            throw;
        }
        Advance<A>(c, count, done, step, si, di, true, true);
        Retire(c, ref op, done, done == count);
    }

    public static void RepStos<T, A>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where A : unmanaged, IBinaryInteger<A>
    {
        ulong count = Get<A>(c, Rcx);
        if (count == 0)
        {
            c.Rip = op.NextIp;
            return;
        }
        ulong n = Iterations(c, count);
        ulong di = Get<A>(c, Rdi), step = Step<T>(c);
        T value = GprAccess.Read<T>(c, Rax);
        ulong done = 0;
        AddressSpace mem = c.Memory;
        try
        {
            if (Fast<T, A>(step, n))
                FillForward(mem, di, n, value, ref done);
            else
                for (; done < n; done++)
                    mem.Write(Wrap<A>(di + done * step), value);
        }
        catch (GuestFault)
        {
            Advance<A>(c, count, done, step, 0, di, false, true);
            c.Retired += done;
            throw;
        }
        Advance<A>(c, count, done, step, 0, di, false, true);
        Retire(c, ref op, done, done == count);
    }

    /// <summary>REP LODS (legal, if pointless): RAX ends with the last element loaded.</summary>
    public static void RepLods<T, A>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where A : unmanaged, IBinaryInteger<A>
    {
        ulong count = Get<A>(c, Rcx);
        if (count == 0)
        {
            c.Rip = op.NextIp;
            return;
        }
        ulong n = Iterations(c, count);
        ulong si = Get<A>(c, Rsi), src = SourceBase(c, ref op), step = Step<T>(c);
        T last = default;
        ulong done = 0;
        AddressSpace mem = c.Memory;
        try
        {
            for (; done < n; done++)
                last = mem.Read<T>(src + Wrap<A>(si + done * step));
        }
        catch (GuestFault)
        {
            if (done > 0) GprAccess.Write(c, Rax, last);
            Advance<A>(c, count, done, step, si, 0, true, false);
            c.Retired += done;
            throw;
        }
        GprAccess.Write(c, Rax, last);
        Advance<A>(c, count, done, step, si, 0, true, false);
        Retire(c, ref op, done, done == count);
    }

    /// <summary>REPE/REPNE SCAS: stops after the element that ends the condition, or when RCX reaches zero.</summary>
    public static void RepScas<T, A>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where A : unmanaged, IBinaryInteger<A>
    {
        ulong count = Get<A>(c, Rcx);
        if (count == 0)
        {
            c.Rip = op.NextIp;
            return;
        }
        ulong n = Iterations(c, count);
        ulong di = Get<A>(c, Rdi), step = Step<T>(c);
        bool untilEqual = op.Cond == UntilEqual;
        T a = GprAccess.Read<T>(c, Rax), b = default;
        bool stopped = false;
        ulong done = 0;
        AddressSpace mem = c.Memory;
        try
        {
            if (Fast<T, A>(step, n))
                stopped = ScanForward(mem, di, n, a, untilEqual, ref done, ref b);
            else
                while (done < n)
                {
                    T x = mem.Read<T>(Wrap<A>(di + done * step));
                    b = x;
                    done++;
                    if ((x == a) == untilEqual)
                    {
                        stopped = true;
                        break;
                    }
                }
        }
        catch (GuestFault)
        {
            if (done > 0) SetCompareFlags(c, a, b);
            Advance<A>(c, count, done, step, 0, di, false, true);
            c.Retired += done;
            throw;
        }
        SetCompareFlags(c, a, b);
        Advance<A>(c, count, done, step, 0, di, false, true);
        Retire(c, ref op, done, stopped || done == count);
    }

    /// <summary>REPE/REPNE CMPS: stops after the pair that ends the condition, or when RCX reaches zero.</summary>
    public static void RepCmps<T, A>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where A : unmanaged, IBinaryInteger<A>
    {
        ulong count = Get<A>(c, Rcx);
        if (count == 0)
        {
            c.Rip = op.NextIp;
            return;
        }
        ulong n = Iterations(c, count);
        ulong si = Get<A>(c, Rsi), di = Get<A>(c, Rdi), src = SourceBase(c, ref op), step = Step<T>(c);
        bool untilEqual = op.Cond == UntilEqual;
        T a = default, b = default;
        bool stopped = false;
        ulong done = 0;
        AddressSpace mem = c.Memory;
        try
        {
            if (Fast<T, A>(step, n))
                stopped = CompareForward(mem, src + si, di, n, untilEqual, ref done, ref a, ref b);
            else
                while (done < n)
                {
                    T x = mem.Read<T>(src + Wrap<A>(si + done * step));
                    T y = mem.Read<T>(Wrap<A>(di + done * step));
                    a = x;
                    b = y;
                    done++;
                    if ((x == y) == untilEqual)
                    {
                        stopped = true;
                        break;
                    }
                }
        }
        catch (GuestFault)
        {
            if (done > 0) SetCompareFlags(c, a, b);
            Advance<A>(c, count, done, step, si, di, true, true);
            c.Retired += done;
            throw;
        }
        SetCompareFlags(c, a, b);
        Advance<A>(c, count, done, step, si, di, true, true);
        Retire(c, ref op, done, stopped || done == count);
    }

    // ---------------------------------------------------------------- chunked fast paths (DF = 0, 64-bit addressing)

    /// <summary>Bytes from <paramref name="address"/> to the end of its page.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong PageRoom(ulong address) => Page.Size - (address & Page.OffsetMask);

    /// <summary>
    /// Forward element copy of elements done..n-1 from <paramref name="src"/> to <paramref name="dst"/>,
    /// <paramref name="done"/> counting completed elements (exact when a chunk faults).
    /// </summary>
    [SkipLocalsInit]
    static void CopyForward<T>(AddressSpace mem, ulong src, ulong dst, ulong n, ref ulong done) where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        Span<byte> buf = stackalloc byte[Page.Size];
        while (done < n)
        {
            ulong s = src + done * (ulong)size, d = dst + done * (ulong)size;
            ulong elems = Math.Min(n - done, Math.Min(PageRoom(s), PageRoom(d)) / (ulong)size);
            ulong distance = d - s;
            int len = (int)elems * size;
            if (elems == 0 || (distance != 0 && distance < (ulong)size))
            {
                // An element straddling a page boundary, or an overlap closer than one element (each element
                // then reads bytes its predecessor wrote only in part): one element at a time.
                mem.Write(d, mem.Read<T>(s));
                done++;
                continue;
            }
            Span<byte> chunk = buf[..len];
            mem.Read(s, chunk);
            if (distance != 0 && distance < (ulong)len)
            {
                // Destination starts inside this chunk's source: a forward copy re-reads what it wrote, so
                // byte i of the result is byte i − distance of the result (a repeating pattern). Because
                // distance ≥ element size, the element-wise copy gives the same bytes.
                int p = (int)distance;
                for (int i = p; i < len; i++) chunk[i] = chunk[i - p];
            }
            mem.Write(d, chunk);
            done += elems;
        }
    }

    [SkipLocalsInit]
    static void FillForward<T>(AddressSpace mem, ulong dst, ulong n, T value, ref ulong done) where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        Span<byte> buf = stackalloc byte[Page.Size];
        int filled = (int)Math.Min(n, (ulong)(Page.Size / size)) * size;
        MemoryMarshal.Cast<byte, T>(buf[..filled]).Fill(value);
        while (done < n)
        {
            ulong d = dst + done * (ulong)size;
            ulong elems = Math.Min(n - done, PageRoom(d) / (ulong)size);
            if (elems == 0)
            {
                mem.Write(d, value); // straddles a page boundary
                done++;
                continue;
            }
            mem.Write(d, buf[..((int)elems * size)]);
            done += elems;
        }
    }

    /// <summary>
    /// Scans elements done..n-1 at <paramref name="dst"/> for the first one whose equality with
    /// <paramref name="value"/> is <paramref name="untilEqual"/>; true when found (it is counted and left in
    /// <paramref name="last"/>). Chunks start small and grow, since most scans end early.
    /// </summary>
    [SkipLocalsInit]
    static bool ScanForward<T>(AddressSpace mem, ulong dst, ulong n, T value, bool untilEqual, ref ulong done, ref T last)
        where T : unmanaged, IBinaryInteger<T>
    {
        int size = Unsafe.SizeOf<T>();
        Span<byte> buf = stackalloc byte[Page.Size];
        ulong chunkBytes = FastBytes;
        while (done < n)
        {
            ulong d = dst + done * (ulong)size;
            ulong elems = Math.Min(n - done, Math.Min(PageRoom(d), chunkBytes) / (ulong)size);
            chunkBytes = Math.Min(chunkBytes * 2, Page.Size);
            if (elems == 0)
            {
                last = mem.Read<T>(d);
                done++;
                if ((last == value) == untilEqual) return true;
                continue;
            }
            Span<byte> chunk = buf[..((int)elems * size)];
            mem.Read(d, chunk);
            Span<T> items = MemoryMarshal.Cast<byte, T>(chunk);
            int hit = untilEqual ? items.IndexOf(value) : items.IndexOfAnyExcept(value);
            if (hit >= 0)
            {
                last = items[hit];
                done += (ulong)hit + 1;
                return true;
            }
            last = items[^1];
            done += elems;
        }
        return false;
    }

    /// <summary>Like <see cref="ScanForward"/> over pairs: elements at <paramref name="src"/> against <paramref name="dst"/>.</summary>
    [SkipLocalsInit]
    static bool CompareForward<T>(AddressSpace mem, ulong src, ulong dst, ulong n, bool untilEqual, ref ulong done, ref T lastA, ref T lastB)
        where T : unmanaged, IBinaryInteger<T>
    {
        int size = Unsafe.SizeOf<T>();
        Span<byte> bufA = stackalloc byte[Page.Size];
        Span<byte> bufB = stackalloc byte[Page.Size];
        ulong chunkBytes = FastBytes;
        while (done < n)
        {
            ulong s = src + done * (ulong)size, d = dst + done * (ulong)size;
            ulong elems = Math.Min(n - done, Math.Min(Math.Min(PageRoom(s), PageRoom(d)), chunkBytes) / (ulong)size);
            chunkBytes = Math.Min(chunkBytes * 2, Page.Size);
            if (elems == 0)
            {
                lastA = mem.Read<T>(s);
                lastB = mem.Read<T>(d);
                done++;
                if ((lastA == lastB) == untilEqual) return true;
                continue;
            }
            int len = (int)elems * size;
            mem.Read(s, bufA[..len]); // the source is read first in every iteration, so it faults first
            mem.Read(d, bufB[..len]);
            Span<T> xs = MemoryMarshal.Cast<byte, T>(bufA[..len]);
            Span<T> ys = MemoryMarshal.Cast<byte, T>(bufB[..len]);
            int hit;
            if (untilEqual)
            {
                hit = -1;
                for (int i = 0; i < xs.Length; i++)
                    if (xs[i] == ys[i])
                    {
                        hit = i;
                        break;
                    }
            }
            else
            {
                hit = xs.CommonPrefixLength(ys);
                if (hit == xs.Length) hit = -1;
            }
            if (hit >= 0)
            {
                lastA = xs[hit];
                lastB = ys[hit];
                done += (ulong)hit + 1;
                return true;
            }
            lastA = xs[^1];
            lastB = ys[^1];
            done += elems;
        }
        return false;
    }
}
