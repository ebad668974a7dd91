using System.CommandLine;
using System.Globalization;
using X86Vm.Fleet;

namespace X86Vm.Cli;

// The fleet on the command line (docs/fleet.md): `x86vm fleet silo` runs a silo; submit, ls, migrate, wait, stop, resume
// and rm talk to a fleet through its gateway. Orleans is loaded only when a fleet command runs, never for `run`.
static partial class Program
{
    static readonly Option<string?> ConnectOption = new("--connect")
    {
        Description = $"The fleet's gateway HOST:PORT (default: ${FleetClient.ConnectVariable}, else {FleetClient.DefaultGateway})",
    };

    static Command FleetCommand()
    {
        var fleet = new Command("fleet", "VMs as Orleans grains across machines: run a silo, submit VMs, list, move, wait for and remove them (docs/fleet.md)");
        fleet.Subcommands.Add(FleetSiloCommand());
        fleet.Subcommands.Add(FleetSubmitCommand());
        fleet.Subcommands.Add(FleetClientCommand("ls", "List the fleet's VMs: id, silo, status, instructions, state hash", null, async (client, _, _) =>
        {
            Console.WriteLine($"{"ID",-14} {"SILO",-21} {"STATUS",-12} {"INSTRUCTIONS",14} {"HASH",-64} MOVES RESUMES");
            foreach (VmStatus vm in await client.Fleet.List())
                Console.WriteLine($"{vm.Id,-14} {vm.Silo ?? "-",-21} {vm.Phase.ToString().ToLowerInvariant(),-12} {vm.Instructions,14} " +
                    $"{vm.StateHash ?? "-",-64} {vm.Moves,5} {vm.Resumes,7}");
            return 0;
        }));
        var to = new Option<string?>("--to") { Description = "The silo to move to (HOST:PORT, as fleet ls shows; default: another silo)" };
        fleet.Subcommands.Add(FleetClientCommand("migrate", "Move a running VM to another silo: it stops at a slice boundary and continues there", to,
            async (client, id, parse) =>
            {
                var vm = client.Vm(id!);
                string? from = (await vm.StatusAsync())?.Silo;
                string target = await vm.Migrate(parse.GetValue(to));
                // The move completes after the call: report where the VM is active again (a move that cannot land falls
                // back to its checkpoint on a silo Orleans picks). The pause first: a status call racing Orleans' migration
                // seems to make the VM continue on the silo it left (docs/fleet.md, "Not done yet").
                await Task.Delay(1000);
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
                VmStatus? status;
                while ((status = await vm.StatusAsync()) is { Ended: false } && (status.Silo == null || status.Silo == from) && DateTime.UtcNow < deadline)
                    await Task.Delay(50);
                string landed = status?.Silo ?? target;
                Console.WriteLine(landed);
                if (landed == target) return 0;
                Console.Error.WriteLine($"x86vm: {id} was sent to {target} but continues on {landed}");
                return 1;
            }));
        fleet.Subcommands.Add(FleetClientCommand("wait", "Wait for a VM to end: print its output, its state hash on stderr, and exit with its status", null, WaitForVm));
        fleet.Subcommands.Add(FleetClientCommand("stop", "Stop a VM at its next slice boundary (fleet resume continues it)", null, async (client, id, _) =>
        {
            await client.Vm(id!).Stop();
            return 0;
        }));
        fleet.Subcommands.Add(FleetClientCommand("resume", "Continue a stopped VM", null, async (client, id, _) =>
        {
            await client.Vm(id!).Resume();
            return 0;
        }));
        fleet.Subcommands.Add(FleetClientCommand("rm", "End a VM and remove it and its checkpoints", null, async (client, id, _) =>
        {
            await client.Vm(id!).Delete();
            return 0;
        }));
        return fleet;
    }

