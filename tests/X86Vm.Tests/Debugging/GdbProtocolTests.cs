using System.Text;
using System.Xml.Linq;
using X86Vm.Cpu.Memory;
using X86Vm.Linux.Debugging;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Tests.Debugging;

/// <summary>The GDB remote protocol pieces on their own: framing, checksums, escapes, thread-ids, vCont, signals, registers.</summary>
public class GdbProtocolTests
{
    /// <summary>A connection whose incoming bytes are given and whose outgoing bytes are recorded.</summary>
    sealed class ScriptedStream(byte[] input) : Stream
    {
        readonly MemoryStream _in = new(input);
        public readonly MemoryStream Written = new();
        public string WrittenText => Encoding.Latin1.GetString(Written.ToArray());
        public override int Read(byte[] buffer, int offset, int count) => _in.Read(buffer, offset, count);
        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);
        public override void Flush() { }
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    static string Frame(string payload) => $"${payload}#{GdbEncoding.Checksum(Encoding.Latin1.GetBytes(payload)):x2}";

    [Fact]
    public void ChecksumIsTheByteSumModulo256()
    {
        Assert.Equal(0x9a, GdbEncoding.Checksum("OK"u8));
        Assert.Equal(0x00, GdbEncoding.Checksum(""u8));
        Assert.Equal(0x67, GdbEncoding.Checksum("g"u8));
    }

    [Fact]
    public void SendFramesThePayload()
    {
        var s = new ScriptedStream([]);
        new GdbPacketChannel(s).Send("OK");
        Assert.Equal("$OK#9a", s.WrittenText);
    }

    [Fact]
    public void ReadAcknowledgesAndSkipsNoise()
    {
        var s = new ScriptedStream(Encoding.Latin1.GetBytes("+\u0003" + Frame("m1000,4") + "+" + Frame("g")));
        var c = new GdbPacketChannel(s);
        Assert.Equal("m1000,4", c.ReadPacket());
        Assert.Equal("g", c.ReadPacket());
        Assert.Null(c.ReadPacket()); // end of stream: the connection closed
        Assert.True(c.Closed);
        Assert.Equal("++", s.WrittenText);
    }

    [Fact]
    public void BadChecksumIsRefusedAndTheRetransmissionTaken()
    {
        var s = new ScriptedStream(Encoding.Latin1.GetBytes("$g#00" + "$m0,zz#zz" + Frame("g")));
        var c = new GdbPacketChannel(s);
        Assert.Equal("g", c.ReadPacket());
        Assert.Equal("--+", s.WrittenText);
    }

    [Fact]
    public void NoAckModeNeitherAcknowledgesNorChecks()
    {
        var s = new ScriptedStream(Encoding.Latin1.GetBytes("$g#00"));
        var c = new GdbPacketChannel(s) { NoAck = true };
        Assert.Equal("g", c.ReadPacket());
        Assert.Equal("", s.WrittenText);
    }

    [Fact]
    public void NakResendsTheLastPacket()
    {
        var s = new ScriptedStream(Encoding.Latin1.GetBytes("-" + Frame("?")));
        var c = new GdbPacketChannel(s);
        c.Send("OK");
        Assert.Equal("?", c.ReadPacket());
        Assert.Equal("$OK#9a$OK#9a+", s.WrittenText);
    }

    [Fact]
    public void OversizedPacketIsDiscarded()
    {
        var s = new ScriptedStream(Encoding.Latin1.GetBytes(Frame(new string('a', GdbPacketChannel.MaxPacket + 10)) + Frame("g")));
        var c = new GdbPacketChannel(s);
        Assert.Equal(GdbPacketChannel.Oversized, c.ReadPacket());
        Assert.Equal("g", c.ReadPacket());
    }

    [Fact]
    public void PollSeesTheInterruptByte()
    {
        var s = new ScriptedStream([(byte)'+', 0x03]);
        var c = new GdbPacketChannel(s, () => true);
        Assert.Equal(PollResult.Interrupt, c.Poll());
        Assert.Equal(PollResult.Closed, c.Poll());
    }

    [Fact]
    public void BinaryEscapesRoundTrip()
    {
        byte[] data = [0x00, (byte)'#', (byte)'$', (byte)'}', (byte)'*', 0xFF, (byte)'a'];
        byte[] escaped = GdbEncoding.Escape(data);
        Assert.DoesNotContain((byte)'#', escaped);
        Assert.DoesNotContain((byte)'$', escaped);
        Assert.DoesNotContain((byte)'*', escaped);
        Assert.Equal(data, GdbEncoding.Unescape(escaped));
        Assert.Null(GdbEncoding.Unescape("ab}"u8));
    }

