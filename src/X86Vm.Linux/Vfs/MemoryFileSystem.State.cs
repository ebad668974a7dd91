using X86Vm.Linux.State;

namespace X86Vm.Linux.Vfs;

// The file system's part of the state hash (docs/state-hash.md): what the VM owns, never what it only caches from
// the host. A node whose metadata, data or membership the VM owns contributes them; a pristine node of the lower
// layer contributes nothing but its place in the tree (its content is an input, like the host directory itself).
public sealed partial class MemoryFileSystem
{
    /// <summary>The hash of the tree (tmpfs) or of the overlay's changes to its host directory.</summary>
    public byte[] StateHash() => NodeHash(_root) ?? StateWriter.Node("fs-empty", w => w.Bool(_lower != null));

    /// <summary>A node's hash, or null when neither it nor anything below it is owned by the VM.</summary>
    byte[]? NodeHash(Node n)
    {
        var children = new List<(byte[] Name, byte[] Hash)>();
        if (n.Children != null)
            foreach (var (name, child) in n.Children)
                if (child != null && NodeHash(child) is byte[] h) children.Add((GuestNames.ToBytes(name), h));
        if (n.Pristine && children.Count == 0) return null;
        children.Sort((a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        return StateWriter.Node("fs-node", w =>
        {
            w.U64(n.Inode).U32((uint)n.Kind).Bool(n.Lower != null).Bool(n.OwnMeta).Bool(n.OwnData).Bool(n.OwnChildren);
            if (n.OwnMeta)
                w.U32(n.Permissions).U32(n.Uid).U32(n.Gid).U32(n.Links).I64(n.Atime).I64(n.Mtime).I64(n.Ctime).I64(n.Btime);
            if (n.Kind == FileKind.Symlink) w.String(n.Target ?? "");
            if (n.Kind is FileKind.CharDevice or FileKind.BlockDevice) w.U64(n.RDevice);
            if (n.OwnMeta)
            {
                w.U64((ulong)(n.Xattrs?.Values.Count ?? 0));
                if (n.Xattrs != null)
                    foreach (var (name, value) in n.Xattrs.Values) w.Bytes(GuestNames.ToBytes(name)).Bytes(value);
            }
            if (n.OwnData && n.Kind == FileKind.Regular)
            {
                w.I64(n.Content.Size).I32(n.Seals);
                foreach (var (index, page) in n.Content.PagesInOrder) w.I64(index).Hash(StateWriter.Leaf(page.Data));
                w.I64(-1);
            }
            if (n.OwnChildren && n.Children != null)
            {
                // The membership is the VM's (entries removed from the host's listing are whiteouts): every name.
                var names = n.Children.Keys.Select(GuestNames.ToBytes).ToList();
                names.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
                w.U64((ulong)names.Count);
                foreach (byte[] name in names) w.Bytes(name);
            }
            w.U64((ulong)children.Count);
            foreach (var (name, hash) in children) w.Bytes(name).Hash(hash);
        });
    }
}
