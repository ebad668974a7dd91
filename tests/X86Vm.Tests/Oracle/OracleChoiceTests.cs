using Iced.Intel;

namespace X86Vm.Tests.Oracle;

/// <summary>
/// The comparison accepts what the architecture leaves to the CPU, whatever this host happens to do: the VM's
/// result is held against made-up host results that take the other choices (the native oracle is not needed).
/// </summary>
public class OracleChoiceTests
{
    static List<OracleCase> Family(string name) => IntegerOracleTests.Families.Single(f => f.Name == name).Build();

    static OracleState WithFault(OracleState s, OracleFault f)
    {
        OracleState r = s.Clone();
        (r.Signal, r.SiCode, r.SiAddr) = (f.Signal, f.SiCode, f.SiAddr);
        return r;
    }

    [Fact]
    public void BothOperandsFaultingAcceptsEitherFault()
    {
        List<OracleCase> both = Family("string-faults").Where(c => c.FaultChoices.Count == 2).ToList();
        Assert.True(both.Count >= 20, $"only {both.Count} cases with two faulting operands");
        foreach (OracleCase c in both) AcceptsAnyChoice(c);
    }

    /// <summary>CALL r64 with a non-canonical target and RSP at the bottom of the data region: the push faults too.</summary>
    [Fact]
    public void CallWithFaultingPushAndNonCanonicalTargetAcceptsEither()
    {
        var s = new OracleState { Code = [0xFF, 0xD0], Rax = 0x0000_8000_0000_0000, Rsp = OracleState.DataAddress };
        var ctx = new CaseContext { Rng = new Random(1), Code = Code.Call_rm64, State = s };
        ctx.Operands.Add(Loc.Of(Register.RAX));
        var c = new OracleCase { Code = Code.Call_rm64, Input = s, FaultChoices = IntegerOracleTests.CallFaults(ctx) };
        Assert.Equal(2, c.FaultChoices.Count);
        AcceptsAnyChoice(c);
        // Whatever this host picks is one of them (checks the fault model).
        if (NativeOracle.IsAvailable) Assert.Contains(OracleFault.Of(NativeOracle.Shared.Run(s)), c.FaultChoices);
    }

    /// <summary>CALL r64 to a non-canonical target: Intel has written the return address below RSP when it raises #GP.</summary>
    [Fact]
    public void CallToNonCanonicalTargetAcceptsTheReturnAddressWrittenBelowRsp()
    {
        ulong rsp = OracleState.StackAddress + 0x800;
        var s = new OracleState { Code = [0xFF, 0xD0], Rax = 0x0000_8000_0000_0000, Rsp = rsp };
        var c = new OracleCase { Code = Code.Call_rm64, Input = s };
        OracleState vm = VmOracleRunner.Run(s, c.MaxInstructions);
        Assert.Equal((OracleState.SIGSEGV, OracleState.SI_KERNEL), (vm.Signal, vm.SiCode));
        Assert.Equal(s.Stack[0x7F8..0x800], vm.Stack[0x7F8..0x800]); // x86vm's choice: nothing written
        OracleState intel = vm.Clone();
        BitConverter.GetBytes(OracleState.InstructionAddress + 2).CopyTo(intel.Stack, 0x7F8);
        Assert.Empty(OracleCheck.Differences(c, intel, vm));
        // Anything else written there, or a write elsewhere, is still a difference.
        OracleState other = intel.Clone();
        other.Stack[0x7F8] ^= 1;
        Assert.NotEmpty(OracleCheck.Differences(c, other, vm));
        other = intel.Clone();
        other.Stack[0x7F0] ^= 1;
        Assert.NotEmpty(OracleCheck.Differences(c, other, vm));
    }

    static void AcceptsAnyChoice(OracleCase c)
    {
        OracleState vm = VmOracleRunner.Run(c.Input, c.MaxInstructions);
        // x86vm's choice comes first: the source operand [RSI]; for CALL the push before the #GP.
        Assert.Equal(c.FaultChoices[0], OracleFault.Of(vm));
        foreach (OracleFault f in c.FaultChoices)
            Assert.Empty(OracleCheck.Differences(c, WithFault(vm, f), vm));
        // A host fault outside the choices, or a changed register, is still a difference.
        Assert.NotEmpty(OracleCheck.Differences(c, WithFault(vm, new OracleFault(OracleState.SIGBUS, 0x80, 0)), vm));
        OracleState other = WithFault(vm, c.FaultChoices[1]);
        other.Rax ^= 1;
        Assert.NotEmpty(OracleCheck.Differences(c, other, vm));
    }

    [Fact]
    public void SingleFaultsStayExact()
    {
        foreach (OracleCase c in Family("string-faults").Where(c => c.FaultChoices.Count == 0))
        {
            OracleState vm = VmOracleRunner.Run(c.Input, c.MaxInstructions);
            if (vm.Signal == 0) continue;
            OracleState host = WithFault(vm, new OracleFault(vm.Signal, vm.SiCode, vm.SiAddr + 1));
            Assert.NotEmpty(OracleCheck.Differences(c, host, vm));
        }
    }

    [Fact]
    public void UndefinedResultsAcceptAnyHostValueButHoldTheVmToItsChoice()
    {
        List<OracleCase> logic = Family("alu").Where(c => c.Code.Mnemonic() is Mnemonic.And or Mnemonic.Test).Take(50).ToList();
        List<OracleCase> bswap = Family("move").Where(c => c.Code == Code.Bswap_r16).ToList();
        Assert.NotEmpty(logic);
        Assert.NotEmpty(bswap);
        foreach (OracleCase c in logic.Concat(bswap))
        {
            OracleState vm = VmOracleRunner.Run(c.Input, c.MaxInstructions);
            if (vm.Signal != 0) continue;
            OracleState host = vm.Clone();
            int reg = OracleCases.Decode(c.Input.Code).Op0Register.GetFullRegister() - Register.RAX;
            if (c.Code == Code.Bswap_r16) host.Gpr[reg] ^= 0x1234;
            else host.Rflags ^= 0x10;
            Assert.Empty(OracleCheck.Differences(c, host, vm));
            // Outside the undefined part, and the VM departing from x86vm's own choice, still count.
            OracleState upper = vm.Clone();
            if (c.Code == Code.Bswap_r16) upper.Gpr[reg] ^= 0x10000;
            else upper.Rflags ^= 0x40;
            Assert.NotEmpty(OracleCheck.Differences(c, upper, vm));
            OracleState odd = vm.Clone();
            if (c.Code == Code.Bswap_r16) odd.Gpr[reg] |= 1;
            else odd.Rflags |= 0x10;
            Assert.NotEmpty(OracleCheck.Differences(c, host, odd));
        }
    }
}
