using X86Vm.Cpu.Instructions;
using Iced.Intel;
using X86Vm.Cpu.Decoding;
using X86Vm.Cpu.Memory;

namespace X86Vm.Cpu.Execution;

/// <summary>Decodes guest code with Iced into <see cref="BasicBlock"/>s. Runs once per block, never per execution.</summary>
public sealed class BlockBuilder
{
    public const int MaxBlockInstructions = 64;

    readonly AddressSpace _memory;
    readonly GuestCodeReader _reader;
    readonly Decoder _decoder;
    readonly InstructionTable _table = InstructionTable.Default;
    readonly InstructionInfoFactory _info = new();

    readonly DecodedBlocks? _shared;
    readonly CpuLevel _level;

    /// <summary>The code size the decoder assumes: 64 (long mode) or 32 (compatibility mode, i386 programs).</summary>
    public int Bitness { get; }

    /// <summary>
    /// A builder for <paramref name="memory"/>; with <paramref name="shared"/>, decodings are reused across the VM's
    /// processes. <paramref name="bitness"/> is the CPU mode the code runs in: the same decoder and the same handlers
    /// serve both modes, the mode only changes how Iced decodes (operand/address sizes, instructions valid in one mode).
    /// </summary>
    public BlockBuilder(AddressSpace memory, DecodedBlocks? shared = null, CpuLevel level = CpuLevels.Default, int bitness = 64)
    {
        if (bitness is not (32 or 64)) throw new ArgumentOutOfRangeException(nameof(bitness), bitness, "32 or 64");
        _memory = memory;
        _shared = shared;
        _level = level;
        Bitness = bitness;
        _reader = new GuestCodeReader(memory);
        _decoder = Decoder.Create(bitness, _reader, DecoderOptions.None);
    }

    /// <summary>Decodes the block at <paramref name="start"/>; <paramref name="precise"/> disables flag liveness.</summary>
    public BasicBlock Build(ulong start, bool precise = false)
    {
        if (precise || _shared == null) return Decode(start, precise, out _);
        BasicBlock? reused = _shared.TryReuse(_memory, start, Bitness);
        if (reused != null) return reused;
        BasicBlock block = Decode(start, precise, out bool endsInvalid);
        // A block ending in an undecodable or unimplemented instruction is not shared: Iced may have looked at bytes
        // beyond its length.
        if (!endsInvalid)
        {
            var bytes = new byte[block.Ops[^1].NextIp - start];
            if (_memory.TryRead(start, bytes)) _shared.Remember(block, bytes, Bitness);
        }
        return block;
    }

    unsafe BasicBlock Decode(ulong start, bool precise, out bool endsInvalid)
    {
        endsInvalid = false;
        // Pass 1: decode the block's instructions.
        var insns = new List<Instruction>();
        var pages = new HashSet<ulong>();
        ulong ip = start;
        bool controlTransfer = false, runsAlone = false, mayStop = false;
        while (insns.Count < MaxBlockInstructions)
        {
            _reader.Reset(ip);
            _decoder.IP = ip;
            _decoder.Decode(out Instruction insn);
            if (_reader.Fault != null)
            {
                // Fetch fault: at the block start it is the fault; later it ends the block before this instruction.
                if (insns.Count == 0) throw _reader.Fault;
                break;
            }
            bool alone = MustRunAlone(insn);
            if (alone && insns.Count > 0) break;
            foreach (ulong p in _reader.PagesTouched) pages.Add(p);
            insns.Add(insn);
            ip += (ulong)Math.Max(1, insn.Length);
            if (insn.IsInvalid || alone || insn.FlowControl != FlowControl.Next || insn.Mnemonic == Mnemonic.Syscall)
            {
                controlTransfer = true;
                runsAlone = alone;
                mayStop = alone || !IsPlainTransfer(insn);
                break;
            }
        }

        // Pass 2: flag liveness, then bind each instruction to its specialised handler.
        bool[] flagsDead = precise ? new bool[insns.Count] : FlagLiveness.DeadWriters(insns);
        var ops = new List<DecodedOp>(insns.Count);
        for (int i = 0; i < insns.Count; i++)
        {
            Instruction insn = insns[i];
            var op = new DecodedOp
            {
                FlagsDead = flagsDead[i],
                CannotFault = FlagLiveness.CannotFault(insn),
                MayWriteMemory = MayWriteMemory(insn),
            };
            nint handler = 0;
            if (!insn.IsInvalid)
            {
                Type[] operands = OperandDecoder.Decode(insn, ref op);
                Mnemonic mnemonic = LevelMnemonic(insn);
                Binder? binder = _table.Find(mnemonic);
                if (binder != null && (mnemonic != insn.Mnemonic || CpuLevels.Offers(_level, insn)))
                    handler = binder(insn, ref op, operands);
            }
            else
            {
                op.Ip = insn.IP;
                op.Length = (byte)Math.Max(1, insn.Length);
                op.Code = (ushort)insn.Code;
            }
            if (handler == 0)
            {
                // Not implemented (or undecodable): #UD when reached; nothing after it belongs to the block.
                op.Handler = &InvalidInstruction;
                op.CannotFault = false;
                mayStop = true;
                endsInvalid = true;
                ops.Add(op);
                controlTransfer = true;
                break;
            }
            op.Handler = (delegate*<Cpu, ref DecodedOp, void>)handler;
            ops.Add(op);
        }
        return new BasicBlock(start, ops.ToArray(), controlTransfer, pages.ToArray(), precise || !flagsDead.Contains(true))
        {
            RunsAlone = runsAlone,
            IsPreciseVariant = precise,
            MayRequestStop = mayStop,
        };
    }

