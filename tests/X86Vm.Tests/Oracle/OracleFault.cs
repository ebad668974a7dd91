// OracleFault: the fault report of a case (signal, si_code, si_addr) and the fault a single memory access
// raises in the oracle's fixed address space, so a case whose instruction makes two faulting accesses can
// name both faults: which one a CPU reports first is its own choice (docs/undefined-behaviour.md).
namespace X86Vm.Tests.Oracle;

public readonly record struct OracleFault(int Signal, int SiCode, ulong SiAddr)
{
    public static OracleFault Of(OracleState s) => new(s.Signal, s.SiCode, s.SiAddr);

    public override string ToString() => $"{Signal}/{SiCode} at 0x{SiAddr:X}";

    /// <summary>
    /// What Linux reports for an access of <paramref name="size"/> bytes at <paramref name="address"/> in the
    /// layout the helper and <see cref="VmOracleRunner"/> share (data region RW, code pages RX, nothing else
    /// mapped), or null when it does not fault: #GP for a non-canonical address, else the first byte of the
    /// first page that is unmapped (SEGV_MAPERR) or, for a write, not writable (SEGV_ACCERR).
    /// </summary>
    public static OracleFault? OfAccess(ulong address, int size, bool write)
    {
        ulong last = address + (ulong)Math.Max(size, 1) - 1;
        if (!IsCanonical(address) || !IsCanonical(last) || last < address)
            return new OracleFault(OracleState.SIGSEGV, OracleState.SI_KERNEL, 0);
        for (ulong a = address; ; a = (a | 0xFFF) + 1)
        {
            bool data = a - OracleState.RegionAddress < OracleState.RegionSize;
            bool code = a - VmOracleRunner.CodePagesAddress < VmOracleRunner.CodePagesSize;
            if (!data && !code) return new OracleFault(OracleState.SIGSEGV, OracleState.SEGV_MAPERR, a);
            if (write && !data) return new OracleFault(OracleState.SIGSEGV, OracleState.SEGV_ACCERR, a);
            if ((a | 0xFFF) >= last) return null;
        }
    }

    static bool IsCanonical(ulong a) => (ulong)((long)(a << 16) >> 16) == a;
}
