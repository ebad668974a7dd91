namespace X86Vm.Linux.State;

/// <summary>
/// Thrown by the snapshot reader when a type, its fields or a delegate's method differ from this build's: the kernel
/// turns it into one <see cref="SnapshotFormatException"/> that names both builds (docs/snapshot-format.md, "Compatibility").
/// </summary>
/// <param name="difference">What differs, e.g. "the fields of Kernel differ".</param>
sealed class ForeignBuildException(string difference) : Exception(difference);
