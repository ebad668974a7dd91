using X86Vm.Cpu.Memory;

namespace X86Vm.Linux.Process;

/// <summary>One System V shared memory segment (shmget(2)): its size, creator and times, and the memory itself.</summary>
public sealed class SharedMemorySegment(GuestProcess creator, int key, int flags, ulong size, AnonymousSharedMemory memory)
    : IpcObject(creator, key, flags)
{
    public int CreatorPid = creator.Pid, LastPid;
    public ulong Size = size;
    public long AttachTime, DetachTime;
    public AnonymousSharedMemory Memory = memory;

    /// <summary>SHM_DEST once removed.</summary>
    protected override uint StatusBits => Removed ? 0x200u : 0;
}

/// <summary>
/// The VM's System V shared memory (svipc(7)): segments created by shmget and attached as shared mappings of one
/// <see cref="AnonymousSharedMemory"/>, which the registry holds one attachment of while the segment exists.
/// </summary>
public sealed class SharedMemorySegments
{
    public IpcRegistry<SharedMemorySegment> Registry { get; } = new();
    public SortedDictionary<int, SharedMemorySegment> ById => Registry.ById;

    /// <summary>Attachments of a segment: every mapping of its memory in every live process.</summary>
    public static int Attachments(Kernel kernel, SharedMemorySegment s)
    {
        int n = 0;
        foreach (GuestProcess p in kernel.Processes)
            if (!p.Exited)
                foreach (Mapping m in p.Memory.Mappings.All)
                    if (m.Source == s.Memory && m.FileOffset == 0) n++;
        return n;
    }

    /// <summary>Segments marked for removal with nothing attached any more are freed.</summary>
    public void Collect(Kernel kernel)
    {
        foreach (var s in ById.Values.Where(s => s.Removed && Attachments(kernel, s) == 0).ToList())
        {
            Registry.Remove(s);
            s.Memory.Detach();
        }
    }
}
