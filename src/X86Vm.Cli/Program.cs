using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using X86Vm;

[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("X86Vm.Tests")]

namespace X86Vm.Cli;

/// <summary>The x86vm command: <c>x86vm run [OPTIONS] [--] PROGRAM [ARGS…]</c>.</summary>
static partial class Program
{
    static readonly Option<bool> StraceOption = new("--strace") { Description = "Print each syscall to stderr in strace(1) style" };
    static readonly Option<bool> StatsOption = new("--stats") { Description = "Print instructions retired and speed to stderr at exit" };
    static readonly Option<string?> RootOption = new("--root") { Description = "A host directory to be the guest's root (read-only) instead of the host root" };
    static readonly Option<string[]> MountOption = new("--mount")
    {
        Description = "Mount a host directory: HOST:GUEST[:ro|:rw|:cow] (default rw; cow keeps writes in the VM). Repeatable",
        Arity = ArgumentArity.OneOrMore,
    };
    static readonly Option<string[]> TmpfsOption = new("--tmpfs") { Description = "Mount an empty in-memory file system at GUEST. Repeatable", Arity = ArgumentArity.OneOrMore };
    static readonly Option<string?> WorkdirOption = new("--workdir") { Description = "The guest's starting directory (default: the current directory, or / with --root)" };

    /// <summary>x86vm options that take a value (so the value is not taken for the program).</summary>
    static readonly Option<string[]> EnvOption = new("--env") { Description = "Set K=V in the guest environment. Repeatable", Arity = ArgumentArity.OneOrMore };
    static readonly Option<string[]> UnsetEnvOption = new("--unset-env") { Description = "Remove K from the guest environment. Repeatable", Arity = ArgumentArity.OneOrMore };
    static readonly Option<bool> ClearEnvOption = new("--clear-env") { Description = "Start the guest with an empty environment (then apply --env)" };
    static readonly Option<NetworkMode> NetOption = new("--net")
    {
        Description = "The guest's network: private (default: its own loopback network inside the VM) or host (inet sockets use the host's network)",
        CustomParser = r => Enum.TryParse(r.Tokens.Single().Value, ignoreCase: true, out NetworkMode m) ? m : ReportBadNet(r),
        DefaultValueFactory = _ => NetworkMode.Private,
    };
    static readonly Option<string> JitOption = new("--jit")
    {
        Description = "Compile hot guest code: on (default) or off (interpret everything; results are identical)",
        DefaultValueFactory = _ => "on",
    };
    static readonly Option<X86Vm.Cpu.Instructions.CpuLevel> CpuOption = new("--cpu")
    {
        HelpName = "baseline|v2|v3|max",
        Description = "The instruction-set level the guest's CPU offers: baseline (x86-64), v2 (x86-64-v2), v3 (x86-64-v3, the default: AVX, AVX2, FMA, F16C, BMI1, BMI2, LZCNT, MOVBE, XSAVE) or max (v3 plus ADX; docs/isa.md)",
        CustomParser = r => X86Vm.Cpu.Instructions.CpuLevels.Parse(r.Tokens.Single().Value, out string? error) is { } level ? level : ReportBadCpu(r, error!),
        DefaultValueFactory = _ => X86Vm.Cpu.Instructions.CpuLevels.Default,
    };
    static X86Vm.Cpu.Instructions.CpuLevel ReportBadCpu(System.CommandLine.Parsing.ArgumentResult r, string error)
    {
        r.AddError(error);
        return default;
    }
    static readonly Option<int> JitThresholdOption = new("--jit-threshold")
    {
        Description = "Interpreted runs of a block before it is compiled",
        DefaultValueFactory = _ => new VirtualMachineOptions { Program = "" }.JitThreshold,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--jit-threshold: expected a number of at least 1"); } },
    };
    static NetworkMode ReportBadNet(System.CommandLine.Parsing.ArgumentResult r)
    {
        r.AddError($"--net {r.Tokens.Single().Value}: expected 'private' or 'host'");
        return NetworkMode.Private;
    }
    static readonly Option<string?> GdbOption = new("--gdb")
    {
        Description = "Wait for gdb before the first instruction, listening on PORT, HOST:PORT or a Unix socket PATH (see docs/gdb.md)",
    };
    static readonly Option<string?> MaxMemoryOption = new("--max-memory")
    {
        Description = "Most guest memory (pages of all processes plus tmpfs data), e.g. 512M or 4G; a page fault past it kills the " +
            "process (status 137). Default: 4G, or half the host's memory if less",
    };
    static readonly Option<string?> MaxTmpfsOption = new("--max-tmpfs")
    {
        Description = "Most in-memory file data (tmpfs, /dev/shm, memfd, cow overlays) before writes fail with ENOSPC. Default: half of --max-memory",
    };
    static readonly Option<string?> MaxProcessesOption = new("--max-processes")
    {
        Description = "Most processes and threads together; fork and clone fail with EAGAIN beyond. Default: 4096",
    };
    static readonly Option<string?> MaxOpenFilesOption = new("--max-open-files")
    {
        Description = "RLIMIT_NOFILE (soft and hard, and the most the guest may raise it to); open, dup, socket fail with EMFILE beyond. " +
            "Default: 1024 soft, 4096 hard",
    };
    static readonly Option<string?> MaxTimeOption = new("--max-time")
    {
        Description = "Wall-clock SECONDS the VM may run; then it stops, reports and exits with status 124. Default: no limit",
    };
    static readonly Option<bool> DeterministicOption = new("--deterministic")
    {
        Description = "Run deterministically: virtual time, seeded entropy, fixed identity, host inputs presented reproducibly, an empty " +
            "environment unless --env (docs/determinism.md)",
    };
    static readonly Option<string?> SeedOption = new("--seed") { Description = "The entropy seed of --deterministic (a number; default 0)" };
    static readonly Option<string?> MaxInstructionsOption = new("--max-instructions")
    {
        Description = "Stop after exactly N instructions across all threads and processes, report \"out of budget\" and exit with " +
            "status 122 (docs/metering.md)",
    };
    static readonly Option<bool> StateHashOption = new("--state-hash")
    {
        Description = "Print the VM's state hash (64 hex digits, docs/state-hash.md) on stderr when it stops",
    };
    static readonly string[] ValueOptions = ["--seed", "--max-instructions", "--snapshot", "--snapshot-at", "--root", "--mount", "--tmpfs", "--workdir", "--env", "--unset-env", "--net", "--gdb", "--jit", "--jit-threshold", "--cpu",
        "--max-memory", "--max-tmpfs", "--max-processes", "--max-open-files", "--max-time"];

