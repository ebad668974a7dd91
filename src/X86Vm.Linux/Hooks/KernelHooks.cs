using X86Vm.Cpu.Memory;

namespace X86Vm.Linux.Hooks;

/// <summary>
/// The host's hooks into one VM: a syscall filter and memory watches. Host-side delegates, not VM state: never hashed
/// or saved (a restored VM starts without hooks; the host binds them again). The kernel holds none until the first
/// hook is registered, so a VM without hooks pays one null check per syscall and per watch fault, nothing per instruction.
/// </summary>
public sealed class KernelHooks
{
    /// <summary>Consulted before each syscall runs; null allows everything.</summary>
    public SyscallFilter? SyscallFilter { get; set; }

    /// <summary>The memory watches in registration order (the order their callbacks run for one access).</summary>
    internal List<MemoryWatch> Watches { get; } = new();
}

/// <summary>
/// A watched range of one address space (a process and the threads and vfork children sharing its memory): each
/// guest instruction that accesses it with a kind in <see cref="Kind"/> is reported to the callback after it runs.
/// Dispose it to stop watching. An execve gives the process a new address space, which is not watched.
/// </summary>
public sealed class MemoryWatch : IDisposable
{
    readonly Kernel _kernel;
    internal AddressSpace Space { get; }
    internal Action<MemoryAccess> Callback { get; }

    internal MemoryWatch(Kernel kernel, AddressSpace space, ulong address, ulong length, WatchKind kind, Action<MemoryAccess> callback)
    {
        _kernel = kernel;
        Space = space;
        Address = address;
        Length = length;
        Kind = kind;
        Callback = callback;
    }

    public ulong Address { get; }
    public ulong Length { get; }
    public WatchKind Kind { get; }

    /// <summary>True when an access of <paramref name="kind"/> to [<paramref name="address"/>, +<paramref name="size"/>) concerns this watch.</summary>
    internal bool Matches(AddressSpace space, ulong address, int size, WatchKind kind) =>
        space == Space && (Kind & kind) != 0 && address < Address + Length && Address < address + (ulong)size;

    /// <summary>Stops watching (the range's pages return to the fast path unless another watch covers them).</summary>
    public void Dispose() => _kernel.Unwatch(this);
}
