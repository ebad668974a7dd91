using System.Buffers.Binary;
using X86Vm.Cpu.Instructions.Sse;

namespace X86Vm.Cpu;

public sealed partial class Cpu
{
    /// <summary>XSAVE state components (SDM Vol. 1 §13.1): 0 x87, 1 SSE (XMM0–15, MXCSR), 2 AVX (YMM_Hi128).</summary>
    public const ulong XsaveX87 = 1, XsaveSse = 2, XsaveAvx = 4;

    /// <summary>Bytes of the standard-format XSAVE area with components 0–2: legacy region 512, header 64, YMM_Hi128 256.</summary>
    public const int XsaveAreaSize = 512 + 64 + 256;

    /// <summary>Offset of YMM_Hi128 in the standard and in the compacted format (CPUID.(EAX=0DH,ECX=2).EBX; no alignment bit).</summary>
    public const int XsaveAvxOffset = 576;

    /// <summary>
    /// XINUSE (SDM Vol. 1 §13.6): the components not in their initial configuration. Computed from the values (a component
    /// in its initial configuration is reported not in use), so it is a function of the architectural state.
    /// </summary>
    public ulong XsaveInUse()
    {
        ulong inUse = 0;
        Span<byte> fx = stackalloc byte[FxsaveImageSize];
        fx.Clear();
        SaveFxsave(fx);
        // x87 initial configuration: FCW 037FH, everything else zero (FTW abridged 0 = all empty).
        bool x87Init = BinaryPrimitives.ReadUInt16LittleEndian(fx) == 0x037F && !fx[2..24].ContainsAnyExcept((byte)0)
            && !fx[32..160].ContainsAnyExcept((byte)0);
        if (!x87Init) inUse |= XsaveX87;
        for (int i = 0; i < 16; i++)
            if (Xmm[i] != 0) { inUse |= XsaveSse; break; }
        for (int i = 0; i < 16; i++)
            if (YmmHigh[i] != 0) { inUse |= XsaveAvx; break; }
        return inUse;
    }

    /// <summary>
    /// XSAVE, XSAVEOPT and XSAVEC (<paramref name="form"/>) of the components in <paramref name="rfbm"/>
    /// into <paramref name="area"/> (<see cref="XsaveAreaSize"/> bytes, or 576 without component 2; read first: bytes not written are kept). SDM Vol. 1
    /// §13.7 and §13.10: the standard form writes every requested component and sets XSTATE_BV[i] = XINUSE[i] for them;
    /// XSAVEOPT does the same but skips components not in use (its init optimisation, as the reference CPU does; the modified
    /// optimisation is not modelled); the compacted form writes only components in use, XSTATE_BV = XINUSE ∧ RFBM and
    /// XCOMP_BV = RFBM | bit 63. MXCSR and MXCSR_MASK are written when RFBM[1] or RFBM[2] is set (compacted: with component 1).
    /// </summary>
    public void SaveXsave(Span<byte> area, ulong rfbm, XsaveForm form, bool rexW)
    {
        ulong inUse = XsaveInUse();
        bool compacted = form == XsaveForm.Compacted;
        Span<byte> fx = stackalloc byte[FxsaveImageSize];
        fx.Clear();
        SaveFxsave(fx, rexW);
        ulong save = form == XsaveForm.Standard ? rfbm : rfbm & inUse;
        if ((save & XsaveX87) != 0)
        {
            fx[..24].CopyTo(area);
            fx[32..160].CopyTo(area[32..]);
        }
        if (compacted ? (save & XsaveSse) != 0 : (rfbm & (XsaveSse | XsaveAvx)) != 0) fx[24..32].CopyTo(area[24..]);
        if ((save & XsaveSse) != 0) fx[160..416].CopyTo(area[160..]);
        if ((save & XsaveAvx) != 0) SaveYmmHigh(area.Slice(XsaveAvxOffset, 256));
        ulong xstateBv = BinaryPrimitives.ReadUInt64LittleEndian(area[512..]);
        if (compacted)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(area[512..], rfbm & inUse);
            BinaryPrimitives.WriteUInt64LittleEndian(area[520..], rfbm | 1UL << 63);
        }
        else BinaryPrimitives.WriteUInt64LittleEndian(area[512..], (xstateBv & ~rfbm) | (rfbm & inUse));
    }

    /// <summary>
    /// XRSTOR (SDM Vol. 1 §13.8) of the components in <paramref name="rfbm"/>: each is loaded when its XSTATE_BV bit is set,
    /// else put in its initial configuration; MXCSR is loaded when RFBM[1] or RFBM[2] is set (standard form), or with
    /// component 1 (compacted form). Null on success, else why the instruction raises #GP (nothing is loaded then): a
    /// header with bits outside <paramref name="xcr0"/>, reserved header bytes, or reserved MXCSR bits.
    /// </summary>
    public string? LoadXsave(ReadOnlySpan<byte> area, ulong rfbm, ulong xcr0, bool rexW)
    {
        ulong xstateBv = BinaryPrimitives.ReadUInt64LittleEndian(area[512..]);
        ulong xcompBv = BinaryPrimitives.ReadUInt64LittleEndian(area[520..]);
        bool compacted = (xcompBv >> 63) != 0;
        // Header checks (SDM Vol. 1 §13.8): standard form, bytes 23:8 zero; compacted form, bytes 63:16 zero.
        if (compacted)
        {
            if ((xcompBv & ~(1UL << 63) & ~xcr0) != 0 || (xstateBv & ~xcompBv) != 0) return "xrstor: XCOMP_BV";
            if (area[528..576].ContainsAnyExcept((byte)0)) return "xrstor: reserved header bytes";
        }
        else if (xcompBv != 0 || area[528..536].ContainsAnyExcept((byte)0)) return "xrstor: reserved header bytes";
        if ((xstateBv & ~xcr0) != 0) return "xrstor: XSTATE_BV";
        bool loadMxcsr = compacted ? (rfbm & XsaveSse & xstateBv) != 0 : (rfbm & (XsaveSse | XsaveAvx)) != 0;
        uint mxcsr = loadMxcsr ? BinaryPrimitives.ReadUInt32LittleEndian(area[24..]) : Mxcsr;
        if ((mxcsr & ~SseControl.MxcsrMask) != 0) return "xrstor: reserved MXCSR bits";

        Span<byte> fx = stackalloc byte[FxsaveImageSize];
        fx.Clear();
        SaveFxsave(fx, rexW);
        if ((rfbm & XsaveX87) != 0)
        {
            if ((xstateBv & XsaveX87) != 0)
            {
                area[..24].CopyTo(fx);
                area[32..160].CopyTo(fx[32..]);
            }
            else
            {
                fx[..24].Clear();
                fx[32..160].Clear();
                BinaryPrimitives.WriteUInt16LittleEndian(fx, 0x037F);
            }
        }
        BinaryPrimitives.WriteUInt32LittleEndian(fx[24..], mxcsr);
        if ((rfbm & XsaveSse) != 0)
        {
            if ((xstateBv & XsaveSse) != 0) area[160..416].CopyTo(fx[160..]);
            else fx[160..416].Clear();
        }
        LoadFxsave(fx, rexW);
        if ((rfbm & XsaveAvx) != 0)
        {
            if ((xstateBv & XsaveAvx) != 0) LoadYmmHigh(area.Slice(XsaveAvxOffset, 256));
            else YmmHigh = default;
        }
        return null;
    }
}

/// <summary>The three ways of saving: XSAVE (standard format), XSAVEOPT (standard, components in use only), XSAVEC (compacted).</summary>
public enum XsaveForm
{
    Standard,
    Optimized,
    Compacted,
}
