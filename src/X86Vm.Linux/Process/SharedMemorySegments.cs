using X86Vm.Cpu.Memory;

namespace X86Vm.Linux.Process;

/// <summary>One System V shared memory segment (shmget(2)): its key, size, owner and mode, and the memory itself.</summary>
public sealed class SharedMemorySegment
{
    public int Id, Key, CreatorPid, LastPid;
    public ulong Size;
    public uint Uid, Gid, CreatorUid, CreatorGid, Mode;
    public long AttachTime, DetachTime, ChangeTime;
    /// <summary>IPC_RMID was asked: the key is gone and the segment ends with its last attachment.</summary>
    public bool Removed;
    public AnonymousSharedMemory Memory = null!;
}

/// <summary>
/// The VM's System V shared memory (svipc(7)): segments by id, created by shmget and attached as shared mappings of one
/// <see cref="AnonymousSharedMemory"/>, which the registry holds one attachment of while the segment exists.
/// </summary>
public sealed class SharedMemorySegments
{
    public SortedDictionary<int, SharedMemorySegment> ById { get; } = new();
    int _sequence;

    /// <summary>A new id: Linux's ipc ids are index + 32768 × sequence; here the sequence grows with each segment.</summary>
    public int NextId() => ++_sequence * 32768 % int.MaxValue + ById.Count;

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
            ById.Remove(s.Id);
            s.Memory.Detach();
        }
    }
}
