using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

/// <summary>Terminal ioctls (ioctl_tty(2)) for streams connected to a host terminal.</summary>
static class Terminal
{
    public const uint TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404, TIOCGPGRP = 0x540F,
        TIOCSPGRP = 0x5410, TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414;

    // struct termios (asm-generic/termbits.h): c_iflag, c_oflag, c_cflag, c_lflag, c_line, c_cc[19].
    static readonly byte[] DefaultTermios = BuildDefaultTermios();

    static byte[] BuildDefaultTermios()
    {
        var t = new byte[36];
        BitConverter.TryWriteBytes(t.AsSpan(0), 0x500u);   // ICRNL | IXON
        BitConverter.TryWriteBytes(t.AsSpan(4), 0x5u);     // OPOST | ONLCR
        BitConverter.TryWriteBytes(t.AsSpan(8), 0xBFu);    // B38400 | CS8 | CREAD
        BitConverter.TryWriteBytes(t.AsSpan(12), 0x8A3Bu); // ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN
        byte[] cc = [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0];
        cc.CopyTo(t, 17);
        return t;
    }

    public static long Ioctl(GuestProcess p, TerminalInfo terminal, uint request, ulong arg)
    {
        switch (request)
        {
            case TCGETS:
                return p.Memory.TryWrite(arg, DefaultTermios) ? 0 : -Errno.EFAULT;
            case TCSETS:
            case TCSETSW:
            case TCSETSF:
                return 0; // accepted; raw-mode switching of the host terminal comes with interactive support
            case TIOCGWINSZ:
            {
                Span<byte> ws = stackalloc byte[8];
                BitConverter.TryWriteBytes(ws, terminal.Rows);
                BitConverter.TryWriteBytes(ws[2..], terminal.Columns);
                return p.Memory.TryWrite(arg, ws) ? 0 : -Errno.EFAULT;
            }
            case TIOCGPGRP:
                return p.Memory.TryWrite(arg, BitConverter.GetBytes(p.Pid)) ? 0 : -Errno.EFAULT;
            default:
                return -Errno.ENOTTY;
        }
    }
}
