using System.Text.RegularExpressions;

namespace X86Vm.Fleet.Tests;

/// <summary>
/// The fleet as its user runs it: two <c>x86vm fleet silo</c> processes on localhost clustering and the client
/// commands. VMs are submitted, listed, moved to the second silo, which is then killed by pid mid-run; every VM is
/// waited for and ends with the output, status and state hash of <c>x86vm run</c>; rm removes one.
/// </summary>
public sealed class FleetCommandTests
{
    [Fact]
    public void SubmitMoveKillWaitAndRemoveThroughTheCommand()
    {
        string store = Directory.CreateTempSubdirectory("x86vm-fleet-cli-").FullName;
        try
        {
            // Four VMs of two runs of about 650 M units each (a few seconds).
            const int count = 4;
            const string rounds = "400";
            var references = Enumerable.Range(0, 2).AsParallel().AsOrdered().WithDegreeOfParallelism(2)
                .Select(seed => FleetPrograms.RunCli((ulong)seed, null, rounds)).ToArray();
            using var first = new FleetProcesses.Silo(store, checkpointUnits: 5_000_000);
            using var second = new FleetProcesses.Silo(store, join: first.SiloPort, checkpointUnits: 5_000_000);
            string connect = first.Gateway;
            var ids = new string[count];
            for (int i = 0; i < count; i++)
            {
                // The same view as FleetPrograms.RunCli: the host root read-only (--root /) and the program at /work.
                var submit = FleetProcesses.Run("submit", "--connect", connect, "--deterministic", "--seed", (i % 2).ToString(), "--root", "/",
                    "--mount", $"{FleetPrograms.Directory}:/work:ro", "--", FleetPrograms.Program, rounds);
                Assert.True(submit.Status == 0, submit.Stderr);
                ids[i] = submit.Stdout.Trim();
                Assert.Matches("^vm-[0-9a-f]{10}$", ids[i]);
                if (i % 2 == 0) Assert.Equal(0, FleetProcesses.Run("stop", "--connect", connect, ids[i]).Status);
            }

            // Half go to the second silo (stopped, so that they are still there when it dies), are resumed there, and the
            // second silo is killed at once, mid-run.
            // A move between silo processes sometimes does not land (docs/fleet.md, "Not done yet"): the VM stays on the
            // first silo, loses nothing, and migrate says so (status 1); then the move is asked again.
            var moves = new int[count];
            for (int i = 0; i < count; i += 2)
            {
                (int Status, string Stdout, string Stderr) move;
                do
                {
                    move = FleetProcesses.Run("migrate", "--connect", connect, ids[i], "--to", second.Name);
                    moves[i]++;
                    Assert.True(move.Status == 0 || move.Stderr.Contains($"was sent to {second.Name} but continues on {first.Name}"), move.Stderr);
                } while (move.Status != 0 && moves[i] < 3);
                Assert.Equal(second.Name, move.Stdout.Trim());
            }
            var ls = FleetProcesses.Run("ls", "--connect", connect);
            Assert.Equal(0, ls.Status);
            for (int i = 0; i < count; i += 2)
                Assert.True(Regex.IsMatch(ls.Stdout, $"^{ids[i]} +{Regex.Escape(second.Name)} +stopped +[0-9]+ ", RegexOptions.Multiline), ls.Stdout);
            for (int i = 0; i < count; i += 2) Assert.Equal(0, FleetProcesses.Run("resume", "--connect", connect, ids[i]).Status);
            second.Kill();

            for (int i = 0; i < count; i++)
            {
                var wait = FleetProcesses.Run("wait", "--connect", connect, ids[i]);
                Assert.Equal(references[i % 2].Status, wait.Status);
                Assert.Equal(references[i % 2].Stdout, wait.Stdout);
                Assert.Contains($"x86vm: state hash {references[i % 2].StateHash}", wait.Stderr);
            }
            ls = FleetProcesses.Run("ls", "--connect", connect);
            for (int i = 0; i < count; i++)
            {
                // The moved ones: their moves, and resumed once from a checkpoint after their silo died. (The others were
                // not moved; placement may have put one on the second silo, so it may have resumed too.)
                string movesAndResumes = i % 2 == 0 ? $"{moves[i]} +1" : "0 +[01]";
                Assert.True(Regex.IsMatch(ls.Stdout, $"^{ids[i]} +- +exited +[0-9]+ {references[i % 2].StateHash} +{movesAndResumes}$", RegexOptions.Multiline),
                    ls.Stdout);
            }

            Assert.Equal(0, FleetProcesses.Run("rm", "--connect", connect, ids[0]).Status);
            Assert.DoesNotContain(ids[0], FleetProcesses.Run("ls", "--connect", connect).Stdout);
            var gone = FleetProcesses.Run("wait", "--connect", connect, ids[0]);
            Assert.Equal(125, gone.Status);
            Assert.Contains($"no VM {ids[0]}", gone.Stderr);
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }
}
