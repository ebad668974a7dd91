namespace X86Vm.Cpu.Memory;

/// <summary>
/// What a MAP_SHARED mapping maps: a file's pages (its page cache) or an anonymous shared-memory object. The address
/// space installs the source's own <see cref="Page"/> objects, so every mapping of the same page — in any address
/// space, at any address — and the file's read/write paths see the same bytes.
/// </summary>
public interface IPageSource
{
    /// <summary>
    /// The page holding bytes [index·4096, index·4096 + 4096) of the object, created if needed; null when the page lies
    /// wholly past the end of the file (the access raises SIGBUS).
    /// </summary>
    Page? GetPage(ulong index);

    /// <summary>
    /// A mapping of this object entered an address space's table (mapped, split in two, copied by fork). Mappings keep
    /// their object alive: an object that owns memory frees it once the last one is <see cref="Detach"/>ed.
    /// </summary>
    void Attach() { }

    /// <summary>A mapping of this object left an address space's table (its pages there were dropped first).</summary>
    void Detach() { }
}

/// <summary>
/// MAP_SHARED | MAP_ANONYMOUS memory (and MAP_SHARED of /dev/zero): zero-filled pages shared by every mapping of it.
/// Its pages are charged to the VM's <see cref="MemoryAccount"/> when created and uncharged when the last mapping goes.
/// </summary>
public sealed class AnonymousSharedMemory(MemoryAccount account) : IPageSource
{
    readonly Dictionary<ulong, Page> _pages = new();
    int _mappings;

    public Page? GetPage(ulong index)
    {
        if (!_pages.TryGetValue(index, out Page? page))
        {
            if (!account.TryCharge()) throw GuestFault.OutOfMemory(0);
            _pages[index] = page = new Page();
        }
        return page;
    }

    /// <summary>Pages made so far (what /proc/sysvipc/shm shows as rss).</summary>
    public int ResidentPages => _pages.Count;

    public void Attach() => _mappings++;

    public void Detach()
    {
        if (--_mappings > 0) return;
        account.Uncharge(_pages.Count);
        _pages.Clear();
    }
}
