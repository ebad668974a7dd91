using System.Text.Json;
using System.Text.Json.Serialization;

namespace X86Vm.Fleet;

/// <summary>
/// A VM's durable record in the fleet's store: its spec, where it is in its life and which checkpoint continues it.
/// Any silo can rebuild the VM from the record and that checkpoint: after a move, and after its silo was lost.
/// </summary>
public sealed record VmRecord
{
    public required VmSpec Spec { get; init; }
    public VmPhase Phase { get; init; } = VmPhase.Running;
    /// <summary>The blob holding the latest checkpoint (output and snapshot), or null before the first.</summary>
    public string? Checkpoint { get; init; }
    public ulong CheckpointInstructions { get; init; }
    public int Moves { get; init; }
    /// <summary>Times the VM continued from its checkpoint on another silo after its own went away.</summary>
    public int Resumes { get; init; }
    /// <summary>The silo (parsable address) a move in progress sends it to; cleared where it arrives.</summary>
    public string? MovingTo { get; init; }
    /// <summary>
    /// The activation that ran it last was deactivated cleanly after checkpointing where it stood, so the next one
    /// continues without lost work (not a resume).
    /// </summary>
    public bool HandedOff { get; init; }
    /// <summary>Once ended: the units, state hash and status it ended with (its output is in <see cref="Checkpoint"/>).</summary>
    public ulong Instructions { get; init; }
    public string? StateHash { get; init; }
    public int ExitCode { get; init; }
    public int Signal { get; init; }
    public string? Error { get; init; }

    static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static VmRecord FromJson(string json) => JsonSerializer.Deserialize<VmRecord>(json, Json) ?? throw new InvalidDataException("empty VM record");
}
