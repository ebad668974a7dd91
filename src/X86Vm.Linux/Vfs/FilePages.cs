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
///
/// Every page is charged to the VM's <see cref="MemoryAccount"/> as file data while the content holds it. A page that
/// cannot be charged is not created: a write stops short (ENOSPC when nothing was written) and a mapping's fault on a
/// hole raises SIGBUS, as on a full tmpfs. The pages are let go when the file is gone: no name, no open description
/// (<see cref="Orphan"/>) and no mapping (<see cref="Detach"/>).
/// </summary>
public sealed class MemoryFileContent(MemoryAccount account) : IPageSource
{
    readonly Dictionary<long, Page> _pages = new();
    int _mappings;
    bool _orphaned;

    public long Size { get; private set; }

    /// <summary>The pages that hold data, by index (for the state hash and snapshots).</summary>
    public IEnumerable<(long Index, Page Page)> PagesInOrder => _pages.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value));

    /// <summary>Pages that hold data (for st_blocks).</summary>
    public long AllocatedPages => _pages.Count;

    public Page? GetPage(ulong index)
    {
        if (index >= (ulong)((Size + Page.Size - 1) >> Page.Shift)) return null;
        return PageAt((long)index);
    }

    /// <summary>The page at <paramref name="index"/>, created and charged if needed; null when the limit refuses it.</summary>
    Page? PageAt(long index)
    {
        if (_pages.TryGetValue(index, out Page? page)) return page;
        if (!account.TryChargeFile()) return null;
        return _pages[index] = new Page();
    }

    public void Attach() => _mappings++;

    public void Detach()
    {
        if (--_mappings == 0 && _orphaned) Free();
    }

    /// <summary>The file has no name and no open description left: its data goes with its last mapping.</summary>
    public void Orphan()
    {
        _orphaned = true;
        if (_mappings == 0) Free();
    }

    void Free()
    {
        account.UnchargeFile(_pages.Count);
        _pages.Clear();
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

    /// <summary>
    /// Writes at <paramref name="offset"/>, extending the file when it goes past the end. Returns the bytes written: fewer
    /// than asked when a page could not be charged (the file data or memory limit is reached).
    /// </summary>
    public int Write(ReadOnlySpan<byte> data, long offset)
    {
        if (offset + data.Length > Size) ZeroTail(Size);
        int done = 0;
        while (done < data.Length)
        {
            long pos = offset + done;
            int within = (int)(pos & (long)Page.OffsetMask), chunk = Math.Min(Page.Size - within, data.Length - done);
            Page? page = PageAt(pos >> Page.Shift);
            if (page == null) break;
            data.Slice(done, chunk).CopyTo(page.Data.AsSpan(within));
            page.ContentChanged();
            done += chunk;
        }
        if (offset + done > Size) Size = offset + done;
        return done;
    }

    /// <summary>
    /// fallocate(2) mode 0 or KEEP_SIZE: gives [offset, end) pages as tmpfs does, so later writes there cannot run out of
    /// room. False (and nothing allocated) when the limit cannot hold them all.
    /// </summary>
    public bool Allocate(long offset, long end)
    {
        long first = offset >> Page.Shift, last = (end + Page.Size - 1) >> Page.Shift;
        long missing = last - first;
        foreach (long index in _pages.Keys)
            if (index >= first && index < last) missing--;
        if (missing > account.FilePagesAvailable) return false;
        for (long index = first; index < last; index++)
            if (PageAt(index) == null) throw new InvalidOperationException("memory account refused pages it reported available");
        return true;
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
                account.UnchargeFile();
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

    /// <summary>Reads a whole host file (an overlay's copy-up); null with EIO on a read error, ENOSPC past the limit.</summary>
    public static MemoryFileContent? Load(SafeFileHandle handle, MemoryAccount account, out int errno)
    {
        var content = new MemoryFileContent(account);
        errno = 0;
        long length = RandomAccess.GetLength(handle);
        var buffer = new byte[1 << 16];
        long done = 0;
        while (done < length)
        {
            int r;
            try { r = RandomAccess.Read(handle, buffer, done); }
            catch (IOException) { r = -1; }
            if (r < 0) errno = Errno.EIO;
            else if (r > 0 && content.Write(buffer.AsSpan(0, r), done) < r) errno = Errno.ENOSPC;
            if (errno != 0)
            {
                content.Orphan(); // nothing refers to it yet: give its pages back
                return null;
            }
            if (r == 0) break;
            done += r;
        }
        return content;
    }
}
