namespace X86Vm.Linux.Process;

/// <summary>
/// A process's identity inside the VM (credentials(7)): real, effective, saved and file-system user and group ids,
/// supplementary groups and the capability sets. Pure VM data: the host's identity never changes and never shows.
/// The VM's first process is root with every capability, as a Linux root shell; fork copies these, execve keeps them
/// (with the set-user-ID bits and capability rules applied).
/// </summary>
public sealed class Credentials
{
    /// <summary>CAP_LAST_CAP of the kernel x86vm presents (CAP_CHECKPOINT_RESTORE = 40).</summary>
    public const int LastCapability = 40;
    public const ulong AllCapabilities = (1UL << (LastCapability + 1)) - 1;
    /// <summary>The capabilities a file-system uid change moves (capabilities(7), "Effect of user ID changes"):
    /// CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID, CAP_LINUX_IMMUTABLE, CAP_MAC_OVERRIDE,
    /// CAP_MKNOD.</summary>
    public const ulong FileSystemCapabilities = 0x1F | 1UL << 9 | 1UL << 32 | 1UL << 27;
    public const int CAP_CHOWN = 0, CAP_DAC_OVERRIDE = 1, CAP_DAC_READ_SEARCH = 2, CAP_FOWNER = 3, CAP_KILL = 5,
        CAP_SETGID = 6, CAP_SETUID = 7, CAP_SETPCAP = 8, CAP_SYS_NICE = 23, CAP_MKNOD = 27;

    public uint Uid, Euid, Suid, Fsuid;
    public uint Gid, Egid, Sgid, Fsgid;
    public uint[] Groups = [];
    public ulong Inheritable, Permitted = AllCapabilities, Effective = AllCapabilities, Bounding = AllCapabilities;
    /// <summary>prctl(PR_SET_KEEPCAPS): permitted capabilities survive the switch away from uid 0.</summary>
    public bool KeepCapabilities;

    public bool Has(int capability) => (Effective >> capability & 1) != 0;

    public Credentials Clone()
    {
        var c = (Credentials)MemberwiseClone();
        c.Groups = (uint[])Groups.Clone();
        return c;
    }

    /// <summary>Whether <paramref name="gid"/> is the file-system group or a supplementary group (in_group_p).</summary>
    public bool InGroup(uint gid) => gid == Fsgid || Array.IndexOf(Groups, gid) >= 0;

    /// <summary>
    /// After a change of user ids, the capability sets follow the old ids as cap_emulate_setxuid does: leaving uid 0 in
    /// every one of real, effective and saved clears permitted and effective (unless KEEPCAPS); the effective uid leaving
    /// 0 clears effective, returning to 0 restores it from permitted; the file-system uid moves the file capabilities.
    /// </summary>
    public void AfterUidChange(uint oldUid, uint oldEuid, uint oldSuid, uint oldFsuid)
    {
        bool wasRoot = oldUid == 0 || oldEuid == 0 || oldSuid == 0;
        if (wasRoot && Uid != 0 && Euid != 0 && Suid != 0)
        {
            if (!KeepCapabilities) Permitted = 0;
            Effective = 0;
        }
        if (oldEuid == 0 && Euid != 0) Effective = 0;
        if (oldEuid != 0 && Euid == 0) Effective = Permitted;
        if (oldFsuid == 0 && Fsuid != 0) Effective &= ~FileSystemCapabilities;
        if (oldFsuid != 0 && Fsuid == 0) Effective |= Permitted & FileSystemCapabilities;
    }

    /// <summary>
    /// execve: set-user-ID and set-group-ID bits make the file's owner the effective id; the saved ids become the effective
    /// ones; root (real or effective) gets the bounding set as permitted, and effective when the effective uid is 0; other
    /// users keep no capabilities (no file capabilities or ambient set in the VM).
    /// </summary>
    public void OnExec(Vfs.FileStatus program)
    {
        if ((program.Permissions & 0x800) != 0) Euid = program.Uid;
        if ((program.Permissions & 0x400) != 0 && (program.Permissions & 0x8) != 0) Egid = program.Gid;
        Suid = Fsuid = Euid;
        Sgid = Fsgid = Egid;
        if (Uid == 0 || Euid == 0)
        {
            Permitted = Bounding | Inheritable;
            Effective = Euid == 0 ? Permitted : 0;
        }
        else Permitted = Effective = 0;
        KeepCapabilities = false;
    }

    /// <summary>May these credentials access a file of <paramref name="st"/> for <paramref name="want"/> (4 read, 2 write,
    /// 1 execute/search)? generic_permission with the file-system ids, then CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH.</summary>
    public bool MayAccess(Vfs.FileStatus st, int want, bool realIds = false)
    {
        uint uid = realIds ? Uid : Fsuid;
        bool dir = st.Kind == Vfs.FileKind.Directory;
        int mode = (int)st.Permissions;
        int granted = uid == st.Uid ? mode >> 6 & 7 : (realIds ? st.Gid == Gid || Array.IndexOf(Groups, st.Gid) >= 0 : InGroup(st.Gid)) ? mode >> 3 & 7 : mode & 7;
        if ((want & ~granted) == 0) return true;
        ulong caps = realIds ? (Uid == 0 ? Permitted : 0) : Effective;
        bool Cap(int c) => (caps >> c & 1) != 0;
        // CAP_DAC_OVERRIDE: anything, except executing a file no one may execute.
        if (Cap(CAP_DAC_OVERRIDE) && ((want & 1) == 0 || dir || (mode & 0x49) != 0)) return true;
        // CAP_DAC_READ_SEARCH: reading any file, searching any directory.
        if (Cap(CAP_DAC_READ_SEARCH) && (want & 2) == 0 && ((want & 1) == 0 || dir)) return true;
        return false;
    }
}
