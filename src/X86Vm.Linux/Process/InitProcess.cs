namespace X86Vm.Linux.Process;

/// <summary>
/// The VM's implicit init (pid 1): the parent of the first process and of orphans, which reaps them. It runs no guest
/// code and is not a <see cref="GuestProcess"/>, but programs can see it as on Linux: getpgid(1) and getsid(1) are 1,
/// kill(1, 0) succeeds for root (other signals are ignored, as by an init without handlers) and is EPERM for other
/// users, and /proc/1 describes it (root-owned, sleeping, session and group leader, no parent).
/// </summary>
public static class InitProcess
{
    public const int Pid = 1;
    public const string Name = "init", Executable = "/sbin/init";

    /// <summary>kill_ok_by_cred against init's ids (all 0): root's, or CAP_KILL.</summary>
    public static bool MaySignal(GuestProcess sender)
    {
        Credentials c = sender.Credentials;
        return c.Uid == 0 || c.Euid == 0 || c.Has(Credentials.CAP_KILL);
    }
}
