using X86Vm.Cpu.State;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Linux;

/// <summary>
/// The VM's one instruction counter, across every thread and process (docs/metering.md): the instructions each
/// thread retires inside the scheduler's runs, plus one for each execution of a SYSCALL that blocked (it is not
/// retired architecturally until it completes, but it ran), plus each syscall's charge for its work. The virtual clock
/// and the instruction budget read it.
/// Plain data: the running CPU is only a reference to read its counter mid-run.
/// </summary>
public sealed class InstructionMeter
{
    ulong _total;
    [NotSnapshot] CpuCore? _running;
    ulong _runningStart;

    /// <summary>Units consumed so far, including the running thread's instructions of its current run.</summary>
    public ulong Now => _running == null ? _total : _total + (_running.Retired - _runningStart);

    /// <summary>Units consumed before the current run began (what a snapshot between runs records).</summary>
    public ulong Settled => _total;

    /// <summary>The most units the VM may consume (--max-instructions); null for no limit.</summary>
    public ulong? Budget { get; set; }

    /// <summary>Units left in the budget (ulong.MaxValue without one).</summary>
    public ulong Remaining => Budget is ulong b ? (b > Now ? b - Now : 0) : ulong.MaxValue;

    /// <summary>Start counting <paramref name="cpu"/>'s retired instructions.</summary>
    public void Begin(CpuCore cpu)
    {
        _running = cpu;
        _runningStart = cpu.Retired;
    }

    /// <summary>The run ended: its instructions join the total.</summary>
    public void End()
    {
        if (_running == null) return;
        _total += _running.Retired - _runningStart;
        _running = null;
    }

    /// <summary>Work the architectural counter does not show (a SYSCALL execution that blocked, a syscall's charge).</summary>
    public void Charge(ulong units) => _total += units;

    /// <summary>Restores a count (a VM resumed from saved state; tests).</summary>
    public void Reset(ulong total)
    {
        _total = total;
        _running = null;
    }
}
