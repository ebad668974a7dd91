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

/// <summary>A reproducible stream (xorshift-based) for deterministic runs and tests.</summary>
public sealed class SeededEntropy(ulong seed) : IEntropy
{
    ulong _state = seed == 0 ? 0x9E3779B97F4A7C15 : seed;

    public void Fill(Span<byte> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            _state ^= _state << 13;
            _state ^= _state >> 7;
            _state ^= _state << 17;
            destination[i] = (byte)(_state >> 24);
        }
    }
}
