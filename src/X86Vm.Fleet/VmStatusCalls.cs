namespace X86Vm.Fleet;

/// <summary>
/// Status calls that survive a lost message. A status call that races Orleans' live migration of the VM is now and then
/// lost on the way (it reaches neither activation, so no answer ever comes: seen with a hundred VMs moving on a loaded
/// machine). <see cref="IVmGrain.GetStatus"/> therefore times out after 10 s rather than Orleans' 30 s, and since it only
/// reads, asking again is safe: by then the VM is registered where it moved.
/// </summary>
public static class VmStatusCalls
{
    public const string Timeout = "00:00:10";

    /// <summary><see cref="IVmGrain.GetStatus"/>, asked again after a timeout, for up to <paramref name="attempts"/> tries.</summary>
    public static async Task<VmStatus?> StatusAsync(this IVmGrain vm, int attempts = 12)
    {
        for (int attempt = 1; ; attempt++)
        {
            try { return await vm.GetStatus(); }
            catch (TimeoutException) when (attempt < attempts) { }
        }
    }
}