    static Command FleetSiloCommand()
    {
        var cluster = new Option<string?>("--cluster")
        {
            Description = "postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE: membership and store in PostgreSQL (an empty database gets its tables); default: a localhost fleet",
        };
        var address = new Option<string>("--address")
        {
            Description = "With --cluster: the address other silos and clients reach this silo at",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var port = new Option<int>("--port") { Description = "The silo-to-silo port", DefaultValueFactory = _ => 11111 };
        var gateway = new Option<int>("--gateway") { Description = "The port clients connect to", DefaultValueFactory = _ => 30000 };
        var join = new Option<int?>("--join") { Description = "Join the fleet whose first silo has this silo port on this machine (default: be the first)" };
        var store = new Option<string?>("--store")
        {
            Description = "The store directory for records and checkpoints, shared by the fleet's silos (default: ~/.local/share/x86vm/fleet, or the --cluster database)",
        };
        var http = new Option<int?>("--http") { Description = "Serve the status page on 127.0.0.1:PORT (0: any free port)" };
        var slice = new Option<ulong>("--slice") { Description = "Units per slice", DefaultValueFactory = _ => new FleetOptions().SliceUnits };
        var checkpoint = new Option<ulong>("--checkpoint-every")
        {
            Description = "Checkpoint a running VM after this many units (0: only when it moves)",
            DefaultValueFactory = _ => new FleetOptions().CheckpointUnits,
        };
        var silo = new Command("silo", "Run a fleet silo until SIGINT/SIGTERM (a clean stop hands its VMs on to the other silos)")
        {
            cluster, address, port, gateway, join, store, http, slice, checkpoint,
        };
        silo.SetAction(async (parse, cancel) =>
        {
            if (parse.GetValue(cluster) != null && parse.GetValue(join) != null) return Fail("--join is for a localhost fleet; with --cluster silos find each other in the database");
            if (!System.Net.IPAddress.TryParse(parse.GetValue(address), out _)) return Fail($"--address {parse.GetValue(address)}: expected an IP address");
            var settings = new SiloSettings
            {
                Cluster = parse.GetValue(cluster),
                Address = parse.GetValue(address)!,
                SiloPort = parse.GetValue(port),
                GatewayPort = parse.GetValue(gateway),
                JoinPort = parse.GetValue(join),
                StoreDirectory = parse.GetValue(store) is string dir ? Path.GetFullPath(dir) : null,
                HttpPort = parse.GetValue(http),
                Fleet = new FleetOptions { SliceUnits = Math.Max(1, parse.GetValue(slice)), CheckpointUnits = parse.GetValue(checkpoint) },
            };
            try { await FleetHost.RunSiloAsync(settings, Console.Error, cancel); }
            catch (Exception e) when (e is ArgumentException or Npgsql.NpgsqlException)
            {
                return Fail(e.Message);
            }
            return 0;
        });
        return silo;
    }

    static Command FleetSubmitCommand()
    {
        var budget = new Option<string?>("--budget") { Description = "The most units the VM may consume; then it ends out of budget (status 122)" };
        var program = new Argument<string>("program") { Description = "The x86-64 Linux program (a path in the guest's view, on the silos' machines)" };
        var programArgs = new Argument<string[]>("args") { Arity = ArgumentArity.ZeroOrMore, Description = "Arguments for the program" };
        var submit = new Command("submit", "Create a VM in the fleet and print its id: x86vm fleet submit [OPTIONS] -- PROGRAM ARGS…")
        {
            ConnectOption, DeterministicOption, SeedOption, budget, RootOption, MountOption, TmpfsOption, WorkdirOption, EnvOption, UnsetEnvOption,
            ClearEnvOption, MaxMemoryOption, MaxTmpfsOption, MaxProcessesOption, MaxOpenFilesOption, program, programArgs,
        };
        submit.SetAction(async (parse, cancel) =>
        {
            // The same view, environment and limits as `x86vm run` builds, so a fleet VM computes what run computes.
            var view = BuildView(parse.GetValue(RootOption), parse.GetValue(MountOption) ?? [], parse.GetValue(TmpfsOption) ?? [],
                parse.GetValue(WorkdirOption), Directory.GetCurrentDirectory(), out string? error);
            if (view == null) return Fail(error!);
            bool deterministic = parse.GetValue(DeterministicOption);
            var host = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().Select(e => $"{e.Key}={e.Value}");
            var env = BuildEnvironment(host, parse.GetValue(ClearEnvOption) || deterministic, parse.GetValue(UnsetEnvOption) ?? [],
                parse.GetValue(EnvOption) ?? [], out error);
            if (env == null) return Fail(error!);
            var limits = ParseLimits(parse.GetValue(MaxMemoryOption), parse.GetValue(MaxTmpfsOption), parse.GetValue(MaxProcessesOption),
                parse.GetValue(MaxOpenFilesOption), null, out error);
            if (limits == null) return Fail(error!);
            var verifiable = ParseVerifiable(deterministic, parse.GetValue(SeedOption), parse.GetValue(budget), false, out error);
            if (verifiable == null) return Fail(error!.Replace("--max-instructions", "--budget"));
            var spec = new VmSpec
            {
                Program = parse.GetValue(program)!,
                Arguments = parse.GetValue(programArgs) ?? [],
                Environment = env,
                Mounts = view.Value.Mounts.Select(m => new VmMount(m.HostPath, m.GuestPath, m.Kind)).ToList(),
                WorkingDirectory = view.Value.WorkingDirectory,
                Deterministic = deterministic,
                Seed = verifiable.Value.Seed,
                Budget = verifiable.Value.MaxInstructions,
                MaxMemory = limits.Value.Memory,
                MaxTmpfs = limits.Value.Tmpfs,
                MaxProcesses = limits.Value.Processes,
                MaxOpenFiles = limits.Value.OpenFiles,
            };
            return await WithFleet(parse.GetValue(ConnectOption), cancel, async client =>
            {
                Console.WriteLine(await client.Fleet.Submit(spec));
                return 0;
            });
        });
        return submit;
    }

    /// <summary>A fleet command that connects, takes a VM id when <paramref name="action"/> needs one, and returns a status.</summary>
    static Command FleetClientCommand(string name, string description, Option? extra, Func<FleetClient, string?, ParseResult, Task<int>> action)
    {
        var command = new Command(name, description) { ConnectOption };
        if (extra != null) command.Options.Add(extra);
        Argument<string>? id = name == "ls" ? null : new Argument<string>("id") { Description = "The VM's id (as fleet submit printed it)" };
        if (id != null) command.Arguments.Add(id);
        command.SetAction((parse, cancel) =>
            WithFleet(parse.GetValue(ConnectOption), cancel, client => action(client, id != null ? parse.GetValue(id) : null, parse)));
        return command;
    }

    /// <summary>Connects to the fleet and runs <paramref name="action"/>; a fleet that cannot be reached or refuses is one line, status 125.</summary>
    static async Task<int> WithFleet(string? connect, CancellationToken cancel, Func<FleetClient, Task<int>> action)
    {
        string gateway = connect ?? (Environment.GetEnvironmentVariable(FleetClient.ConnectVariable) is { Length: > 0 } variable
            ? variable : FleetClient.DefaultGateway);
        FleetClient client;
        try { client = await FleetClient.ConnectAsync(gateway, cancel); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Fail($"cannot reach the fleet at {gateway}: {e.Message}");
        }
        await using (client)
        {
            try { return await action(client); }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or TimeoutException)
            {
                return Fail(e.Message);
            }
        }
    }

