namespace X86Vm.Fuzz;

/// <summary>
/// Instruction-stream inputs: registers loaded with edge values (pointers at page boundaries, unmapped and
/// non-canonical addresses), then a page of fuzzed code — random bytes, instructions with legacy/REX prefix
/// combinations enumerated across inputs, VEX/EVEX/XOP forms, or mutated common instructions — in an executable
/// page that is sometimes also writable (self-modifying code).
/// </summary>
public static class InstructionGenerator
{
    static readonly byte[] Group1 = [0, 0xF0, 0xF2, 0xF3];
    static readonly byte[] Group2 = [0, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65];
    static readonly byte[] Group3 = [0, 0x66];
    static readonly byte[] Group4 = [0, 0x67];
    static readonly byte[] Rex = [0, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F];

    /// <summary>Every combination of one prefix per legacy group and a REX byte; input i starts with combination i mod this.</summary>
    public static readonly int PrefixCombinations = Group1.Length * Group2.Length * Group3.Length * Group4.Length * Rex.Length;

    /// <summary>Common instructions (ALU, moves, string ops, SSE/AVX, x87, control flow) to mutate.</summary>
    static readonly byte[][] Templates =
    [
        [0x48, 0x01, 0xD8], [0x48, 0x8B, 0x07], [0x48, 0x89, 0x06], [0xF3, 0xA4], [0xF3, 0x48, 0xAB], [0xF3, 0xA6], [0xF2, 0xAE],
        [0x48, 0xF7, 0xF1], [0x48, 0xF7, 0xF9], [0x0F, 0xA2], [0x0F, 0x31], [0x0F, 0x05], [0xCC], [0xCD, 0x80], [0x0F, 0x0B],
        [0x66, 0x0F, 0x6F, 0x06], [0x0F, 0x28, 0x07], [0x66, 0x0F, 0xD4, 0xC1], [0xF2, 0x0F, 0x2C, 0xC0], [0xC5, 0xFD, 0x6F, 0x06],
        [0xC4, 0xE2, 0x7D, 0x18, 0x06], [0xC5, 0xF8, 0x77], [0xD9, 0x06], [0xDD, 0x1F], [0xDB, 0x2E], [0xD9, 0xF0], [0xDE, 0xF9],
        [0x0F, 0xAE, 0x07], [0x0F, 0xAE, 0x0F], [0x48, 0x0F, 0xC7, 0x0E], [0xF0, 0x48, 0x0F, 0xB1, 0x0E], [0x48, 0x0F, 0xBC, 0xC1],
        [0xFF, 0xE0], [0xFF, 0x10], [0xC3], [0xE8, 0, 0, 0, 0], [0x75, 0xFE], [0x9D], [0x9C], [0x48, 0xCF], [0x0F, 0x01, 0xD0],
        [0x62, 0xF1, 0x7C, 0x48, 0x10, 0x06], [0x8F, 0xE9, 0x78, 0x01, 0xC0], [0x0F, 0x38, 0xF0, 0x06], [0x66, 0x0F, 0x3A, 0x0F, 0xC1, 0x03],
    ];

