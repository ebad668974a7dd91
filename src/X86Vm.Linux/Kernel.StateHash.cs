using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using X86Vm.Linux.Process;
using X86Vm.Linux.State;
using X86Vm.Linux.Vfs;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Linux;

// The state hash (docs/state-hash.md): a Merkle tree with BLAKE3 over everything the guest can observe now or
// later — memory pages, every thread's architectural state, the kernel's objects, the VM's own files, the clock and
// the meter — and nothing that only caches (decoded or compiled code, TLBs, lazy-flag records, host page caches).
// Every collection is walked in an order that depends on its contents only (pids, tids, descriptors, page numbers,
// byte-sorted names), so an equal state hashes equally however it was reached, and a restored VM hashes like the
// original.
public sealed partial class Kernel
{
    /// <summary>Page leaf hashes of each address space from the last hash, reused while a page is clean (a cache only).</summary>
    [NotSnapshot] Dictionary<AddressSpace, Dictionary<ulong, (Page Page, byte[] Hash)>> _pageHashes = new();

    /// <summary>The 32-byte root of the state hash of the VM as it is now (call between runs).</summary>
    public byte[] StateHash() => StateHash(Clock.MonotonicNanoseconds, Clock.RealtimeNanoseconds);

    /// <summary>The state hash with the given clock readings (a snapshot of a host-clock VM verifies its state without the moving clock).</summary>
    byte[] StateHash(long monotonic, long realtime)
    {
        var leaves = new Dictionary<AddressSpace, Dictionary<ulong, (Page, byte[])>>();
        var descriptions = new Dictionary<OpenFile, int>(ReferenceEqualityComparer.Instance);
        List<GuestProcess> processes = _processes.Values.ToList();
        byte[] processesHash = StateWriter.Node("processes", w =>
        {
            w.U64((ulong)processes.Count);
            foreach (GuestProcess p in processes) w.Hash(ProcessHash(p, leaves, descriptions));
        });
        _pageHashes = leaves;
        byte[] futexHash = FutexHash();
        byte[] ipcHash = IpcHash();
        byte[] filesHash = StateWriter.Node("filesystems", w =>
        {
            foreach (var (at, fs) in Vfs.Mounts)
            {
                w.String(at).String(fs.TypeName);
                if (fs is MemoryFileSystem m) w.U8(1).Hash(m.StateHash());
                else w.U8(0); // host directories are inputs; /proc and /dev are views of this state
            }
        });
        return StateWriter.Node("x86vm-state-v1", w =>
        {
            w.U64(Meter.Now).I64(monotonic).I64(realtime).Bool(Options.Deterministic);
            // The entropy stream's position (its seed is an input); 0 for the host's entropy.
            w.U64(Options.Entropy is Host.SeededEntropy seeded ? seeded.Position : 0);
            w.I32(_nextId).U64(_lastAnonymousInode).I64(_timerFdsCreated).I32(_cursor).U64(_debt);
            w.I32(_cut?.Thread.Tid ?? 0).U64(_cut?.Limit ?? 0);
            w.Hash(processesHash).Hash(futexHash).Hash(filesHash).Hash(ipcHash);
        });
    }

