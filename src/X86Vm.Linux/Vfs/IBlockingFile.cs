using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

/// <summary>A file whose blocked calls wait for something more precise than its poll events (an eventfd write waits for room for its value).</summary>
public interface IBlockingFile
{
    /// <summary>The condition the call that just returned <see cref="OpenFile.WouldBlock"/> waits for; null for the default (poll events).</summary>
    IWaitCondition? WaitCondition(PollEvents waitFor);
}
