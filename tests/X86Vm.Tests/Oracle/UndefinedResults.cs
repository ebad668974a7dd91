// UndefinedResults: the parts of an integer-oracle result the SDM leaves undefined. What the host CPU leaves
// there is one model's choice (AMD and Intel differ in places), so the host is not held against the VM
// there; the VM is held to x86vm's own documented choice instead (docs/undefined-behaviour.md), which keeps
// it the same on every host.
using Iced.Intel;

namespace X86Vm.Tests.Oracle;

public static class UndefinedResults
{
    const ulong AF = 0x10;

    /// <summary>
    /// Checks that <paramref name="vm"/> holds x86vm's choice in the undefined parts of a completed
    /// instruction, then copies the host's values there into <paramref name="vm"/> so the comparison that
    /// follows covers exactly the defined state. Returns the departures from x86vm's choice.
    /// </summary>
    public static List<string> Adopt(OracleCase c, OracleState host, OracleState vm)
    {
        var d = new List<string>();
        AdoptCallPushBeforeGp(c, host, vm);
        if (host.Signal != 0 || vm.Signal != 0) return d; // a fault changes nothing, defined or not
        if (c.Code.Mnemonic() is Mnemonic.And or Mnemonic.Or or Mnemonic.Xor or Mnemonic.Test)
        {
            // AF after a logic operation: x86vm clears it.
            if ((vm.Rflags & AF) != 0) d.Add("AF after a logic operation: x86vm's choice is 0, got 1");
            vm.Rflags = (vm.Rflags & ~AF) | (host.Rflags & AF);
        }
        if (c.Code == Code.Bswap_r16)
        {
            // BSWAP r16: bits 15:0 undefined (x86vm writes 0); bits 63:16 are kept and still compared.
            int reg = OracleCases.Decode(c.Input.Code).Op0Register.GetFullRegister() - Register.RAX;
            if ((vm.Gpr[reg] & 0xFFFF) != 0) d.Add($"BSWAP r16: x86vm's choice is 0 in bits 15:0, got 0x{vm.Gpr[reg] & 0xFFFF:X}");
            vm.Gpr[reg] = (vm.Gpr[reg] & ~0xFFFFUL) | (host.Gpr[reg] & 0xFFFF);
        }
        return d;
    }

    /// <summary>
    /// A near CALL to a non-canonical target raises #GP at the CALL (RIP and RSP unchanged on every CPU), but Intel
    /// CPUs have stored the return address below RSP by then while AMD CPUs and x86vm store nothing. The eight bytes
    /// under RSP are therefore the CPU's choice in that case (docs/undefined-behaviour.md): the host's are adopted when they hold exactly that return address.
    /// </summary>
    static void AdoptCallPushBeforeGp(OracleCase c, OracleState host, OracleState vm)
    {
        if (c.Code.Mnemonic() != Mnemonic.Call || host.Signal != OracleState.SIGSEGV || host.SiCode != OracleState.SI_KERNEL ||
            vm.Signal != host.Signal || vm.SiCode != host.SiCode)
            return;
        ulong slot = c.Input.Rsp - 8;
        byte[] pushed = BitConverter.GetBytes(OracleState.InstructionAddress + (ulong)c.Input.Code.Length);
        foreach (var (start, hostBytes, vmBytes) in new[]
                 {
                     (OracleState.StackAddress, host.Stack, vm.Stack), (OracleState.DataAddress, host.Data, vm.Data),
                 })
        {
            if (slot < start || slot + 8 > start + (ulong)hostBytes.Length) continue;
            int at = (int)(slot - start);
            if (hostBytes.AsSpan(at, 8).SequenceEqual(pushed)) Array.Copy(hostBytes, at, vmBytes, at, 8);
            return;
        }
        if (host.StrayWriteAddress == slot && vm.StrayWriteAddress == 0)
            vm.StrayWriteAddress = slot; // the push landed outside the compared windows
    }
}
