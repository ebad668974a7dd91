using System.Buffers.Binary;

namespace X86Vm.Linux.Process;

/// <summary>
/// What every System V IPC object has (svipc(7), struct ipc_perm): its id and key, owner, creator and mode, the time of
/// its last change, and whether IPC_RMID removed it. Shared memory segments, semaphore sets and message queues derive
/// from it; the permission check, ownership and the ipc64_perm layout live here once.
/// </summary>
public abstract class IpcObject
{
    public const int IPC_PRIVATE = 0, IPC_CREAT = 0x200, IPC_EXCL = 0x400, IPC_NOWAIT = 0x800;
    /// <summary>Read and write permission for owner, group and others (0444, 0222): what a call needs, for <see cref="Allowed"/>.</summary>
    public const int S_IRUGO = 0x124, S_IWUGO = 0x92;
    public const int IPC_RMID = 0, IPC_SET = 1, IPC_STAT = 2, IPC_INFO = 3, IPC_64 = 0x100;
    const int CAP_IPC_OWNER = 15, CAP_SYS_ADMIN = 21;
    /// <summary>Size of struct ipc64_perm on x86-64.</summary>
    public const int PermSize = 48;

    public int Id, Key;
    public uint Uid, Gid, CreatorUid, CreatorGid, Mode;
    public long ChangeTime;
    /// <summary>IPC_RMID was asked: the key is gone (a segment lives on until its last detach; sets and queues end at once).</summary>
    public bool Removed;

    /// <summary>Kernel memory the object holds (its values, its queued messages).</summary>
    public KernelCharge Held = new();

    /// <summary>Owner and creator are the caller's effective ids; the mode is the flag's low nine bits.</summary>
    protected IpcObject(GuestProcess creator, int key, int flags)
    {
        Credentials c = creator.Credentials;
        Key = key;
        Uid = CreatorUid = c.Euid;
        Gid = CreatorGid = c.Egid;
        Mode = (uint)flags & 0x1FF;
        ChangeTime = Now(creator);
    }

    /// <summary>Seconds of the VM's realtime clock (the IPC times are time_t).</summary>
    public static long Now(GuestProcess p) => p.Kernel.Clock.RealtimeNanoseconds / 1_000_000_000;

    /// <summary>
    /// ipcperms: the requested bits of <paramref name="flag"/> (any of owner, group or other, as S_IRUGO or a get call's
    /// flag) against the owner's, group's or others' bits of the mode; CAP_IPC_OWNER passes.
    /// </summary>
    public bool Allowed(GuestProcess p, int flag)
    {
        Credentials c = p.Credentials;
        int requested = (flag >> 6 | flag >> 3 | flag) & 7;
        uint granted = c.Euid == Uid || c.Euid == CreatorUid ? Mode >> 6 : c.InGroup(Gid) || c.InGroup(CreatorGid) ? Mode >> 3 : Mode;
        return (requested & ~granted & 7) == 0 || c.Has(CAP_IPC_OWNER);
    }

    /// <summary>IPC_SET and IPC_RMID: the owner, the creator or CAP_SYS_ADMIN.</summary>
    public bool IsOwner(GuestProcess p)
    {
        Credentials c = p.Credentials;
        return c.Euid == Uid || c.Euid == CreatorUid || c.Has(CAP_SYS_ADMIN);
    }

    /// <summary>Mode bits beyond the permissions that IPC_STAT reports (SHM_DEST, SHM_LOCKED).</summary>
    protected virtual uint StatusBits => 0;

    /// <summary>The mode as /proc/sysvipc and IPC_STAT show it.</summary>
    public uint ShownMode => Mode | StatusBits;

    /// <summary>struct ipc64_perm: key, uid, gid, cuid, cgid, mode, seq.</summary>
    public void WritePerm(Span<byte> ds)
    {
        BinaryPrimitives.WriteInt32LittleEndian(ds, Removed ? IPC_PRIVATE : Key);
        BinaryPrimitives.WriteUInt32LittleEndian(ds[4..], Uid);
        BinaryPrimitives.WriteUInt32LittleEndian(ds[8..], Gid);
        BinaryPrimitives.WriteUInt32LittleEndian(ds[12..], CreatorUid);
        BinaryPrimitives.WriteUInt32LittleEndian(ds[16..], CreatorGid);
        BinaryPrimitives.WriteUInt32LittleEndian(ds[20..], ShownMode);
        BinaryPrimitives.WriteUInt16LittleEndian(ds[24..], (ushort)(Id / IpcRegistry<IpcObject>.SeqMultiplier));
    }

