using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.Host;

/// <summary>
/// Deterministic mode's view of host files (docs/determinism.md): what the host's metadata would leak from the machine
/// rather than the files is replaced. Inode numbers are handed out in the order the VM first sees each host inode (so
/// they depend on what the guest did, not on the host's disk; hard links share one), and each is remembered with the
/// path where it was first seen, so that a restored VM finds the host inodes of its virtual ones again on another host
/// or in a copy of the tree (<see cref="Rekey"/>); the device is the mount's; owner root; blocks follow
/// the size; every timestamp shows the host's modification time (an input, like the content) until the guest changes
/// the file through the VM (then the virtual time of that change; a file the guest creates, and a directory whose
/// entries it changes, get virtual times, never the host clock's); directories list in byte order of their names.
/// </summary>
public sealed class HostFilePresenter(ulong device, IClock clock)
{
    readonly Dictionary<(ulong Device, ulong Inode), ulong> _inodes = new();
    /// <summary>Times the guest gave a file (by virtual inode): creation, writes, truncation, renames, entries, utimensat.</summary>
    readonly Dictionary<ulong, (long Access, long Modify, long Change, long Birth)> _times = new();
    /// <summary>Where each virtual inode was first seen: its path below the tree's root.</summary>
    readonly Dictionary<ulong, string> _seenAt = new();
    ulong _lastInode = 1;

    /// <summary>The virtual inode number of a host inode, seen at <paramref name="path"/> (null when unknown).</summary>
    public ulong Inode(ulong hostDevice, ulong hostInode, string? path)
    {
        if (!_inodes.TryGetValue((hostDevice, hostInode), out ulong ino))
            _inodes[(hostDevice, hostInode)] = ino = ++_lastInode;
        if (path != null) _seenAt.TryAdd(ino, path);
        return ino;
    }

    /// <summary>
    /// After a restore, perhaps on another host or over a copy of the tree: each virtual inode is keyed by the host
    /// inode now at the path where it was first seen (<paramref name="hostInodeAt"/>; null when nothing is there).
    /// Keys that still hold are left alone, so restoring where the snapshot was taken changes nothing; a virtual inode
    /// whose path is gone is forgotten rather than kept under a key that may name an unrelated file here.
    /// </summary>
    public void Rekey(Func<string, (ulong Device, ulong Inode)?> hostInodeAt)
    {
        var keyOf = _inodes.ToDictionary(kv => kv.Value, kv => kv.Key);
        foreach (var (ino, oldKey) in keyOf.OrderBy(kv => kv.Key))
        {
            (ulong, ulong)? now = _seenAt.TryGetValue(ino, out string? path) ? hostInodeAt(path) : null;
            if (now == oldKey) continue;
            if (_inodes.TryGetValue(oldKey, out ulong held) && held == ino) _inodes.Remove(oldKey);
            if (now is (ulong, ulong) key) _inodes[key] = ino;
        }
    }

    /// <summary>The host's metadata (of the file at <paramref name="path"/>, when known) as the guest sees it.</summary>
    public FileStatus Present(FileStatus host, string? path)
    {
        ulong ino = Inode(host.Device, host.Inode, path);
        // The modification time is an input, like the content: tools compare it (python's .pyc check, make), and it
        // travels with the files (dpkg, tar and cp -p keep it). Access, change and birth times follow host activity
        // (reads, chmod, link counts, when a copy was made), so they show the modification time too.
        long mtime = host.ModifyNs;
        var (a, m, c, b) = _times.TryGetValue(ino, out var t) ? t : (mtime, mtime, mtime, mtime);
        return host with
        {
            Inode = ino, Device = device, Uid = 0, Gid = 0, AccessNs = a, ModifyNs = m, ChangeNs = c, BirthNs = b,
            BlockSize = 4096, Blocks = host.Kind == FileKind.Regular ? (host.Size + 4095) / 4096 * 8 : host.Kind == FileKind.Directory ? 8UL : 0,
            Size = host.Kind == FileKind.Directory ? 4096 : host.Size, // a host directory's size depends on its file system
        };
    }

    /// <summary>The entries of the directory at <paramref name="path"/> from the host: virtual inode numbers, sorted by the bytes of the names.</summary>
    public List<DirectoryEntry> Present(ulong hostDevice, string path, List<DirectoryEntry> entries)
    {
        var sorted = entries.Select(e => (Key: Vfs.GuestNames.ToBytes(e.Name), Entry: e)).ToList();
        sorted.Sort((x, y) => x.Key.AsSpan().SequenceCompareTo(y.Key));
        return sorted.Select(s => s.Entry with { Inode = Inode(hostDevice, s.Entry.Inode, path.Length == 0 ? s.Entry.Name : path + "/" + s.Entry.Name) }).ToList();
    }

    /// <summary>The guest created the file (a presented status): every time is now, none the host's.</summary>
    public void Created(FileStatus presented)
    {
        long now = clock.RealtimeNanoseconds;
        _times[presented.Inode] = (now, now, now, now);
    }

    /// <summary>The guest renamed or linked the file (a presented status): its ctime becomes now.</summary>
    public void Changed(FileStatus presented) =>
        _times[presented.Inode] = (presented.AccessNs, presented.ModifyNs, clock.RealtimeNanoseconds, presented.BirthNs);

    /// <summary>The guest wrote or truncated the file, or changed the directory's entries (a presented status): mtime and ctime become now.</summary>
    public void Modified(FileStatus presented)
    {
        long now = clock.RealtimeNanoseconds;
        _times[presented.Inode] = (presented.AccessNs, now, now, presented.BirthNs);
    }

    /// <summary>utimensat on the file (a presented status); <see cref="HostTree.UtimeOmit"/> leaves a time alone.</summary>
    public void TimesSet(FileStatus presented, long access, long modify)
    {
        long now = clock.RealtimeNanoseconds;
        _times[presented.Inode] = (access == HostTree.UtimeOmit ? presented.AccessNs : access,
            modify == HostTree.UtimeOmit ? presented.ModifyNs : modify, now, presented.BirthNs);
    }

    /// <summary>statfs of a host mount: fixed numbers instead of the host disk's.</summary>
    public static StatFsInfo StatFs(bool readOnly) =>
        new(0xEF53, 4096, 1UL << 24, 1UL << 23, 1UL << 23, 1UL << 20, 1UL << 19) { NameLength = 255, Flags = readOnly ? 1 : 0 };
}
