using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using X86Vm.Linux.Hooks;
using X86Vm.Linux.Process;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Linux;

public sealed partial class Kernel
{
    /// <summary>The host's hooks (<see cref="KernelHooks"/>); null until one is registered, so unhooked VMs skip them.</summary>
    [field: NotSnapshot] public KernelHooks? Hooks { get; private set; } // the host's: a restored VM starts without

    /// <summary>Sets (or with null removes) the syscall filter.</summary>
    public void SetSyscallFilter(SyscallFilter? filter)
    {
        if (filter == null && Hooks == null) return;
        (Hooks ??= new()).SyscallFilter = filter;
    }

    /// <summary>
    /// Watches [<paramref name="address"/>, +<paramref name="length"/>) of process <paramref name="pid"/>'s memory for
    /// the accesses in <paramref name="kind"/> (<see cref="MemoryWatch"/>). The range's pages leave the TLBs, so every
    /// access there takes the slow path (interpreted and compiled code alike); other pages keep their speed.
    /// </summary>
    public MemoryWatch Watch(int pid, ulong address, ulong length, WatchKind kind, Action<MemoryAccess> callback)
    {
        if (length == 0) throw new ArgumentOutOfRangeException(nameof(length), "a watched range has at least one byte");
        if (address + length < address) throw new ArgumentOutOfRangeException(nameof(length), "the range wraps around");
        GuestProcess p = FindProcess(pid) is { Exited: false } live ? live : throw new ArgumentException($"no live guest process {pid}", nameof(pid));
        var watch = new MemoryWatch(this, p.Memory, address, length, kind, callback);
        p.Memory.AddWatch(address, length, kind);
        (Hooks ??= new()).Watches.Add(watch);
        return watch;
    }

    internal void Unwatch(MemoryWatch watch)
    {
        if (Hooks == null || !Hooks.Watches.Remove(watch)) return;
        watch.Space.RemoveWatch(watch.Address, watch.Length, watch.Kind);
    }

    /// <summary>
    /// A watch fault that a memory watch asked for: completes the instruction with watches suspended (counted on the
    /// meter like any instruction), then calls the matching watches' callbacks. Returns null when no memory watch
    /// matches (the fault is the debugger's), else how completing the instruction stopped (a fault there is delivered
    /// as usual and reports nothing).
    /// </summary>
    StopReason? CompleteWatchedAccess(GuestThread t, GuestFault fault)
    {
        AddressSpace memory = t.Process.Memory;
        MemoryWatch[] matching = Hooks!.Watches.Where(w => w.Matches(memory, fault.WatchAddress, fault.WatchSize, fault.WatchAccess)).ToArray();
        if (matching.Length == 0) return null;
        CpuCore cpu = t.Cpu;
        ulong rip = cpu.Rip;
        Span<byte> value = stackalloc byte[8];
        Span<byte> accessed = value[..Math.Min(8, fault.WatchSize)];
        if (fault.WatchAccess == WatchKind.Read) memory.TryRead(fault.WatchAddress, accessed); // what the instruction reads
        memory.WatchesSuspended = true;
        Meter.Begin(cpu);
        StopReason reason;
        try { reason = Interpreter.Run(cpu, cpu.Retired + 1); }
        finally
        {
            Meter.End();
            memory.WatchesSuspended = false;
        }
        if (reason == StopReason.Fault) return reason;
        if (fault.WatchAccess == WatchKind.Write) memory.TryRead(fault.WatchAddress, accessed); // what it wrote
        var access = new MemoryAccess(t.Process.Pid, t.Tid, rip, fault.WatchAddress, fault.WatchSize, fault.WatchAccess,
            BitConverter.ToUInt64(value), Meter.Now);
        foreach (MemoryWatch w in matching) w.Callback(access);
        return reason;
    }
}
