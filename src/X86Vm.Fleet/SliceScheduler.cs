namespace X86Vm.Fleet;

/// <summary>
/// Where VM slices run: on the thread pool, but at most one per core at a time, first come first served. A slice is
/// CPU-bound for milliseconds; were they free to take every pool thread, Orleans' own work (messages, calls to other
/// grains, new VMs) would queue behind them. Each running VM has at most one slice queued, so the queue is a round robin.
/// </summary>
public sealed class SliceScheduler
{
    readonly TaskScheduler _scheduler;

    public SliceScheduler(int concurrency) =>
        _scheduler = new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, Math.Max(1, concurrency)).ConcurrentScheduler;

    /// <summary>Runs <paramref name="slice"/> when its turn comes.</summary>
    public Task<T> Run<T>(Func<T> slice) => Task.Factory.StartNew(slice, CancellationToken.None, TaskCreationOptions.DenyChildAttach, _scheduler);
}
