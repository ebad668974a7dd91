namespace X86Vm.Fleet.Storage;

/// <summary>
/// Where the fleet keeps what must outlive a silo: each VM's record (small JSON) and its blobs (checkpoints: output
/// and snapshot, any size). Blobs never travel as Orleans messages, so a snapshot far past the message size limit
/// moves between silos through the store. A write is visible whole or not at all.
/// </summary>
public interface IFleetStore
{
    /// <summary>The record of VM <paramref name="id"/>, or null when there is none.</summary>
    Task<string?> ReadRecordAsync(string id);

    /// <summary>Replaces the record of VM <paramref name="id"/>.</summary>
    Task WriteRecordAsync(string id, string json);

    /// <summary>The ids of every VM with a record.</summary>
    Task<IReadOnlyList<string>> ListRecordsAsync();

    /// <summary>Removes VM <paramref name="id"/>'s record and all its blobs.</summary>
    Task DeleteVmAsync(string id);

    /// <summary>Stores blob <paramref name="name"/> of VM <paramref name="id"/>, written by <paramref name="write"/> (synchronously, as snapshots are written).</summary>
    Task WriteBlobAsync(string id, string name, Action<Stream> write);

    /// <summary>Reads blob <paramref name="name"/> of VM <paramref name="id"/>; null when it does not exist. The caller disposes the stream.</summary>
    Task<Stream?> OpenBlobAsync(string id, string name);

    /// <summary>Removes blob <paramref name="name"/> of VM <paramref name="id"/> (nothing when it does not exist).</summary>
    Task DeleteBlobAsync(string id, string name);
}
