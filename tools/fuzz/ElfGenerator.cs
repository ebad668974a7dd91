namespace X86Vm.Fuzz;

/// <summary>
/// ELF inputs: a small valid program (static or naming an interpreter, ET_EXEC or ET_DYN, one to four segments,
/// some overlapping or out of order) and an interpreter file, each then damaged by <see cref="ElfMutator"/>.
/// </summary>
public static class ElfGenerator
{
    static readonly string[] InterpreterPaths =
    [
        "/interp", "/interp", "/interp", "/prog", "/nonexistent", "/", "", "/proc/self/exe", "/dev/zero", "/proc/self/mem", "/tmp",
        "/proc/self/fd/0", "/dev/stdin", "../../interp", new string('a', 300), "/" + string.Concat(Enumerable.Repeat("d/", 2100)),
    ];

    public static FuzzInput Generate(ulong seed, long index)
    {
        Rng r = Rng.ForInput(seed, index);
        string? interp = r.Chance(40) ? r.Pick(InterpreterPaths) : null;
        byte[] program = Program(r, r.Chance(30) ? ElfWriter.ET_DYN : ElfWriter.ET_EXEC, interp);
        byte[]? interpreter = null;
        if (interp != null)
        {
            interpreter = Program(r, r.Chance(80) ? ElfWriter.ET_DYN : ElfWriter.ET_EXEC, r.Chance(10) ? "/interp" : null);
            if (r.Chance(60)) interpreter = ElfMutator.Mutate(interpreter, r, 1 + r.Next(4));
        }
        if (!r.Chance(5)) program = ElfMutator.Mutate(program, r, 1 + r.Next(5));
        return new FuzzInput(FuzzKind.Elf, seed, index, program, interpreter, r.Chance(10));
    }

    /// <summary>A program that exits 0, with a data segment and extras (bss, a second code segment, an overlap, TLS).</summary>
    static byte[] Program(Rng r, ushort type, string? interpreter)
    {
        ulong bias = type == ElfWriter.ET_DYN ? 0 : GuestLayout.Code;
        byte[] code = new CodeWriter().ExitGroup(0).ToArray();
        var segments = new List<Segment>
        {
            new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_X, bias, code, (ulong)code.Length),
            new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_W, bias + 0x200000, GuestLayout.DataPage(r)[..r.Next(GuestLayout.DataSize)],
                (ulong)GuestLayout.DataSize + (ulong)r.Next(1 << 20)),
        };
        if (r.Chance(30)) // a segment overlapping the code page (shared boundary page, or wholly inside)
            segments.Add(new(Segment.PT_LOAD, (uint)r.Next(8), bias + (ulong)r.Next(0x2000), new byte[r.Next(0x1800)], (ulong)r.Next(0x3000)));
        if (r.Chance(20)) segments.Add(new(Segment.PT_TLS, Segment.PF_R, bias + 0x200000, new byte[16], 64));
        if (r.Chance(20)) segments.Add(new(Segment.PT_GNU_STACK, (uint)r.Next(8), 0, [], 0));
        if (r.Chance(20)) segments.Reverse(); // out of address order
        return ElfWriter.Build(segments, bias + (r.Chance(90) ? 0 : (ulong)r.Next(0x100)), type, interpreter);
    }
}
