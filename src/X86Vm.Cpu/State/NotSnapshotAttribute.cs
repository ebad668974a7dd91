namespace X86Vm.Cpu.State;

/// <summary>
/// Marks a field that a snapshot leaves out (docs/snapshots.md): a cache that a restored VM rebuilds (TLBs, decoded or
/// compiled code, hash leaves) or a binding to the host that the restoring host supplies again (streams, file handles,
/// delegates the kernel sets). Everything else reachable from the kernel is saved as data.
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class NotSnapshotAttribute : Attribute;
