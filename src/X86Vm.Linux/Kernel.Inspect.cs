using X86Vm.Cpu.Memory;
using X86Vm.Linux.Host;
using X86Vm.Linux.Process;
using X86Vm.Linux.State;
using X86Vm.Linux.Syscalls;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux;

// `x86vm inspect` (docs/snapshots.md): what a snapshot holds, read from its object graph without binding it to this
// host — no mount is opened, no stream attached, no code decoded, no guest instruction run.
public sealed partial class Kernel
{
    /// <summary>
    /// Reads a snapshot and describes it. The saved state hash is checked against the graph read (with the page-hash
    /// caches rebuilt, which a hash needs and nothing else). Throws <see cref="SnapshotFormatException"/> as a load does.
    /// </summary>
    public static SnapshotSummary InspectSnapshot(Stream source)
    {
        SavedGraph saved = ReadSnapshotGraph(source);
        Kernel k = saved.Kernel;
        bool verified = false;
        Rebuild(() =>
        {
            k._pageHashes = new();
            foreach (object o in saved.Objects)
                if (o is AddressSpace space) space.RebuildCaches();
            verified = k.SnapshotHash().AsSpan().SequenceEqual(saved.Hash);
        });
        return new SnapshotSummary(
            SnapshotFormatVersion, saved.WrittenBy, Convert.ToHexStringLower(saved.Hash), verified, k.Options.Deterministic,
            k.Meter.Now, k.Meter.Budget, k.Clock is HostClock ? saved.Monotonic : k.Clock.MonotonicNanoseconds,
            k.Clock is HostClock ? null : k.Clock.RealtimeNanoseconds, saved.RootPid,
            k._processes.Values.Select(ProcessSummaryOf).ToList(),
            k.Vfs.Mounts.Select(m => MountSummaryOf(m.At, m.Fs)).ToList(),
            saved.Inputs.Select(i => new HostInputSummary(i.GuestPath, i.Fingerprint is byte[] f ? Convert.ToHexStringLower(f) : null)).ToList());
    }

    static ProcessSummary ProcessSummaryOf(GuestProcess p) => new(
        p.Pid, p.ParentPid, p.ProcessGroup, p.Session,
        p.State == ProcessState.Zombie ? $"zombie (status {p.ShellStatus})" : p.Stopped ? "stopped" : "alive",
        p.ThreadName, p.ExecutablePath, p.Argv, p.Cwd,
        p.Threads.OrderBy(t => t.Tid).Select(t => new ThreadSummary(
            t.Tid, t.State.ToString().ToLowerInvariant(), t.Cpu.Rip, t.Waiting is { } w ? WaitText(w) : null, t.Cpu.Retired)).ToList(),
        MemorySummaryOf(p.Memory),
        p.Files.All.Select(d => new DescriptorSummary(d.Fd, DescriptorKind(d.File), d.File.Path, AccessText(d.File), p.Files.GetCloseOnExec(d.Fd))).ToList());

    /// <summary>What a blocked thread waits for, in words, with its deadline on the monotonic clock.</summary>
    static string WaitText(IWaitCondition w)
    {
        string what = w switch
        {
            Futexes.Waiter => "futex",
            SleepUntil => "nanosleep",
            VforkWait v => $"vfork child {v.Child.Pid}",
            EpollWait => "epoll_wait",
            LockWait => "file lock",
            _ => w.ToString() ?? w.GetType().Name,
        };
        return w.Deadline is long deadline ? $"{what} until {deadline} ns" : what;
    }

    /// <summary>Materialised pages by mapping; a page is shared when another mapping holds it too (copy-on-write or MAP_SHARED).</summary>
    static MemorySummary MemorySummaryOf(AddressSpace space)
    {
        var pages = space.ResidentPagesInOrder();
        var mappings = new List<MappingSummary>();
        int next = 0;
        foreach (Mapping m in space.Mappings.All) // address order, like the pages
        {
            int resident = 0, shared = 0;
            for (; next < pages.Count && pages[next].Vpn << Page.Shift < m.End; next++)
            {
                if (pages[next].Vpn << Page.Shift < m.Start) continue;
                resident++;
                if (pages[next].Shared || pages[next].Page.CowShares > 1) shared++;
            }
            mappings.Add(new MappingSummary(m.Start, m.End, ProcFileSystem.Permissions(m), m.Name, m.FileOffset, resident, shared));
        }
        ulong mapped = 0;
        foreach (Mapping m in space.Mappings.All) mapped += m.Length;
        return new MemorySummary(mappings, mapped, pages.Count, mappings.Sum(m => m.SharedPages));
    }

    /// <summary>A descriptor's kind: the name of the class implementing it ("PipeEnd", "HostFile", "StreamSocket"…).</summary>
    static string DescriptorKind(OpenFile f) => f.GetType().Name;

    static string AccessText(OpenFile f) => (f.StatusFlags & OpenFlags.AccessMode) switch
    {
        OpenFlags.ReadOnly => "r",
        OpenFlags.WriteOnly => "w",
        _ => "rw",
    };

    static MountSummary MountSummaryOf(string at, IFileSystem fs) => fs switch
    {
        HostDirectoryFileSystem h => new(at, fs.TypeName, h.HostRoot, h.ReadOnly ? "ro" : "rw"),
        MemoryFileSystem { LowerTree: HostTree lower } => new(at, fs.TypeName, lower.RootPath, "cow"),
        _ => new(at, fs.TypeName, null, fs.TypeName),
    };
}
