using System.Text;
using X86Vm.Cpu.Instructions;
using X86Vm.Cpu.Memory;
using X86Vm.Cpu.State;
using X86Vm.Linux.Host;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Elf;

/// <summary>
/// Loads an ELF program and builds the initial process state exactly as Linux's binfmt_elf does without
/// address-space randomisation: segments, brk, the stack with argc, argv, envp, auxv and their strings;
/// every register zero except RSP, RFLAGS = 0x202.
/// <list type="bullet">
/// <item>ET_EXEC: at its link addresses.</item>
/// <item>ET_DYN (PIE and static-pie): at <see cref="PieBase"/> (aligned down to the largest PT_LOAD alignment).</item>
/// <item>With PT_INTERP (a dynamic program): the program is mapped as above, then the interpreter
/// (ld-linux-x86-64.so.2, ld-musl-x86_64.so.1), read through the caller's <c>readInterpreter</c>, is mapped as
/// ET_DYN where mmap would put it (top-down below <see cref="Syscalls.MemorySyscalls.MmapTop"/>, so later
/// mmaps never collide with it). Execution starts at the interpreter's entry; AT_BASE is its base,
/// AT_ENTRY/AT_PHDR/AT_PHNUM describe the program, which the interpreter then relocates without re-mapping.</item>
/// </list>
/// Used by <see cref="Kernel.Start"/> and meant for execve: the caller supplies a fresh process memory.
/// </summary>
public static class ElfLoader
{
    /// <summary>Where Linux puts an ET_DYN program without randomisation (ELF_ET_DYN_BASE).</summary>
    public const ulong PieBase = 0x555555554000;
    public const ulong StackTop = 0x7ffffffff000;
    public const ulong StackSize = 8 << 20; // RLIMIT_STACK default

    // Auxiliary vector keys (include/uapi/linux/auxvec.h).
    const ulong AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8,
        AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16,
        AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_EXECFN = 31;

    /// <summary>
    /// Loads <paramref name="elf"/> into <paramref name="p"/> (whose memory must be empty) and sets up its main thread.
    /// </summary>
    /// <param name="resolvedPath">The program's resolved guest path (mapping names, /proc/self/exe).</param>
    /// <param name="execFn">The path as given to exec (AT_EXECFN, error messages).</param>
    /// <param name="readInterpreter">Reads a guest file for PT_INTERP: returns its bytes and resolved guest path,
    /// or null when it cannot be opened. Only called for dynamic programs; may be null for static ones.</param>
    /// <exception cref="BadExecutableException">The program or its interpreter cannot be loaded (one-line message).</exception>
    public static void Load(GuestProcess p, ElfImage elf, string resolvedPath, string execFn,
        IReadOnlyList<string> argv, IReadOnlyList<string> envp, IEntropy entropy,
        Func<string, (byte[] Data, string ResolvedPath)?>? readInterpreter = null)
    {
        AddressSpace mem = p.Memory;
        bool i386 = p.Abi == ProcessAbi.I386;
        if (elf.Is32Bit != i386) throw new InvalidOperationException("the process ABI does not match the program's ELF class");
        ulong top = i386 ? ProcessAbis.I386TaskSize : AddressSpace.UserTop;
        ulong bias = 0;
        if (elf.Type == ElfImage.ET_DYN)
        {
            bias = (i386 ? ProcessAbis.I386PieBase : PieBase) & ~(MaxAlignment(elf) - 1);
            bias -= AlignDown(elf.ProgramHeaders.Where(h => h.Type == ProgramHeader.PT_LOAD).Min(h => h.VirtualAddress));
        }
        (ulong end, ulong phdrAddress) = MapSegments(mem, elf, bias, resolvedPath, execFn, top);
        var phdr = elf.ProgramHeaders.FirstOrDefault(h => h.Type == ProgramHeader.PT_PHDR);
        if (phdr.Type == ProgramHeader.PT_PHDR) phdrAddress = phdr.VirtualAddress + bias;

        p.BrkStart = p.Brk = end;
        p.ExecutablePath = resolvedPath;
        // comm is the basename of the name execve was given (begin_new_exec: kbasename(bprm->filename)), so a "#!"
        // script is named after itself, not its interpreter; /proc/PID/exe is the file actually run.
        p.ThreadName = new string(Path.GetFileName(execFn).Take(15).ToArray());

        ulong entry = elf.Entry + bias, start = entry, interpreterBase = 0;
        if (elf.Interpreter != null)
        {
            (ElfImage interp, string interpPath) = OpenInterpreter(elf.Interpreter, execFn, readInterpreter);
            if (interp.Is32Bit != i386) throw new BadExecutableException($"{execFn}: bad interpreter: {Printable(elf.Interpreter)} is not a {(i386 ? "32" : "64")}-bit program");
            var loads = interp.ProgramHeaders.Where(h => h.Type == ProgramHeader.PT_LOAD).ToList();
            ulong low = AlignDown(loads.Min(h => h.VirtualAddress));
            ulong high = AddressSpace.PageAlignUp(loads.Max(h => h.VirtualAddress + h.MemorySize));
            ulong interpBias = 0;
            if (interp.Type == ElfImage.ET_DYN)
            {
                ulong? at = Syscalls.MemorySyscalls.FindMmapArea(p, high - low);
                if (at == null) throw new BadExecutableException($"{execFn}: no room for interpreter {Printable(elf.Interpreter)}");
                interpBias = at.Value - low;
                interpreterBase = at.Value;
            }
            MapSegments(mem, interp, interpBias, interpPath, $"{execFn}: interpreter {Printable(elf.Interpreter)}", top);
            start = interp.Entry + interpBias;
        }

        ulong stackTop = i386 ? ProcessAbis.I386TaskSize : StackTop;
        mem.Map(stackTop - StackSize, StackSize, Protection.ReadWrite, MappingFlags.GrowsDown, "[stack]");
        var cpu = p.MainThread;
        cpu.Rsp = BuildStack(mem, stackTop, p.Abi.PointerSize(), argv, envp, execFn, entropy, out byte[] auxv, [
            (AT_HWCAP, CpuidTable.Query(p.Code.Level, 1, 0).Edx), (AT_PAGESZ, 4096), (AT_CLKTCK, 100), (AT_PHDR, phdrAddress),
            (AT_PHENT, elf.ProgramHeaderSize), (AT_PHNUM, (ulong)elf.ProgramHeaders.Count), (AT_BASE, interpreterBase), (AT_FLAGS, 0),
            (AT_ENTRY, entry), (AT_UID, 0), (AT_EUID, 0), (AT_GID, 0), (AT_EGID, 0), (AT_SECURE, 0),
        ]);
        p.AuxiliaryVector = auxv;
        cpu.Rip = start;
        cpu.Rflags = 0x202;
    }

