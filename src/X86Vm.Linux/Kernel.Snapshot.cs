using System.Buffers.Binary;
using System.Reflection;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;
using X86Vm.Linux.Host;
using X86Vm.Linux.Net;
using X86Vm.Linux.Process;
using X86Vm.Linux.State;
using X86Vm.Linux.Syscalls;
using X86Vm.Linux.Vfs;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Linux;

// Snapshots (docs/snapshots.md, docs/snapshot-format.md): the kernel and everything it reaches, written as data by the
// snapshot codec, with the state hash of the saved VM; a load rebuilds the graph, binds what belongs to the host again
// (streams, host directories, caches, the delegates the kernel sets) and refuses a VM whose hash differs.
public sealed partial class Kernel
{
    /// <summary>The file's first bytes.</summary>
    static ReadOnlySpan<byte> SnapshotMagic => "x86vm-snapshot\n\0"u8;

    /// <summary>Bytes before the object graph: the root pid and CLOCK_MONOTONIC at the save.</summary>
    const int PayloadPrefix = 4 + 8;

    /// <summary>The format version this build writes and reads.</summary>
    public const int SnapshotFormatVersion = 4; // 3: segment selectors and TLS descriptors; 4: the YMM upper halves

    /// <summary>Which x86vm and .NET runtime write (and read) snapshots here: recorded in each, named when one does not load.</summary>
    public static string BuildIdentity { get; } =
        $"x86vm {typeof(Kernel).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?"} on .NET {Environment.Version}";

    /// <summary>
    /// Writes the VM (between runs) to <paramref name="destination"/>; <paramref name="rootPid"/> is the process the
    /// VM's run waits for. Throws <see cref="SnapshotNotSupportedException"/> naming what cannot move to another host.
    /// </summary>
    public void SaveSnapshot(Stream destination, int rootPid)
    {
        CheckSnapshotable();
        byte[] hash = SnapshotHash();
        var payload = new MemoryStream();
        // Before the graph: the process the run waits for, and CLOCK_MONOTONIC now (a host clock goes on from it).
        Span<byte> prefix = stackalloc byte[PayloadPrefix];
        BinaryPrimitives.WriteInt32LittleEndian(prefix, rootPid);
        BinaryPrimitives.WriteInt64LittleEndian(prefix[4..], Clock.MonotonicNanoseconds);
        payload.Write(prefix);
        using (var w = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(BuildIdentity);
            HostInputs.Write(w, HostInputs.Take(Vfs));
        }
        SnapshotWriter.Write(payload, this, HostDirectoryFileSystem.SnapshotRefusal);
        SnapshotFile.Write(destination, SnapshotMagic, SnapshotFormatVersion, hash, payload.GetBuffer().AsSpan(0, (int)payload.Length));
    }

    /// <summary>
    /// The state hash a snapshot carries and a load verifies: the state hash, but for a VM on the host clock with the
    /// clock readings left at 0 (the host clock moves between the save and the check; its readings are not state).
    /// </summary>
    byte[] SnapshotHash() => Options.Deterministic ? StateHash() : StateHash(0, 0);

    /// <summary>What the codec could only name by its path: host sockets, host files open for writing, a debugger.</summary>
    void CheckSnapshotable()
    {
        if (Debugger != null) throw new SnapshotNotSupportedException("a debugger (gdb) is attached");
        if (_running != null) throw new SnapshotNotSupportedException("the VM is running (save between runs)");
        foreach (GuestProcess p in _processes.Values)
            foreach (var (fd, file) in p.Files.All)
            {
                string? reason = file is HostSocket ? "a host network socket" : HostDirectoryFileSystem.DescriptorRefusal(file);
                if (reason != null) throw new SnapshotNotSupportedException($"fd {fd} of pid {p.Pid} is {reason}");
            }
    }

    /// <summary>
    /// Rebuilds a kernel from a snapshot, bound to <paramref name="host"/>, and the pid its run waits for. Throws
    /// <see cref="SnapshotFormatException"/> for anything but a snapshot of this format whose rebuilt state hashes
    /// as saved.
    /// </summary>
    public static (Kernel Kernel, int RootPid) LoadSnapshot(Stream source, HostBindings host)
    {
        SavedGraph saved = ReadSnapshotGraph(source);
        Kernel kernel = saved.Kernel;
        Rebuild(() =>
        {
            if (kernel.Clock is HostClock hostClock) hostClock.ContinueFrom(saved.Monotonic);
            kernel.Restored(saved.Objects, saved.Inputs, host);
            if (!kernel.SnapshotHash().AsSpan().SequenceEqual(saved.Hash))
                throw new SnapshotFormatException("the restored VM's state hash differs from the one saved in the snapshot");
        });
        return (kernel, saved.RootPid);
    }

    /// <summary>A snapshot's kernel as read, before anything is bound to a host: what a load and an inspection start from.</summary>
    sealed record SavedGraph(byte[] Hash, int RootPid, long Monotonic, string WrittenBy, IReadOnlyList<HostInput> Inputs,
        IReadOnlyList<object> Objects, Kernel Kernel);

    /// <summary>Checks the file and rebuilds its object graph; throws <see cref="SnapshotFormatException"/>.</summary>
    static SavedGraph ReadSnapshotGraph(Stream source)
    {
        (byte[] hash, byte[] payload) = SnapshotFile.Read(source, SnapshotMagic, SnapshotFormatVersion);
        if (payload.Length < PayloadPrefix) throw new SnapshotFormatException("damaged snapshot: no VM in it");
        int rootPid = BinaryPrimitives.ReadInt32LittleEndian(payload);
        long monotonic = BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(4));
        SavedGraph? saved = null;
        Rebuild(() =>
        {
            var rest = new MemoryStream(payload, PayloadPrefix, payload.Length - PayloadPrefix, writable: false);
            string writtenBy;
            List<HostInput> inputs;
            using (var reader = new BinaryReader(rest, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                writtenBy = reader.ReadString();
                inputs = HostInputs.Read(reader);
            }
            IReadOnlyList<object> objects;
            try { objects = SnapshotReader.Read(rest); }
            catch (ForeignBuildException e)
            {
                throw new SnapshotFormatException($"the snapshot was written by another build of x86vm ({e.Message}): it was written by " +
                    $"{writtenBy}, this is {BuildIdentity}; resume it with the x86vm that wrote it");
            }
            Kernel kernel = objects[0] as Kernel ?? throw new SnapshotFormatException("damaged snapshot: it does not start with a kernel");
            if (kernel.FindProcess(rootPid) == null) throw new SnapshotFormatException("damaged snapshot: its program's process is missing");
            saved = new SavedGraph(hash, rootPid, monotonic, writtenBy, inputs, objects, kernel);
        });
        return saved!;
    }

    /// <summary>Runs a step of rebuilding a snapshot's VM: whatever fails in it is one <see cref="SnapshotFormatException"/>.</summary>
    static void Rebuild(Action step)
    {
        try { step(); }
        catch (Exception e) when (e is not (SnapshotFormatException or ArgumentException or OutOfMemoryException))
        {
            // Checksummed data that still fails to rebuild was made by hand or by a broken writer: one error, never a crash.
            throw new SnapshotFormatException($"damaged snapshot: {e.GetType().Name}: {e.Message}", e);
        }
    }

    /// <summary>Binds a rebuilt kernel to this host and rebuilds what a snapshot leaves out.</summary>
    void Restored(IReadOnlyList<object> objects, IReadOnlyList<HostInput> inputs, HostBindings host)
    {
        Options = Options with
        {
            Stdin = host.Stdin, Stdout = host.Stdout, Stderr = host.Stderr, Strace = host.Strace, Diagnostics = host.Diagnostics,
            Compiler = host.Compiler, TimeLimit = host.TimeLimit,
        };
        Syscalls = new SyscallTable(this);
        DecodedCode = new DecodedBlocks();
        _pageHashes = new();
        foreach (string at in host.Mounts.Keys)
            if (!Vfs.Mounts.Any(m => m.At == at && m.Fs is HostDirectoryFileSystem or MemoryFileSystem { LowerTree: not null }))
                throw new ArgumentException($"mount {at}: the snapshot has no host directory mounted there");
        foreach (var (at, fs) in Vfs.Mounts)
        {
            string Rebound(HostTree tree) => host.Mounts.GetValueOrDefault(at) ?? tree.RootPath;
            try
            {
                if (fs is HostDirectoryFileSystem h) h.Tree.Reopen(Rebound(h.Tree));
                else if (fs is MemoryFileSystem { LowerTree: HostTree lower }) lower.Reopen(Rebound(lower));
            }
            catch (DirectoryNotFoundException e)
            {
                throw new SnapshotFormatException($"mount {at}: {e.Message}");
            }
        }
        HostInputs.Verify(Vfs, inputs); // before any host file is opened again: a changed or missing input is named as such
        foreach (var (_, fs) in Vfs.Mounts)
            if (fs is HostDirectoryFileSystem h) h.Restored(objects);
        foreach (object o in objects)
        {
            if (o is AddressSpace space) space.RebuildCaches();
            else if (o is StreamFile s)
                s.Rebind(s.Binding switch { StandardStream.Stdin => host.Stdin, StandardStream.Stdout => host.Stdout, _ => host.Stderr });
        }
        // One block cache per address space (threads and CLONE_VM processes share theirs), as when they were made; every
        // CPU (an exited thread's too) gets its space's cache, the syscall table and the time-stamp counter.
        var code = new Dictionary<AddressSpace, BlockCache>(ReferenceEqualityComparer.Instance);
        BlockCache CodeOf(AddressSpace space)
        {
            // A 32-bit program's space wraps at 4 GiB (GuestProcess.UseAbi sets both): its code decodes in 32-bit mode.
            if (!code.TryGetValue(space, out BlockCache? cache))
                code[space] = cache = new BlockCache(space, Options.Compiler, DecodedCode, Options.Cpu, space.Wraps32 ? 32 : 64);
            return cache;
        }
        foreach (GuestProcess p in _processes.Values) p.Code = CodeOf(p.Memory);
        foreach (object o in objects)
            if (o is CpuCore cpu)
            {
                cpu.Code = CodeOf(cpu.Memory);
                BindCpu(cpu);
            }
    }
}
