using System.Reflection;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.State;
using X86Vm.Linux.Hooks;
using X86Vm.Linux.Process;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Linux.Syscalls;

public delegate long SyscallHandler(GuestProcess process, in SyscallArgs args);

/// <summary>
/// Dispatches SYSCALL by number to the implementations found in the [SyscallFamily] classes. An unknown
/// syscall returns ENOSYS and is reported once by name. With --strace every call is printed.
/// </summary>
public sealed class SyscallTable : ISyscallHandler
{
    public sealed record Entry(int Number, string Name, SyscallHandler Handler, string Format, string Family, string? Partial);

    /// <summary>Returned by a handler (through <see cref="Kernel.Block"/>) when the calling thread must wait.</summary>
    public const long Blocked = long.MinValue;

    /// <summary>Length of the SYSCALL instruction (0F 05), to re-execute a blocked call.</summary>
    const ulong SyscallLength = 2;

    /// <summary>
    /// The handlers by number, found by reflection once per host process (it took 4.5 ms, most of a VM's creation):
    /// immutable and shared by every VM, as the code it points at is.
    /// </summary>
    static readonly System.Collections.Immutable.ImmutableArray<Entry?> Entries = FindHandlers();

    readonly HashSet<int> _reported = new();
    readonly Kernel _kernel;

    public SyscallTable(Kernel kernel) => _kernel = kernel;