    static (ElfImage Image, string ResolvedPath) OpenInterpreter(string path, string execFn,
        Func<string, (byte[] Data, string ResolvedPath)?>? readInterpreter)
    {
        var file = readInterpreter?.Invoke(path)
            ?? throw new BadExecutableException($"{execFn}: interpreter {Printable(path)} not found");
        ElfImage interp;
        try { interp = new ElfImage(file.Data, Printable(path)); }
        catch (BadExecutableException e) { throw new BadExecutableException($"{execFn}: bad interpreter: {e.Message}"); }
        if (interp.Interpreter != null)
            throw new BadExecutableException($"{execFn}: bad interpreter: {Printable(path)} itself needs an interpreter ({Printable(interp.Interpreter)})");
        return (interp, file.ResolvedPath);
    }

    /// <summary>A path from the file as it may appear in the one-line message: control characters shown as '?'.</summary>
    static string Printable(string path) => string.Concat(path.Select(c => char.IsControl(c) ? '?' : c));

    /// <summary>The largest power-of-two PT_LOAD alignment (at least a page), like binfmt_elf's maximum_alignment.</summary>
    static ulong MaxAlignment(ElfImage elf)
    {
        ulong max = Page.Size;
        foreach (var h in elf.ProgramHeaders)
            if (h.Type == ProgramHeader.PT_LOAD && h.Align > max && (h.Align & (h.Align - 1)) == 0 && h.Align <= 1UL << 30)
                max = h.Align;
        return max;
    }

