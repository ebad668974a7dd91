namespace X86Vm.Cpu.Instructions;

/// <summary>
/// What CPUID reports. It advertises exactly the features x86vm implements (glibc chooses its string
/// and memory routines from these bits), and fixed, host-independent values everywhere else so a
/// guest sees the same CPU on every host. The feature bits depend on the VM's <see cref="CpuLevel"/>.
/// Leaf layouts: SDM Vol. 2 CPUID, Table 3-8.
/// </summary>
public static class CpuidTable
{
    // Leaf 1 EDX
    const uint Fpu = 1u << 0, Tsc = 1u << 4, Cx8 = 1u << 8, Cmov = 1u << 15, Clfsh = 1u << 19, Mmx = 1u << 23, Fxsr = 1u << 24, Sse = 1u << 25, Sse2 = 1u << 26;
    // Leaf 1 ECX
    const uint Sse3 = 1u << 0, Ssse3 = 1u << 9, Fma = 1u << 12, Cx16 = 1u << 13, Sse41 = 1u << 19, Sse42 = 1u << 20, Movbe = 1u << 22,
        Popcnt = 1u << 23, Xsave = 1u << 26, Osxsave = 1u << 27, Avx = 1u << 28, F16c = 1u << 29;
    // Leaf 7 EBX / EDX
    const uint Bmi1 = 1u << 3, Avx2 = 1u << 5, Bmi2 = 1u << 8, Erms = 1u << 9, Adx = 1u << 19, Fsrm = 1u << 4;
    // Leaf 0DH subleaf 1 EAX
    const uint Xsaveopt = 1u << 0, Xsavec = 1u << 1;
    // Leaf 0x80000001 ECX / EDX
    const uint LahfLm = 1u << 0, Abm = 1u << 5, SyscallBit = 1u << 11, Nx = 1u << 20, Lm = 1u << 29;

    const string Vendor = "GenuineIntel"; // glibc reads cache geometry through Intel's leaf 4 (below)
    const string Brand = "x86vm virtual CPU";

    /// <summary>Leaf 1 ECX of each level.</summary>
    static uint Leaf1Ecx(CpuLevel level) => level switch
    {
        CpuLevel.Baseline => 0,
        CpuLevel.V2 => Sse3 | Ssse3 | Cx16 | Sse41 | Sse42 | Popcnt,
        _ => Sse3 | Ssse3 | Cx16 | Sse41 | Sse42 | Popcnt | Movbe | Fma | Xsave | Osxsave | Avx | F16c,
    };

    /// <summary>Leaf 7 EBX of each level.</summary>
    static uint Leaf7Ebx(CpuLevel level) => level switch
    {
        CpuLevel.Baseline or CpuLevel.V2 => Erms,
        CpuLevel.V3 => Erms | Bmi1 | Bmi2 | Avx2,
        _ => Erms | Bmi1 | Bmi2 | Avx2 | Adx,
    };

    /// <summary>
    /// XCR0 as Linux sets it on a CPU of the level (SDM Vol. 1 §13.3): x87, SSE and AVX state from v3 up; below, XSAVE is
    /// not offered and the value only describes the state FXSAVE covers.
    /// </summary>
    public static ulong Xcr0(CpuLevel level) => level >= CpuLevel.V3 ? Cpu.XsaveX87 | Cpu.XsaveSse | Cpu.XsaveAvx : Cpu.XsaveX87 | Cpu.XsaveSse;

    /// <summary>Leaf 0DH (SDM Vol. 1 §13.2): components 0–2, 832-byte standard area, XSAVEOPT and XSAVEC; YMM_Hi128 256 bytes at 576.</summary>
    static (uint, uint, uint, uint) XsaveLeaf(CpuLevel level, uint subleaf) => level < CpuLevel.V3 ? (0, 0, 0, 0) : subleaf switch
    {
        0 => ((uint)Xcr0(level), Cpu.XsaveAreaSize, Cpu.XsaveAreaSize, 0u),
        1 => (Xsaveopt | Xsavec, Cpu.XsaveAreaSize, 0u, 0u),
        2 => (256u, (uint)Cpu.XsaveAvxOffset, 0u, 0u),
        _ => (0u, 0u, 0u, 0u),
    };

    public static (uint Eax, uint Ebx, uint Ecx, uint Edx) Query(CpuLevel level, uint leaf, uint subleaf)
    {
        switch (leaf)
        {
            case 0:
                return (0xD, Chars(Vendor, 0), Chars(Vendor, 8), Chars(Vendor, 4));
            case 1:
                // Family 6, model 0x55 stepping 0; CLFLUSH line 8×8 bytes; one logical processor.
                // FPU, MMX and FXSR are architectural in 64-bit mode and part of the x86-64 baseline ISA level:
                // glibc's dynamic loader refuses libraries marked "x86 ISA needed: x86-64-baseline" (Debian's
                // libc.so.6) unless CMOV, CX8, FPU, FXSR, MMX, SSE and SSE2 are all reported.
                return (0x00050650, 0x00000800, Leaf1Ecx(level), Fpu | Tsc | Cx8 | Cmov | Clfsh | Mmx | Fxsr | Sse | Sse2);
            case 2:
                // Descriptor 0xFF: "use leaf 4 for cache parameters".
                return (0x0000FF01, 0, 0, 0);
            case 4:
                return CacheLeaf(subleaf);
            case 7:
                return subleaf == 0 ? (0u, Leaf7Ebx(level), 0u, Fsrm) : (0u, 0u, 0u, 0u);
            case 0xD:
                return XsaveLeaf(level, subleaf);
            case 0x80000000:
                return (0x80000008, 0, 0, 0);
            case 0x80000001:
                // LAHF/SAHF in 64-bit mode is part of v2; ABM is LZCNT's bit (AMD's name, Linux's "abm").
                return (0, 0, level switch { CpuLevel.Baseline => 0, CpuLevel.V2 => LahfLm, _ => LahfLm | Abm }, SyscallBit | Nx | Lm);
            case 0x80000002:
            case 0x80000003:
            case 0x80000004:
            {
                int o = (int)(leaf - 0x80000002) * 16;
                return (Chars(Brand, o), Chars(Brand, o + 4), Chars(Brand, o + 8), Chars(Brand, o + 12));
            }
            case 0x80000008:
                return (0x3028, 0, 0, 0); // 40-bit physical, 48-bit linear addresses
            default:
                return (0, 0, 0, 0);
        }
    }

    /// <summary>Leaf 4: L1d 32 KiB, L1i 32 KiB, L2 1 MiB, L3 32 MiB, 64-byte lines.</summary>
    static (uint, uint, uint, uint) CacheLeaf(uint index)
    {
        (uint type, uint level, uint ways, uint sets) = index switch
        {
            0 => (1u, 1u, 8u, 64u),
            1 => (2u, 1u, 8u, 64u),
            2 => (3u, 2u, 16u, 1024u),
            3 => (3u, 3u, 16u, 32768u),
            _ => (0u, 0u, 0u, 0u),
        };
        if (type == 0) return (0, 0, 0, 0);
        uint eax = type | (level << 5) | (1u << 8);
        uint ebx = (ways - 1) << 22 | 63;
        return (eax, ebx, sets - 1, 0);
    }

    static uint Chars(string s, int offset)
    {
        uint v = 0;
        for (int i = 0; i < 4; i++)
        {
            int k = offset + i;
            v |= (uint)(k < s.Length ? s[k] : 0) << (8 * i);
        }
        return v;
    }
}
