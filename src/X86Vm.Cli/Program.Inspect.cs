using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using X86Vm.Linux.State;

namespace X86Vm.Cli;

// `x86vm inspect FILE [--json]` (docs/snapshots.md): what a snapshot holds, without running it or needing the host it
// came from. Readable text by default; --json gives the same summary as one JSON object.
static partial class Program
{
    static Command InspectCommand()
    {
        var file = new Argument<string>("snapshot") { Description = "A snapshot file written by x86vm run --snapshot or x86vm resume --snapshot" };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON" };
        var inspect = new Command("inspect", "Show a snapshot's processes, threads, memory, descriptors, mounts, counts and state hash") { file, json };
        inspect.SetAction(parse => Inspect(parse.GetValue(file)!, parse.GetValue(json)));
        return inspect;
    }

    static int Inspect(string file, bool json)
    {
        SnapshotSummary summary;
        try
        {
            using FileStream source = File.OpenRead(file);
            summary = VirtualMachine.InspectSnapshot(source);
        }
        catch (Exception e) when (e is SnapshotFormatException or IOException or UnauthorizedAccessException)
        {
            return Fail($"{file}: {e.Message}");
        }
        Console.Out.Write(json ? JsonSerializer.Serialize(summary, JsonFormat) + "\n" : InspectionText(file, summary));
        return 0;
    }

    static readonly JsonSerializerOptions JsonFormat = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The summary for people: one header block, one block per process, then mounts and host inputs.</summary>
    internal static string InspectionText(string file, SnapshotSummary s)
    {
        var o = new StringBuilder();
        void Line(string text) => o.Append(text).Append('\n');
        Line($"snapshot      {file} (format version {s.FormatVersion})");
        Line($"written by    {s.WrittenBy}");
        Line($"state hash    {s.StateHash} ({(s.StateHashVerified ? "verified" : "NOT matching the state read")})");
        Line($"mode          {(s.Deterministic ? "deterministic" : "host clock (not deterministic)")}");
        Line($"instructions  {s.InstructionsExecuted} executed" + (s.InstructionBudget is ulong b ? $" (budget {b})" : ""));
        Line($"clock         monotonic {Seconds(s.MonotonicNs)} s" +
            (s.RealtimeNs is long rt ? $", realtime {DateTimeOffset.UnixEpoch.AddTicks(rt / 100):yyyy-MM-dd HH:mm:ss.fffffff} UTC (virtual)" : ""));
        Line($"program       pid {s.ProgramPid}");
        foreach (ProcessSummary p in s.Processes)
        {
            Line("");
            Line($"process {p.Pid} ({p.Command}) {p.State}, parent {p.ParentPid}, group {p.ProcessGroup}, session {p.Session}");
            Line($"  exe    {p.Executable}");
            Line($"  argv   {string.Join(' ', p.Argv)}");
            Line($"  cwd    {p.Cwd}");
            foreach (ThreadSummary t in p.Threads)
                Line($"  thread {t.Tid} {t.State}, rip 0x{t.Rip:x}, {t.InstructionsRetired} instructions retired" + (t.Wait is string w ? $", waits for {w}" : ""));
            MemorySummary m = p.Memory;
            Line($"  memory {m.Mappings.Count} mappings, {m.MappedBytes / 1024} KiB mapped, {m.ResidentPages} pages resident ({m.SharedPages} shared)");
            foreach (MappingSummary map in m.Mappings)
                Line($"    {map.Start:x12}-{map.End:x12} {map.Permissions} {map.Offset:x8} {map.ResidentPages,6} resident {map.SharedPages,6} shared  {map.Backing}".TrimEnd());
            Line($"  descriptors {p.Descriptors.Count}");
            foreach (DescriptorSummary d in p.Descriptors)
                Line($"    {d.Fd,4} {d.Access,-2} {d.Kind,-16} {d.Path}" + (d.CloseOnExec ? " (close-on-exec)" : ""));
        }
        Line("");
        Line($"mounts {s.Mounts.Count}");
        foreach (MountSummary mount in s.Mounts)
            Line(($"  {mount.GuestPath,-20} {mount.Type,-9} {mount.Mode,-8}" + (mount.HostPath is string host ? $" host {host}" : "")).TrimEnd());
        Line($"host inputs {s.HostInputs.Count} (verified on resume)");
        foreach (HostInputSummary input in s.HostInputs)
            Line($"  {input.ContentHash ?? "absent",-64}  {input.GuestPath}");
        return o.ToString();
    }

    static string Seconds(long ns) => (ns / 1e9).ToString("F9", CultureInfo.InvariantCulture);
}
