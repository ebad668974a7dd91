using System.Globalization;
using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;

namespace X86Vm.Linux;

// The VM's resource limits (docs/limits.md): the OOM kill at the memory limit, the task count fork and clone check,
// and the wall-clock time limit. Each limit ends what it stops with one line on the diagnostics stream.
public sealed partial class Kernel
{
    /// <summary>The shell status of a VM stopped by its time limit, as timeout(1) reports.</summary>
    public const int TimeLimitStatus = 124;

    /// <summary>
    /// Tasks as threads-max counts them: live threads plus zombies not yet reaped. clone fails with EAGAIN when this
    /// reaches <see cref="KernelOptions.MaxTasks"/>.
    /// </summary>
    internal int TaskCount => _threads.Count + _processes.Values.Count(p => p.State == ProcessState.Zombie);

    /// <summary>
    /// The OOM killer: a page <paramref name="p"/> needed could not be charged. The process gets SIGKILL (it sees
    /// nothing) and x86vm says why in one line; the VM goes on with the others.
    /// </summary>
    internal void KillForMemory(GuestProcess p)
    {
        Options.Memory.Exhausted = null;
        if (p.Exited) return;
        string name = p.ThreadName.Length > 0 ? p.ThreadName : Path.GetFileName(p.ExecutablePath);
        Options.Diagnostics.WriteLine(
            $"x86vm: memory limit of {ByteSize.Format(Options.Memory.LimitBytes)} reached; killed process {p.Pid} ({name})");
        p.Kill(Signals.SIGKILL);
    }

    /// <summary>
    /// A privileged copy (a syscall's, a signal frame, clear_child_tid) ran out of memory and failed quietly: its
    /// process is killed now, before anything runs on. False when nothing was pending.
    /// </summary>
    internal bool SettleMemory()
    {
        AddressSpace? space = Options.Memory.Exhausted;
        if (space == null) return false;
        Options.Memory.Exhausted = null;
        GuestProcess? victim = CurrentThread is { Process: { Exited: false } c } && c.Memory == space
            ? c
            : _processes.Values.FirstOrDefault(p => !p.Exited && p.Memory == space);
        if (victim != null) KillForMemory(victim);
        return true;
    }

    volatile bool _timeLimitReported;

    /// <summary>
    /// Wall-clock time spent inside <see cref="Run"/> so far: the time limit covers every run of the VM together, so a
    /// VM run in budget slices or stopped by a host's hook every so often still ends at the limit.
    /// </summary>
    TimeSpan _runTime;

    /// <summary>What is left of the time limit (a spent limit fires at once).</summary>
    TimeSpan TimeLeft(TimeSpan limit) => limit - _runTime > TimeSpan.FromMilliseconds(1) ? limit - _runTime : TimeSpan.FromMilliseconds(1);

    /// <summary>Adds a run's wall-clock time to <see cref="_runTime"/> when the run ends.</summary>
    readonly struct RunTimeScope(Kernel kernel) : IDisposable
    {
        readonly long _start = System.Diagnostics.Stopwatch.GetTimestamp();
        public void Dispose() => kernel._runTime += System.Diagnostics.Stopwatch.GetElapsedTime(_start);
    }

    /// <summary>True once the time limit ended the VM (its line is written).</summary>
    public bool TimeLimitReached => _timeLimitReported;

    /// <summary>The time limit passed: one line, every process killed (their files closed, shared mappings written back).</summary>
    int StopForTimeLimit()
    {
        _timeLimitReported = true;
        Options.Diagnostics.WriteLine($"x86vm: time limit of {Options.TimeLimit!.Value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s reached");
        foreach (GuestProcess p in _processes.Values.Where(p => !p.Exited).OrderBy(p => p.Pid).ToList()) p.Kill(Signals.SIGKILL);
        return TimeLimitStatus;
    }
}
