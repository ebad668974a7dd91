using Npgsql;
using NpgsqlTypes;

namespace X86Vm.Fleet.Storage;

/// <summary>
/// The fleet's store in PostgreSQL (tables x86vm_vms and x86vm_blobs, Postgres/Store.sql), shared by every silo of a
/// <c>--cluster</c> fleet. A blob is stored in parts of <see cref="PartBytes"/> in one transaction, so a write is
/// visible whole or not at all, and no single row or statement holds a whole snapshot. The snapshot is written to a
/// temporary file first (SaveSnapshot writes synchronously), then sent part by part; reading brings it back to one.
/// </summary>
public sealed class PostgresFleetStore(NpgsqlDataSource database) : IFleetStore
{
    public const int PartBytes = 1 << 20;

    public async Task<string?> ReadRecordAsync(string id)
    {
        await using var command = database.CreateCommand("SELECT record FROM x86vm_vms WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteScalarAsync() as string;
    }

    public async Task WriteRecordAsync(string id, string json)
    {
        await using var command = database.CreateCommand(
            "INSERT INTO x86vm_vms (id, record) VALUES (@id, @record) ON CONFLICT (id) DO UPDATE SET record = excluded.record");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("record", json);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<IReadOnlyList<string>> ListRecordsAsync()
    {
        await using var command = database.CreateCommand("SELECT id FROM x86vm_vms ORDER BY id COLLATE \"C\"");
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
        return ids;
    }

    public async Task DeleteVmAsync(string id)
    {
        await using var command = database.CreateCommand("DELETE FROM x86vm_blobs WHERE id = @id; DELETE FROM x86vm_vms WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync();
    }

    public async Task WriteBlobAsync(string id, string name, Action<Stream> write)
    {
        await using var file = TemporaryFile();
        write(file);
        file.Position = 0;
        await using var connection = await database.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var clear = new NpgsqlCommand("DELETE FROM x86vm_blobs WHERE id = @id AND name = @name", connection, transaction))
        {
            clear.Parameters.AddWithValue("id", id);
            clear.Parameters.AddWithValue("name", name);
            await clear.ExecuteNonQueryAsync();
        }
        await using var insert = new NpgsqlCommand("INSERT INTO x86vm_blobs (id, name, part, data) VALUES (@id, @name, @part, @data)", connection, transaction);
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("name", name);
        var part = insert.Parameters.Add("part", NpgsqlDbType.Integer);
        var data = insert.Parameters.Add("data", NpgsqlDbType.Bytea);
        byte[] buffer = new byte[PartBytes];
        for (int index = 0; ; index++)
        {
            int length = await ReadFull(file, buffer);
            if (length == 0 && index > 0) break;
            part.Value = index;
            data.Value = new ReadOnlyMemory<byte>(buffer, 0, length);
            await insert.ExecuteNonQueryAsync();
            if (length < buffer.Length) break;
        }
        await transaction.CommitAsync();
    }

    public async Task<Stream?> OpenBlobAsync(string id, string name)
    {
        await using var command = database.CreateCommand("SELECT data FROM x86vm_blobs WHERE id = @id AND name = @name ORDER BY part");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("name", name);
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess);
        FileStream? file = null;
        try
        {
            while (await reader.ReadAsync())
            {
                file ??= TemporaryFile();
                await using Stream part = await reader.GetStreamAsync(0);
                await part.CopyToAsync(file);
            }
            file?.Seek(0, SeekOrigin.Begin);
            return file;
        }
        catch
        {
            if (file != null) await file.DisposeAsync();
            throw;
        }
    }

    public async Task DeleteBlobAsync(string id, string name)
    {
        await using var command = database.CreateCommand("DELETE FROM x86vm_blobs WHERE id = @id AND name = @name");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("name", name);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// A file that removes itself when closed. On Unix its name goes at once (the open file lives on), so that a silo
    /// killed mid-checkpoint leaves no file behind.
    /// </summary>
    static FileStream TemporaryFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"x86vm-fleet-{Guid.NewGuid():N}.blob");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Delete, 1 << 16,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        if (!OperatingSystem.IsWindows()) File.Delete(path);
        return file;
    }

    static async Task<int> ReadFull(Stream stream, byte[] buffer)
    {
        int total = 0;
        while (total < buffer.Length && await stream.ReadAsync(buffer.AsMemory(total)) is int n and > 0) total += n;
        return total;
    }
}
