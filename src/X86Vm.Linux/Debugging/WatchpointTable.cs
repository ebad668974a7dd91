using X86Vm.Cpu.Memory;

namespace X86Vm.Linux.Debugging;

/// <summary>
/// The debugger's data watchpoints (Z2 write, Z3 read, Z4 access), kept as watched ranges of the address space
/// (<see cref="AddressSpace.AddWatch"/>): an instruction about to touch one faults before the access, and the
/// stub completes the instruction with watches suspended before it reports the stop — after the accessing
/// instruction, as debug registers do. Memory without watches runs at full speed.
/// </summary>
public sealed class WatchpointTable
{
    readonly List<(AddressSpace Memory, ulong Address, ulong Length, WatchKind Kind)> _watches = new();

    public int Count => _watches.Count;

    /// <summary>Z2/Z3/Z4 → the kind of access watched.</summary>
    public static WatchKind? KindOf(int type) => type switch
    {
        2 => WatchKind.Write,
        3 => WatchKind.Read,
        4 => WatchKind.Access,
        _ => null,
    };

    /// <summary>The stop-reply key reporting a hit: watch, rwatch or awatch.</summary>
    public static string StopKey(WatchKind kind) => kind switch
    {
        WatchKind.Write => "watch",
        WatchKind.Read => "rwatch",
        _ => "awatch",
    };

    public void Insert(AddressSpace memory, ulong address, ulong length, WatchKind kind)
    {
        // Idempotent, as the protocol asks of Z packets.
        if (_watches.Contains((memory, address, length, kind))) return;
        memory.AddWatch(address, length, kind);
        _watches.Add((memory, address, length, kind));
    }

    public void Remove(AddressSpace memory, ulong address, ulong length, WatchKind kind)
    {
        if (_watches.Remove((memory, address, length, kind))) memory.RemoveWatch(address, length, kind);
    }

    public void Clear()
    {
        foreach (var (memory, address, length, kind) in _watches) memory.RemoveWatch(address, length, kind);
        _watches.Clear();
    }
}
