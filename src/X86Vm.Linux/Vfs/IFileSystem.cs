namespace X86Vm.Linux.Vfs;

/// <summary>
/// A mounted file system. Paths given to it are already resolved by <see cref="VirtualFileSystem"/>:
/// relative to the mount root, normalised, without ".." and with every symlink before the last
/// component expanded — so a backend can never be asked for something outside itself.
/// </summary>
public interface IFileSystem
{
    bool ReadOnly { get; }

    /// <summary>lstat: metadata of the entry itself (a symlink is not followed). Negative errno on failure.</summary>
    FileStatus? Lstat(string relativePath, out int errno);

    /// <summary>The target of a symlink, or null when it is not one.</summary>
    string? ReadLink(string relativePath);

    /// <summary>Opens an existing or new file; returns null and sets errno on failure.</summary>
    OpenFile? Open(string relativePath, string guestPath, int flags, uint mode, out int errno);
}
