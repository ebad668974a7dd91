namespace X86Vm;

/// <summary>
/// Thrown by a snapshot save when the VM holds something that cannot move to another host (a host network socket, a
/// host file open for writing, an attached debugger…); the message names it. The VM is unchanged and can run on.
/// Declared in the root namespace: it is part of the library API (docs/snapshots.md).
/// </summary>
public sealed class SnapshotNotSupportedException(string message) : Exception(message);
