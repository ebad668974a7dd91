using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Host;

/// <summary>
/// Deterministic mode's view of host files (docs/determinism.md): what the host's metadata would leak from the machine
/// rather than the files is replaced. Inode numbers are handed out in the order the VM first sees each host inode (so
/// they depend on what the guest did, not on the host's disk); the device is the mount's; owner root; blocks follow
/// the size; every timestamp shows the host's modification time (an input, like the content) until the guest changes
/// the file through the VM (then the virtual time of that change); directories list in byte order of their names.
/// </summary>
public sealed class HostFilePresenter(ulong device, IClock clock)
{
    readonly Dictionary<(ulong Device, ulong Inode), ulong> _inodes = new();
    /// <summary>Times the guest gave a file (by virtual inode): writes, truncation, utimensat.</summary>
    readonly Dictionary<ulong, (long Access, long Modify, long Change)> _times = new();
    ulong _lastInode = 1;

    /// <summary>The virtual inode number of a host inode.</summary>
    public ulong Inode(ulong hostDevice, ulong hostInode)
    {
        if (!_inodes.TryGetValue((hostDevice, hostInode), out ulong ino))
            _inodes[(hostDevice, hostInode)] = ino = ++_lastInode;
        return ino;
    }

    /// <summary>The host's metadata as the guest sees it.</summary>
    public FileStatus Present(FileStatus host)
    {
        ulong ino = Inode(host.Device, host.Inode);
        // The modification time is an input, like the content: tools compare it (python's .pyc check, make), and it
        // travels with the files (dpkg, tar and cp -p keep it). Access, change and birth times follow host activity
        // (reads, chmod, link counts, when a copy was made), so they show the modification time too.
        long mtime = host.ModifyNs;
        var (a, m, c) = _times.TryGetValue(ino, out var t) ? t : (mtime, mtime, mtime);
        return host with
        {
            Inode = ino, Device = device, Uid = 0, Gid = 0, AccessNs = a, ModifyNs = m, ChangeNs = c, BirthNs = mtime,
            BlockSize = 4096, Blocks = host.Kind == FileKind.Regular ? (host.Size + 4095) / 4096 * 8 : host.Kind == FileKind.Directory ? 8UL : 0,
            Size = host.Kind == FileKind.Directory ? 4096 : host.Size, // a host directory's size depends on its file system
        };
    }

    /// <summary>A directory's entries from the host: virtual inode numbers, sorted by the bytes of the names.</summary>
    public List<DirectoryEntry> Present(ulong hostDevice, List<DirectoryEntry> entries)
    {
        var sorted = entries.Select(e => (Key: System.Text.Encoding.UTF8.GetBytes(e.Name), Entry: e)).ToList();
        sorted.Sort((x, y) => x.Key.AsSpan().SequenceCompareTo(y.Key));
        return sorted.Select(s => s.Entry with { Inode = Inode(hostDevice, s.Entry.Inode) }).ToList();
    }

    /// <summary>The guest wrote or truncated the file (a presented status): mtime and ctime become now.</summary>
    public void Modified(FileStatus presented)
    {
        long now = clock.RealtimeNanoseconds;
        long a = _times.TryGetValue(presented.Inode, out var t) ? t.Access : presented.AccessNs;
        _times[presented.Inode] = (a, now, now);
    }

    /// <summary>utimensat on the file (a presented status); <see cref="HostTree.UtimeOmit"/> leaves a time alone.</summary>
    public void TimesSet(FileStatus presented, long access, long modify)
    {
        long now = clock.RealtimeNanoseconds;
        _times[presented.Inode] = (access == HostTree.UtimeOmit ? presented.AccessNs : access,
            modify == HostTree.UtimeOmit ? presented.ModifyNs : modify, now);
    }

    /// <summary>statfs of a host mount: fixed numbers instead of the host disk's.</summary>
    public static StatFsInfo StatFs(bool readOnly) =>
        new(0xEF53, 4096, 1UL << 24, 1UL << 23, 1UL << 23, 1UL << 20, 1UL << 19) { NameLength = 255, Flags = readOnly ? 1 : 0 };
}