    public static FuzzInput Generate(ulong seed, long index)
    {
        Rng r = Rng.ForInput(seed, index);
        var code = new CodeWriter();
        bool resume = r.Chance(50);
        if (resume) AddFaultHandlers(code);
        for (int reg = 0; reg < 16; reg++)
            if (reg != 4 || r.Chance(10)) code.MovImmediate(reg, GuestLayout.Value(r));
        var body = new List<byte>();
        AddPrefixed(body, r, (int)(index % PrefixCombinations));
        while (body.Count < 3000)
        {
            switch (r.Next(5))
            {
                case 0: AddPrefixed(body, r, r.Next(PrefixCombinations)); break;
                case 1: AddVex(body, r); break;
                case 2:
                    byte[] t = (byte[])r.Pick(Templates).Clone();
                    if (r.Chance(50)) t[r.Next(t.Length)] = r.NextByte();
                    body.AddRange(t);
                    break;
                case 3: for (int k = r.Next(16); k > 0; k--) body.Add(r.NextByte()); break;
                default: body.AddRange(Template(r)); break;
            }
        }
        code.Raw(body.ToArray()).ExitGroup(0);
        if (resume)
        {
            var pad = new byte[HandlerOffset - code.Length];
            r.Fill(pad);
            code.Raw(pad).Raw(Handler);
        }
        byte[] page = code.ToArray();
        uint flags = Segment.PF_R | Segment.PF_X | (r.Chance(25) ? Segment.PF_W : 0);
        var segments = new List<Segment>
        {
            new(Segment.PT_LOAD, flags, GuestLayout.Code, page, (ulong)page.Length),
            new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_W, GuestLayout.Data, GuestLayout.DataPage(r), GuestLayout.DataSize),
            new(Segment.PT_LOAD, Segment.PF_R, GuestLayout.ReadOnly, GuestLayout.DataPage(r)[..0x1000], 0x1000),
        };
        if (resume) segments.Add(new(Segment.PT_LOAD, Segment.PF_R | Segment.PF_W, SignalArea, SignalStructures(), SignalAreaSize));
        return new FuzzInput(FuzzKind.Insn, seed, index, ElfWriter.Build(segments, GuestLayout.Code), null, r.Chance(25));
    }

    static byte[] Template(Rng r) => r.Pick(Templates);

    // Resuming after faults: half the inputs catch SIGSEGV, SIGILL, SIGBUS, SIGFPE and SIGTRAP on an alternate stack
    // with a handler that moves the saved RIP one byte on and returns through rt_sigreturn (up to FaultBudget times,
    // then exits). So one input runs on
    // through the whole page instead of ending at its first fault, and signal delivery and sigreturn run with
    // arbitrary register state.
    const ulong SignalArea = 0x800000;
    const ulong SignalAreaSize = 0x11000; // the sigaction, the stack_t, then a 64 KiB alternate stack
    const int HandlerOffset = 0xF00;

    /// <summary>Faults an input survives before the handler exits: each costs a signal frame, and 200,000 would take seconds.</summary>
    const int FaultBudget = 64;
    const int RestorerOffset = 19;

    static readonly byte[] Handler =
    [
        0x48, 0xFF, 0x0C, 0x25, 0x60, 0x00, 0x80, 0x00, // dec qword [SignalArea + 0x60]: the faults left
        0x74, 0x10,                                     // jz exit
        0x48, 0x83, 0x82, 0xA8, 0x00, 0x00, 0x00, 0x01, // add qword [rdx + 0xA8], 1: the ucontext's saved RIP
        0xC3,                                           // ret to the restorer
        0xB8, 0x0F, 0x00, 0x00, 0x00, 0x0F, 0x05,       // restorer: mov eax, 15 (rt_sigreturn); syscall
        0xB8, 0xE7, 0x00, 0x00, 0x00, 0x31, 0xFF, 0x0F, 0x05, // exit: exit_group(0)
    ];

    /// <summary>struct sigaction (handler, SA_SIGINFO|SA_ONSTACK|SA_RESTORER, restorer, empty mask), stack_t, the fault count.</summary>
    static byte[] SignalStructures()
    {
        var b = new byte[0x68];
        BitConverter.TryWriteBytes(b.AsSpan(0), GuestLayout.Code + HandlerOffset);
        BitConverter.TryWriteBytes(b.AsSpan(8), 0x4UL | 0x08000000 | 0x04000000);
        BitConverter.TryWriteBytes(b.AsSpan(16), GuestLayout.Code + HandlerOffset + RestorerOffset);
        BitConverter.TryWriteBytes(b.AsSpan(0x40), SignalArea + 0x1000);
        BitConverter.TryWriteBytes(b.AsSpan(0x50), 0x10000UL);
        BitConverter.TryWriteBytes(b.AsSpan(0x60), (ulong)FaultBudget);
        return b;
    }

    static void AddFaultHandlers(CodeWriter code)
    {
        code.MovImmediate(0, 131).MovImmediate(7, SignalArea + 0x40).MovImmediate(6, 0).Syscall(); // sigaltstack(&ss, NULL)
        foreach (int sig in new[] { 4, 5, 7, 8, 11 })
            code.MovImmediate(0, 13).MovImmediate(7, (ulong)sig).MovImmediate(6, SignalArea).MovImmediate(2, 0).MovImmediate(10, 8).Syscall();
    }

    /// <summary>Prefix combination <paramref name="combination"/> (in a random order), then an opcode and operand bytes.</summary>
    static void AddPrefixed(List<byte> body, Rng r, int combination)
    {
        var prefixes = new List<byte>();
        int c = combination;
        foreach (byte[] group in new[] { Group1, Group2, Group3, Group4 })
        {
            byte p = group[c % group.Length];
            c /= group.Length;
            if (p != 0) prefixes.Add(p);
        }
        for (int i = prefixes.Count - 1; i > 0; i--) // the order of legacy prefixes is free
        {
            int j = r.Next(i + 1);
            (prefixes[i], prefixes[j]) = (prefixes[j], prefixes[i]);
        }
        if (r.Chance(5)) prefixes.AddRange(Enumerable.Repeat(prefixes.Count > 0 ? prefixes[0] : (byte)0x66, 14)); // past 15 bytes: #UD/#GP
        body.AddRange(prefixes);
        byte rex = Rex[c % Rex.Length];
        if (rex != 0) body.Add(rex);
        switch (r.Next(4))
        {
            case 0: body.Add(r.NextByte()); break;
            case 1: body.Add(0x0F); body.Add(r.NextByte()); break;
            case 2: body.Add(0x0F); body.Add(0x38); body.Add(r.NextByte()); break;
            default: body.Add(0x0F); body.Add(0x3A); body.Add(r.NextByte()); break;
        }
        AddOperands(body, r);
    }

    /// <summary>A VEX (2- and 3-byte), EVEX or XOP instruction, sometimes behind legacy prefixes (which makes it #UD).</summary>
    static void AddVex(List<byte> body, Rng r)
    {
        if (r.Chance(20)) body.Add(r.Pick(new byte[] { 0x66, 0xF2, 0xF3, 0xF0, 0x40, 0x48 }));
        switch (r.Next(4))
        {
            case 0: body.Add(0xC5); body.Add(r.NextByte()); break;
            case 1: body.Add(0xC4); body.Add((byte)(r.NextByte() & 0xE0 | 1 + r.Next(3))); body.Add(r.NextByte()); break;
            case 2: body.Add(0x62); body.Add(r.NextByte()); body.Add(r.NextByte()); body.Add(r.NextByte()); break;
            default: body.Add(0x8F); body.Add((byte)(r.NextByte() & 0xE0 | 8 + r.Next(3))); body.Add(r.NextByte()); break;
        }
        body.Add(r.NextByte());
        AddOperands(body, r);
    }

    /// <summary>ModRM, maybe SIB and displacement, maybe an immediate: random, so every addressing form turns up.</summary>
    static void AddOperands(List<byte> body, Rng r)
    {
        byte modrm = r.NextByte();
        body.Add(modrm);
        if ((modrm & 7) == 4 && modrm >> 6 != 3) body.Add(r.NextByte());
        int disp = (modrm >> 6) switch { 1 => 1, 2 => 4, 0 when (modrm & 7) == 5 => 4, _ => 0 };
        for (int i = 0; i < disp + r.Pick(new[] { 0, 0, 1, 2, 4, 8 }); i++) body.Add(r.NextByte());
    }
}
