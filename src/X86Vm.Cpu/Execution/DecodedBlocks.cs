using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Memory;

namespace X86Vm.Cpu.Execution;

/// <summary>
/// Decoded blocks remembered across the address spaces of one VM, by start address, with the exact bytes they were
/// decoded from. A process that runs the same code at the same address — every child of a shell running libc, every
/// fork, every exec of the same program — gets a copy of the decoded ops after a byte comparison instead of decoding
/// and binding again. Decoding depends only on those bytes and the address, so a copy is exactly what decoding would
/// give. A cache, not VM state: its content never changes what the guest computes.
/// </summary>
public sealed class DecodedBlocks
{
    const int MaxEntries = 1 << 16;

    sealed record Template(int Bitness, byte[] Bytes, DecodedOp[] Ops, bool EndsWithControlTransfer, bool IsPrecise, bool RunsAlone,
        bool MayRequestStop, ulong[] Pages);

    readonly Dictionary<ulong, Template> _templates = new();

    /// <summary>
    /// A fresh block with the remembered decoding of <paramref name="start"/> if the guest's executable bytes there are
    /// still the same; null otherwise (or when a page is not executable: the caller's decoding reports the fault).
    /// </summary>
    public BasicBlock? TryReuse(AddressSpace memory, ulong start, int bitness = 64)
    {
        // The same bytes decode differently in 32-bit and 64-bit mode (REX prefixes are INC/DEC there).
        if (!_templates.TryGetValue(start, out Template? t) || t.Bitness != bitness) return null;
        int done = 0;
        while (done < t.Bytes.Length)
        {
            ulong address = start + (ulong)done;
            byte[] page;
            try { page = memory.GetCodePage(address); }
            catch (GuestFault) { return null; }
            int offset = (int)(address & Page.OffsetMask);
            int n = Math.Min(Page.Size - offset, t.Bytes.Length - done);
            if (!page.AsSpan(offset, n).SequenceEqual(t.Bytes.AsSpan(done, n))) return null;
            done += n;
        }
        // Each block owns its ops: invalidation rewrites their handlers.
        return new BasicBlock(start, (DecodedOp[])t.Ops.Clone(), t.EndsWithControlTransfer, t.Pages, t.IsPrecise)
        {
            RunsAlone = t.RunsAlone,
            MayRequestStop = t.MayRequestStop,
        };
    }

    /// <summary>Remembers a freshly decoded (non-precise) block with the <paramref name="bytes"/> it came from.</summary>
    public void Remember(BasicBlock block, byte[] bytes, int bitness = 64)
    {
        if (_templates.Count >= MaxEntries && !_templates.ContainsKey(block.Start)) return;
        _templates[block.Start] = new Template(bitness, bytes, (DecodedOp[])block.Ops.Clone(), block.EndsWithControlTransfer,
            block.IsPrecise, block.RunsAlone, block.MayRequestStop, block.Pages);
    }
}