    /// <summary>IPC_SET's part of ipc64_perm: uid, gid and the permission bits.</summary>
    public void SetPerm(GuestProcess p, ReadOnlySpan<byte> ds)
    {
        Uid = BinaryPrimitives.ReadUInt32LittleEndian(ds[4..]);
        Gid = BinaryPrimitives.ReadUInt32LittleEndian(ds[8..]);
        Mode = Mode & ~0x1FFu | BinaryPrimitives.ReadUInt32LittleEndian(ds[20..]) & 0x1FF;
        ChangeTime = Now(p);
    }
}

/// <summary>
/// One kind of System V IPC object of the VM (the kernel's ipc_ids): objects by id in id order, so every walk over
/// them is deterministic. An id is index + 32768 × sequence, as Linux builds it (ipc_idr_alloc): indexes are given
/// cyclically (the first free one after the last given), and the sequence grows each time they wrap, so a removed
/// object's id is not soon reused.
/// </summary>
public sealed class IpcRegistry<T> where T : IpcObject
{
    public const int SeqMultiplier = 32768;

    public SortedDictionary<int, T> ById { get; } = new();
    readonly SortedSet<int> _indexes = new();
    /// <summary>The object at each index in use (for the *_STAT commands).</summary>
    readonly SortedDictionary<int, T> _atIndex = new();
    /// <summary>
    /// The object last added with each key but IPC_PRIVATE: the live one with that key if any (a get call finds a
    /// live object before it makes another, so a key's newer object is only made once the older one is removed).
    /// </summary>
    readonly SortedDictionary<int, T> _byKey = new();
    int _sequence, _lastIndex = -1;

    /// <summary>The sequence and the last index given (the next id depends on them).</summary>
    public int Sequence => _sequence;
    public int LastIndex => _lastIndex;

    /// <summary>The live object with <paramref name="key"/> (never IPC_PRIVATE's).</summary>
    public T? ByKey(int key) =>
        key != IpcObject.IPC_PRIVATE && _byKey.TryGetValue(key, out T? o) && !o.Removed && ById.ContainsKey(o.Id) ? o : null;

    /// <summary>Gives <paramref name="o"/> its id and adds it; null when all 32768 indexes are in use (ENOSPC).</summary>
    public T? Add(T o)
    {
        int index = FirstFree(_lastIndex + 1, SeqMultiplier) ?? FirstFree(0, _lastIndex + 1) ?? -1;
        if (index < 0) return null;
        if (index <= _lastIndex) _sequence = (_sequence + 1) % (int.MaxValue / SeqMultiplier);
        _lastIndex = index;
        _indexes.Add(index);
        o.Id = _sequence * SeqMultiplier + index;
        ById[o.Id] = o;
        _atIndex[index] = o;
        if (o.Key != IpcObject.IPC_PRIVATE) _byKey[o.Key] = o;
        return o;
    }

    int? FirstFree(int from, int to)
    {
        for (int i = from; i < to; i++)
            if (!_indexes.Contains(i)) return i;
        return null;
    }

    public void Remove(T o)
    {
        if (!ById.Remove(o.Id)) return;
        _indexes.Remove(o.Id % SeqMultiplier);
        _atIndex.Remove(o.Id % SeqMultiplier);
        if (_byKey.TryGetValue(o.Key, out T? keyed) && keyed == o) _byKey.Remove(o.Key);
    }

    /// <summary>
    /// The object an id names (ipc_obtain_object_check): EINVAL for a free index or a negative id, EIDRM when the index
    /// now holds a newer object (the one named was removed).
    /// </summary>
    public T? Lookup(int id, out int errno)
    {
        errno = 0;
        if (ById.TryGetValue(id, out T? o)) return o;
        errno = id >= 0 && _indexes.Contains(id % SeqMultiplier) ? Errno.EIDRM : Errno.EINVAL;
        return null;
    }

    /// <summary>The highest index in use, or -1 (what IPC_INFO and the *_INFO commands return, ipc_get_maxidx).</summary>
    public int MaxIndex => _indexes.Count == 0 ? -1 : _indexes.Max;

    /// <summary>The object at index <paramref name="index"/> (the *_STAT commands take an index, not an id).</summary>
    public T? AtIndex(int index) => _atIndex.GetValueOrDefault(index);
}
