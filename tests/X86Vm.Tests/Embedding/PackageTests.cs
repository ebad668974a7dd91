using System.Diagnostics;
using X86Vm.Tests.Programs;

namespace X86Vm.Tests.Embedding;

/// <summary>
/// The NuGet packages (docs/embedding.md): `dotnet pack` of the built solution gives the library packages and the tool
/// package; the tool installs into a tool path and runs a program; the sample host (samples/Embedding, the code shown in
/// docs/embedding.md) builds against the packed library, outside the repository, and runs. Offline: restores only from
/// the packed folder and the machine's package folders, into a packages folder of its own (so no stale copy of a
/// package with the same version is used).
/// </summary>
public class PackageTests
{
    static readonly string Sample = Path.Combine(GuestRunner.RepoRoot, "samples", "Embedding");

    static string Hello() => TestPrograms.All().First(c => c is { Name: "hello", Variant: "gcc-O2" }).Binary;

    [Fact]
    public void DocsShowTheSampleThatIsTested()
    {
        string doc = File.ReadAllText(Path.Combine(GuestRunner.RepoRoot, "docs", "embedding.md"));
        Assert.Contains("```csharp\n" + File.ReadAllText(Path.Combine(Sample, "Program.cs")) + "```\n", doc);
        Assert.Contains(File.ReadAllText(Path.Combine(Sample, "Embedding.csproj")), doc);
    }

    [Fact]
    public void PackedToolAndLibraryRunPrograms()
    {
        DirectoryInfo work = Directory.CreateTempSubdirectory("x86vm-package-");
        try
        {
            string feed = Path.Combine(work.FullName, "nupkg");
            string config = WriteNuGetConfig(work.FullName, feed);
            var env = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(work.FullName, "packages") };

            Dotnet(env, work.FullName, "pack", Path.Combine(GuestRunner.RepoRoot, "X86Vm.slnx"), "-c", "Release", "--no-build", "-o", feed);
            foreach (string id in new[] { "X86Vm", "X86Vm.Linux", "X86Vm.Cpu", "X86Vm.Tool" })
                Assert.True(File.Exists(Path.Combine(feed, $"{id}.0.1.0.nupkg")), $"{id} was not packed");

            string tools = Path.Combine(work.FullName, "tools");
            Dotnet(env, work.FullName, "tool", "install", "--tool-path", tools, "--configfile", config, "X86Vm.Tool", "--version", "0.1.0");
            // The program sits in the consumer's directory: both runs show the guest their working directory, while the
            // repository's .cache may be under the host's /tmp, which a VM's default view replaces with its own.
            string consumer = Path.Combine(work.FullName, "consumer");
            Directory.CreateDirectory(consumer);
            string hello = Path.Combine(consumer, "hello");
            File.Copy(Hello(), hello);
            var (status, stdout) = Run(env, work.FullName, Path.Combine(tools, "x86vm"), "run", hello);
            Assert.Equal((0, "hello, world\n"), (status, stdout));

            foreach (string file in new[] { "Program.cs", "Embedding.csproj" })
                File.Copy(Path.Combine(Sample, file), Path.Combine(consumer, file));
            File.Copy(config, Path.Combine(consumer, "NuGet.config"));
            string output = Dotnet(env, consumer, "run", "-c", "Release", "--", hello);
            Assert.Contains("hello, world\n", output);
            Assert.Matches(@"(?m)^ +2000 [0-9a-f]{64}$", output);
            Assert.Matches(@"\nExited with 0 after \d+ units and \d+ syscalls\n", output);
            Assert.EndsWith("100 of 100 VMs exited with 0\n", output);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Sources: the packed folder, then the machine's package folders (the restore cache, /opt/nuget) — nothing remote.</summary>
    static string WriteNuGetConfig(string dir, string feed)
    {
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var sources = new List<string> { feed, cache };
        if (Directory.Exists("/opt/nuget/packages")) sources.Add("/opt/nuget/packages");
        string path = Path.Combine(dir, "NuGet.config");
        File.WriteAllText(path, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n    <clear />\n" +
            string.Concat(sources.Select((s, i) => $"    <add key=\"local{i}\" value=\"{s}\" />\n")) + "  </packageSources>\n</configuration>\n");
        return path;
    }

    static string Dotnet(Dictionary<string, string> env, string cwd, params string[] args)
    {
        var (status, output) = Run(env, cwd, "dotnet", args);
        Assert.True(status == 0, $"dotnet {string.Join(' ', args)} failed ({status}):\n{output}");
        return output;
    }

    static (int Status, string Output) Run(Dictionary<string, string> env, string cwd, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            WorkingDirectory = cwd,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (k, v) in env) psi.Environment[k] = v;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1"; // no build server outliving the test
        using var p = Process.Start(psi)!;
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} took over 5 minutes");
        }
        return (p.ExitCode, stdout + (p.ExitCode != 0 ? stderr.Result : ""));
    }
}
