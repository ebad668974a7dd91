namespace X86Vm.Linux.Host;

/// <summary>The guest's only source of randomness (getrandom, AT_RANDOM, /dev/urandom).</summary>
public interface IEntropy
{
    void Fill(Span<byte> destination);
}

/// <summary>
/// The host kernel's random stream (/dev/urandom, the source getrandom(2) also draws from). Read directly rather than
/// through System.Security.Cryptography, whose first use loads OpenSSL: about 30 ms of every VM's start-up.
/// </summary>
public sealed class HostEntropy : IEntropy
{
    // Opened per request (a few microseconds; guests ask rarely), so the VM holds no host handle.
    public void Fill(Span<byte> destination)
    {
        using var urandom = new FileStream("/dev/urandom", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        urandom.ReadExactly(destination);
    }
}
