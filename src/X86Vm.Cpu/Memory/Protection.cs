namespace X86Vm.Cpu.Memory;

/// <summary>Page protection bits, numerically identical to Linux PROT_* (mmap(2)).</summary>
[Flags]
public enum Protection : byte
{
    None = 0,
    Read = 1,
    Write = 2,
    Execute = 4,
    ReadWrite = Read | Write,
    ReadExecute = Read | Execute,
    All = Read | Write | Execute,
}

/// <summary>The kind of access that caused a fault, for si_code and diagnostics.</summary>
public enum AccessKind : byte { Read, Write, Execute }
