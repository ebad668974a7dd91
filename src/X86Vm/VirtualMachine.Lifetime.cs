namespace X86Vm;

public sealed partial class VirtualMachine : IDisposable
{
    bool _disposed;
    /// <summary>1 while a thread runs the VM: one thread at a time, and a hook must not run its own VM.</summary>
    int _running;

    /// <summary>The kernel, unless the VM is disposed (then <see cref="ObjectDisposedException"/>).</summary>
    X86Vm.Linux.Kernel Live
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _kernel;
        }
    }

    /// <summary>
    /// Ends the VM and releases everything it holds on the host: every guest process is killed (its host files and
    /// sockets close, shared file mappings are written back), the GDB stub stops listening, queued compilation is
    /// dropped and the mounts close their directory handles. The streams in <see cref="VirtualMachineOptions"/> are the
    /// caller's and stay open. Afterwards every run, state, memory and register call throws
    /// <see cref="ObjectDisposedException"/>. Do not call it while another thread runs the VM.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _gdb?.Dispose();
        _kernel.Shutdown();
    }

    /// <summary>
    /// A constructor that fails after the file view exists lets go of its host handles at once (an exception filter:
    /// it returns false, so the exception goes on to the constructor's own handlers).
    /// </summary>
    static bool Abandon(X86Vm.Linux.Kernel kernel)
    {
        kernel.Shutdown();
        return false;
    }

    /// <summary>Marks the VM running on this thread for the duration of a run (see <see cref="_running"/>).</summary>
    RunScope EnterRun()
    {
        ThrowIfRunning();
        if (Interlocked.Exchange(ref _running, 1) != 0) throw AlreadyRunning();
        return new RunScope(this);
    }

    /// <summary>Refuses a run (or a change to its budget) while the VM runs: from a hook, or from another thread.</summary>
    void ThrowIfRunning()
    {
        X86Vm.Linux.Kernel _ = Live;
        if (Volatile.Read(ref _running) != 0) throw AlreadyRunning();
    }

    static InvalidOperationException AlreadyRunning() =>
        new("the VM is already running: run a VM on one thread at a time, and not from its own hooks");

    readonly struct RunScope(VirtualMachine vm) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref vm._running, 0);
    }
}
