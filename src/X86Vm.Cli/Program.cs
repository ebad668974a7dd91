using System.CommandLine;
using System.Diagnostics;
using X86Vm;

[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("X86Vm.Tests")]

namespace X86Vm.Cli;

/// <summary>The x86vm command: <c>x86vm run [OPTIONS] [--] PROGRAM [ARGS…]</c>.</summary>
static class Program
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
    static NetworkMode ReportBadNet(System.CommandLine.Parsing.ArgumentResult r)
    {
        r.AddError($"--net {r.Tokens.Single().Value}: expected 'private' or 'host'");
        return NetworkMode.Private;
    }
    static readonly Option<string?> GdbOption = new("--gdb")
    {
        Description = "Wait for gdb before the first instruction, listening on PORT, HOST:PORT or a Unix socket PATH (see docs/gdb.md)",
    };
    static readonly string[] ValueOptions = ["--root", "--mount", "--tmpfs", "--workdir", "--env", "--unset-env", "--net", "--gdb", "--jit"];

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
            var env = BuildEnvironment(host, parse.GetValue(ClearEnvOption), parse.GetValue(UnsetEnvOption) ?? [], parse.GetValue(EnvOption) ?? [], out error);
            if (env == null)
            {
                Console.Error.WriteLine($"x86vm: {error}");
                return 125;
            }
            return Run(parse.GetValue(program)!, parse.GetValue(programArgs) ?? [], parse.GetValue(StraceOption), parse.GetValue(StatsOption), view.Value, env,
                parse.GetValue(NetOption), parse.GetValue(GdbOption), parse.GetValue(JitOption) != "off");
        });
        var root = new RootCommand("x86vm: a sandboxed, deterministic x86-64 virtual machine for Linux programs") { run };
        return root.Parse(SeparateGuestArguments(args)).Invoke();
    }

    /// <summary>
    /// Options belong to x86vm only before the program: insert "--" before the first non-option token after
    /// "run", so that the guest's own arguments (like "-c") are never parsed as x86vm options.
    /// </summary>
    internal static string[] SeparateGuestArguments(string[] args)
    {
        if (args.Length == 0 || args[0] != "run") return args;
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

    static int Run(string program, string[] args, bool strace, bool stats, (IReadOnlyList<MountSpec> Mounts, string WorkingDirectory) view,
        List<string> env, NetworkMode network, string? gdb, bool jit)
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
            });
            var clock = Stopwatch.StartNew();
            int status = vm.Run();
            if (stats)
            {
                double seconds = clock.Elapsed.TotalSeconds;
                diagnostics.WriteLine($"x86vm: {vm.InstructionsRetired} instructions in {seconds:F3} s ({vm.InstructionsRetired / seconds / 1e6:F1} MIPS)");
            }
            return status;
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
