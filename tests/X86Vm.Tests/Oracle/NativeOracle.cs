// NativeOracle: runs single x86-64 instructions on the host CPU through the
// native helper tests/oracle/oracle-helper.c (compiled with gcc on first use,
// cached under $TMPDIR/x86vm-oracle-<hash>/) and returns the resulting state.
//
// Wire protocol (little-endian), see also tests/oracle/README.md:
//   request : u32 magic 0x3143524F ("ORC1"), u32 count, count * record
//   response: u32 magic 0x3143524F,          u32 count, count * record
// Records are OracleState.RecordSize (0x2400) bytes; layout documented in
// OracleState.cs. count 0 is a ping. Results are streamed one per case, so if
// the helper dies the number of results received identifies the culprit.
using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace X86Vm.Tests.Oracle;

/// <summary>Raised when the native oracle cannot be built/started or dies.</summary>
public sealed class OracleException : Exception
{
    /// <summary>Index (into the list passed to Run) of the case that killed the helper, or -1.</summary>
    public int CaseIndex { get; }

    public OracleException(string message, int caseIndex = -1, Exception? inner = null)
        : base(message, inner) => CaseIndex = caseIndex;
}

public sealed class NativeOracle : IDisposable
{
    private const uint Magic = 0x3143524F;
    private const string SourceRelativePath = "tests/oracle/oracle-helper.c";
    private static readonly string[] GccFlags = ["-O2", "-fno-stack-protector", "-U_FORTIFY_SOURCE", "-Wall"];

    private static readonly Lazy<NativeOracle> s_shared = new(CreateShared, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<string> s_helperPath = new(BuildHelper, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Process-wide instance for tests (thread-safe; batches are serialized).</summary>
    public static NativeOracle Shared => s_shared.Value;

    /// <summary>The oracle needs a Linux x86-64 host (and gcc).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    /// <summary>
    /// True if the shared oracle can be used here (Linux x86-64, gcc available, helper starts).
    /// Tests can return early when this is false.
    /// </summary>
    public static bool IsAvailable
    {
        get
        {
            if (!IsSupported)
                return false;
            try
            {
                _ = Shared;
                return true;
            }
            catch (OracleException)
            {
                return false;
            }
        }
    }

    /// <summary>Path of the compiled helper binary (builds it if needed).</summary>
    public static string HelperPath => s_helperPath.Value;

    private readonly object _gate = new();
    private readonly int _batchSize;
    private readonly int _caseTimeoutMs;
    private readonly StringBuilder _stderr = new();
    private Process? _proc;
    private Stream? _stdin;
    private Stream? _stdout;
    private bool _disposed;

    /// <param name="batchSize">Maximum number of records sent to the helper at once.</param>
    /// <param name="caseTimeoutMs">Per-case time limit inside the helper; a case that runs
    /// longer is reported with Signal == SIGALRM.</param>
    public NativeOracle(int batchSize = 256, int caseTimeoutMs = 2000)
    {
        if (!IsSupported)
            throw new PlatformNotSupportedException("The native instruction oracle requires Linux on x86-64.");
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(caseTimeoutMs, 1);
        _batchSize = batchSize;
        _caseTimeoutMs = caseTimeoutMs;
        lock (_gate)
            Start();
    }

    private static NativeOracle CreateShared()
    {
        var o = new NativeOracle();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => o.Dispose();
        return o;
    }

    /// <summary>Runs one case.</summary>
    public OracleState Run(OracleState input) => Run([input])[0];

    /// <summary>Runs the cases in order and returns one result per input.</summary>
    /// <exception cref="OracleException">The helper died; <see cref="OracleException.CaseIndex"/> tells which case.
    /// The next call starts a fresh helper.</exception>
    public IReadOnlyList<OracleState> Run(IReadOnlyList<OracleState> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var results = new OracleState[inputs.Count];
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (int start = 0; start < inputs.Count; start += _batchSize)
            {
                int n = Math.Min(_batchSize, inputs.Count - start);
                RunBatch(inputs, start, n, results);
            }
        }
        return results;
    }

    private void RunBatch(IReadOnlyList<OracleState> inputs, int start, int n, OracleState[] results)
    {
        if (_proc == null)
            Start();
        var proc = _proc!;
        var request = new byte[8 + n * OracleState.RecordSize];
        BinaryPrimitives.WriteUInt32LittleEndian(request, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(4), (uint)n);
        for (int i = 0; i < n; i++)
            inputs[start + i].WriteTo(request.AsSpan(8 + i * OracleState.RecordSize, OracleState.RecordSize));

        // Last-resort watchdog (the helper has its own per-case timer).
        bool timedOut = false;
        var limit = TimeSpan.FromMilliseconds(30_000 + (double)n * (_caseTimeoutMs + 500));
        using var watchdog = new Timer(_ =>
        {
            timedOut = true;
            try { proc.Kill(); } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { }
        }, null, limit, Timeout.InfiniteTimeSpan);

        int got = 0;
        bool sent = false;
        try
        {
            _stdin!.Write(request);
            _stdin.Flush();
            sent = true;
            var hdr = new byte[8];
            _stdout!.ReadExactly(hdr);
            if (BinaryPrimitives.ReadUInt32LittleEndian(hdr) != Magic || BinaryPrimitives.ReadUInt32LittleEndian(hdr.AsSpan(4)) != (uint)n)
                throw new OracleException($"oracle helper protocol error: bad response header {Convert.ToHexString(hdr)}");
            var rec = new byte[OracleState.RecordSize];
            for (; got < n; got++)
            {
                _stdout.ReadExactly(rec);
                var r = OracleState.ReadFrom(rec);
                results[start + got] = r;
            }
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or ObjectDisposedException)
        {
            // Results are streamed per case, so the first missing result is the culprit. If the
            // request could not even be sent, the helper was already gone (or died reading it).
            int idx = sent ? start + got : -1;
            string what = idx >= 0 && idx < inputs.Count
                ? $"while running case {idx} (code {Convert.ToHexString(inputs[idx].Code)})"
                : $"before running the batch starting at case {start}";
            string status = Reap();
            throw new OracleException(
                $"oracle helper died {what}{(timedOut ? " (watchdog timeout)" : "")}: {status}",
                idx < inputs.Count ? idx : -1, e);
        }
    }

    private void Start()
    {
        string path = HelperPath;
        var psi = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(_caseTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var p = new Process { StartInfo = psi };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data == null)
                return;
            lock (_stderr)
            {
                if (_stderr.Length < 16384)
                    _stderr.AppendLine(e.Data);
            }
        };
        if (!p.Start())
            throw new OracleException($"could not start oracle helper {path}");
        p.BeginErrorReadLine();
        _proc = p;
        _stdin = p.StandardInput.BaseStream;
        _stdout = p.StandardOutput.BaseStream;

        // Ping: verifies the helper initialised (fixed mappings etc.).
        try
        {
            var ping = new byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(ping, Magic);
            _stdin.Write(ping);
            _stdin.Flush();
            var hdr = new byte[8];
            _stdout.ReadExactly(hdr);
            if (BinaryPrimitives.ReadUInt32LittleEndian(hdr) != Magic)
                throw new OracleException($"oracle helper protocol error: bad ping reply {Convert.ToHexString(hdr)}");
        }
        catch (Exception e) when (e is IOException or EndOfStreamException)
        {
            throw new OracleException($"oracle helper failed to start: {Reap()}", -1, e);
        }
    }

