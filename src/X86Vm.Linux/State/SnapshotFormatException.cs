namespace X86Vm;

/// <summary>
/// Thrown when a snapshot cannot be loaded: not a snapshot, another format version, damaged or truncated, written by
/// another build of x86vm, or rebuilt into a VM whose state hash differs from the saved one. No VM is returned.
/// Declared in the root namespace: it is part of the library API (docs/snapshots.md).
/// </summary>
public sealed class SnapshotFormatException(string message, Exception? inner = null) : Exception(message, inner);
