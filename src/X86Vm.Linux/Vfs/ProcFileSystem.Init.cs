using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

// /proc/1: the VM's implicit init (InitProcess), a sleeping root process with no parent that leads its own session and
// group; it runs no guest code, so it has no memory, descriptors or threads of its own to show.
public sealed partial class ProcFileSystem
{
    static readonly string[] InitFiles = ["stat", "status", "comm", "cmdline", "environ"];

    /// <summary>pid 1 when no guest process has it (always: guest pids start at 1000).</summary>
    static IEnumerable<int> InitListed(GuestProcess reader) =>
        reader.Kernel.FindProcess(InitProcess.Pid) == null ? [InitProcess.Pid] : [];

    static Entry? FindInit(ReadOnlySpan<string> p)
    {
        if (p.Length == 0)
            return Dir(() => new (string, FileKind)[] { ("exe", FileKind.Symlink), ("cwd", FileKind.Symlink), ("root", FileKind.Symlink) }
                .Concat(InitFiles.Select(f => (f, FileKind.Regular))), 0x16D);
        if (p.Length > 1) return null;
        return p[0] switch
        {
            "exe" => Link(() => InitProcess.Executable),
            "cwd" or "root" => Link(() => "/"),
            "comm" => File(() => InitProcess.Name + "\n"),
            "cmdline" => File(() => InitProcess.Executable + "\0"),
            "environ" => File(() => "", 0x100),
            "stat" => File(InitStat),
            "status" => File(InitStatus),
            _ => null,
        };
    }

    static string InitStat()
    {
        // pid (comm) state ppid pgrp session tty_nr tpgid flags … (52 fields, as Stat writes them)
        var f = new List<string> { "1", $"({InitProcess.Name})", "S", "0", "1", "1", "0", "-1", "4194560" };
        while (f.Count < 52) f.Add("0");
        f[17] = "20";                       // priority
        f[19] = "1";                        // threads
        f[24] = "18446744073709551615";     // rsslim
        f[37] = "17";                       // exit signal
        return string.Join(' ', f) + "\n";
    }

    static string InitStatus() =>
        $"Name:\t{InitProcess.Name}\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1\nNgid:\t0\nPid:\t1\nPPid:\t0\nTracerPid:\t0\n" +
        "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t\nNStgid:\t1\nNSpid:\t1\nNSpgid:\t1\nNSsid:\t1\nThreads:\t1\n" +
        "SigQ:\t0/63432\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\n" +
        "SigIgn:\t0000000000000000\nSigCgt:\t0000000000000000\n" +
        $"CapInh:\t0000000000000000\nCapPrm:\t{Credentials.AllCapabilities:x16}\nCapEff:\t{Credentials.AllCapabilities:x16}\n" +
        $"CapBnd:\t{Credentials.AllCapabilities:x16}\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n" +
        "Cpus_allowed:\t1\nCpus_allowed_list:\t0\nvoluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n";
}
