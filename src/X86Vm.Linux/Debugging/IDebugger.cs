using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Debugging;

/// <summary>
/// What the scheduler (<see cref="Kernel.Run"/>) consults when a debugger is attached (<see cref="Kernel.Debugger"/>).
/// The VM is all-stop: a call that reports a stop to the debugger blocks until the debugger resumes the VM, and
/// nothing runs meanwhile. Every call happens at a scheduling point, where each thread is at an instruction
/// boundary. Without a debugger the kernel makes none of these calls, and the interpreter never knows either way.
/// </summary>
public interface IDebugger
{
    /// <summary>The VM is about to run its first instruction in <paramref name="process"/>, the debugged process.</summary>
    void Start(GuestProcess process);

    /// <summary>Each pass of the scheduler loop: checks whether the debugger asked to interrupt the VM.</summary>
    void Poll();

    /// <summary>
    /// <paramref name="thread"/> is about to run until it has retired <paramref name="retiredLimit"/> instructions:
    /// the debugger may lower the limit (a single step is <c>Retired + 1</c>) or hold the thread (false).
    /// </summary>
    bool BeforeRun(GuestThread thread, ref ulong retiredLimit);

    /// <summary>
    /// The thread's run ended with a fault: true when the debugger consumed it (its breakpoint or watchpoint).
    /// Otherwise the kernel delivers the thread's <c>Cpu.PendingFault</c>, which the debugger may have replaced
    /// (completing a watched instruction can fault on something else).
    /// </summary>
    bool OnFault(GuestThread thread, GuestFault fault);

    /// <summary>The thread's run ended (after a fault was handled).</summary>
    void AfterRun(GuestThread thread);

    /// <summary>
    /// A signal is about to act on <paramref name="thread"/> (ptrace's signal-delivery-stop): true to deliver it
    /// now, false when the debugger took it (it discards it, or queues it again later marked
    /// <see cref="SigInfo.DebuggerSeen"/>). A <paramref name="fault"/> that is not delivered is not queued again:
    /// the instruction runs again (or, for a trap, execution goes on after it).
    /// </summary>
    bool OnSignal(GuestThread thread, SigInfo info, bool fault);

    /// <summary>A process was created by <paramref name="parent"/> (fork, vfork or clone without CLONE_THREAD).</summary>
    void OnFork(GuestProcess parent, GuestProcess child);

    /// <summary>The debugged process ended: the scheduler returns.</summary>
    void Exited(GuestProcess process);
}
