using X86Vm.Linux.Process;
using X86Vm.Linux.Syscalls;

namespace X86Vm.Linux.Hooks;

/// <summary>
/// One system call as a <see cref="SyscallFilter"/> sees it: who makes it, its number and six raw arguments, and the
/// caller's memory (to read paths and buffers the arguments point at). Valid only during the filter's call.
/// </summary>
public readonly struct SyscallRequest
{
    readonly GuestProcess _process;
    readonly SyscallArgs _args;

    internal SyscallRequest(GuestProcess process, int tid, int number, SyscallArgs args)
    {
        _process = process;
        _args = args;
        Tid = tid;
        Number = number;
    }

    /// <summary>The calling process.</summary>
    public int Pid => _process.Pid;

    /// <summary>The calling thread (a process's main thread has the pid as its tid).</summary>
    public int Tid { get; }

    /// <summary>The syscall number in the caller's ABI: x86-64 (RAX), or i386 (EAX) for a 32-bit program (<see cref="IsI386"/>).</summary>
    public int Number { get; }

    /// <summary>The caller is a 32-bit program: <see cref="Number"/> and the arguments follow the i386 ABI.</summary>
    public bool IsI386 => _process.Abi == ProcessAbi.I386;

    /// <summary>The syscall's name ("openat"), or "syscall_N" for a number Linux does not define.</summary>
    public string Name => IsI386 ? I386Syscalls.NameOf(Number) : SyscallTable.NameOf(Number);

    /// <summary>Argument <paramref name="index"/> (0..5: RDI, RSI, RDX, R10, R8, R9; for i386 EBX, ECX, EDX, ESI, EDI, EBP).</summary>
    public ulong Arg(int index) => (uint)index < 6 ? _args[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Reads the caller's memory as the kernel would; false when part of the range is not readable.</summary>
    public bool ReadMemory(ulong address, Span<byte> destination) => _process.Memory.TryRead(address, destination);

    /// <summary>A NUL-terminated string of the caller's memory (UTF-8), at most <paramref name="maxLength"/> bytes; null when unreadable.</summary>
    public string? ReadString(ulong address, int maxLength = 4096) =>
        _process.Memory.TryReadCString(address, maxLength) is byte[] b ? System.Text.Encoding.UTF8.GetString(b) : null;
}
