using System.Diagnostics;

namespace X86Vm.Tests.Shared;

/// <summary>
/// Runs the x86vm command built beside the test assembly (<c>X86Vm.Cli.dll</c>) in its own process, with stdin closed,
/// and returns its status and output. Shared by the test projects (linked into each).
/// </summary>
static class CliProcess
{
    public static (int Status, string Stdout, string Stderr) Run(string? workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "X86Vm.Cli.dll"), .. args])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        };
        if (workingDirectory != null) psi.WorkingDirectory = workingDirectory;
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }
}
