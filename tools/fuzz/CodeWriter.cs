namespace X86Vm.Fuzz;

/// <summary>Emits the few x86-64 instructions the generators need around fuzzed bytes: register loads and SYSCALL.</summary>
public sealed class CodeWriter
{
    readonly List<byte> _bytes = [];

    public int Length => _bytes.Count;

    /// <summary>mov r64, imm64 (REX.W B8+r). Register 4 is RSP.</summary>
    public CodeWriter MovImmediate(int register, ulong value)
    {
        _bytes.Add((byte)(0x48 | (register >> 3)));
        _bytes.Add((byte)(0xB8 + (register & 7)));
        for (int i = 0; i < 8; i++) _bytes.Add((byte)(value >> (8 * i)));
        return this;
    }

    public CodeWriter Syscall()
    {
        _bytes.Add(0x0F);
        _bytes.Add(0x05);
        return this;
    }

    /// <summary>exit_group(code): the end every generated program falls through to.</summary>
    public CodeWriter ExitGroup(int code) => MovImmediate(0, 231).MovImmediate(7, (ulong)code).Syscall();

    public CodeWriter Raw(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes) _bytes.Add(b);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];
}
