using System.Globalization;
using System.Text;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// A writable /proc/PID file backed by a per-process setting: oom_score_adj (an integer in -1000..1000, proc(5)) and
/// comm (the thread name, cut to 15 bytes). Reads show the setting's value when the file was opened.
/// </summary>
public sealed class ProcSettingFile(GuestProcess process, string setting, FileStatus status) : OpenFile
{
    readonly byte[] _content = GuestNames.ToBytes(Value(process, setting));

    static string Value(GuestProcess p, string setting) => setting switch
    {
        "oom_score_adj" => p.OomScoreAdjust.ToString(CultureInfo.InvariantCulture) + "\n",
        _ => p.ThreadName + "\n",
    };

    public override long ReadAt(Span<byte> buffer, long offset)
    {
        if (offset >= _content.Length) return 0;
        int n = (int)Math.Min(buffer.Length, _content.Length - offset);
        _content.AsSpan((int)offset, n).CopyTo(buffer);
        return n;
    }

    public override long WriteAt(ReadOnlySpan<byte> buffer, long offset) => Write(buffer);

    public override long Write(ReadOnlySpan<byte> buffer)
    {
        if (process.Exited) return -Errno.ESRCH;
        string text = GuestNames.FromBytes(buffer);
        if (setting == "oom_score_adj")
        {
            if (!int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) || v is < -1000 or > 1000)
                return -Errno.EINVAL;
            // Lowering it below the current value needs CAP_SYS_RESOURCE (24).
            if (v < process.OomScoreAdjust && (process.Kernel.Current.Credentials.Effective >> 24 & 1) == 0) return -Errno.EACCES;
            process.OomScoreAdjust = v;
        }
        else
        {
            int n = buffer.IndexOf((byte)'\n') is int nl and >= 0 ? nl : buffer.Length;
            process.ThreadName = GuestNames.FromBytes(buffer[..Math.Min(n, 15)]);
        }
        return buffer.Length;
    }

    public override FileStatus Status() => status;
}
