namespace X86Vm.Fleet.Storage;

/// <summary>
/// The fleet's store in a directory: <c>vms/ID.json</c> and <c>blobs/ID/NAME</c>. The single-machine default, and for
/// several machines a directory they share. Every file is written beside its name and renamed, so a silo that dies
/// mid-write leaves the previous version.
/// </summary>
public sealed class DirectoryFleetStore : IFleetStore
{
    readonly string _records;
    readonly string _blobs;

    public DirectoryFleetStore(string root)
    {
        _records = Path.Combine(root, "vms");
        _blobs = Path.Combine(root, "blobs");
        Directory.CreateDirectory(_records);
        Directory.CreateDirectory(_blobs);
    }

    string RecordPath(string id) => Path.Combine(_records, Checked(id) + ".json");
    string BlobPath(string id, string name) => Path.Combine(_blobs, Checked(id), Checked(name));

    /// <summary>Ids and blob names are file names here: refuse anything that could leave the directory.</summary>
    static string Checked(string name) =>
        name.Length > 0 && name.IndexOfAny(['/', '\0']) < 0 && name != "." && name != ".." ? name : throw new ArgumentException($"bad store name '{name}'");

    public async Task<string?> ReadRecordAsync(string id)
    {
        try { return await File.ReadAllTextAsync(RecordPath(id)); }
        catch (FileNotFoundException) { return null; }
    }

    public Task WriteRecordAsync(string id, string json) =>
        WriteAtomically(RecordPath(id), stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(json)));

    public Task<IReadOnlyList<string>> ListRecordsAsync() =>
        Task.FromResult<IReadOnlyList<string>>(Directory.EnumerateFiles(_records, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)).Order().ToList());

    public Task DeleteVmAsync(string id)
    {
        File.Delete(RecordPath(id));
        string blobs = Path.Combine(_blobs, Checked(id));
        if (Directory.Exists(blobs)) Directory.Delete(blobs, recursive: true);
        return Task.CompletedTask;
    }

    public Task WriteBlobAsync(string id, string name, Action<Stream> write)
    {
        Directory.CreateDirectory(Path.Combine(_blobs, Checked(id)));
        return WriteAtomically(BlobPath(id, name), write);
    }

    public Task<Stream?> OpenBlobAsync(string id, string name)
    {
        try { return Task.FromResult<Stream?>(new FileStream(BlobPath(id, name), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16)); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return Task.FromResult<Stream?>(null); }
    }

    public Task DeleteBlobAsync(string id, string name)
    {
        File.Delete(BlobPath(id, name));
        return Task.CompletedTask;
    }

    static Task WriteAtomically(string path, Action<Stream> write)
    {
        string temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.part";
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
        return Task.CompletedTask;
    }
}