    /// <summary>
    /// Maps the PT_LOAD segments at <paramref name="bias"/> and copies their file contents (the rest of each
    /// segment — bss and the tail of its last page — reads as zero). Returns the end of the highest segment
    /// (page-aligned) and the address of the program headers when a segment contains them.
    /// </summary>
    static (ulong End, ulong PhdrAddress) MapSegments(AddressSpace mem, ElfImage elf, ulong bias, string name, string who, ulong top)
    {
        ulong end = 0, phdrAddress = 0;
        // elf(5) requires ascending p_vaddr but Linux does not check: sorted, every segment's pages get mapped below.
        var loads = elf.ProgramHeaders.Where(h => h.Type == ProgramHeader.PT_LOAD).OrderBy(h => h.VirtualAddress + bias).ToList();
        foreach (var ph in loads)
        {
            ulong address = ph.VirtualAddress + bias;
            ulong start = AlignDown(address);
            // Checked before adding: address + p_memsz may wrap around to just past the start.
            bool fits = address < top && ph.MemorySize <= top - address;
            ulong segEnd = fits ? AddressSpace.PageAlignUp(address + ph.MemorySize) : 0;
            if (!fits || segEnd <= start || segEnd > top)
                throw new BadExecutableException($"{who}: ELF segment at 0x{ph.VirtualAddress:x} is outside the user address space");
            // Segments may share a boundary page: map only what an earlier segment did not.
            ulong mapFrom = Math.Max(start, end);
            if (segEnd > mapFrom)
                mem.Map(mapFrom, segEnd - mapFrom, ToProtection(ph.Flags), MappingFlags.None, name,
                    AlignDown(ph.Offset) + (mapFrom - start));
            if (start < end) mem.Protect(start, Math.Min(end, segEnd) - start, ToProtection(ph.Flags) | Protection.Read);
            end = Math.Max(end, segEnd);
        }
        foreach (var ph in loads)
        {
            mem.Poke(ph.VirtualAddress + bias, elf.Data.AsSpan((int)ph.Offset, (int)ph.FileSize));
            if (ph.Offset <= elf.ProgramHeaderOffset && elf.ProgramHeaderOffset < ph.Offset + ph.FileSize)
                phdrAddress = ph.VirtualAddress + bias + (elf.ProgramHeaderOffset - ph.Offset);
        }
        return (end, phdrAddress);
    }

    static ulong AlignDown(ulong a) => AddressSpace.PageAlignDown(a);

    static Protection ToProtection(uint flags) =>
        ((flags & ProgramHeader.PF_R) != 0 ? Protection.Read : 0) |
        ((flags & ProgramHeader.PF_W) != 0 ? Protection.Write : 0) |
        ((flags & ProgramHeader.PF_X) != 0 ? Protection.Execute : 0);

    /// <summary>
    /// Lays out the initial stack (fs/binfmt_elf.c create_elf_tables) and returns RSP (pointing at argc). Words are
    /// <paramref name="word"/> bytes: 8 for x86-64, 4 for i386 (whose AT_PLATFORM is "i686").
    /// </summary>
    static ulong BuildStack(AddressSpace mem, ulong stackTop, int word, IReadOnlyList<string> argv, IReadOnlyList<string> envp,
        string execFn, IEntropy entropy, out byte[] auxv, (ulong Key, ulong Value)[] aux)
    {
        ulong sp = stackTop - (ulong)word; // the kernel leaves a NULL word at the very top
        ulong PushString(string s)
        {
            byte[] b = Vfs.GuestNames.ToBytes(s + "\0");
            sp -= (ulong)b.Length;
            mem.Write(sp, b);
            return sp;
        }
        ulong execFnAddress = PushString(execFn);
        var envAddresses = new ulong[envp.Count];
        for (int i = envp.Count - 1; i >= 0; i--) envAddresses[i] = PushString(envp[i]);
        var argAddresses = new ulong[argv.Count];
        for (int i = argv.Count - 1; i >= 0; i--) argAddresses[i] = PushString(argv[i]);
        sp &= ~15UL; // arch_align_stack; AT_RANDOM's bytes follow the platform string unaligned (create_elf_tables)
        ulong platform = PushString(word == 4 ? "i686" : "x86_64");
        var random = new byte[16];
        entropy.Fill(random);
        sp -= 16;
        mem.Write(sp, random);
        ulong randomAddress = sp;

        var words = new List<ulong> { (ulong)argv.Count };
        words.AddRange(argAddresses);
        words.Add(0);
        words.AddRange(envAddresses);
        words.Add(0);
        foreach (var (k, v) in aux) { words.Add(k); words.Add(v); }
        words.AddRange([AT_RANDOM, randomAddress, AT_HWCAP2, 0, AT_EXECFN, execFnAddress, AT_PLATFORM, platform, AT_NULL, 0]);
        sp -= (ulong)(words.Count * word);
        sp &= ~15UL; // the stack pointer is 16-byte aligned at the entry point (x86-64 psABI §3.4.1; create_elf_tables for both)
        var bytes = new byte[words.Count * word];
        for (int i = 0; i < words.Count; i++)
            if (word == 8) BitConverter.TryWriteBytes(bytes.AsSpan(i * 8), words[i]);
            else BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), (uint)words[i]);
        auxv = bytes[((argv.Count + envp.Count + 3) * word)..];
        mem.Write(sp, bytes);
        return sp;
    }
}