    /// <summary>Collects exit status and stderr of a dead (or hung) helper and forgets it.</summary>
    private string Reap()
    {
        var p = _proc;
        _proc = null;
        _stdin = null;
        _stdout = null;
        if (p == null)
            return "no process";
        string status;
        try
        {
            if (!p.WaitForExit(5000))
            {
                p.Kill();
                p.WaitForExit(5000);
            }
            p.WaitForExit(); // drain async stderr
            int code = p.ExitCode;
            status = code > 128 ? $"killed by signal {code - 128}" : $"exit code {code}";
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            status = "unknown exit status (" + e.Message + ")";
        }
        p.Dispose();
        string err;
        lock (_stderr)
        {
            err = _stderr.ToString().Trim();
            _stderr.Clear();
        }
        return err.Length > 0 ? $"{status}; stderr: {err}" : status;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            var p = _proc;
            _proc = null;
            if (p == null)
                return;
            try
            {
                _stdin?.Dispose(); // EOF -> helper exits
                if (!p.WaitForExit(2000))
                    p.Kill();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
            }
            p.Dispose();
        }
    }

    // ------------------------------------------------------------------ build

    /// <summary>Walks up from the test binary directory to the repository root.</summary>
    public static string FindSource()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, SourceRelativePath);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new OracleException($"cannot find {SourceRelativePath} above {AppContext.BaseDirectory}");
    }

    private static string BuildHelper()
    {
        string source = FindSource();
        byte[] text = File.ReadAllBytes(source);
        byte[] hash = SHA256.HashData([.. text, .. Encoding.UTF8.GetBytes(string.Join(' ', GccFlags))]);
        string dir = Path.Combine(Path.GetTempPath(), "x86vm-oracle-" + Convert.ToHexString(hash, 0, 8).ToLowerInvariant());
        string exe = Path.Combine(dir, "oracle-helper");
        if (File.Exists(exe))
            return exe;

        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $"oracle-helper.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var psi = new ProcessStartInfo("gcc")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var f in GccFlags)
            psi.ArgumentList.Add(f);
        psi.ArgumentList.Add("-o");
        psi.ArgumentList.Add(tmp);
        psi.ArgumentList.Add(source);
        Process gcc;
        try
        {
            gcc = Process.Start(psi) ?? throw new OracleException("could not start gcc");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new OracleException("gcc is required to build the native instruction oracle but could not be started", -1, e);
        }
        using (gcc)
        {
            var stdoutTask = gcc.StandardOutput.ReadToEndAsync();
            string err = gcc.StandardError.ReadToEnd();
            gcc.WaitForExit();
            string output = stdoutTask.Result + err;
            if (gcc.ExitCode != 0)
            {
                try { File.Delete(tmp); } catch (IOException) { }
                throw new OracleException($"gcc failed to build {source} (exit {gcc.ExitCode}):\n{output}");
            }
        }
        try
        {
            File.Move(tmp, exe, overwrite: false);
        }
        catch (IOException) when (File.Exists(exe))
        {
            File.Delete(tmp); // another test process won the race
        }
        return exe;
    }
}
