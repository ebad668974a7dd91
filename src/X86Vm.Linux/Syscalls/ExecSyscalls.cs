using System.Text;
using X86Vm.Cpu.Memory;
using X86Vm.Linux.Elf;
using X86Vm.Linux.Process;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Linux.Syscalls;

/// <summary>execve and execveat (execve(2)): replace the process image; "#!" scripts run their interpreter.</summary>
[SyscallFamily]
static class ExecSyscalls
{
    const int MaxArguments = 0x20000, MaxInterpreterDepth = 4;

    [Syscall(59, "s,p,p")]
    static long Execve(GuestProcess p, in SyscallArgs a) => Execute(p, PathResolution.AT_FDCWD, a.A0, a.A1, a.A2, 0);

    [Syscall(322, "f,s,p,p,x")]
    static long Execveat(GuestProcess p, in SyscallArgs a) => Execute(p, (int)a.A0, a.A1, a.A2, a.A3, (int)a.A4);

    static List<string>? ReadStringArray(GuestProcess p, ulong address)
    {
        var list = new List<string>();
        if (address == 0) return list;
        for (int i = 0; i < MaxArguments; i++)
        {
            if (!GuestIo.ReadWord(p, address + (ulong)(i * p.Abi.PointerSize()), out ulong ptr)) return null;
            if (ptr == 0) return list;
            byte[]? s = p.Memory.TryReadCString(ptr, 128 * 1024);
            if (s == null) return null;
            list.Add(Vfs.GuestNames.FromBytes(s));
        }
        return null;
    }

