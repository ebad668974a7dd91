namespace X86Vm;

/// <summary>A register of a guest thread, for <see cref="VirtualMachine.ReadRegister"/> and <see cref="VirtualMachine.WriteRegister"/>.</summary>
public enum GuestRegister
{
    // The general registers in the x86-64 encoding order (the CPU's register file index).
#pragma warning disable CS1591 // the architectural names say it all
    Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi, R8, R9, R10, R11, R12, R13, R14, R15,
#pragma warning restore CS1591
    /// <summary>The instruction pointer: where the thread resumes.</summary>
    Rip,
    /// <summary>RFLAGS as the guest reads it (PUSHFQ); a write sets the status flags and DF/TF/AC/ID.</summary>
    Rflags,
    /// <summary>The FS segment base (the thread pointer of x86-64 Linux TLS, arch_prctl ARCH_SET_FS).</summary>
    FsBase,
    /// <summary>The GS segment base (arch_prctl ARCH_SET_GS).</summary>
    GsBase,
}
