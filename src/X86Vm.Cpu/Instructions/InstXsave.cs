using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions;

/// <summary>
/// The user-level XSAVE feature set (SDM Vol. 1 ch. 13, Vol. 2): XGETBV, XSAVE, XSAVEOPT, XSAVEC and XRSTOR (and their
/// REX.W forms, which differ only in the x87 pointer layout, as FXSAVE64). XCR0 is what Linux sets on a CPU of the VM's
/// level (<see cref="CpuidTable.Xcr0"/>). XSAVEOPT skips components in their initial configuration (the init
/// optimisation); its modified optimisation is not modelled (it is optional). XSAVES/XRSTORS are supervisor instructions and not offered (#UD).
/// </summary>
[InstructionFamily]
static class InstXsave
{
    static readonly Type Self = typeof(InstXsave);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Xgetbv, Bind.Fixed(Self, nameof(Xgetbv)));
        void Form(Mnemonic m, string name, byte cond) => t.Add(m, (in Instruction insn, ref DecodedOp op, Type[] o) =>
        {
            op.Cond = cond;
            return Handlers.Get(Self, name);
        });
        Form(Mnemonic.Xsave, nameof(Xsave), 0);
        Form(Mnemonic.Xsave64, nameof(Xsave), 2);
        Form(Mnemonic.Xsaveopt, nameof(Xsave), 4);
        Form(Mnemonic.Xsaveopt64, nameof(Xsave), 6);
        Form(Mnemonic.Xsavec, nameof(Xsave), 1);
        Form(Mnemonic.Xsavec64, nameof(Xsave), 3);
        Form(Mnemonic.Xrstor, nameof(Xrstor), 0);
        Form(Mnemonic.Xrstor64, nameof(Xrstor), 2);
    }

    /// <summary>XGETBV: EDX:EAX = XCR0 for ECX = 0; any other ECX is #GP (XGETBV with ECX = 1 is not advertised).</summary>
    public static void Xgetbv(Cpu c, ref DecodedOp op)
    {
        if ((uint)c.R(Reg.RCX) != 0) throw GuestFault.GeneralProtection("xgetbv: unsupported XCR");
        ulong xcr0 = CpuidTable.Xcr0(c.Code.Level);
        c.R(Reg.RAX) = (uint)xcr0;
        c.R(Reg.RDX) = (uint)(xcr0 >> 32);
    }

    /// <summary>The area's address: 64-byte alignment is required (#GP).</summary>
    static ulong Area(Cpu c, ref DecodedOp op)
    {
        ulong address = c.EffectiveAddress(ref op);
        if ((address & 63) != 0) throw GuestFault.GeneralProtection("xsave: misaligned area");
        return address;
    }

    /// <summary>The bytes an instruction accesses: the legacy region and header, and YMM_Hi128 when requested.</summary>
    static int Size(ulong rfbm) => (rfbm & Cpu.XsaveAvx) != 0 ? Cpu.XsaveAreaSize : Cpu.XsaveAvxOffset;

    static ulong RequestedFeatures(Cpu c) => CpuidTable.Xcr0(c.Code.Level) & ((c.R(Reg.RDX) << 32) | (uint)c.R(Reg.RAX));

    /// <summary>XSAVE, XSAVEOPT (Cond bit 2) and XSAVEC (Cond bit 0); Cond bit 1: REX.W. The area is read, updated and written back whole.</summary>
    public static void Xsave(Cpu c, ref DecodedOp op)
    {
        ulong address = Area(c, ref op), rfbm = RequestedFeatures(c);
        Span<byte> area = stackalloc byte[Cpu.XsaveAreaSize];
        area = area[..Size(rfbm)];
        c.Memory.Read(address, area);
        c.SaveXsave(area, rfbm, (op.Cond & 1) != 0 ? XsaveForm.Compacted : (op.Cond & 4) != 0 ? XsaveForm.Optimized : XsaveForm.Standard,
            (op.Cond & 2) != 0);
        c.Memory.Write(address, area);
    }

    public static void Xrstor(Cpu c, ref DecodedOp op)
    {
        ulong address = Area(c, ref op), rfbm = RequestedFeatures(c);
        Span<byte> area = stackalloc byte[Cpu.XsaveAreaSize];
        area = area[..Size(rfbm)];
        c.Memory.Read(address, area);
        string? error = c.LoadXsave(area, rfbm, CpuidTable.Xcr0(c.Code.Level), (op.Cond & 2) != 0);
        if (error != null) throw GuestFault.GeneralProtection(error);
    }
}
