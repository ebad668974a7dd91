namespace X86Vm.Linux.Vfs;

/// <summary>Which of the host streams the VM was given a <see cref="StreamFile"/> uses: what a restored VM binds it to again.</summary>
public enum StandardStream
{
    Stdin,
    Stdout,
    Stderr,
}
