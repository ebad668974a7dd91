using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace X86Vm.Tests.Programs;

/// <summary>
/// Builds the Rust and Go programs of tests/programs/runtimes at test time into .cache/runtimes, cached by a
/// hash of the source, the compiler's version and the flags, so an unchanged program is never rebuilt. Go's
/// build cache and GOPATH live under .cache/go, so builds need no writable home directory.
/// </summary>
public static class RuntimeBuilds
{
    public static string SourceDir => Path.Combine(TestPrograms.SourceDir, "runtimes");
    static string CacheDir => Path.Combine(GuestRunner.RepoRoot, ".cache", "runtimes");
    static string GoDir => Path.Combine(GuestRunner.RepoRoot, ".cache", "go");

    static readonly object BuildLock = new();

    /// <summary>rustc flags of each Rust build variant.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> RustVariants = new Dictionary<string, string[]>
    {
        ["O"] = ["-O"],
        ["O-static"] = ["-O", "-C", "target-feature=+crt-static"],
        ["debug"] = [],
        ["debug-static"] = ["-C", "target-feature=+crt-static"],
    };

    /// <summary>rustc on PATH, else $HOME/.cargo/bin/rustc (rustup's default); test.sh installs Debian's rustc when neither exists.</summary>
    public static string Rustc => FindTool("rustc", Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".cargo", "bin", "rustc"))
        ?? throw new InvalidOperationException("rustc not found on PATH or in $HOME/.cargo/bin (test.sh installs Debian's rustc)");

    /// <summary>go on PATH, else Debian golang-go's /usr/lib/go/bin/go (test.sh installs golang-go).</summary>
    public static string Go => FindTool("go", "/usr/lib/go/bin/go")
        ?? throw new InvalidOperationException("go not found on PATH or in /usr/lib/go/bin (test.sh installs golang-go)");

    static string? FindTool(string name, string fallback)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return File.Exists(fallback) ? fallback : null;
    }

    /// <summary>tests/programs/runtimes/<paramref name="source"/> built by rustc with the flags of <paramref name="variant"/>.</summary>
    public static string Rust(string source, string variant)
    {
        string rustc = Rustc;
        string[] flags = ["--edition", "2021", .. RustVariants[variant]];
        return Build(Path.GetFileNameWithoutExtension(source) + "-rust-" + variant, source, rustc, flags, Version(rustc, ["--version"], null),
            (src, output) => (rustc, [.. flags, "-o", output, src], null));
    }

    /// <summary>tests/programs/runtimes/<paramref name="source"/> built statically by go build (CGO_ENABLED=0).</summary>
    public static string GoProgram(string source)
    {
        string go = Go;
        var env = GoEnvironment();
        string[] flags = ["build", "-trimpath"];
        return Build(Path.GetFileNameWithoutExtension(source) + "-go", source, go, flags, Version(go, ["version"], env),
            (src, output) => (go, [.. flags, "-o", output, src], env));
    }

    /// <summary>The environment of go commands: no cgo (static binaries), caches inside the repository, no network, no user config.</summary>
    static Dictionary<string, string> GoEnvironment() => new()
    {
        ["CGO_ENABLED"] = "0",
        ["GOCACHE"] = Path.Combine(GoDir, "build"),
        ["GOPATH"] = Path.Combine(GoDir, "path"),
        ["GOMODCACHE"] = Path.Combine(GoDir, "path", "pkg", "mod"),
        ["GOENV"] = "off",
        ["GOFLAGS"] = "",
        ["GOPROXY"] = "off",
        ["GOTOOLCHAIN"] = "local",
        ["GO111MODULE"] = "",
    };

    static readonly Dictionary<string, string> Versions = new();

    static string Version(string tool, string[] args, Dictionary<string, string>? env)
    {
        lock (Versions)
        {
            if (Versions.TryGetValue(tool, out string? v)) return v;
            var (status, output) = Run(tool, args, env);
            if (status != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed:\n{output}");
            return Versions[tool] = output.Trim();
        }
    }

    delegate (string Tool, string[] Args, Dictionary<string, string>? Env) Command(string source, string output);

    /// <summary>
    /// .cache/runtimes/NAME-HASH, where HASH covers the source, the compiler version and the flags; built through a
    /// temporary file and renamed, and older builds of NAME removed.
    /// </summary>
    static string Build(string name, string source, string tool, string[] flags, string version, Command command)
    {
        string src = Path.Combine(SourceDir, source);
        string key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
            Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(src))) + "\n" + version + "\n" + string.Join(' ', flags))))[..16].ToLowerInvariant();
        string binary = Path.Combine(CacheDir, $"{name}-{key}");
        lock (BuildLock)
        {
            if (File.Exists(binary)) return binary;
            Directory.CreateDirectory(CacheDir);
            string temp = binary + ".tmp";
            var (exe, args, env) = command(src, temp);
            var (status, output) = Run(exe, args, env);
            if (status != 0 || !File.Exists(temp))
                throw new InvalidOperationException($"{Path.GetFileName(tool)} {source} failed:\n{output}");
            File.Move(temp, binary, true);
            foreach (string old in Directory.GetFiles(CacheDir, name + "-*"))
                if (old != binary && Path.GetFileName(old)[(name.Length + 1)..].Length == key.Length) File.Delete(old);
            return binary;
        }
    }

    static (int Status, string Output) Run(string exe, string[] args, Dictionary<string, string>? env)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = SourceDir,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? [])
        {
            if (v.Length == 0) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        }
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + stderr.Result);
    }
}
