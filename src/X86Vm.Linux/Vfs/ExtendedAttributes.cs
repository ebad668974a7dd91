namespace X86Vm.Linux.Vfs;

/// <summary>
/// A file's extended attributes (xattr(7)) as VM state: names (bytes, with their namespace prefix) to values, in byte
/// order of the names, which is the order listxattr reports them here. Kept by the file systems x86vm holds (tmpfs,
/// overlays, memfd); host directories answer EOPNOTSUPP.
/// </summary>
public sealed class ExtendedAttributes
{
    public const int XATTR_CREATE = 1, XATTR_REPLACE = 2;

    public SortedDictionary<string, byte[]> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>0, or ENODATA.</summary>
    public int Get(string name, out byte[] value)
    {
        if (Values.TryGetValue(name, out byte[]? v)) { value = v; return 0; }
        value = [];
        return Errno.ENODATA;
    }

    /// <summary>setxattr(2): XATTR_CREATE fails with EEXIST on an existing name, XATTR_REPLACE with ENODATA on a missing one.</summary>
    public int Set(string name, byte[] value, int flags)
    {
        bool exists = Values.ContainsKey(name);
        if ((flags & XATTR_CREATE) != 0 && exists) return Errno.EEXIST;
        if ((flags & XATTR_REPLACE) != 0 && !exists) return Errno.ENODATA;
        Values[name] = value;
        return 0;
    }

    public int Remove(string name) => Values.Remove(name) ? 0 : Errno.ENODATA;

    public IEnumerable<string> Names => Values.Keys;
}