    byte[] ProcessHash(GuestProcess p, Dictionary<AddressSpace, Dictionary<ulong, (Page, byte[])>> leaves,
        Dictionary<OpenFile, int> descriptions)
    {
        byte[] memory = MemoryHash(p.Memory, leaves);
        byte[] threads = StateWriter.Node("threads", w =>
        {
            var list = p.Threads.OrderBy(t => t.Tid).ToList();
            w.U64((ulong)list.Count);
            foreach (GuestThread t in list) w.Hash(ThreadHash(t));
        });
        byte[] files = StateWriter.Node("descriptors", w =>
        {
            w.I32(p.Files.MaxDescriptors);
            foreach (var (fd, file) in p.Files.All)
            {
                w.I32(fd).Bool(p.Files.GetCloseOnExec(fd));
                // An open file description shared by several descriptors or processes is hashed once, where first met.
                if (descriptions.TryGetValue(file, out int id)) w.U8(0).I32(id);
                else
                {
                    descriptions[file] = descriptions.Count;
                    w.U8(1).Hash(DescriptionHash(file));
                }
            }
            w.I32(-1);
        });
        return StateWriter.Node("process", w =>
        {
            w.I32(p.Pid).I32(p.ParentPid).I32(p.ProcessGroup).I32(p.Session).U8((byte)p.State).I32(p.WaitStatus).I64(p.ChildrenCpuTime);
            w.Bool(p.Stopped).I32(p.StopReport).Bool(p.ContinueReport).Bool(p.VforkPending).I32(p.ExitSignal);
            w.I32(p.ParentDeathSignal).Bool(p.Dumpable).String(p.ThreadName);
            w.String(p.ExecutablePath).Strings(p.Argv).Strings(p.Environment).Bytes(p.AuxiliaryVector);
            w.String(p.Cwd).U32(p.Umask).U64(p.BrkStart).U64(p.Brk).I32((int)p.Abi);
            Credentials c = p.Credentials;
            w.U32(c.Uid).U32(c.Euid).U32(c.Suid).U32(c.Fsuid).U32(c.Gid).U32(c.Egid).U32(c.Sgid).U32(c.Fsgid).U64((ulong)c.Groups.Length);
            foreach (uint g in c.Groups) w.U32(g);
            w.U64(c.Inheritable).U64(c.Permitted).U64(c.Effective).U64(c.Bounding).Bool(c.KeepCapabilities);
            w.I32(p.Nice).I32(p.SchedulingPolicy).I32(p.RealtimePriority).I32(p.OomScoreAdjust);
            w.Bool(p.NoNewPrivileges).I32(p.TscMode).U64(p.TimerSlack);
            foreach (var (soft, hard) in p.ResourceLimits) w.U64(soft).U64(hard);
            foreach (byte[] action in p.SignalActions) w.Bytes(action);
            SignalQueueState(w, p.SharedPending);
            w.U64(p.SignalsQueued);
            foreach (IntervalTimer it in p.IntervalTimers) w.OptionalI64(it.Expiry).I64(it.Interval);
            w.U64((ulong)p.PosixTimers.Count);
            foreach (PosixTimer pt in p.PosixTimers.Values)
            {
                w.I32(pt.Id).I32(pt.Clock).I32(pt.Notify).I32(pt.Signo).U64(pt.Value).I32(pt.TargetTid);
                w.OptionalI64(pt.Expiry).I64(pt.Interval).I32(pt.Overrun).I32(pt.LastOverrun).Bool(pt.Queued);
            }
            w.U64((ulong)p.Memory.Mappings.All.Count);
            foreach (Mapping m in p.Memory.Mappings.All)
                w.U64(m.Start).U64(m.End).U8((byte)m.Protection).U8((byte)m.Flags).String(m.Name).U64(m.FileOffset);
            w.Hash(memory).Hash(threads).Hash(files);
        });
    }

    static void SignalQueueState(StateWriter w, SignalQueue q)
    {
        w.U64(q.Mask).U64((ulong)q.Queued.Count);
        foreach (SigInfo info in q.Queued) w.Bytes(info.Bytes);
    }

