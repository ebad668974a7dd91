using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using X86Vm.Linux.Debugging;
using X86Vm.Tests.Programs;

namespace X86Vm.Tests.Debugging;

/// <summary>
/// The stub spoken to packet by packet (TCP on a free loopback port), for what gdb itself never sends: malformed
/// packets, bad checksums, an interrupt while every thread is blocked, a debugger that just disappears.
/// Also the x86vm command's --gdb option end to end.
/// </summary>
public class GdbStubTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    sealed class Session : IDisposable
    {
        public readonly Socket Socket;
        public readonly GdbPacketChannel Channel;
        public readonly Task<int> Running;
        readonly CancellationTokenSource _cancel = new(Timeout);
        readonly MemoryStream _stdout = new();

        public Session(params string[] args)
        {
            string cwd = GuestRunner.RepoRoot;
            var vm = new VirtualMachine(new VirtualMachineOptions
            {
                Program = GdbHarness.Build("debuggee", dynamic: false),
                Arguments = args,
                Environment = GuestRunner.Environment,
                Stdout = _stdout,
                WorkingDirectory = cwd,
                Mounts = GuestRunner.WithRepository(MountSpec.DefaultView(cwd)),
                Gdb = "localhost:0",
            });
            var endpoint = (IPEndPoint)vm.GdbEndPoint!;
            Assert.True(IPAddress.IsLoopback(endpoint.Address) && endpoint.Port != 0);
            Running = Task.Factory.StartNew(() => vm.Run(_cancel.Token), TaskCreationOptions.LongRunning);
            Socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            Socket.Connect(endpoint);
            Socket.ReceiveTimeout = (int)Timeout.TotalMilliseconds;
            Channel = new GdbPacketChannel(new NetworkStream(Socket, ownsSocket: false));
        }

        public string Stdout => Encoding.UTF8.GetString(_stdout.ToArray());

        public string Ask(string packet)
        {
            Channel.Send(packet);
            return Channel.ReadPacket() ?? throw new IOException($"no reply to {packet}");
        }

        public int ExitStatus()
        {
            Assert.True(Running.Wait(Timeout), "the VM finished");
            return Running.Result;
        }

        public void Dispose()
        {
            Socket.Dispose();
            _cancel.Cancel();
            try { Running.Wait(Timeout); } catch (AggregateException) { }
            _cancel.Dispose();
        }
    }

    [Fact]
    public void MalformedPacketsGetErrorReplies()
    {
        using var s = new Session();
        Assert.Contains("PacketSize=", s.Ask("qSupported:multiprocess+;swbreak+"));
        Assert.StartsWith("T05thread:p3e8.3e8;", s.Ask("?"));
        Assert.Equal(1120, s.Ask("g").Length);
        // Packets in order (some change state: T selects a thread), each with the reply it must get.
        (string Packet, string Reply)[] exchanges =
        [
            ("mzz,4", "E01"),
            ("m1000", "E01"),
            ("m0,4", "E14"), // unmapped: EFAULT
            ("M0,1:00", "E14"),
            ("M0,2:00", "E01"),
            ("pzz", "E01"),
            ("p99", "E01"),
            ("P0=12", "E01"),
            ("G00", "E01"),
            ("Z0,zz,1", "E01"),
            ("Z0,0,1", "E14"),
            ("Z9,1000,1", ""), // an unknown kind: not supported
            ("Hgp3e8.999", "E01"),
            ("Tp3e8.999", "E01"),
            ("Tp3e8.3e8", "OK"),
            ("vCont;x", "E01"),
            ("Cxyz", "E01"),
            ("qNoSuchQuery", ""),
            ("vMustReplyEmpty", ""),
        ];
        foreach (var (packet, reply) in exchanges)
            Assert.Equal((packet, reply), (packet, s.Ask(packet)));

        // A bad checksum is refused with '-', and the retransmission is answered.
        s.Socket.Send("$g#00"u8);
        var b = new byte[1];
        Assert.Equal(1, s.Socket.Receive(b));
        Assert.Equal((byte)'-', b[0]);
        Assert.Equal(1120, s.Ask("g").Length);

        Assert.Equal("OK", s.Ask("vKill;3e8"));
        Assert.Equal(128 + 9, s.ExitStatus());
    }

    [Fact]
    public void BreakpointBytesAreHiddenFromMemoryReads()
    {
        using var s = new Session();
        Assert.Equal("OK", s.Ask("QStartNoAckMode"));
        s.Channel.NoAck = true;
        string stop = s.Ask("?");
        Match rip = Regex.Match(stop, "10:([0-9a-f]{16});");
        Assert.True(rip.Success, stop);
        ulong pc = BitConverter.ToUInt64(Convert.FromHexString(rip.Groups[1].Value));
        string original = s.Ask($"m{pc:x},8");
        Assert.Equal("OK", s.Ask($"Z0,{pc + 1:x},1"));
        Assert.Equal("OK", s.Ask($"Z0,{pc + 1:x},1")); // idempotent
        Assert.Equal(original, s.Ask($"m{pc:x},8"));
        // A write over the breakpoint changes the saved byte; reads show it, the INT3 stays until removed.
        Assert.Equal("OK", s.Ask($"M{pc + 1:x},1:90"));
        Assert.Equal(original[..2] + "90" + original[4..], s.Ask($"m{pc:x},8"));
        Assert.Equal("OK", s.Ask($"M{pc + 1:x},1:{original[2..4]}"));
        Assert.Equal("OK", s.Ask($"z0,{pc + 1:x},1"));
        Assert.Equal(original, s.Ask($"m{pc:x},8"));
        Assert.Equal("OK", s.Ask("D"));
        Assert.Equal(31, s.ExitStatus());
        Assert.Equal("result 30 counter 31 signals 10\n", s.Stdout);
    }

    [Fact]
    public void InterruptStopsAProgramWhoseThreadsAllWait()
    {
        using var s = new Session("pause");
        s.Ask("qSupported:multiprocess+");
        s.Channel.Send("vCont;c");
        Thread.Sleep(200); // it runs into pause(): nothing can wake it but the debugger
        s.Socket.Send([0x03]);
        string stop = s.Channel.ReadPacket()!;
        Assert.StartsWith("T02thread:p3e8.3e8;", stop); // GDB's SIGINT
        Assert.Equal("OK", s.Ask("vKill;3e8"));
        Assert.Equal(128 + 9, s.ExitStatus());
    }

    [Fact]
    public void ADisappearingDebuggerLetsTheProgramFinish()
    {
        using var s = new Session();
        s.Ask("qSupported:multiprocess+");
        s.Channel.Send("vCont;s");
        Assert.StartsWith("T05thread:", s.Channel.ReadPacket());
        s.Socket.Close();
        Assert.Equal(31, s.ExitStatus());
        Assert.Equal("result 30 counter 31 signals 10\n", s.Stdout);
    }

    [Fact]
    public async Task CancellingWhileWaitingForTheDebuggerEndsTheRun()
    {
        var vm = new VirtualMachine(new VirtualMachineOptions
        {
            Program = GdbHarness.Build("debuggee", dynamic: false),
            Mounts = GuestRunner.WithRepository(MountSpec.DefaultView(GuestRunner.RepoRoot)),
            WorkingDirectory = GuestRunner.RepoRoot,
            Gdb = "localhost:0",
        });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        Task<int> run = Task.Factory.StartNew(() => vm.Run(cancel.Token), TaskCreationOptions.LongRunning);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Timeout));
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("70000")]
    [InlineData("localhost:x")]
    public void ABadEndpointFailsTheStart(string spec)
    {
        var e = Assert.Throws<VirtualMachineStartException>(() => new VirtualMachine(new VirtualMachineOptions
        {
            Program = GdbHarness.Build("debuggee", dynamic: false),
            Mounts = GuestRunner.WithRepository(MountSpec.DefaultView(GuestRunner.RepoRoot)),
            WorkingDirectory = GuestRunner.RepoRoot,
            Gdb = spec,
        }));
        Assert.Equal(125, e.ExitCode);
        Assert.StartsWith($"--gdb {spec}: ", e.Message);
    }

    [Fact]
    public async Task CommandLineOptionServesGdb()
    {
        string program = GdbHarness.Build("debuggee", dynamic: true);
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "X86Vm.Cli.dll"), "run",
            "--mount", $"{GuestRunner.RepoRoot}:{GuestRunner.RepoRoot}:ro", "--gdb", "localhost:0", program, "3"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var vm = Process.Start(psi)!;
        try
        {
            string? line = vm.StandardError.ReadLine();
            Match m = Regex.Match(line ?? "", @"^x86vm: waiting for gdb on localhost:(\d+) ");
            Assert.True(m.Success, line);
            Task<string> readOut = vm.StandardOutput.ReadToEndAsync();
            string gdb = GdbHarness.RunGdb(program, $"target remote localhost:{m.Groups[1].Value}",
                ["break square", "continue", "print x", "delete", "continue", "continue"]);
            Assert.True(vm.WaitForExit(Timeout), "x86vm finished");
            string stdout = await readOut.WaitAsync(Timeout);
            Assert.Contains("Breakpoint 1, square (x=1)", gdb);
            Assert.Contains("exited with code 017]", gdb); // 1 + 4 + 9, plus one
            Assert.Equal(15, vm.ExitCode);
            Assert.Equal("result 14 counter 15 signals 10\n", stdout);
        }
        finally
        {
            if (!vm.HasExited) vm.Kill(true);
        }
    }
}