    /// <summary>`fleet wait`: polls until the VM ends, then writes its output and ends as `x86vm run --state-hash` would.</summary>
    static async Task<int> WaitForVm(FleetClient client, string? id, ParseResult parse)
    {
        VmStatus? status;
        while (true)
        {
            try { status = await client.Vm(id!).StatusAsync(); }
            catch (Exception e) when (e is not (InvalidOperationException or ArgumentException))
            {
                await Task.Delay(200); // its silo was lost and it is being resumed elsewhere
                continue;
            }
            if (status == null) return Fail($"no VM {id}");
            if (status.Ended) break;
            await Task.Delay(100);
        }
        VmOutput output = await client.Vm(id!).GetOutput();
        using (Stream stdout = Console.OpenStandardOutput()) stdout.Write(output.Stdout);
        using Stream stderr = Console.OpenStandardError();
        stderr.Write(output.Stderr);
        stderr.Flush();
        if (status.Phase == VmPhase.OutOfBudget)
            Console.Error.WriteLine($"x86vm: out of budget: {status.Instructions.ToString(CultureInfo.InvariantCulture)} instructions executed");
        if (status.Phase == VmPhase.Failed) Console.Error.WriteLine($"x86vm: {status.Error}");
        if (status.StateHash != null) Console.Error.WriteLine($"x86vm: state hash {status.StateHash}");
        return status.ShellStatus;
    }
}
