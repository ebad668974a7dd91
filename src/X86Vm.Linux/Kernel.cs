using Iced.Intel;
using X86Vm.Cpu.Execution;
using X86Vm.Cpu.Memory;
using X86Vm.Linux.Elf;
using X86Vm.Linux.Process;
using X86Vm.Linux.Syscalls;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux;

/// <summary>
/// The Linux personality of one VM: syscalls, the file view, processes. It owns no host resources
/// beyond what its <see cref="KernelOptions"/> hand it.
/// </summary>
public sealed class Kernel
{
    public KernelOptions Options { get; }
    public SyscallTable Syscalls { get; }
    public Host.IClock Clock => Options.Clock;
    public VirtualFileSystem Vfs => Options.FileSystem;

    GuestProcess? _current;
    int _nextPid = 1000;

    public Kernel(KernelOptions options)
    {
        Options = options;
        Syscalls = new SyscallTable(this);
    }

    /// <summary>The process whose thread is running now.</summary>
    public GuestProcess Current => _current ?? throw new InvalidOperationException("no process");

    /// <summary>Creates the first process running <paramref name="path"/> (a guest path) with the given argv and environment.</summary>
    public GuestProcess Start(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp)
    {
        var p = new GuestProcess(this, _nextPid++) { ParentPid = 1, Cwd = Options.WorkingDirectory };
        _current = p;
        p.Files.Set(0, new StreamFile(Options.Stdin, Options.StdinTerminal) { Path = "/dev/stdin", StatusFlags = OpenFlags.ReadOnly }, false);
        p.Files.Set(1, new StreamFile(Options.Stdout, Options.StdoutTerminal) { Path = "/dev/stdout", StatusFlags = OpenFlags.WriteOnly }, false);
        p.Files.Set(2, new StreamFile(Options.Stderr, Options.StderrTerminal) { Path = "/dev/stderr", StatusFlags = OpenFlags.WriteOnly }, false);
        byte[] image = ReadProgram(p, path, out string resolved);
        ElfLoader.Load(p, new ElfImage(image, path), resolved, path, argv, envp, Options.Entropy, InterpreterReader(p));
        return p;
    }

    /// <summary>How the ELF loader reads a PT_INTERP file: through the guest's file view, like the program; null when unreadable.</summary>
    public Func<string, (byte[] Data, string ResolvedPath)?> InterpreterReader(GuestProcess p) => guestPath =>
    {
        try { return (ReadProgram(p, guestPath, out string resolved), resolved); }
        catch (BadExecutableException) { return null; }
    };

    byte[] ReadProgram(GuestProcess p, string path, out string resolvedPath)
    {
        int err = Vfs.Resolve(p.Cwd, path, followLast: true, out ResolvedPath r);
        OpenFile? f = err == 0 ? r.FileSystem.Open(r.RelativePath, r.GuestPath, OpenFlags.ReadOnly, 0, out err) : null;
        if (f == null)
            throw new BadExecutableException($"{path}: {Errno.Describe(err < 0 ? -err : err)}");
        try
        {
            FileStatus st = f.Status();
            if (st.Kind == FileKind.Directory) throw new BadExecutableException($"{path}: is a directory");
            var data = new byte[st.Size];
            long n = f.ReadAt(data, 0);
            if (n != data.Length) throw new BadExecutableException($"{path}: could not read the file");
            resolvedPath = r.GuestPath;
            return data;
        }
        finally { f.Release(); }
    }

    /// <summary>Instructions run between checks for cancellation.</summary>
    const ulong Slice = 50_000_000;

    /// <summary>Runs the process until it exits (or <paramref name="cancel"/> fires); returns its shell exit status.</summary>
    public int Run(GuestProcess p, CancellationToken cancel = default)
    {
        var cpu = p.MainThread;
        while (!p.Exited)
        {
            cancel.ThrowIfCancellationRequested();
            StopReason reason = Interpreter.Run(cpu, cpu.Retired + Slice);
            if (reason == StopReason.Fault) DeliverFault(p, cpu.PendingFault!);
        }
        return p.ShellStatus;
    }

    /// <summary>No guest signal handlers yet: a fault terminates the process with one line of explanation.</summary>
    void DeliverFault(GuestProcess p, GuestFault fault)
    {
        var cpu = p.MainThread;
        ulong rip = fault.IsTrap ? cpu.Rip - 1 : cpu.Rip;
        Options.Diagnostics.WriteLine($"x86vm: {DescribeFault(fault)} at rip 0x{rip:x}: {Disassemble(p.Memory, rip)}");
        p.Kill(fault.Signal);
    }

    static string DescribeFault(GuestFault f)
    {
        string code = (f.Signal, f.SiCode) switch
        {
            (Signals.SIGSEGV, Signals.SEGV_MAPERR) => $"SEGV_MAPERR, address 0x{f.SiAddr:x}",
            (Signals.SIGSEGV, Signals.SEGV_ACCERR) => $"SEGV_ACCERR, address 0x{f.SiAddr:x}",
            (_, Signals.SI_KERNEL) => "SI_KERNEL",
            (Signals.SIGFPE, Signals.FPE_INTDIV) => "FPE_INTDIV",
            (Signals.SIGILL, _) => "ILL_ILLOPN",
            _ => $"code {f.SiCode}",
        };
        return $"{Signals.Name(f.Signal)} ({code})";
    }

    /// <summary>"mnemonic operands (bytes …)" for the instruction at <paramref name="rip"/>, for diagnostics.</summary>
    public static string Disassemble(AddressSpace memory, ulong rip)
    {
        var bytes = new List<byte>();
        for (int i = 0; i < 15; i++)
        {
            try { bytes.Add(memory.Read<byte>(rip + (ulong)i)); }
            catch (GuestFault) { break; }
        }
        if (bytes.Count == 0) return "(instruction not readable)";
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes.ToArray()));
        decoder.IP = rip;
        decoder.Decode(out Instruction insn);
        var formatter = new IntelFormatter();
        var output = new StringOutput();
        formatter.Format(insn, output);
        int len = insn.IsInvalid ? Math.Min(bytes.Count, 4) : insn.Length;
        string hex = string.Join(' ', bytes.Take(len).Select(b => b.ToString("x2")));
        return insn.IsInvalid ? $"invalid instruction (bytes {hex})" : $"{output.ToStringAndReset()} (bytes {hex})";
    }
}
