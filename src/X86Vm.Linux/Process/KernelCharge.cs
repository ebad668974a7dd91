namespace X86Vm.Linux.Process;

/// <summary>
/// Kernel memory an IPC object holds for the guest (semaphore values, queued messages, queued events), charged to the
/// VM's memory account in pages as Linux charges such allocations to the memory cgroup: a guest cannot make the host
/// hold more than the VM's memory limit through them.
/// </summary>
public sealed class KernelCharge
{
    /// <summary>Bytes an object costs besides its contents (the kernel's struct and its id).</summary>
    const long HeaderBytes = 256;

    public long Pages;

    /// <summary>Charges what the object holds now, <paramref name="bytes"/> (with its header); false (nothing changed) when it does not fit.</summary>
    public bool TryCharge(Kernel kernel, long bytes)
    {
        long pages = bytes <= 0 ? 0 : (bytes + HeaderBytes + 4095) / 4096;
        if (pages > Pages && !kernel.Options.Memory.TryCharge(pages - Pages)) return false;
        if (pages < Pages) kernel.Options.Memory.Uncharge(Pages - pages);
        Pages = pages;
        return true;
    }

    /// <summary>Gives back everything charged (the object is gone).</summary>
    public void Uncharge(Kernel kernel) => TryCharge(kernel, 0);
}