    /// <summary>Whether the instruction stores to memory (explicitly or implicitly: pushes, string stores…); compiled code
    /// checks for self-modification only after those.</summary>
    bool MayWriteMemory(in Instruction insn)
    {
        if (insn.IsInvalid) return false;
        foreach (UsedMemory m in _info.GetInfo(insn).GetUsedMemory())
            if (m.Access is OpAccess.Write or OpAccess.ReadWrite or OpAccess.CondWrite or OpAccess.ReadCondWrite) return true;
        return false;
    }

    /// <summary>Branches, calls and returns only set RIP (and the stack): they never ask the run loop to stop.</summary>
    static bool IsPlainTransfer(in Instruction insn) =>
        insn.FlowControl is FlowControl.UnconditionalBranch or FlowControl.ConditionalBranch or FlowControl.IndirectBranch
            or FlowControl.Call or FlowControl.IndirectCall or FlowControl.Return
        && !insn.IsInvalid && insn.Mnemonic is not (Mnemonic.Jmpe or Mnemonic.Syscall or Mnemonic.Sysenter);

    /// <summary>REP string instructions run as one-op blocks: each iteration retires separately and may be interrupted.</summary>
    static bool MustRunAlone(in Instruction insn) =>
        (insn.HasRepPrefix || insn.HasRepePrefix || insn.HasRepnePrefix) && insn.IsStringInstruction;

    /// <summary>
    /// The mnemonic the CPU level executes: F3 0F BC/BD are TZCNT/LZCNT only with BMI1/LZCNT; older CPUs ignore the
    /// F3 prefix and run BSF/BSR (SDM TZCNT, LZCNT: "on processors that do not support…").
    /// </summary>
    Mnemonic LevelMnemonic(in Instruction insn) =>
        _level >= CpuLevel.V3 ? insn.Mnemonic
        : insn.Mnemonic == Mnemonic.Tzcnt ? Mnemonic.Bsf
        : insn.Mnemonic == Mnemonic.Lzcnt ? Mnemonic.Bsr
        : insn.Mnemonic;

    /// <summary>Handler of undecodable or unimplemented instructions: #UD (SIGILL), reported with its bytes by the OS layer.</summary>
    static void InvalidInstruction(Cpu c, ref DecodedOp op) => throw GuestFault.InvalidOpcode(op.Ip);

    sealed class GuestCodeReader : CodeReader
    {
        readonly AddressSpace _memory;
        ulong _address;
        ulong _pageVpn = ulong.MaxValue;
        byte[] _page = [];
        public GuestFault? Fault;
        public readonly List<ulong> PagesTouched = new();

        public GuestCodeReader(AddressSpace memory) => _memory = memory;

        public void Reset(ulong address)
        {
            _address = address;
            Fault = null;
            PagesTouched.Clear();
            _pageVpn = ulong.MaxValue;
        }

        public override int ReadByte()
        {
            if (Fault != null) return -1;
            ulong vpn = _address >> Page.Shift;
            if (vpn != _pageVpn)
            {
                try { _page = _memory.GetCodePage(_address); }
                catch (GuestFault f) { Fault = f; return -1; }
                _pageVpn = vpn;
                PagesTouched.Add(vpn);
            }
            return _page[_address++ & Page.OffsetMask];
        }
    }
}
