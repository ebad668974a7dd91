namespace X86Vm.Fuzz;

/// <summary>How one input ended. Everything but <see cref="Crash"/>, <see cref="Hang"/> and <see cref="StackTrace"/> is the guest's own business.</summary>
public enum OutcomeKind
{
    /// <summary>The VM refused to start the program with one line (a bad ELF).</summary>
    Rejected,
    /// <summary>The program ran and ended: an exit status, a signal, or the instruction/time limit.</summary>
    Exited,
    /// <summary>An exception other than the documented ones escaped the VM API.</summary>
    Crash,
    /// <summary>The VM did not return within the hang guard.</summary>
    Hang,
    /// <summary>A .NET stack trace appeared in x86vm's diagnostics.</summary>
    StackTrace,
}

/// <summary>The result of one input: its kind, the exit status when it ran, the first process's retired instructions, and for findings what went wrong.</summary>
public sealed record Outcome(OutcomeKind Kind, int Status, string Detail, ulong Retired = 0)
{
    public bool IsFinding => Kind is OutcomeKind.Crash or OutcomeKind.Hang or OutcomeKind.StackTrace;

    /// <summary>What two findings with the same bug share: the kind, the exception type and its innermost x86vm frame.</summary>
    public string Signature
    {
        get
        {
            string first = Detail.Split('\n')[0];
            string? frame = Detail.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at X86Vm.", StringComparison.Ordinal));
            frame = frame?.Split(" in ")[0];
            return Kind switch
            {
                OutcomeKind.Crash => $"Crash: {first.Split(':')[0]} {frame}".Trim(),
                OutcomeKind.StackTrace => $"StackTrace: {frame ?? "a message of several lines"}",
                _ => $"{Kind}: {first}",
            };
        }
    }
}
