using System.Collections.Concurrent;

namespace X86Vm.Fleet;

/// <summary>
/// Where VM slices run: on their own threads, one per core (<see cref="FleetOptions.Concurrency"/>), first come first
/// served. Each running VM has at most one slice queued, so the queue is a round robin.
/// Why not the thread pool: a slice is CPU-bound for tens of milliseconds, and with slices on pool threads (even
/// limited to one per core) the pool saw its threads busy and was slow to add more, so Orleans' own work items — the
/// Step message each VM sends itself between slices, status calls, moves — waited behind slices. The VMs whose Step got
/// through first queued again first and got more turns (one VM had 1.7 times another's share), and calls waited.
/// With slices on their own threads the pool is left to Orleans.
/// </summary>
public sealed class SliceScheduler : IDisposable
{
    readonly BlockingCollection<Action> _queue = new(new ConcurrentQueue<Action>());
    readonly Thread[] _threads;

    public SliceScheduler(int concurrency)
    {
        _threads = new Thread[Math.Max(1, concurrency)];
        for (int i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Work) { IsBackground = true, Name = $"x86vm slice {i}" };
            _threads[i].Start();
        }
    }

    void Work()
    {
        foreach (Action slice in _queue.GetConsumingEnumerable()) slice();
    }

    /// <summary>Runs <paramref name="slice"/> when its turn comes; the task completes off the slice thread.</summary>
    public Task<T> Run<T>(Func<T> slice)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Action run = () =>
        {
            try { done.SetResult(slice()); }
            catch (Exception e) { done.SetException(e); }
        };
        // After Dispose the silo is going away with its VMs: a slice asked for then never runs (and does not fail the VM).
        try { _queue.Add(run); }
        catch (InvalidOperationException) { }
        return done.Task;
    }

    /// <summary>The silo is stopping: the threads end once the slices queued have run.</summary>
    public void Dispose() => _queue.CompleteAdding();
}