    static long Execute(GuestProcess p, int dirfd, ulong pathAddress, ulong argvAddress, ulong envpAddress, int flags)
    {
        if ((flags & ~(PathResolution.AT_EMPTY_PATH | PathResolution.AT_SYMLINK_NOFOLLOW)) != 0) return -Errno.EINVAL;
        string? path = GuestIo.ReadPath(p, pathAddress, out int errno);
        if (path == null) return -errno;
        List<string>? argv = ReadStringArray(p, argvAddress), envp = ReadStringArray(p, envpAddress);
        if (argv == null || envp == null) return -Errno.EFAULT;
        if (path.Length == 0 && (flags & PathResolution.AT_EMPTY_PATH) == 0) return -Errno.ENOENT;
        bool byDescriptor = path.Length == 0;
        if (byDescriptor) // execveat(fd, "", AT_EMPTY_PATH), fexecve: the file fd refers to, named as Linux names it
        {
            if (p.Files.Get(dirfd) == null) return -Errno.EBADF;
            path = $"/dev/fd/{dirfd}";
        }
        if (path.Length > 0 && path[0] != '/' && dirfd != PathResolution.AT_FDCWD)
        {
            var dir = p.Files.Get(dirfd);
            if (dir == null) return -Errno.EBADF;
            if (dir.Status().Kind != Vfs.FileKind.Directory) return -Errno.ENOTDIR;
            path = dir.Path.TrimEnd('/') + "/" + path;
        }
        string execFn = path;
        // Resolve "#!" interpreters (binfmt_script), at most a few levels deep.
        byte[] image;
        string resolved, firstResolved = "";
        Vfs.FileStatus? programStatus;
        for (int depth = 0; ; depth++)
        {
            int err = p.Kernel.ReadFile(p, path, out image, out resolved, out programStatus);
            if (err != 0) return err == Errno.EISDIR ? -Errno.EACCES : -err; // execve(2): not a regular file
            if (!p.Credentials.MayAccess(programStatus!, 1)) return -Errno.EACCES; // no execute permission
            if (depth == 0) firstResolved = resolved;
            if (image.Length < 2 || image[0] != '#' || image[1] != '!') break;
            if (depth >= MaxInterpreterDepth) return -Errno.ELOOP;
            int end = Array.IndexOf(image, (byte)'\n');
            string line = Vfs.GuestNames.FromBytes(image.AsSpan(2, (end < 0 ? Math.Min(image.Length, 256) : end) - 2)).Trim(' ', '\t', '\r', '\n', '\0');
            if (line.Length == 0) return -Errno.ENOEXEC;
            int space = line.IndexOfAny([' ', '\t']);
            string interpreter = space < 0 ? line : line[..space];
            string? argument = space < 0 ? null : line[(space + 1)..].Trim();
            var newArgv = new List<string> { interpreter };
            if (!string.IsNullOrEmpty(argument)) newArgv.Add(argument);
            newArgv.Add(path);
            newArgv.AddRange(argv.Skip(1));
            argv = newArgv;
            path = interpreter;
        }
        ElfImage elf;
        try { elf = new ElfImage(image, path); }
        catch (BadExecutableException) { return -Errno.ENOEXEC; }

        // Point of no return: build the new image in a fresh address space and a fresh CPU.
        Kernel k = p.Kernel;
        GuestThread caller = k.CurrentThread;
        var memory = new AddressSpace(k.Options.Memory);
        var oldCpu = caller.Cpu;
        var oldMemory = p.Memory;
        var oldCode = p.Code;
        ProcessAbi oldAbi = p.Abi, abi = elf.Is32Bit ? ProcessAbi.I386 : ProcessAbi.X86_64;
        p.Memory = memory;
        p.Code = new X86Vm.Cpu.Execution.BlockCache(memory, k.Options.Compiler, k.DecodedCode, k.Options.Cpu, abi.Bitness());
        p.UseAbi(abi); // a 64-bit program may execute a 32-bit one and the reverse
        var cpu = new CpuCore(memory, p.Code) { Syscalls = oldCpu.Syscalls, TimeStampCounter = oldCpu.TimeStampCounter };
        caller.Cpu = cpu;
        // The loader sets up the leader's CPU: a thread other than the leader that calls execve becomes the leader (de_thread).
        var threadOrder = p.Threads.ToList();
        p.Threads.Remove(caller);
        p.Threads.Insert(0, caller);
        try
        {
            ElfLoader.Load(p, elf, resolved, execFn, argv, envp, k.Options.Entropy, k.InterpreterReader(p));
        }
        catch (GuestFault f) when (f.IsOutOfMemory)
        {
            // The new image does not fit in the memory limit: back to the old one, whose process the fault then kills
            // (Linux would kill it past the point of no return too).
            memory.Release();
            p.Memory = oldMemory;
            p.Code = oldCode;
            p.UseAbi(oldAbi);
            caller.Cpu = oldCpu;
            p.Threads.Clear();
            p.Threads.AddRange(threadOrder);
            throw;
        }
        catch (BadExecutableException e)
        {
            // Linux would kill the process here (the old image is gone); we still have it, so fail the call.
            memory.Release();
            p.Memory = oldMemory;
            p.Code = oldCode;
            p.UseAbi(oldAbi);
            caller.Cpu = oldCpu;
            p.Threads.Clear();
            p.Threads.AddRange(threadOrder);
            k.Options.Diagnostics.WriteLine($"x86vm: execve: {e.Message}");
            return -Errno.ENOEXEC;
        }
        // Since Linux 6.14, comm after execveat(fd, "", AT_EMPTY_PATH) is the file's own name, not the descriptor number.
        if (byDescriptor) p.ThreadName = new string(Path.GetFileName(firstResolved).Take(15).ToArray());
        p.Credentials = p.Credentials.Clone();
        // no_new_privs: set-user-ID and set-group-ID bits are ignored (prctl(2) PR_SET_NO_NEW_PRIVS).
        p.Credentials.OnExec(p.NoNewPrivileges ? programStatus! with { Permissions = programStatus!.Permissions & ~0xC00u } : programStatus!);
        k.RetireOtherThreads(caller);
        // exec_mm_release: the thread's clear-child-tid and robust list belonged to the old image.
        caller.ClearChildTid = 0;
        caller.RobustList = 0;
        MemorySyscalls.ReleaseAddressSpace(p, oldMemory);
        oldCpu.StopRequested = true; // the interpreter loop still runs the old CPU: leave it
        cpu.Retired = oldCpu.Retired; // the instruction count continues across exec
        p.Argv = argv;
        p.Environment = envp;
        foreach (var (fd, _) in p.Files.All.ToList())
            if (p.Files.GetCloseOnExec(fd)) FileSyscalls.BeforeClose(p, fd);
        p.Files.CloseOnExecute();
        // Handlers are reset to the default action; ignored signals stay ignored (execve(2)).
        Kernel.ResetSignalsOnExec(caller);
        Kernel.ReleaseVfork(p);
        return 0;
    }
}
