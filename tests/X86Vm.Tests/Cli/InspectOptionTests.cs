using System.Text.Json;
using System.Text.RegularExpressions;
using X86Vm.Cli;
using X86Vm.Tests.Programs;
using static X86Vm.Tests.Cli.SnapshotOptionTests;

namespace X86Vm.Tests.Cli;

/// <summary>
/// x86vm inspect: a snapshot of a program with a known shape (tests/programs/snapshots/family.c: two processes, the
/// first with two threads, a host input open, a pipe, a child and a thread blocked) is described as it is, in text and
/// JSON, without running it; a damaged or foreign file is one line and status 125.
/// </summary>
public class InspectOptionTests
{
    static string Line(string text, string pattern) =>
        Regex.Match(text, pattern, RegexOptions.Multiline) is { Success: true } m ? m.Value : throw new Xunit.Sdk.XunitException($"no line /{pattern}/ in:\n{text}");

    [Fact]
    public void InspectShowsTheSavedProcessesThreadsMemoryDescriptorsAndInputs()
    {
        string program = new StaticProgramSuite("snapshots").Build("family", "musl")!;
        string dir = Path.Combine(GuestRunner.RepoRoot, ".cache", "snapshot-inspect");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(Path.Combine(dir, "in"));
        File.WriteAllText(Path.Combine(dir, "in", "input.txt"), "input data\n");
        string snap = Path.Combine(dir, "family.snap");

        var run = X86vm("run", "--deterministic", "--state-hash", "--snapshot", snap, "--snapshot-at", "3000000",
            "--mount", $"{Path.Combine(dir, "in")}:/in:ro", program, "/in/input.txt");
        Assert.Equal(Program.SnapshotWrittenStatus, run.Status);
        Assert.Equal("ready\n", run.Stdout);
        string hash = HashLine(run.Stderr)["x86vm: state hash ".Length..];

        var text = X86vm("inspect", snap);
        Assert.Equal((0, ""), (text.Status, text.Stderr));
        string o = text.Stdout;
        Assert.StartsWith($"snapshot      {snap} (format version {X86Vm.Linux.Kernel.SnapshotFormatVersion})\n" +
            $"written by    {X86Vm.Linux.Kernel.BuildIdentity}\n" +
            $"state hash    {hash} (verified)\n" +
            "mode          deterministic\n" +
            "instructions  3000000 executed (budget 3000000)\n", o);
        Line(o, @"^program       pid 1000$");
        string name = Path.GetFileName(program);
        Line(o, $@"^process 1000 \({Regex.Escape(name)}\) alive, parent 1, group 1000, session 1000$");
        Line(o, $@"^process 1001 \({Regex.Escape(name)}\) alive, parent 1000, group 1000, session 1000$");
        Line(o, @"^  thread 1000 runnable, rip 0x[0-9a-f]+, [0-9]+ instructions retired$");
        Line(o, @"^  thread 1002 blocked, rip 0x[0-9a-f]+, [0-9]+ instructions retired, waits for futex$");
        Line(o, @"^  thread 1001 blocked, rip 0x[0-9a-f]+, [0-9]+ instructions retired, waits for .*pipe:\[[0-9]+\]$");
        Assert.Equal(2, Regex.Matches(o, @"^       3 r  HostFile         /in/input\.txt$", RegexOptions.Multiline).Count);
        Assert.Equal(2, Regex.Matches(o, @"^       4 r  PipeEnd          pipe:\[[0-9]+\]$", RegexOptions.Multiline).Count);
        Line(o, @"^    7fffff7ff000-7ffffffff000 rw-p 00000000 +[1-9][0-9]* resident +[0-9]+ shared  \[stack\]$");
        Line(o, $@"^    000000401000-[0-9a-f]{{12}} r-xp 00001000 +[1-9][0-9]* resident +[0-9]+ shared  {Regex.Escape(program)}$");
        Line(o, $@"^  /in +hostfs +ro +host {Regex.Escape(Path.Combine(dir, "in"))}$");
        Line(o, @"^  /tmp +tmpfs +tmpfs$");
        Line(o, $@"^  [0-9a-f]{{64}}  /in/input\.txt$");
        Line(o, $@"^  [0-9a-f]{{64}}  {Regex.Escape(program)}$");

        var json = X86vm("inspect", "--json", snap);
        Assert.Equal(0, json.Status);
        using var doc = JsonDocument.Parse(json.Stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal(hash, root.GetProperty("stateHash").GetString());
        Assert.True(root.GetProperty("stateHashVerified").GetBoolean());
        Assert.Equal(3000000UL, root.GetProperty("instructionsExecuted").GetUInt64());
        JsonElement[] processes = root.GetProperty("processes").EnumerateArray().ToArray();
        Assert.Equal([1000, 1001], processes.Select(p => p.GetProperty("pid").GetInt32()));
        Assert.Equal(1000, processes[1].GetProperty("parentPid").GetInt32());
        Assert.Equal([1000, 1002], processes[0].GetProperty("threads").EnumerateArray().Select(t => t.GetProperty("tid").GetInt32()));
        Assert.Equal(["runnable", "blocked"], processes[0].GetProperty("threads").EnumerateArray().Select(t => t.GetProperty("state").GetString()));
        // Every thread's retired instructions are part of the meter's units (which also count syscalls' work).
        ulong retired = processes.SelectMany(p => p.GetProperty("threads").EnumerateArray()).Aggregate(0UL, (s, t) => s + t.GetProperty("instructionsRetired").GetUInt64());
        Assert.InRange(retired, 1UL, 3000000UL);
        JsonElement memory = processes[0].GetProperty("memory");
        Assert.Equal(memory.GetProperty("residentPages").GetInt32(),
            memory.GetProperty("mappings").EnumerateArray().Sum(m => m.GetProperty("residentPages").GetInt32()));
        Assert.Contains(processes[0].GetProperty("descriptors").EnumerateArray(),
            d => d.GetProperty("fd").GetInt32() == 3 && d.GetProperty("path").GetString() == "/in/input.txt" && d.GetProperty("access").GetString() == "r");
        Assert.Contains(root.GetProperty("hostInputs").EnumerateArray(), i => i.GetProperty("guestPath").GetString() == "/in/input.txt");

        // Nothing ran: the snapshot resumes as before.
        Assert.Equal(122, X86vm("resume", "--max-instructions", "1000", snap).Status);
    }

    [Fact]
    public void ADamagedOrForeignFileIsOneLine()
    {
        string dir = Path.Combine(GuestRunner.RepoRoot, ".cache", "snapshot-inspect-bad");
        Directory.CreateDirectory(dir);
        string junk = Path.Combine(dir, "junk.snap");
        File.WriteAllText(junk, "not a snapshot");
        Assert.Equal((125, "", $"x86vm: {junk}: not an x86vm snapshot\n"), X86vm("inspect", junk));
        string truncated = Path.Combine(dir, "truncated.snap");
        File.WriteAllBytes(truncated, [.. "x86vm-snapshot\n\0"u8, (byte)X86Vm.Linux.Kernel.SnapshotFormatVersion, 0, 0, 0, .. new byte[200]]);
        Assert.Equal((125, "", $"x86vm: {truncated}: damaged or truncated snapshot (checksum mismatch)\n"), X86vm("inspect", truncated));
        var missing = X86vm("inspect", junk + ".missing");
        Assert.Equal(125, missing.Status);
        Assert.Matches($"^x86vm: {Regex.Escape(junk)}.missing: [^\n]+\n$", missing.Stderr);
    }
}
