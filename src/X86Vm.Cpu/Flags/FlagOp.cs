namespace X86Vm.Cpu.Flags;

/// <summary>
/// The operation that last set the status flags. Together with its operands and result (kept in
/// <see cref="Cpu"/>) it lets any flag be computed only when read (lazy flags, QEMU's CC_OP).
/// The stored kind is <c>(op &lt;&lt; 2) | log2(operand bytes)</c>, see <see cref="LazyFlags.Kind"/>.
/// </summary>
public enum FlagOp
{
    /// <summary>The flags are in <c>FlagRes</c> as RFLAGS bits.</summary>
    Materialized = 0,
    Add, Adc, Sub, Sbb, Logic,
    /// <summary>INC/DEC: like ADD/SUB of 1 but CF is the saved carry in <c>FlagAux</c>.</summary>
    Inc, Dec,
    /// <summary>SHL/SAL (and SHLD below the operand width) with the masked count (1–31 or 1–63) in <c>FlagB</c>, original destination in <c>FlagA</c>.</summary>
    Shl,
    /// <summary>SHR and SHRD with the masked count in <c>FlagB</c>, original destination in <c>FlagA</c>.</summary>
    Shr,
    /// <summary>SAR with count in <c>FlagB</c>.</summary>
    Sar,
    /// <summary>
    /// A partial update (rotates, BT, MUL, BSF…): the flags in mask <c>FlagB</c> have the values in
    /// <c>FlagRes</c>; the others come from the record saved in <c>FlagKind2…FlagAux2</c>, which is never partial.
    /// </summary>
    Partial,
}