    /// <summary>
    /// The memory node: every resident page's number and leaf hash in page order. A leaf is recomputed only for a
    /// page written since the last hash (its dirty bit), replaced (copy-on-write) or shared (a shared page can change
    /// through other mappings and its file).
    /// </summary>
    byte[] MemoryHash(AddressSpace space, Dictionary<AddressSpace, Dictionary<ulong, (Page, byte[])>> leaves)
    {
        if (!leaves.TryGetValue(space, out var current))
        {
            Dictionary<ulong, (Page Page, byte[] Hash)>? previous = _pageHashes.GetValueOrDefault(space);
            current = new();
            foreach (var (vpn, page, dirty, shared) in space.ResidentPagesInOrder())
            {
                byte[] hash = previous != null && !dirty && !shared && previous.TryGetValue(vpn, out var old) && old.Page == page
                    ? old.Hash
                    : StateWriter.Leaf(page.Data);
                current[vpn] = (page, hash);
            }
            space.ClearDirty();
            leaves[space] = current;
        }
        return StateWriter.Node("memory", w =>
        {
            w.U64((ulong)current.Count);
            foreach (var (vpn, (_, hash)) in current) w.U64(vpn).Hash(hash); // inserted in page order
        });
    }

    static byte[] ThreadHash(GuestThread t) => StateWriter.Node("thread", w =>
    {
        w.I32(t.Tid).U8((byte)t.State);
        // A wait is data (what it waits for, its deadline): its type and description.
        w.String(t.Waiting?.GetType().Name ?? "").String(t.Waiting?.ToString() ?? "").OptionalI64(t.Waiting?.Deadline);
        w.String(t.Resumed?.GetType().Name ?? "").OptionalI64(t.Resumed?.Deadline);
        w.U64(t.ClearChildTid).U64(t.RobustList).U64(t.SignalMask).OptionalI64((long?)t.SavedSignalMask);
        SignalQueueState(w, t.Pending);
        w.U64(t.AltStackBase).U64(t.AltStackSize).I32(t.AltStackFlags);
        CpuState(w, t.Cpu);
    });

    /// <summary>The architectural registers: RFLAGS as the guest reads it, never the lazy-flag record behind it.</summary>
    static void CpuState(StateWriter w, CpuCore c)
    {
        w.U64(c.Rip).U64(c.Rflags);
        for (int i = 0; i < 16; i++) w.U64(c.R(i));
        w.U64(c.FsBase).U64(c.GsBase);
        Span<byte> fx = stackalloc byte[CpuCore.FxsaveImageSize];
        fx.Clear();
        c.SaveFxsave(fx); // x87 registers, control/status/tag words, MXCSR and XMM0-15
        w.Bytes(fx);
        Span<byte> ymm = stackalloc byte[16 * 16];
        c.SaveYmmHigh(ymm); // bits 255:128 of YMM0-15
        w.Bytes(ymm);
        w.U64(c.Retired);
        Span<byte> segments = stackalloc byte[CpuCore.SegmentImageSize];
        c.SaveSegments(segments); // selectors and TLS descriptors (32-bit programs' %gs)
        w.Bytes(segments);
    }

    static byte[] DescriptionHash(OpenFile f) => StateWriter.Node("open-file", w =>
    {
        w.String(f.GetType().Name).String(f.Path).I32(f.StatusFlags).I64(f.Offset).I32(f.References).String(f.RelativePath);
        f.WriteState(w);
    });

    /// <summary>Futex wait queues by (the lowest pid of the address space, address), each in wake order.</summary>
    byte[] FutexHash()
    {
        var queues = new List<(int Pid, ulong Address, int[] Tids)>();
        foreach (var (space, address, waiters) in Futexes.Queues)
        {
            int pid = _processes.Values.FirstOrDefault(p => p.Memory == space)?.Pid ?? 0;
            queues.Add((pid, address, waiters.Select(x => x.Thread.Tid).ToArray()));
        }
        queues.Sort((a, b) => a.Pid != b.Pid ? a.Pid.CompareTo(b.Pid) : a.Address.CompareTo(b.Address));
        return StateWriter.Node("futexes", w =>
        {
            w.U64((ulong)queues.Count);
            foreach (var (pid, address, tids) in queues)
            {
                w.I32(pid).U64(address).U64((ulong)tids.Length);
                foreach (int tid in tids) w.I32(tid);
            }
        });
    }
}
