using X86Vm.Cpu.Memory;

namespace X86Vm.Linux.Debugging;

/// <summary>
/// Software breakpoints: an INT3 (0xCC) patched into guest code through the privileged write path, which drops the
/// decoded blocks of the page, so the interpreter itself never checks for breakpoints. The byte it replaced is
/// kept here: memory reads by the debugger see the original bytes, and its writes over a breakpoint update the
/// saved byte instead. A breakpoint belongs to one address space (an exec replaces it; the table then simply
/// forgets it) and may be lifted for one instruction to step over it.
/// </summary>
public sealed class BreakpointTable
{
    public const byte Int3 = 0xCC;

    sealed class Breakpoint(AddressSpace memory, byte original)
    {
        public readonly AddressSpace Memory = memory;
        public byte Original = original;
        /// <summary>The kinds inserted here (Z0 software, Z1 "hardware" — both are INT3 here).</summary>
        public int Kinds;
        public bool Lifted;
    }

    readonly Dictionary<ulong, Breakpoint> _breakpoints = new();

    public int Count => _breakpoints.Count;

    /// <summary>Inserts a breakpoint of <paramref name="kind"/> (idempotent); false when the address is not mapped.</summary>
    public bool Insert(AddressSpace memory, ulong address, int kind = 0)
    {
        if (_breakpoints.TryGetValue(address, out Breakpoint? b) && b.Memory == memory)
        {
            b.Kinds |= 1 << kind;
            return true;
        }
        Span<byte> original = stackalloc byte[1];
        if (!TryPeek(memory, address, original)) return false;
        if (!TryPoke(memory, address, Int3)) return false;
        _breakpoints[address] = new Breakpoint(memory, original[0]) { Kinds = 1 << kind };
        return true;
    }

    /// <summary>Removes the breakpoint of <paramref name="kind"/> (idempotent), restoring the byte once no kind is left.</summary>
    public void Remove(AddressSpace memory, ulong address, int kind = 0)
    {
        if (!_breakpoints.TryGetValue(address, out Breakpoint? b)) return;
        if (b.Memory != memory)
        {
            _breakpoints.Remove(address); // from a replaced address space: nothing to restore
            return;
        }
        b.Kinds &= ~(1 << kind);
        if (b.Kinds != 0) return;
        _breakpoints.Remove(address);
        if (!b.Lifted) Restore(b.Memory, address, b.Original);
    }

    /// <summary>Whether an INT3 of ours is in <paramref name="memory"/> at <paramref name="address"/> now.</summary>
    public bool IsInserted(AddressSpace memory, ulong address) =>
        _breakpoints.TryGetValue(address, out Breakpoint? b) && b.Memory == memory && !b.Lifted;

    /// <summary>Whether the breakpoint at <paramref name="address"/> was only asked for as a hardware one (Z1).</summary>
    public bool IsHardwareOnly(ulong address) => _breakpoints.TryGetValue(address, out Breakpoint? b) && b.Kinds == 1 << 1;

    /// <summary>Puts the original byte back for one instruction (stepping over the breakpoint).</summary>
    public void Lift(AddressSpace memory, ulong address)
    {
        if (!_breakpoints.TryGetValue(address, out Breakpoint? b) || b.Memory != memory || b.Lifted) return;
        Restore(memory, address, b.Original);
        b.Lifted = true;
    }

    /// <summary>Patches a lifted breakpoint in again (if it is still wanted).</summary>
    public void Reinsert(ulong address)
    {
        if (!_breakpoints.TryGetValue(address, out Breakpoint? b) || !b.Lifted) return;
        b.Lifted = false;
        Span<byte> current = stackalloc byte[1];
        if (TryPeek(b.Memory, address, current)) b.Original = current[0];
        TryPoke(b.Memory, address, Int3);
    }

    /// <summary>Replaces patched bytes by the originals in <paramref name="data"/>, read from <paramref name="address"/>.</summary>
    public void Hide(AddressSpace memory, ulong address, Span<byte> data)
    {
        if (_breakpoints.Count == 0) return;
        foreach (var (at, b) in _breakpoints)
            if (b.Memory == memory && !b.Lifted && at >= address && at - address < (ulong)data.Length)
                data[(int)(at - address)] = b.Original;
    }

    /// <summary>
    /// The debugger writes <paramref name="data"/> at <paramref name="address"/>: bytes that fall on a breakpoint
    /// become its saved original, and the INT3 stays.
    /// </summary>
    public void Shadow(AddressSpace memory, ulong address, Span<byte> data)
    {
        if (_breakpoints.Count == 0) return;
        foreach (var (at, b) in _breakpoints)
            if (b.Memory == memory && !b.Lifted && at >= address && at - address < (ulong)data.Length)
            {
                b.Original = data[(int)(at - address)];
                data[(int)(at - address)] = Int3;
            }
    }

    /// <summary>A fork copied <paramref name="from"/>: the child's copy gets the original bytes back (it is not debugged).</summary>
    public void RemoveFromCopy(AddressSpace from, AddressSpace copy)
    {
        foreach (var (at, b) in _breakpoints)
            if (b.Memory == from && !b.Lifted) Restore(copy, at, b.Original);
    }

    /// <summary>Restores every original byte and forgets every breakpoint (the debugger leaves).</summary>
    public void Clear()
    {
        foreach (var (at, b) in _breakpoints)
            if (!b.Lifted) Restore(b.Memory, at, b.Original);
        _breakpoints.Clear();
    }

    static void Restore(AddressSpace memory, ulong address, byte original)
    {
        // Only where our INT3 still is: the program may have unmapped or rewritten the code since.
        Span<byte> current = stackalloc byte[1];
        if (TryPeek(memory, address, current) && current[0] == Int3) TryPoke(memory, address, original);
    }

    static bool TryPeek(AddressSpace memory, ulong address, Span<byte> data) => memory.TryRead(address, data);

    static bool TryPoke(AddressSpace memory, ulong address, byte value)
    {
        try
        {
            memory.Poke(address, [value]);
            return true;
        }
        catch (GuestFault) { return false; }
    }
}
