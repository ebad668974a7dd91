namespace X86Vm;

/// <summary>A register of a guest thread, for <see cref="VirtualMachine.ReadRegister"/> and <see cref="VirtualMachine.WriteRegister"/>.</summary>
public enum GuestRegister
{
    // The general registers in the x86-64 encoding order (the CPU's register file index).
    Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi, R8, R9, R10, R11, R12, R13, R14, R15,
    Rip,
    /// <summary>RFLAGS as the guest reads it (PUSHFQ); a write sets the status flags and DF/TF/AC/ID.</summary>
    Rflags,
    FsBase,
    GsBase,
}