    [Fact]
    public void HexDecodingRejectsMalformedInput()
    {
        Assert.Equal([0x12, 0xab], GdbEncoding.FromHex("12AB"));
        Assert.Null(GdbEncoding.FromHex("123"));
        Assert.Null(GdbEncoding.FromHex("zz"));
    }

    [Theory]
    [InlineData("p3e8.3e9", 1000, 1001)]
    [InlineData("p3e8.-1", 1000, -1)]
    [InlineData("p3e8", 1000, -1)]
    [InlineData("3e9", -1, 1001)]
    [InlineData("-1", -1, -1)]
    [InlineData("0", -1, 0)]
    public void ThreadIdsParse(string text, int pid, int tid)
    {
        Assert.True(ThreadId.TryParse(text, out ThreadId id));
        Assert.Equal(new ThreadId(pid, tid), id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("p")]
    [InlineData("pzz.1")]
    [InlineData("p1.")]
    public void MalformedThreadIdsDoNotParse(string text) => Assert.False(ThreadId.TryParse(text, out _));

    [Fact]
    public void VContActionsApplyFirstMatchFirst()
    {
        ResumePlan plan = ResumePlan.ParseVCont(";S0a:p3e8.3e9;c:p3e8.-1")!;
        Assert.Equal(new ResumeAction(ResumeKind.Step, Signals.SIGBUS, new ThreadId(1000, 1001)), plan.For(1000, 1001)); // GDB's 10 is SIGBUS
        Assert.Equal(ResumeKind.Continue, plan.For(1000, 1002)!.Value.Kind);
        Assert.Null(plan.For(1001, 1001));
        Assert.Null(ResumePlan.ParseVCont(";x"));
        Assert.Null(ResumePlan.ParseVCont(";C1:1"));
        Assert.Null(ResumePlan.ParseVCont(""));
    }

    [Fact]
    public void SignalsUseGdbNumbering()
    {
        Assert.Equal(10, GdbSignals.FromLinux(Signals.SIGBUS));
        Assert.Equal(30, GdbSignals.FromLinux(Signals.SIGUSR1));
        Assert.Equal(20, GdbSignals.FromLinux(Signals.SIGCHLD));
        Assert.Equal(11, GdbSignals.FromLinux(Signals.SIGSEGV));
        Assert.Equal(77, GdbSignals.FromLinux(32));
        Assert.Equal(45, GdbSignals.FromLinux(33));
        Assert.Equal(78, GdbSignals.FromLinux(64));
        for (int sig = 1; sig <= 64; sig++)
            if (sig != 16) Assert.Equal(sig, GdbSignals.ToLinux(GdbSignals.FromLinux(sig))); // SIGSTKFLT has no GDB number
    }

    [Fact]
    public void TargetDescriptionMatchesTheRegisterPacket()
    {
        XDocument xml = XDocument.Parse(RegisterLayout.TargetXml);
        var regs = xml.Descendants("reg").ToList();
        Assert.Equal(RegisterLayout.Count, regs.Count);
        Assert.Equal(560 * 2, RegisterLayout.ReadAll(new CpuCore(new AddressSpace())).Length);
        Assert.Equal(560, Enumerable.Range(0, RegisterLayout.Count).Sum(RegisterLayout.Size));
        for (int n = 0; n < regs.Count; n++) Assert.Equal(RegisterLayout.Size(n) * 8, int.Parse(regs[n].Attribute("bitsize")!.Value));
        Assert.Equal("orig_rax", (string?)regs[RegisterLayout.OrigRax].Attribute("name"));
        Assert.Equal("fs_base", (string?)regs[RegisterLayout.FsBase].Attribute("name"));
        Assert.Contains(xml.Descendants("feature"), f => (string?)f.Attribute("name") == "org.gnu.gdb.i386.linux");
    }

    [Fact]
    public void RegistersRoundTripThroughThePackets()
    {
        var cpu = new CpuCore(new AddressSpace());
        for (int i = 0; i < 16; i++) cpu.R(i) = 0x1111_0000_0000_0000UL * (ulong)(i % 15) + (ulong)i;
        cpu.Rip = 0x401000;
        cpu.FsBase = 0x7fff_0000_1000;
        cpu.Xmm[3] = new UInt128(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210);
        cpu.Fpu.Push(X86Vm.Cpu.Float.Float80.One);
        string all = RegisterLayout.ReadAll(cpu);
        var copy = new CpuCore(new AddressSpace());
        Assert.True(RegisterLayout.WriteAll(copy, all));
        Assert.Equal(all, RegisterLayout.ReadAll(copy));
        Assert.Equal("0010400000000000", RegisterLayout.ReadOne(copy, RegisterLayout.Rip));
        Assert.False(RegisterLayout.WriteAll(copy, all.AsSpan(0, all.Length - 2)));
        Assert.False(RegisterLayout.TryDecode(0, "1234", out _));
    }
}
