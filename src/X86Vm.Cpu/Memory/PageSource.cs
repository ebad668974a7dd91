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
}

/// <summary>MAP_SHARED | MAP_ANONYMOUS memory (and MAP_SHARED of /dev/zero): zero-filled pages shared by every mapping of it.</summary>
public sealed class AnonymousSharedMemory : IPageSource
{
    readonly Dictionary<ulong, Page> _pages = new();

    public Page? GetPage(ulong index)
    {
        if (!_pages.TryGetValue(index, out Page? page)) _pages[index] = page = new Page();
        return page;
    }
}
