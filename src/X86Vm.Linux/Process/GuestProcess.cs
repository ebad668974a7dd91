using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;
using X86Vm.Linux.Vfs;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Linux.Process;

/// <summary>
/// One guest process: its address space, its (for now single) thread, file descriptors and the
/// per-process state the host would otherwise keep (cwd, umask, rlimits, brk). All of it is VM data.
/// </summary>
public sealed class GuestProcess
{
    public int Pid { get; }
    public int ParentPid { get; init; }
    public Kernel Kernel { get; }
    public AddressSpace Memory { get; }
    public CpuCore MainThread { get; }
    public FileDescriptorTable Files { get; } = new();

    /// <summary>Current directory as a resolved guest path.</summary>
    public string Cwd { get; set; } = "/";
    public uint Umask { get; set; } = 0x12; // 022

    /// <summary>The guest path of the running program (/proc/self/exe, AT_EXECFN).</summary>
    public string ExecutablePath { get; set; } = "";

    public ulong BrkStart { get; set; }
    public ulong Brk { get; set; }
    public ulong ClearChildTid { get; set; }

    /// <summary>prctl(PR_SET_NAME) / /proc/PID/comm: at most 15 bytes.</summary>
    public string ThreadName { get; set; } = "";
    public int ParentDeathSignal { get; set; }
    public bool Dumpable { get; set; } = true;

    /// <summary>Signal dispositions as recorded by rt_sigaction (64 entries of 32 bytes: handler, flags, restorer, mask).</summary>
    public byte[][] SignalActions { get; } = Enumerable.Range(0, 65).Select(_ => new byte[32]).ToArray();
    public ulong SignalMask { get; set; }

    public bool Exited { get; private set; }
    /// <summary>The wait status (wait(2) encoding): exit code &lt;&lt; 8, or the terminating signal.</summary>
    public int WaitStatus { get; private set; }

    public GuestProcess(Kernel kernel, int pid)
    {
        Kernel = kernel;
        Pid = pid;
        Memory = new AddressSpace();
        MainThread = new CpuCore(Memory);
        MainThread.Syscalls = kernel.Syscalls;
        MainThread.TimeStampCounter = () => (ulong)kernel.Clock.MonotonicNanoseconds * 3;
    }

    public void Exit(int code)
    {
        Exited = true;
        WaitStatus = (code & 0xFF) << 8;
        MainThread.StopRequested = true;
    }

    public void Kill(int signal)
    {
        Exited = true;
        WaitStatus = signal & 0x7F;
        MainThread.StopRequested = true;
    }

    /// <summary>The exit status a shell would report: the code, or 128 + the signal number.</summary>
    public int ShellStatus => (WaitStatus & 0x7F) != 0 ? 128 + (WaitStatus & 0x7F) : (WaitStatus >> 8) & 0xFF;
}
