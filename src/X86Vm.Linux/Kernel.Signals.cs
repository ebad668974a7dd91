using Iced.Intel;
using X86Vm.Cpu.Memory;
using X86Vm.Linux.Process;

namespace X86Vm.Linux;

// Signal generation and default actions (signal(7)). Delivery to guest handlers (signal frames) is
// not implemented yet: a signal whose disposition is a handler stays pending.
public sealed partial class Kernel
{
    const ulong SIG_DFL = 0, SIG_IGN = 1;

    static ulong Bit(int sig) => 1UL << (sig - 1);

    public ulong HandlerOf(GuestProcess p, int sig) => BitConverter.ToUInt64(p.SignalActions[sig]);

    /// <summary>Signals whose default action is to do nothing.</summary>
    static bool IgnoredByDefault(int sig) => sig is Signals.SIGCHLD or Signals.SIGCONT or 23 /* SIGURG */ or 28 /* SIGWINCH */;

    /// <summary>Stop signals: job control is not modelled; they are ignored.</summary>
    static bool StopsByDefault(int sig) => sig is Signals.SIGSTOP or 20 /* SIGTSTP */ or 21 /* SIGTTIN */ or 22 /* SIGTTOU */;

    /// <summary>Sends a signal to a process (kill(2)): it is delivered to a thread that does not block it.</summary>
    public void SendSignal(GuestProcess p, int sig)
    {
        if (p.Exited || sig == 0) return;
        GuestThread? target = p.Threads.FirstOrDefault(t => t.State != GuestThreadState.Exited && (t.SignalMask & Bit(sig)) == 0)
                              ?? p.Threads.FirstOrDefault(t => t.State != GuestThreadState.Exited);
        if (target != null) SendSignal(target, sig);
    }

    /// <summary>Sends a signal to one thread (tgkill(2)).</summary>
    public void SendSignal(GuestThread t, int sig)
    {
        GuestProcess p = t.Process;
        if (p.Exited || sig == 0) return;
        ulong handler = HandlerOf(p, sig);
        if (sig is Signals.SIGKILL)
        {
            Terminate(p, sig);
            return;
        }
        if (handler == SIG_IGN || (handler == SIG_DFL && (IgnoredByDefault(sig) || StopsByDefault(sig)))) return;
        t.PendingSignals |= Bit(sig);
        if (t == CurrentThread) t.Cpu.StopRequested = true; // deliver before the next instruction
    }

    /// <summary>Acts on pending, unblocked signals of a thread that is about to run again.</summary>
    internal void DeliverPendingSignals(GuestThread t)
    {
        ulong deliverable = t.PendingSignals & ~t.SignalMask;
        if (deliverable == 0 || t.Process.Exited) return;
        for (int sig = 1; sig <= 64; sig++)
        {
            if ((deliverable & Bit(sig)) == 0) continue;
            ulong handler = HandlerOf(t.Process, sig);
            if (handler == SIG_DFL)
            {
                t.PendingSignals &= ~Bit(sig);
                Terminate(t.Process, sig);
                return;
            }
            // A guest handler: frames are not implemented yet, so the signal stays pending (see docs/compatibility.md).
        }
    }

    void Terminate(GuestProcess p, int sig)
    {
        if (p.Parent == null) // the VM's first process: x86vm reports its death like a shell would
            Options.Diagnostics.WriteLine($"x86vm: process {p.Pid} killed by {Signals.Name(sig)}");
        p.Kill(sig);
    }

    /// <summary>A CPU fault. Without a guest handler (handlers come later) it terminates the process with one line of explanation.</summary>
    void DeliverFault(GuestThread t, GuestFault fault)
    {
        GuestProcess p = t.Process;
        ulong rip = fault.IsTrap ? t.Cpu.Rip - 1 : t.Cpu.Rip;
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
