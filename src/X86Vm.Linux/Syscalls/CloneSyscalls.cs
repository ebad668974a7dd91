using X86Vm.Cpu.State;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Syscalls;

/// <summary>fork, vfork, clone and clone3 (clone(2)): new processes (copy-on-write) and new threads.</summary>
[SyscallFamily]
static class CloneSyscalls
{
    const ulong CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800, CLONE_PIDFD = 0x1000,
        CLONE_VFORK = 0x4000, CLONE_PARENT = 0x8000, CLONE_THREAD = 0x10000, CLONE_SETTLS = 0x80000,
        CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_CHILD_SETTID = 0x1000000;

    [Syscall(57)]
    static long Fork(GuestProcess p, in SyscallArgs a) => Clone(p, (ulong)X86Vm.Cpu.Memory.Signals.SIGCHLD, 0, 0, 0, 0);

    [Syscall(58)]
    static long Vfork(GuestProcess p, in SyscallArgs a) => Clone(p, CLONE_VM | CLONE_VFORK | (ulong)X86Vm.Cpu.Memory.Signals.SIGCHLD, 0, 0, 0, 0);

    /// <summary>x86-64 argument order: flags, stack, parent_tid, child_tid, tls.</summary>
    [Syscall(56, "x,p,p,p,p", Partial = "no CLONE_PIDFD; CLONE_FILES/CLONE_FS without CLONE_THREAD copy instead of share; namespaces flags ignored")]
    static long CloneCall(GuestProcess p, in SyscallArgs a) => Clone(p, a.A0, a.A1, a.A2, a.A3, a.A4);

    /// <summary>clone3: struct clone_args { flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, … }.</summary>
    [Syscall(435, "p,u", Partial = "as clone; set_tid and cgroup fields ignored")]
    static long Clone3(GuestProcess p, in SyscallArgs a)
    {
        // copy_struct_from_user: smaller than the first version is EINVAL, more than a page E2BIG, and bytes past the
        // fields this kernel knows (88) must be zero.
        if (a.A1 < 64) return -Errno.EINVAL;
        if (a.A1 > 4096) return -Errno.E2BIG;
        var args = new byte[64];
        if (!p.Memory.TryRead(a.A0, args)) return -Errno.EFAULT;
        if (a.A1 > 88)
        {
            var rest = new byte[a.A1 - 88];
            if (!p.Memory.TryRead(a.A0 + 88, rest)) return -Errno.EFAULT;
            if (rest.Any(b => b != 0)) return -Errno.E2BIG;
        }
        ulong U(int i) => BitConverter.ToUInt64(args, i * 8);
        ulong flags = U(0), exitSignal = U(4), stack = U(5), stackSize = U(6);
        if ((flags & 0xFF) != 0 || exitSignal > 64) return -Errno.EINVAL;
        return Clone(p, flags | exitSignal, stack == 0 ? 0 : stack + stackSize, U(3), U(2), U(7));
    }

    static long Clone(GuestProcess parent, ulong flags, ulong stack, ulong parentTid, ulong childTid, ulong tls)
    {
        // copy_process: a thread shares the signal handlers, and shared handlers need shared memory.
        if ((flags & CLONE_THREAD) != 0 && (flags & CLONE_SIGHAND) == 0) return -Errno.EINVAL;
        if ((flags & CLONE_SIGHAND) != 0 && (flags & CLONE_VM) == 0) return -Errno.EINVAL;
        Kernel k = parent.Kernel;
        GuestThread caller = k.CurrentThread;
        if ((flags & CLONE_THREAD) != 0 && (flags & CLONE_SIGHAND) == 0) return -Errno.EINVAL;
        if ((flags & CLONE_SIGHAND) != 0 && (flags & CLONE_VM) == 0) return -Errno.EINVAL;
        if ((flags & CLONE_PIDFD) != 0) return -Errno.EINVAL; // pidfds are not supported
        if (k.TaskCount >= k.Options.MaxTasks) return -Errno.EAGAIN; // threads-max: processes and threads of the VM

        GuestThread child;
        if ((flags & CLONE_THREAD) != 0)
        {
            child = k.NewThread(parent, caller.Cpu.CloneFor(parent.Memory, parent.Code));
        }
        else
        {
            bool shareMemory = (flags & CLONE_VM) != 0;
            var memory = shareMemory ? parent.Memory : parent.Memory.CloneCopyOnWrite();
            GuestProcess parentOfChild = (flags & CLONE_PARENT) != 0 && parent.Parent != null ? parent.Parent : parent;
            GuestProcess proc = k.NewProcess(memory, parentOfChild);
            proc.UseAbi(parent.Abi);
            if (shareMemory) proc.Code = parent.Code;
            proc.Files = parent.Files.Clone(); // CLONE_FILES without CLONE_THREAD shares the table in Linux; copied here
            proc.ResourceLimits = ((ulong, ulong)[])parent.ResourceLimits.Clone();
            proc.Cwd = parent.Cwd;
            proc.Umask = parent.Umask;
            proc.Credentials = parent.Credentials.Clone();
            proc.Nice = parent.Nice;
            proc.SchedulingPolicy = parent.SchedulingPolicy;
            proc.RealtimePriority = parent.RealtimePriority;
            proc.OomScoreAdjust = parent.OomScoreAdjust;
            proc.NoNewPrivileges = parent.NoNewPrivileges;
            proc.TscMode = parent.TscMode;
            proc.TimerSlack = parent.TimerSlack;
            proc.ExecutablePath = parent.ExecutablePath;
            proc.Argv = parent.Argv;
            proc.Environment = parent.Environment;
            proc.Brk = parent.Brk;
            proc.BrkStart = parent.BrkStart;
            proc.ThreadName = parent.ThreadName;
            proc.ProcessGroup = parent.ProcessGroup;
            proc.Session = parent.Session;
            proc.SignalActions = parent.SignalActions.Select(x => (byte[])x.Clone()).ToArray();
            proc.ExitSignal = (int)(flags & 0xFF);
            child = k.NewThread(proc, caller.Cpu.CloneFor(memory, proc.Code));
            if ((flags & CLONE_VFORK) != 0)
            {
                // The parent sleeps until the child execs or exits (vfork(2)).
                proc.VforkPending = true;
                k.BlockForVfork(caller, proc);
            }
        }
        var cpu = child.Cpu;
        cpu.Retired = 0;
        cpu.R(Reg.RAX) = 0;
        if (stack != 0) cpu.Rsp = stack;
        if ((flags & CLONE_SETTLS) != 0)
        {
            // i386: tls points at a struct user_desc for the child's GDT (do_set_thread_area); x86-64: the FS base.
            if (parent.Abi == ProcessAbi.I386)
            {
                long err = ThreadAreaSyscalls.Set(child.Process, cpu, tls);
                if (err < 0) return err;
            }
            else cpu.FsBase = tls;
        }
        Kernel.InheritSignalState(caller, child, (flags & (CLONE_VM | CLONE_VFORK)) == CLONE_VM);
        if ((flags & CLONE_CHILD_CLEARTID) != 0) child.ClearChildTid = childTid;
        if ((flags & CLONE_PARENT_SETTID) != 0) GuestIo.WriteU32(parent, parentTid, (uint)child.Tid);
        if ((flags & CLONE_CHILD_SETTID) != 0) child.Process.Memory.TryWrite(childTid, BitConverter.GetBytes((uint)child.Tid));
        return child.Tid;
    }
}
