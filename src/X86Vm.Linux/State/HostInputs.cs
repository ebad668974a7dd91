using X86Vm.Linux.Host;
using X86Vm.Linux.Vfs;

namespace X86Vm.Linux.State;

/// <summary>One host file or directory a VM opened or listed, with what was there when its snapshot was saved.</summary>
/// <param name="Mount">The guest path of the mount it is under.</param>
/// <param name="RelativePath">Its path below the mount's host directory.</param>
/// <param name="Fingerprint">BLAKE3 of its content (<see cref="HostTree.Fingerprint"/>) at the save; null: absent then.</param>
public sealed record HostInput(string Mount, string RelativePath, byte[]? Fingerprint)
{
    public string GuestPath => RelativePath.Length == 0 ? Mount : Mount == "/" ? "/" + RelativePath : Mount + "/" + RelativePath;
}

/// <summary>
/// The host inputs of a snapshot (docs/snapshot-format.md): host directories are not saved, only what the VM read from
/// them, by content, so that a restore — on another host, or with a mount re-bound — refuses files that changed
/// instead of diverging silently. Files the VM wrote in read-write mounts are among them: a restore needs the mount as
/// the saved VM left it.
/// </summary>
public static class HostInputs
{
    /// <summary>The host tree behind a mount: a host directory's, or a copy-on-write overlay's lower layer; else null.</summary>
    static HostTree? TreeOf(IFileSystem fs) => fs switch
    {
        HostDirectoryFileSystem h => h.Tree,
        MemoryFileSystem m => m.LowerTree,
        _ => null,
    };

    /// <summary>Every input of every host-backed mount, in mount order then byte order of the paths, fingerprinted now.</summary>
    public static List<HostInput> Take(VirtualFileSystem vfs) =>
        (from mount in vfs.Mounts
         let tree = TreeOf(mount.Fs)
         where tree != null && Visible(vfs, mount.At) == tree
         from path in tree.Inputs
         select new HostInput(mount.At, path, tree.Fingerprint(path))).ToList();

    /// <summary>The host tree of the mount at <paramref name="at"/> that the guest sees: the last one mounted there (it shadows the others).</summary>
    static HostTree? Visible(VirtualFileSystem vfs, string at) => vfs.Mounts.LastOrDefault(m => m.At == at).Fs is { } fs ? TreeOf(fs) : null;

    /// <summary>count (u32), then per input: mount and path (7-bit length-prefixed UTF-8), u8 present, 32-byte fingerprint if present.</summary>
    public static void Write(BinaryWriter w, IReadOnlyList<HostInput> inputs)
    {
        w.Write((uint)inputs.Count);
        foreach (HostInput input in inputs)
        {
            w.Write(input.Mount);
            w.Write(input.RelativePath);
            w.Write(input.Fingerprint != null);
            if (input.Fingerprint != null) w.Write(input.Fingerprint);
        }
    }

    public static List<HostInput> Read(BinaryReader r)
    {
        uint count = r.ReadUInt32();
        var inputs = new List<HostInput>();
        for (uint i = 0; i < count; i++)
        {
            string mount = r.ReadString(), path = r.ReadString();
            byte[]? fingerprint = r.ReadBoolean() ? r.ReadBytes(32) : null;
            if (fingerprint is { Length: not 32 }) throw new EndOfStreamException();
            inputs.Add(new HostInput(mount, path, fingerprint));
        }
        return inputs;
    }

    /// <summary>Throws <see cref="SnapshotFormatException"/> naming the first input that is not as it was at the save.</summary>
    public static void Verify(VirtualFileSystem vfs, IReadOnlyList<HostInput> inputs)
    {
        foreach (HostInput input in inputs)
        {
            HostTree tree = Visible(vfs, input.Mount) ??
                throw new SnapshotFormatException($"damaged snapshot: its input {input.GuestPath} is on no host-backed mount");
            byte[]? now = tree.Fingerprint(input.RelativePath);
            if (now != null && input.Fingerprint != null && now.AsSpan().SequenceEqual(input.Fingerprint)) continue;
            if (now == null && input.Fingerprint == null) continue;
            string where = $"{input.GuestPath} (host {Path.Join(tree.RootPath, input.RelativePath)})";
            throw new SnapshotFormatException(
                input.Fingerprint == null ? $"the host file {where} did not exist when the snapshot was saved, and does now" :
                now == null ? $"the host file {where} is missing" :
                $"the host file {where} changed since the snapshot was saved");
        }
    }
}
