namespace X86Vm.Linux.Debugging;

/// <summary>
/// A thread-id of the protocol: <c>pPID.TID</c>, <c>pPID</c> (its threads) or a bare <c>TID</c>, in hex, where
/// -1 means all and 0 means any. <see cref="Pid"/> is <see cref="All"/> when the id named no process.
/// </summary>
public readonly record struct ThreadId(int Pid, int Tid)
{
    public const int All = -1, Any = 0;

    public static bool TryParse(ReadOnlySpan<char> text, out ThreadId id)
    {
        id = default;
        int pid = All;
        if (text.StartsWith("p"))
        {
            text = text[1..];
            int dot = text.IndexOf('.');
            ReadOnlySpan<char> p = dot < 0 ? text : text[..dot];
            if (!TryParseNumber(p, out pid)) return false;
            if (dot < 0) { id = new ThreadId(pid, All); return true; }
            text = text[(dot + 1)..];
        }
        if (!TryParseNumber(text, out int tid)) return false;
        id = new ThreadId(pid, tid);
        return true;
    }

    static bool TryParseNumber(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        if (s.SequenceEqual("-1")) { value = All; return true; }
        if (!GdbEncoding.TryParseHex(s, out ulong v) || v > int.MaxValue) return false;
        value = (int)v;
        return true;
    }

    /// <summary>Whether this id names thread <paramref name="tid"/> of process <paramref name="pid"/>.</summary>
    public bool Matches(int pid, int tid) =>
        (Pid is All or Any || Pid == pid) && (Tid is All or Any || Tid == tid);

    public static string Format(int pid, int tid, bool multiprocess) => multiprocess ? $"p{pid:x}.{tid:x}" : $"{tid:x}";
}

public enum ResumeKind { Continue, Step }

/// <summary>One vCont action: continue or step, with a Linux signal to deliver (0: none), for the threads <see cref="Thread"/> names.</summary>
public readonly record struct ResumeAction(ResumeKind Kind, int Signal, ThreadId Thread);

/// <summary>
/// How the debugger resumed the VM: per thread, the first action whose thread-id matches (vCont semantics).
/// A thread no action matches stays stopped.
/// </summary>
public sealed class ResumePlan
{
    public IReadOnlyList<ResumeAction> Actions { get; }

    public ResumePlan(IReadOnlyList<ResumeAction> actions) => Actions = actions;

    public static ResumePlan ContinueAll { get; } = new([new ResumeAction(ResumeKind.Continue, 0, new ThreadId(ThreadId.All, ThreadId.All))]);

    public ResumeAction? For(int pid, int tid)
    {
        foreach (ResumeAction a in Actions)
            if (a.Thread.Matches(pid, tid)) return a;
        return null;
    }

    /// <summary>
    /// Parses the actions of a vCont packet (after "vCont"): <c>;c</c>, <c>;s:p1.2</c>, <c>;C0b:3</c>… with GDB signal
    /// numbers, converted to Linux ones. Null when malformed or when it uses an action this stub does not offer.
    /// </summary>
    public static ResumePlan? ParseVCont(ReadOnlySpan<char> text)
    {
        var actions = new List<ResumeAction>();
        while (text.Length > 0)
        {
            if (text[0] != ';') return null;
            text = text[1..];
            int end = text.IndexOf(';');
            ReadOnlySpan<char> item = end < 0 ? text : text[..end];
            text = end < 0 ? [] : text[end..];
            int colon = item.IndexOf(':');
            ReadOnlySpan<char> verb = colon < 0 ? item : item[..colon];
            var thread = new ThreadId(ThreadId.All, ThreadId.All);
            if (colon >= 0 && !ThreadId.TryParse(item[(colon + 1)..], out thread)) return null;
            if (verb.Length == 0) return null;
            ResumeKind kind;
            int signal = 0;
            switch (verb[0])
            {
                case 'c' when verb.Length == 1: kind = ResumeKind.Continue; break;
                case 's' when verb.Length == 1: kind = ResumeKind.Step; break;
                case 'C' or 'S' when verb.Length == 3:
                    kind = verb[0] == 'C' ? ResumeKind.Continue : ResumeKind.Step;
                    if (!GdbEncoding.TryParseHex(verb[1..], out ulong g)) return null;
                    signal = GdbSignals.ToLinux((int)g);
                    break;
                default: return null;
            }
            actions.Add(new ResumeAction(kind, signal, thread));
        }
        return actions.Count == 0 ? null : new ResumePlan(actions);
    }
}
