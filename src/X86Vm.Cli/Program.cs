using System.CommandLine;
using System.Diagnostics;
using X86Vm;

namespace X86Vm.Cli;

/// <summary>The x86vm command: <c>x86vm run [OPTIONS] [--] PROGRAM [ARGS…]</c>.</summary>
static class Program
{
    static readonly Option<bool> StraceOption = new("--strace") { Description = "Print each syscall to stderr in strace(1) style" };
    static readonly Option<bool> StatsOption = new("--stats") { Description = "Print instructions retired and speed to stderr at exit" };

    static int Main(string[] args)
    {
        var program = new Argument<string>("program") { Description = "The x86-64 Linux program to run (a path in the guest's view)" };
        var programArgs = new Argument<string[]>("args") { Arity = ArgumentArity.ZeroOrMore, Description = "Arguments for the program" };
        var run = new Command("run", "Run an x86-64 Linux program in a virtual machine");
        run.Options.Add(StraceOption);
        run.Options.Add(StatsOption);
        run.Arguments.Add(program);
        run.Arguments.Add(programArgs);
        run.SetAction(parse => Run(parse.GetValue(program)!, parse.GetValue(programArgs) ?? [], parse.GetValue(StraceOption), parse.GetValue(StatsOption)));
        var root = new RootCommand("x86vm: a sandboxed, deterministic x86-64 virtual machine for Linux programs") { run };
        return root.Parse(SeparateGuestArguments(args)).Invoke();
    }

    /// <summary>
    /// Options belong to x86vm only before the program: insert "--" before the first non-option token after
    /// "run", so that the guest's own arguments (like "-c") are never parsed as x86vm options.
    /// </summary>
    static string[] SeparateGuestArguments(string[] args)
    {
        if (args.Length == 0 || args[0] != "run") return args;
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i] == "--") return args;
            if (!args[i].StartsWith('-') || args[i] == "-") return [.. args[..i], "--", .. args[i..]];
        }
        return args;
    }

    static int Run(string program, string[] args, bool strace, bool stats)
    {
        Stream stderr = Console.OpenStandardError();
        var diagnostics = new StreamWriter(stderr) { AutoFlush = true };
        try
        {
            var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .Select(e => $"{e.Key}={e.Value}").Order(StringComparer.Ordinal).ToList();
            bool anyTerminal = !Console.IsOutputRedirected || !Console.IsErrorRedirected;
            var vm = new VirtualMachine(new VirtualMachineOptions
            {
                Program = program,
                Arguments = args,
                Environment = env,
                Stdin = Console.OpenStandardInput(),
                Stdout = Console.OpenStandardOutput(),
                Stderr = stderr,
                StdinIsTerminal = !Console.IsInputRedirected,
                StdoutIsTerminal = !Console.IsOutputRedirected,
                StderrIsTerminal = !Console.IsErrorRedirected,
                TerminalSize = anyTerminal ? TerminalSize() : ((ushort)24, (ushort)80),
                Strace = strace ? diagnostics : null,
                Diagnostics = diagnostics,
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
