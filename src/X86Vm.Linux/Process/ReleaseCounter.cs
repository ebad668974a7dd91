namespace X86Vm.Linux.Process;

/// <summary>
/// Counts open file descriptions released (last descriptor closed) in one VM, so an epoll instance can skip looking
/// for dead interests when nothing was released since it last looked. Per VM: another VM's closes change nothing here.
/// </summary>
public sealed class ReleaseCounter
{
    public ulong Count { get; private set; }

    public void Increment() => Count++;
}
