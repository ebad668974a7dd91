namespace X86Vm;

/// <summary>
/// What the JIT tier of a <see cref="VirtualMachine"/> has done: regions compiled (or shared with another process of the
/// VM), guest instructions translated, and the host time spent translating them. Depends on host timing; never part
/// of the VM's state or hash.
/// </summary>
public readonly record struct JitStatistics(int Regions, long Instructions, TimeSpan CompileTime);
