namespace X86Vm.Cpu.Memory;

[Flags]
public enum MappingFlags : byte
{
    None = 0,
    /// <summary>MAP_SHARED: pages stay shared across fork instead of becoming copy-on-write.</summary>
    Shared = 1,
    /// <summary>The stack: grows down on faults just below it (within the stack rlimit).</summary>
    GrowsDown = 2,
    /// <summary>mprotect may not add PROT_WRITE (a shared mapping of a file not opened for writing: no VM_MAYWRITE).</summary>
    NoWrite = 4,
}

/// <summary>
/// A virtual memory area: a range with one protection (the kernel's vm_area_struct).
/// Pages inside it are materialised lazily on first touch, so a huge PROT_NONE reservation costs one object.
/// </summary>
public sealed class Mapping
{
    public ulong Start;
    public ulong End;
    public Protection Protection;
    public MappingFlags Flags;
    /// <summary>What /proc/self/maps prints in the last column ("[heap]", "[stack]", a file path or "").</summary>
    public string Name;
    /// <summary>File offset for file mappings (for /proc/self/maps), and where a shared mapping starts in its <see cref="Source"/>.</summary>
    public ulong FileOffset;
    /// <summary>The object a MAP_SHARED mapping maps (a file's pages, anonymous shared memory); null for private memory.</summary>
    public IPageSource? Source;

    public Mapping(ulong start, ulong end, Protection protection, MappingFlags flags, string name, ulong fileOffset = 0)
    {
        Start = start;
        End = end;
        Protection = protection;
        Flags = flags;
        Name = name;
        FileOffset = fileOffset;
    }

    public ulong Length => End - Start;

    public Mapping Clone() => new(Start, End, Protection, Flags, Name, FileOffset) { Source = Source };

    public override string ToString() => $"{Start:x}-{End:x} {Protection} {Flags} {Name}";
}