    static int Main(string[] args)
    {
        var program = new Argument<string>("program") { Description = "The x86-64 Linux program to run (a path in the guest's view)" };
        var programArgs = new Argument<string[]>("args") { Arity = ArgumentArity.ZeroOrMore, Description = "Arguments for the program" };
        var run = new Command("run", "Run an x86-64 Linux program in a virtual machine");
        run.Options.Add(StraceOption);
        run.Options.Add(StatsOption);
        run.Options.Add(RootOption);
        run.Options.Add(MountOption);
        run.Options.Add(TmpfsOption);
        run.Options.Add(WorkdirOption);
        run.Options.Add(EnvOption);
        run.Options.Add(UnsetEnvOption);
        run.Options.Add(ClearEnvOption);
        run.Options.Add(NetOption);
        run.Options.Add(GdbOption);
        JitOption.AcceptOnlyFromAmong("on", "off");
        run.Options.Add(JitOption);
        run.Options.Add(JitThresholdOption);
        run.Options.Add(CpuOption);
        run.Options.Add(MaxMemoryOption);
        run.Options.Add(MaxTmpfsOption);
        run.Options.Add(MaxProcessesOption);
        run.Options.Add(MaxOpenFilesOption);
        run.Options.Add(MaxTimeOption);
        run.Options.Add(DeterministicOption);
        run.Options.Add(SeedOption);
        run.Options.Add(MaxInstructionsOption);
        run.Options.Add(StateHashOption);
        run.Options.Add(SnapshotOption);
        run.Options.Add(SnapshotAtOption);
        run.Arguments.Add(program);
        run.Arguments.Add(programArgs);
        run.SetAction(parse =>
        {
            var view = BuildView(parse.GetValue(RootOption), parse.GetValue(MountOption) ?? [], parse.GetValue(TmpfsOption) ?? [],
                parse.GetValue(WorkdirOption), Directory.GetCurrentDirectory(), out string? error);
            if (view == null)
            {
                Console.Error.WriteLine($"x86vm: {error}");
                return 125;
            }
            var host = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .Select(e => $"{e.Key}={e.Value}");
            // The environment is an input like the files: a deterministic run starts from an empty one (add with --env), so
            // that it does not differ between hosts, users and shells.
            bool clearEnv = parse.GetValue(ClearEnvOption) || parse.GetValue(DeterministicOption);
            var env = BuildEnvironment(host, clearEnv, parse.GetValue(UnsetEnvOption) ?? [], parse.GetValue(EnvOption) ?? [], out error);
            if (env == null)
            {
                Console.Error.WriteLine($"x86vm: {error}");
                return 125;
            }
            var limits = ParseLimits(parse.GetValue(MaxMemoryOption), parse.GetValue(MaxTmpfsOption), parse.GetValue(MaxProcessesOption),
                parse.GetValue(MaxOpenFilesOption), parse.GetValue(MaxTimeOption), out error);
            if (limits == null)
            {
                Console.Error.WriteLine($"x86vm: {error}");
                return 125;
            }
            var verifiable = ParseVerifiable(parse.GetValue(DeterministicOption), parse.GetValue(SeedOption), parse.GetValue(MaxInstructionsOption),
                parse.GetValue(StateHashOption), out error);
            if (verifiable == null)
            {
                Console.Error.WriteLine($"x86vm: {error}");
                return 125;
            }
            if (verifiable.Value.Deterministic && parse.GetValue(NetOption) == NetworkMode.Host)
            {
                Console.Error.WriteLine("x86vm: --net host cannot be deterministic: the host network's timing and data are outside the VM");
                return 125;
            }
            var snapshot = ParseSnapshot(parse.GetValue(SnapshotOption), parse.GetValue(SnapshotAtOption), verifiable.Value, out error);
            if (snapshot == null)
            {
                Console.Error.WriteLine($"x86vm: {error}");
                return 125;
            }
            verifiable = snapshot.Value.Verifiable;
            return Run(parse.GetValue(program)!, parse.GetValue(programArgs) ?? [], parse.GetValue(StraceOption), parse.GetValue(StatsOption), view.Value, env,
                parse.GetValue(NetOption), parse.GetValue(GdbOption), parse.GetValue(JitOption) != "off", parse.GetValue(JitThresholdOption), parse.GetValue(CpuOption), limits.Value,
                verifiable.Value, snapshot.Value.File);
        });
        var root = new RootCommand("x86vm: a sandboxed, deterministic x86-64 virtual machine for Linux programs") { run, ResumeCommand(), InspectCommand(), FleetCommand() };
        return root.Parse(SeparateGuestArguments(args)).Invoke();
    }

