using System.Numerics;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Flags;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;

namespace X86Vm.Cpu.Instructions;

/// <summary>
/// Atomic read-modify-write instructions: XADD, CMPXCHG, CMPXCHG8B, CMPXCHG16B (SDM Vol. 2). LOCK needs no
/// work: guest threads never run in parallel within one VM. Memory is always written before any register,
/// so a faulting instruction changes nothing. A memory destination is written even when a compare fails
/// (the locked cycle writes the old value back), so a read-only destination faults either way, as on hardware.
/// </summary>
[InstructionFamily]
static class InstAtomic
{
    static readonly Type Self = typeof(InstAtomic);

    static void Register(InstructionTable t)
    {
        t.Add(Mnemonic.Xadd, Bind.Sized(Self, nameof(Xadd)));
        t.Add(Mnemonic.Cmpxchg, Bind.Sized(Self, nameof(Cmpxchg)));
        t.Add(Mnemonic.Cmpxchg8b, Bind.Fixed(Self, nameof(Cmpxchg8b)));
        t.Add(Mnemonic.Cmpxchg16b, Bind.Fixed(Self, nameof(Cmpxchg16b)));
    }

    static ulong U<T>(T v) where T : IBinaryInteger<T> => ulong.CreateTruncating(v);

    /// <summary>
    /// XADD: TEMP ← SRC + DEST; SRC ← DEST; DEST ← TEMP; flags as ADD. With the same register as both
    /// operands the sum wins (DEST is written last).
    /// </summary>
    public static void Xadd<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        T dest = D.Read<T>(c, ref op), src = S.Read<T>(c, ref op), sum = dest + src;
        if (typeof(D) == typeof(Mem))
        {
            D.Write(c, ref op, sum); // may fault: nothing else has changed yet
            S.Write(c, ref op, dest);
        }
        else
        {
            S.Write(c, ref op, dest);
            D.Write(c, ref op, sum);
        }
        c.SetFlags(FlagOp.Add, LazyFlags.SizeLog2<T>(), U(dest), U(src), U(sum));
    }

    /// <summary>
    /// CMPXCHG: flags of CMP accumulator, DEST. Equal: DEST ← SRC (a 32-bit register destination
    /// zero-extends, the accumulator is untouched). Different: accumulator ← DEST (EAX zero-extends into RAX);
    /// a register destination is left entirely untouched (its upper half survives, as measured on hardware),
    /// a memory destination is written back unchanged.
    /// </summary>
    public static void Cmpxchg<T, D, S>(Cpu c, ref DecodedOp op) where T : unmanaged, IBinaryInteger<T> where D : IOperand where S : IOperand
    {
        T acc = GprAccess.Read<T>(c, Reg.RAX * 8), dest = D.Read<T>(c, ref op);
        if (acc == dest)
        {
            D.Write(c, ref op, S.Read<T>(c, ref op));
        }
        else
        {
            if (typeof(D) == typeof(Mem)) D.Write(c, ref op, dest);
            GprAccess.Write(c, Reg.RAX * 8, dest);
        }
        c.SetFlags(FlagOp.Sub, LazyFlags.SizeLog2<T>(), U(acc), U(dest), U(acc - dest));
    }

    /// <summary>
    /// CMPXCHG8B m64: EDX:EAX against m64. Equal: ZF = 1, m64 ← ECX:EBX (RAX/RDX untouched). Different: ZF = 0,
    /// EDX:EAX ← m64 (zero-extended into RDX/RAX). Only ZF changes. No alignment requirement.
    /// </summary>
    public static void Cmpxchg8b(Cpu c, ref DecodedOp op)
    {
        ulong address = c.EffectiveAddress(ref op);
        ulong m = c.Memory.Read<ulong>(address);
        ulong expected = ((ulong)(uint)c.R(Reg.RDX) << 32) | (uint)c.R(Reg.RAX);
        if (m == expected)
        {
            c.Memory.Write(address, ((ulong)(uint)c.R(Reg.RCX) << 32) | (uint)c.R(Reg.RBX));
            c.SetStatusFlags(RFlags.ZF, RFlags.ZF);
        }
        else
        {
            c.Memory.Write(address, m);
            c.R(Reg.RAX) = (uint)m;
            c.R(Reg.RDX) = m >> 32;
            c.SetStatusFlags(0, RFlags.ZF);
        }
    }

    /// <summary>
    /// CMPXCHG16B m128: RDX:RAX against m128; equal: m128 ← RCX:RBX, else RDX:RAX ← m128. Only ZF changes.
    /// The operand must be 16-byte aligned, else #GP (checked before any memory access).
    /// </summary>
    public static void Cmpxchg16b(Cpu c, ref DecodedOp op)
    {
        ulong address = c.EffectiveAddress(ref op);
        if ((address & 15) != 0) throw GuestFault.GeneralProtection($"CMPXCHG16B operand 0x{address:x} not 16-byte aligned");
        UInt128 m = c.Memory.Read<UInt128>(address);
        if (m == new UInt128(c.R(Reg.RDX), c.R(Reg.RAX)))
        {
            c.Memory.Write(address, new UInt128(c.R(Reg.RCX), c.R(Reg.RBX)));
            c.SetStatusFlags(RFlags.ZF, RFlags.ZF);
        }
        else
        {
            c.Memory.Write(address, m);
            c.R(Reg.RAX) = (ulong)m;
            c.R(Reg.RDX) = (ulong)(m >> 64);
            c.SetStatusFlags(0, RFlags.ZF);
        }
    }
}