    static System.Collections.Immutable.ImmutableArray<Entry?> FindHandlers()
    {
        var entries = new Entry?[512];
        foreach (Type t in typeof(SyscallTable).Assembly.GetTypes())
        {
            if (t.GetCustomAttribute<SyscallFamilyAttribute>() == null) continue;
            foreach (MethodInfo m in t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            {
                var attr = m.GetCustomAttribute<SyscallAttribute>();
                if (attr == null) continue;
                if (entries[attr.Number] != null)
                    throw new InvalidOperationException($"syscall {attr.Number} implemented twice");
                entries[attr.Number] = new Entry(attr.Number, NameOf(attr.Number), m.CreateDelegate<SyscallHandler>(), attr.Format, t.Name, attr.Partial);
            }
        }
        return [.. entries];
    }

    /// <summary>The x86-64 entry for <paramref name="number"/> (the i386 table maps onto these), or null.</summary>
    internal static Entry? X86_64Entry(int number) => (uint)number < (uint)Entries.Length ? Entries[number] : null;

    /// <summary>A syscall's name ("openat"), or "syscall_N" for a number Linux does not define.</summary>
    public static string NameOf(int number) => SyscallNames.ByNumber.TryGetValue(number, out string? n) ? n : $"syscall_{number}";

    /// <summary>One --strace line: "name(arguments) = result", with a note after it when given.</summary>
    void Trace(GuestProcess p, GuestThread t, string name, string arguments, long result, string? note = null) =>
        _kernel.Options.Strace?.WriteLine($"{Prefix(p, t)}{name}({arguments}) = {StraceFormatter.Result(name, result)}{(note == null ? "" : $" ({note})")}");

    /// <summary>strace -f style: "[pid N] " once a second process or thread exists.</summary>
    string Prefix(GuestProcess p, GuestThread t) => _kernel.Threads.Count() > 1 || p.Parent != null ? $"[pid {t.Tid}] " : "";

    /// <summary>The implemented syscalls (for docs/syscalls.md and its test).</summary>
    public IEnumerable<Entry> Implemented => Entries.Where(e => e != null)!;

    /// <summary>docs/syscalls.md: every x86-64 syscall with its status, generated from this table.</summary>
    public static string StatusDocument(IEnumerable<Entry> implemented)
    {
        var byNumber = implemented.ToDictionary(e => e.Number);
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("# Syscalls");
        sb.AppendLine();
        sb.AppendLine("Every x86-64 Linux syscall and its status in x86vm. Generated from the syscall table in the code");
        sb.AppendLine("(`[Syscall]` attributes); `SyscallDocTests` fails when this file and the code disagree —");
        sb.AppendLine("regenerate with `X86VM_UPDATE_DOCS=1 dotnet test --filter SyscallDocTests`.");
        sb.AppendLine("Unimplemented calls return ENOSYS and are reported once by name.");
        sb.AppendLine();
        int full = byNumber.Values.Count(e => e.Partial == null), partial = byNumber.Count - full;
        sb.AppendLine($"{full} full, {partial} partial, {SyscallNames.ByNumber.Count - byNumber.Count} ENOSYS.");
        sb.AppendLine();
        sb.AppendLine("| # | name | status | notes | family |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var (number, name) in SyscallNames.ByNumber.OrderBy(kv => kv.Key))
        {
            if (byNumber.TryGetValue(number, out Entry? e))
                sb.AppendLine($"| {number} | {name} | {(e.Partial == null ? "full" : "partial")} | {e.Partial ?? ""} | {e.Family} |");
            else
                sb.AppendLine($"| {number} | {name} | ENOSYS | | |");
        }
        return sb.ToString();
    }

    public void Syscall(CpuCore cpu)
    {
        GuestThread thread = _kernel.CurrentThread;
        GuestProcess p = thread.Process;
        // 32-bit code enters through INT 0x80: the i386 numbers, arguments in EBX ECX EDX ESI EDI EBP, zero-extended
        // (arch/x86/entry/common.c do_int80_syscall_32); the result is truncated to EAX.
        bool i386 = cpu.Code.Bitness == 32;
        int number = (int)cpu.R(Reg.RAX);
        var args = i386
            ? new SyscallArgs((uint)cpu.R(Reg.RBX), (uint)cpu.R(Reg.RCX), (uint)cpu.R(Reg.RDX), (uint)cpu.R(Reg.RSI), (uint)cpu.R(Reg.RDI), (uint)cpu.R(Reg.RBP))
            : new SyscallArgs(cpu.R(Reg.RDI), cpu.R(Reg.RSI), cpu.R(Reg.RDX), cpu.R(Reg.R10), cpu.R(Reg.R8), cpu.R(Reg.R9));
        var table = i386 ? I386Syscalls.Entries : Entries;
        Entry? e = (uint)number < (uint)table.Length ? table[number] : null;
        long result;
        // The host's filter sees each call once: not again when a woken thread re-executes the call it blocked in
        // (Resumed), but again when a signal handler restarts it, as seccomp does.
        if (_kernel.Hooks?.SyscallFilter is { } filter && thread.Resumed == null)
        {
            var request = new SyscallRequest(p, thread.Tid, number, args);
            SyscallDecision decision = filter(request);
            if (decision.Action != SyscallAction.Allow)
            {
                result = decision.Result;
                if (_kernel.Options.Strace != null)
                    Trace(p, thread, request.Name, e != null ? StraceFormatter.Arguments(p, e.Format, args, result) : "...", result,
                        $"{(decision.Action == SyscallAction.Deny ? "denied" : "emulated")} by the syscall filter");
                cpu.R(Reg.RAX) = i386 ? (uint)result : (ulong)result;
                return;
            }
        }
        if (e == null)
        {
            result = -Errno.ENOSYS;
            // Reported by name in --strace (and once per call number in the strace log), never on the diagnostics
            // stream: in the command that is the terminal the guest's own stderr goes to.
            if (_reported.Add(i386 ? -1 - number : number))
            {
                string name = (i386 ? I386SyscallNames.ByNumber : SyscallNames.ByNumber).TryGetValue(number, out var n) ? n : $"#{number}";
                _kernel.Options.Strace?.WriteLine($"x86vm: unsupported {(i386 ? "i386 " : "")}syscall {name} ({number}), returning ENOSYS");
            }
            Trace(p, thread, i386 ? I386Syscalls.NameOf(number) : NameOf(number), "...", result);
        }
        else
        {
            TextWriter? strace = _kernel.Options.Strace;
            ulong work = _kernel.Options.Memory.KernelWork;
            result = e.Handler(p, args);
            _kernel.ChargeSyscall(cpu, (_kernel.Options.Memory.KernelWork - work) / Kernel.WorkPerUnit);
            // A copy to or from user memory hit the memory limit: the OOM kill comes before the guest sees a result.
            if (_kernel.Options.Memory.Exhausted != null && _kernel.SettleMemory() && p.Exited) return;
            if (result == Blocked)
            {
                // Park the thread; when its condition is ready it executes this SYSCALL again (RAX still holds
                // the number). The instruction retires once, when the call completes.
                cpu.Rip -= SyscallLength;
                cpu.Retired--;
                _kernel.Meter.Charge(1); // but it ran: each execution of a SYSCALL costs one (docs/metering.md)
                cpu.StopRequested = true;
                return;
            }
            thread.Resumed = null;
            if (strace != null) Trace(p, thread, e.Name, StraceFormatter.Arguments(p, e.Format, args, result), result);
        }
        if (thread.Cpu == cpu) cpu.R(Reg.RAX) = i386 ? (uint)result : (ulong)result; // after execve the thread has a new CPU
    }
}