    /// <summary>
    /// Options belong to x86vm only before the program: insert "--" before the first non-option token after
    /// "run", so that the guest's own arguments (like "-c") are never parsed as x86vm options.
    /// </summary>
    internal static string[] SeparateGuestArguments(string[] args)
    {
        if (args.Length == 0 || args[0] != "run") return args; // resume takes no guest arguments
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i] == "--") return args;
            if (ValueOptions.Contains(args[i])) { i++; continue; } // its value follows
            if (!args[i].StartsWith('-') || args[i] == "-") return [.. args[..i], "--", .. args[i..]];
        }
        return args;
    }

    /// <summary>
    /// The guest's file view from the command line: the root (the host root, or --root, read-only), a private
    /// tmpfs at /tmp, the current directory read-write when the root is the host's, then each --mount and
    /// --tmpfs in order. Returns null with a one-line error when an option is malformed.
    /// </summary>
    internal static (IReadOnlyList<MountSpec> Mounts, string WorkingDirectory)? BuildView(string? root, string[] mounts, string[] tmpfs,
        string? workdir, string hostCwd, out string? error)
    {
        error = null;
        var list = new List<MountSpec>();
        if (root == null)
        {
            list.AddRange(MountSpec.DefaultView(hostCwd));
        }
        else
        {
            string full = Path.GetFullPath(root);
            if (!Directory.Exists(full)) { error = $"--root {root}: No such directory"; return null; }
            list.Add(new MountSpec(full, "/", MountKind.ReadOnly));
            list.Add(MountSpec.Tmpfs("/tmp"));
        }
        foreach (string m in mounts)
        {
            MountSpec? spec = MountSpec.Parse(m, out error);
            if (spec == null) return null;
            if (!Directory.Exists(spec.HostPath)) { error = $"--mount {m}: No such directory {spec.HostPath}"; return null; }
            list.Add(spec);
        }
        foreach (string t in tmpfs)
        {
            if (!t.StartsWith('/')) { error = $"--tmpfs {t}: the guest path must be absolute"; return null; }
            list.Add(MountSpec.Tmpfs(t));
        }
        if (workdir != null && !workdir.StartsWith('/')) { error = $"--workdir {workdir}: the guest path must be absolute"; return null; }
        return (list, workdir ?? (root == null ? hostCwd : "/"));
    }

    /// <summary>
    /// The guest environment: the host's (sorted, so runs are reproducible) unless --clear-env, minus each
    /// --unset-env, plus each --env K=V in order. Null with a one-line error for a malformed --env.
    /// </summary>
    internal static List<string>? BuildEnvironment(IEnumerable<string> host, bool clear, string[] unset, string[] set, out string? error)
    {
        error = null;
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!clear)
            foreach (string kv in host)
            {
                int eq = kv.IndexOf('=');
                if (eq > 0) env[kv[..eq]] = kv[(eq + 1)..];
            }
        foreach (string key in unset) env.Remove(key);
        foreach (string kv in set)
        {
            int eq = kv.IndexOf('=');
            if (eq <= 0) { error = $"--env {kv}: expected K=V"; return null; }
            env[kv[..eq]] = kv[(eq + 1)..];
        }
        return env.Select(e => $"{e.Key}={e.Value}").ToList();
    }

    /// <summary>The resource limits as the command line gives them; null (unset) means the VM's default.</summary>
    internal readonly record struct Limits(long? Memory, long? Tmpfs, int? Processes, int? OpenFiles, TimeSpan? Time);

    /// <summary>
    /// --max-memory and --max-tmpfs take sizes (512M, 4G, 65536), --max-processes and --max-open-files positive counts,
    /// --max-time seconds (fractions allowed). Null with a one-line error when one is malformed.
    /// </summary>
    internal static Limits? ParseLimits(string? memory, string? tmpfs, string? processes, string? openFiles, string? time, out string? error)
    {
        string? problem = null;
        long? Size(string name, string? text, long minimum)
        {
            if (text == null || problem != null) return null;
            long? n = X86Vm.Linux.ByteSize.Parse(text);
            if (n == null || n < minimum) problem = $"{name} {text}: expected a size such as 512M or 4G" + (minimum > 0 ? " (at least 4K)" : "");
            return n;
        }
        int? Count(string name, string? text, int maximum)
        {
            if (text == null || problem != null) return null;
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= maximum) return n;
            problem = $"{name} {text}: expected a whole number from 1 to {maximum}";
            return null;
        }
        var limits = new Limits(Size("--max-memory", memory, 4096), Size("--max-tmpfs", tmpfs, 0),
            Count("--max-processes", processes, 1 << 22), Count("--max-open-files", openFiles, 1 << 20), null);
        if (time != null && problem == null)
        {
            if (double.TryParse(time, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds) &&
                seconds > 0 && seconds <= int.MaxValue / 1000)
                limits = limits with { Time = TimeSpan.FromSeconds(seconds) };
            else problem = $"--max-time {time}: expected a positive number of seconds";
        }
        error = problem;
        return problem == null ? limits : null;
    }

    /// <summary>The verifiable-VM options: --deterministic, --seed, --max-instructions.</summary>
    internal readonly record struct Verifiable(bool Deterministic, ulong Seed, ulong? MaxInstructions, bool StateHash);

    internal static Verifiable? ParseVerifiable(bool deterministic, string? seed, string? maxInstructions, bool stateHash, out string? error)
    {
        error = null;
        ulong s = 0;
        if (seed != null && !ulong.TryParse(seed, NumberStyles.None, CultureInfo.InvariantCulture, out s))
            error = $"--seed {seed}: expected a whole number from 0 to {ulong.MaxValue}";
        else if (seed != null && !deterministic)
            error = "--seed only applies with --deterministic";
        ulong? budget = null;
        if (error == null && maxInstructions != null)
        {
            if (ulong.TryParse(maxInstructions, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) && n >= 1) budget = n;
            else error = $"--max-instructions {maxInstructions}: expected a whole number of at least 1";
        }
        return error == null ? new Verifiable(deterministic, s, budget, stateHash) : null;
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void HostExit(int status);

    /// <summary>How long after --max-time a VM stuck in a host call (a blocked write to a full pipe, a terminal read) is ended anyway.</summary>
    static readonly TimeSpan TimeLimitGrace = TimeSpan.FromSeconds(1);

    static int Run(string program, string[] args, bool strace, bool stats, (IReadOnlyList<MountSpec> Mounts, string WorkingDirectory) view,
        List<string> env, NetworkMode network, string? gdb, bool jit, int jitThreshold, X86Vm.Cpu.Instructions.CpuLevel cpu, Limits limits,
        Verifiable verifiable, string? snapshot)
    {
        Stream stderr = Console.OpenStandardError();
        var diagnostics = new StreamWriter(stderr) { AutoFlush = true };
        try
        {
            bool anyTerminal = !Console.IsOutputRedirected || !Console.IsErrorRedirected;
            var vm = new VirtualMachine(new VirtualMachineOptions
            {
                Program = program,
                Arguments = args,
                Environment = env,
                Mounts = view.Mounts,
                WorkingDirectory = view.WorkingDirectory,
                Stdin = Console.OpenStandardInput(),
                Stdout = Console.OpenStandardOutput(),
                Stderr = stderr,
                StdinIsTerminal = !Console.IsInputRedirected,
                StdoutIsTerminal = !Console.IsOutputRedirected,
                StderrIsTerminal = !Console.IsErrorRedirected,
                TerminalSize = anyTerminal ? TerminalSize() : ((ushort)24, (ushort)80),
                Strace = strace ? diagnostics : null,
                Diagnostics = diagnostics,
                Network = network,
                Gdb = gdb,
                Jit = jit,
                JitThreshold = jitThreshold,
                Cpu = cpu,
                MaxMemory = limits.Memory,
                MaxTmpfs = limits.Tmpfs,
                MaxProcesses = limits.Processes ?? X86Vm.Linux.KernelOptions.DefaultMaxTasks,
                MaxOpenFiles = limits.OpenFiles,
                MaxTime = limits.Time,
                Deterministic = verifiable.Deterministic,
                Seed = verifiable.Seed,
                MaxInstructions = verifiable.MaxInstructions,
            });
            // The VM checks its time limit at scheduling points; a host call that never returns (writing to a pipe nobody
            // reads, reading a terminal) would hold it there, so the command ends itself a little later.
            using var watchdog = limits.Time is TimeSpan limit
                ? new Timer(_ =>
                {
                    // Straight to descriptor 2: the console streams share a lock the stuck write holds. And not
                    // Environment.Exit, whose shutdown would wait for that call too; the VM has nothing left to finish.
                    if (!vm.TimeLimitReached)
                    {
                        using var raw = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(2, ownsHandle: false), FileAccess.Write, 1);
                        raw.Write(System.Text.Encoding.UTF8.GetBytes(
                            $"x86vm: time limit of {limit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s reached\n"));
                    }
                    HostExit(X86Vm.Linux.Kernel.TimeLimitStatus);
                }, null, limit + TimeLimitGrace, Timeout.InfiniteTimeSpan)
                : null;
            return Finish(vm, diagnostics, stats, verifiable.StateHash, snapshot);
        }
        catch (VirtualMachineStartException e)
        {
            diagnostics.WriteLine($"x86vm: {e.Message}");
            return e.ExitCode;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("X86VM_DEBUG") == null)
        {
            diagnostics.WriteLine($"x86vm: internal error: {e.GetType().Name}: {e.Message} (set X86VM_DEBUG=1 for details)");
            return 70;
        }
    }

    static (ushort, ushort) TerminalSize()
    {
        try { return ((ushort)Console.WindowHeight, (ushort)Console.WindowWidth); }
        catch (IOException) { return (24, 80); }
    }
}
