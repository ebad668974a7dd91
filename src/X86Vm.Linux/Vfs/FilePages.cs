using Microsoft.Win32.SafeHandles;
using X86Vm.Cpu.Memory;

namespace X86Vm.Linux.Vfs;

/// <summary>A file that MAP_SHARED can map: it hands out the pages its reads and writes use.</summary>
public interface IMappableFile
{
    /// <summary>The file's pages for a shared mapping, or null with a positive errno.</summary>
    IPageSource? MapShared(bool writable, out int errno);
}

/// <summary>A page source whose pages are a cache of something outside the VM: dirty pages are written back to it.</summary>
public interface IWriteBackSource
{
    /// <summary>Writes every page dirtied through a mapping back (msync, munmap, close, exit).</summary>
    void WriteBack();
}

/// <summary>A file that an open of /proc/self/fd/N reopens as a new description of the same inode (it may have no path).</summary>
public interface IReopenableFile
{
    /// <summary>The new description; null with errno 0 to fall back to opening by path, or with a positive errno.</summary>
    OpenFile? Reopen(int flags, out int errno);
}

/// <summary>A file that can carry memfd seals (fcntl F_ADD_SEALS / F_GET_SEALS).</summary>
public interface ISealableFile
{
    /// <summary>The seals, or -EINVAL when the file is not of a kind that has them.</summary>
    int Seals { get; }

    /// <summary>memfd_add_seals after the access check: 0 or a negative errno.</summary>
    int AddSeals(int seals, Func<IPageSource, bool> writablyMapped);
}

/// <summary>memfd seals (fcntl(2) "File Sealing").</summary>
public static class Seal
{
    public const int SealSeal = 1, Shrink = 2, Grow = 4, Write = 8, FutureWrite = 0x10, Exec = 0x20, All = 0x3F;
}

/// <summary>
/// The content of an in-memory file (tmpfs, a copied-up overlay file, memfd) as 4 KiB <see cref="Page"/> objects,
/// sparse (a hole has no page and reads as zeros). read(2)/write(2) copy into and out of these pages and MAP_SHARED
/// installs the very same page objects in the address space, so every mapping and every descriptor see one copy of
/// the bytes: coherence costs nothing. Shrinking takes the pages past the new end away from every mapping, whose next
/// access there raises SIGBUS, as Linux does.
/// </summary>
public sealed class MemoryFileContent : IPageSource
{
    readonly Dictionary<long, Page> _pages = new();

    public long Size { get; private set; }

    /// <summary>Pages that hold data (for st_blocks).</summary>
    public long AllocatedPages => _pages.Count;

    public Page? GetPage(ulong index)
    {
        if (index >= (ulong)((Size + Page.Size - 1) >> Page.Shift)) return null;
        return PageAt((long)index);
    }

    Page PageAt(long index)
    {
        if (!_pages.TryGetValue(index, out Page? page)) _pages[index] = page = new Page();
        return page;
    }

    /// <summary>Copies up to <paramref name="buffer"/>.Length bytes from <paramref name="offset"/>; returns the count (0 at or past the end).</summary>
    public int Read(Span<byte> buffer, long offset)
    {
        if (offset >= Size) return 0;
        int n = (int)Math.Min(buffer.Length, Size - offset);
        for (int done = 0; done < n;)
        {
            long pos = offset + done;
            int within = (int)(pos & (long)Page.OffsetMask), chunk = Math.Min(Page.Size - within, n - done);
            if (_pages.TryGetValue(pos >> Page.Shift, out Page? page)) page.Data.AsSpan(within, chunk).CopyTo(buffer[done..]);
            else buffer.Slice(done, chunk).Clear();
            done += chunk;
        }
        return n;
    }

    /// <summary>Writes at <paramref name="offset"/>, extending the file when it goes past the end.</summary>
    public void Write(ReadOnlySpan<byte> data, long offset)
    {
        if (offset + data.Length > Size) ZeroTail(Size);
        for (int done = 0; done < data.Length;)
        {
            long pos = offset + done;
            int within = (int)(pos & (long)Page.OffsetMask), chunk = Math.Min(Page.Size - within, data.Length - done);
            Page page = PageAt(pos >> Page.Shift);
            data.Slice(done, chunk).CopyTo(page.Data.AsSpan(within));
            page.ContentChanged();
            done += chunk;
        }
        if (offset + data.Length > Size) Size = offset + data.Length;
    }

    /// <summary>
    /// Before the file grows from <paramref name="size"/>: bytes a mapping wrote past the old end of its last page must
    /// not become file content (Linux zeroes the tail of that page on size extension).
    /// </summary>
    void ZeroTail(long size)
    {
        int tail = (int)(size & (long)Page.OffsetMask);
        if (tail == 0 || !_pages.TryGetValue(size >> Page.Shift, out Page? last)) return;
        last.Data.AsSpan(tail).Clear();
        last.ContentChanged();
    }

    /// <summary>truncate: pages past the new end leave every mapping and the tail of the last page reads as zero again.</summary>
    public void SetLength(long length)
    {
        if (length > Size) ZeroTail(Size);
        if (length < Size)
        {
            long keep = (length + Page.Size - 1) >> Page.Shift;
            foreach (long index in _pages.Keys.Where(i => i >= keep).ToList())
            {
                _pages.Remove(index, out Page? gone);
                gone!.UnmapEverywhere();
            }
            int tail = (int)(length & (long)Page.OffsetMask);
            if (tail != 0 && _pages.TryGetValue(length >> Page.Shift, out Page? last))
            {
                last.Data.AsSpan(tail).Clear();
                last.ContentChanged();
            }
        }
        Size = length;
    }

    /// <summary>Reads a whole host file (an overlay's copy-up); false on a read error.</summary>
    public static MemoryFileContent? Load(SafeFileHandle handle)
    {
        var content = new MemoryFileContent();
        long length = RandomAccess.GetLength(handle);
        var buffer = new byte[1 << 16];
        long done = 0;
        while (done < length)
        {
            int r;
            try { r = RandomAccess.Read(handle, buffer, done); }
            catch (IOException) { return null; }
            if (r <= 0) break;
            content.Write(buffer.AsSpan(0, r), done);
            done += r;
        }
        return content;
    }
}
