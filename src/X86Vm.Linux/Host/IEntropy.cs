using System.Security.Cryptography;

namespace X86Vm.Linux.Host;

/// <summary>The guest's only source of randomness (getrandom, AT_RANDOM, /dev/urandom).</summary>
public interface IEntropy
{
    void Fill(Span<byte> destination);
}

public sealed class HostEntropy : IEntropy
{
    public void Fill(Span<byte> destination) => RandomNumberGenerator.Fill(destination);
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
