namespace X86Vm.Linux.Process;

/// <summary>
/// The system call ABI and address-space layout of a process, fixed by the ELF class of the program it executes:
/// x86-64, or i386 running in compatibility mode (Linux's IA32 emulation). Every syscall has one implementation;
/// the ABI decides the numbers (<see cref="Syscalls.I386Syscalls"/>), the width of pointers and longs in the
/// structures they read and write, and where the stack and mmap area lie.
/// </summary>
public enum ProcessAbi : byte
{
    X86_64 = 0,
    I386 = 1,
}

public static class ProcessAbis
{
    /// <summary>TASK_SIZE of a 32-bit task on a 64-bit kernel (IA32_PAGE_OFFSET): the top of its stack.</summary>
    public const ulong I386TaskSize = 0xFFFF_E000;

    /// <summary>mmap_base without randomisation: TASK_SIZE minus the 128 MiB minimum gap for the stack (mm/util.c mmap_base).</summary>
    public const ulong I386MmapTop = I386TaskSize - (128UL << 20);

    /// <summary>Where a 32-bit ET_DYN program lands without randomisation (as a 64-bit kernel places i386 PIE under setarch -R).</summary>
    public const ulong I386PieBase = 0x5655_5000;

    public static int Bitness(this ProcessAbi abi) => abi == ProcessAbi.I386 ? 32 : 64;

    /// <summary>sizeof(void *) and sizeof(long) in the ABI's structures.</summary>
    public static int PointerSize(this ProcessAbi abi) => abi == ProcessAbi.I386 ? 4 : 8;
}
