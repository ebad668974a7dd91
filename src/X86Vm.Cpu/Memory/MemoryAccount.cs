namespace X86Vm.Cpu.Memory;

/// <summary>
/// The resident memory of one VM, in 4 KiB pages, against its limit (the VM's memory cgroup). Every address space of
/// the VM and every in-memory file system charges here: a private page when it is materialised or copied on write,
/// a shared anonymous page when its object creates it, an in-memory file's page when the file gets it. A page is
/// uncharged when the last thing holding it lets go, so the count follows the guest's actions only — never host timing
/// or the garbage collector.
///
/// In-memory file data has a second, lower limit of its own (a tmpfs's size=): it is counted in both.
/// </summary>
public sealed class MemoryAccount
{
    /// <summary>An account that never refuses (tests and tools that build bare address spaces).</summary>
    public static MemoryAccount Unlimited() => new(long.MaxValue, long.MaxValue);

    /// <param name="limitBytes">Resident guest memory allowed, in bytes (rounded down to pages).</param>
    /// <param name="fileLimitBytes">In-memory file data allowed, in bytes (rounded down to pages).</param>
    public MemoryAccount(long limitBytes, long fileLimitBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limitBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(fileLimitBytes);
        LimitBytes = limitBytes;
        FileLimitBytes = fileLimitBytes;
        LimitPages = limitBytes / Page.Size;
        FileLimitPages = Math.Min(fileLimitBytes / Page.Size, LimitPages);
    }

    public long LimitBytes { get; }
    public long FileLimitBytes { get; }
    public long LimitPages { get; }
    public long FileLimitPages { get; }

    /// <summary>Pages charged now: guest pages of every kind, file data included.</summary>
    public long Pages { get; private set; }
    /// <summary>The part of <see cref="Pages"/> that is in-memory file data.</summary>
    public long FilePages { get; private set; }
    /// <summary>The most <see cref="Pages"/> ever reached.</summary>
    public long PeakPages { get; private set; }

    /// <summary>
    /// Work the kernel did for the guest, in bytes: copies to and from guest memory (the kernel's copy_from_user and
    /// copy_to_user), bytes written by the loader, and 64 per page-table entry a fork copies. A syscall is charged for
    /// its share (docs/metering.md), so no guest can make the host copy for free.
    /// </summary>
    public ulong KernelWork { get; set; }

    /// <summary>Pages that may still be charged as file data (what statfs reports free on a tmpfs).</summary>
    public long FilePagesAvailable => Math.Max(0, Math.Min(FileLimitPages - FilePages, LimitPages - Pages));

    /// <summary>
    /// Set when a page the guest touched could not be charged and the access was failed quietly (a syscall's copy to or
    /// from user memory): the kernel owes the address space's process the out-of-memory kill before it runs again.
    /// </summary>
    public AddressSpace? Exhausted { get; set; }

    /// <summary>Charges <paramref name="pages"/> guest pages; false (and nothing charged) when that would pass the limit.</summary>
    public bool TryCharge(long pages = 1)
    {
        if (pages > LimitPages - Pages) return false;
        Pages += pages;
        if (Pages > PeakPages) PeakPages = Pages;
        return true;
    }

    public void Uncharge(long pages = 1)
    {
        Pages -= pages;
        if (Pages < 0) throw new InvalidOperationException("memory account uncharged below zero");
    }

    /// <summary>Charges file data pages; false when either the file data limit or the memory limit would be passed.</summary>
    public bool TryChargeFile(long pages = 1)
    {
        if (pages > FileLimitPages - FilePages || !TryCharge(pages)) return false;
        FilePages += pages;
        return true;
    }

    public void UnchargeFile(long pages = 1)
    {
        FilePages -= pages;
        Uncharge(pages);
    }
}
