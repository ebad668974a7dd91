using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using X86Vm.Fleet.Storage;

namespace X86Vm.Fleet;

/// <summary>
/// A fleet VM. The durable truth is its record and latest checkpoint in the store; an activation is that VM loaded on
/// one silo, running a slice per turn. Moving and recovering are the same thing: a new activation elsewhere loads the
/// record and continues from the checkpoint it names. A move checkpoints first, so it loses nothing; a lost silo's VMs
/// redo the work since their last checkpoint, which deterministic execution makes identical.
/// </summary>
[ActivationCountBasedPlacement] // new VMs go to the silo running fewest
public sealed class VmGrain(IFleetStore store, IOptions<FleetOptions> options, SliceScheduler slices, ILocalSiloDetails silo, ILogger<VmGrain> log)
    : Grain, IVmGrain, IGrainMigrationParticipant
{
    const string MovingKey = "x86vm.moving";
    readonly FleetOptions _options = options.Value;
    VmRecord? _record;
    VirtualMachine? _vm;
    OutputBuffer _stdout = new();
    OutputBuffer _stderr = new();
    ulong _units;
    /// <summary>The slice running now, if any: status calls interleave with it and must not touch the VM meanwhile.</summary>
    Task<RunResult>? _slice;
    /// <summary>The state hash at <see cref="_units"/> when known; a status call asks for it, the end of the next slice computes it.</summary>
    (ulong Units, string Hash)? _hash;
    bool _hashWanted;
    /// <summary>The current chain of Step messages: a Step of an older chain (forwarded from before a move) is dropped.</summary>
    long _chain;
    /// <summary>This activation is the destination of a move (not a VM resumed after its silo went away).</summary>
    bool _arrived;

    string Id => this.GetPrimaryKeyString();
    string SiloName => silo.SiloAddress.Endpoint.ToString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        string? json = await store.ReadRecordAsync(Id);
        if (json == null) return; // no such VM (yet): Create makes it
        _record = VmRecord.FromJson(json);
        _units = _record.Instructions;
        if (_record.Checkpoint is string checkpoint) await LoadCheckpoint(checkpoint);
        if (IsLive && _vm == null) Start();
        // A move that did not land: Orleans activated the VM afresh (a call raced its live migration) rather than the
        // moved activation arriving. The move's checkpoint is where the VM stood, so nothing is lost; the move is made again.
        string? movingTo = _record.MovingTo;
        bool fellBack = movingTo != null && !_arrived && movingTo != silo.SiloAddress.ToParsableString() && IsLive && _vm != null;
        bool handedOff = _record.HandedOff;
        if (movingTo != null && !fellBack || handedOff)
        {
            _record = _record with { MovingTo = fellBack ? movingTo : null, HandedOff = false };
            await store.WriteRecordAsync(Id, _record.ToJson());
        }
        if (fellBack)
        {
            log.LogWarning("VM {Id}: its move to {Target} activated it on {Silo} instead; moving it again", Id, movingTo, SiloName);
            IGrainTimer? again = null;
            again = this.RegisterGrainTimer(async () =>
            {
                again?.Dispose();
                try { await Move(movingTo, repeat: true); }
                catch (Exception e)
                {
                    log.LogWarning(e, "VM {Id}: the move to {Target} failed; it continues on {Silo}", Id, movingTo, SiloName);
                    if (_record != null) await store.WriteRecordAsync(Id, (_record = _record with { MovingTo = null, HandedOff = false }).ToJson());
                }
            }, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
        if (_record.Phase != VmPhase.Running || _vm == null) return;
        if (handedOff)
        {
            // Deactivated cleanly with a checkpoint of where it stood (a move, its silo stopping, or Orleans deactivating
            // it when the silo holding its directory entry died): it continues here having lost nothing.
            log.LogInformation("VM {Id} continues at {Units} units on {Silo} after a hand-off", Id, _units, SiloName);
        }
        else if (!_arrived)
        {
            // A running VM is never idle, so an activation that is neither a move nor a hand-off continues after its
            // silo went away: it redoes the work since its last checkpoint.
            _record = _record with { Resumes = _record.Resumes + 1 };
            await store.WriteRecordAsync(Id, _record.ToJson());
            log.LogInformation("VM {Id} resumes at {Units} units on {Silo}", Id, _units, SiloName);
        }
        QueueStep();
    }

    public void OnDehydrate(IDehydrationContext context) => context.TryAddValue(MovingKey, true);

    public void OnRehydrate(IRehydrationContext context) => _arrived = context.TryGetValue(MovingKey, out bool moving) && moving;

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A silo shutting down cleanly hands its running VMs on without losing work: checkpoint what a move has not.
        // Orleans also deactivates VMs of a live silo when the silo holding their directory entries dies (reason
        // DirectoryFailure): the same hand-off. The record says so, so that the next activation is not counted as a resume.
        // A silo stopped ungracefully (its token already cancelled) hands nothing off: the VM redoes its work since its
        // last checkpoint, as after a crash.
        if (reason.ReasonCode != DeactivationReasonCode.Migrating && IsLive && _vm != null && !cancellationToken.IsCancellationRequested)
        {
            log.LogInformation("VM {Id} deactivated at {Units} units on {Silo} ({Reason}): handed off", Id, _units, SiloName, reason.ReasonCode);
            try
            {
                if (_record!.CheckpointInstructions != _units) await SaveCheckpoint();
                _record = _record! with { HandedOff = true };
                await store.WriteRecordAsync(Id, _record.ToJson());
            }
            catch (Exception e) { log.LogWarning(e, "VM {Id}: no checkpoint at deactivation; it continues from its last one", Id); }
        }
        _chain = 0;
        _vm?.Dispose();
        _vm = null;
    }

    bool IsLive => _record is { Phase: VmPhase.Running or VmPhase.Stopped };

    /// <summary>Rebuilds output and (for a VM that can run on) the VM from a checkpoint blob.</summary>
    async Task LoadCheckpoint(string name)
    {
        var clock = Stopwatch.StartNew();
        await using Stream blob = await store.OpenBlobAsync(Id, name)
            ?? throw new InvalidDataException($"VM {Id}: its checkpoint {name} is missing from the store");
        var (stdout, stderr) = Checkpoint.ReadOutput(blob);
        _stdout = new OutputBuffer(stdout);
        _stderr = new OutputBuffer(stderr);
        if (!IsLive) return;
        _vm = VirtualMachine.LoadSnapshot(blob, new RestoreOptions { Stdout = _stdout, Stderr = _stderr });
        _units = _vm.InstructionsExecuted;
        log.LogInformation("VM {Id}: checkpoint of {Bytes} bytes at {Units} units loaded in {Ms} ms", Id, blob.Length, _units, clock.ElapsedMilliseconds);
    }

    /// <summary>A VM from its spec (first activation, or a lost silo's VM that never checkpointed).</summary>
    void Start()
    {
        _stdout = new OutputBuffer();
        _stderr = new OutputBuffer();
        try
        {
            _vm = new VirtualMachine(_record!.Spec.ToOptions(_stdout, _stderr));
        }
        catch (VirtualMachineStartException e)
        {
            _record = _record! with { Phase = VmPhase.Failed, Error = e.Message, ExitCode = e.ExitCode };
        }
    }

    public async Task<VmStatus> Create(VmSpec spec)
    {
        if (_record != null) throw new InvalidOperationException($"VM {Id} exists");
        _record = new VmRecord { Spec = spec };
        Start();
        if (_record.Phase == VmPhase.Failed) await End(_record.Phase, new RunResult(RunStatus.Exited, _record.ExitCode, 0, 0));
        else await store.WriteRecordAsync(Id, _record.ToJson());
        if (_record.Phase == VmPhase.Running) QueueStep();
        return Status();
    }

    public Task<VmStatus?> GetStatus()
    {
        if (_record == null) DeactivateOnIdle();
        return Task.FromResult(_record == null ? null : Status());
    }

    VmStatus Status()
    {
        var r = _record!;
        string? hash = r.StateHash;
        if (_vm != null)
        {
            if (_slice == null) UpdateHash();
            else _hashWanted = true;
            hash = _hash?.Hash;
        }
        return new VmStatus
        {
            Id = Id,
            Silo = _vm != null ? SiloName : null,
            Phase = r.Phase,
            Instructions = _units,
            StateHash = hash,
            ExitCode = r.ExitCode,
            Signal = r.Signal,
            Error = r.Error,
            StdoutBytes = _stdout.Length,
            StderrBytes = _stderr.Length,
            Moves = r.Moves,
            Resumes = r.Resumes,
            CheckpointInstructions = r.CheckpointInstructions,
        };
    }

    /// <summary>Between slices only: the hash of the VM as it stands.</summary>
    void UpdateHash()
    {
        _hashWanted = false;
        if (_vm != null && _hash?.Units != _units) _hash = (_units, Convert.ToHexStringLower(_vm.StateHash()));
    }

    public Task<VmOutput> GetOutput() => Task.FromResult(new VmOutput(_stdout.ToArray(), _stderr.ToArray()));

    public async Task Stop()
    {
        if (_record is not { Phase: VmPhase.Running }) return;
        _record = _record with { Phase = VmPhase.Stopped };
        _chain = 0;
        await SaveCheckpoint(); // a stopped VM may be idle long enough to be deactivated
    }

    public async Task Resume()
    {
        if (_record is not { Phase: VmPhase.Stopped }) return;
        _record = _record with { Phase = VmPhase.Running };
        await store.WriteRecordAsync(Id, _record.ToJson());
        QueueStep();
    }

    public Task<string> Migrate(string? target) => Move(target, repeat: false);

    /// <summary>Moves the VM; <paramref name="repeat"/>: the same move again after it did not land (not counted twice).</summary>
    async Task<string> Move(string? target, bool repeat)
    {
        if (!IsLive || _vm == null) throw new InvalidOperationException($"VM {Id} has ended: there is nothing to move");
        SiloAddress destination = await ChooseSilo(target);
        // The checkpoint is durable before the activation goes: if the destination fails, any silo continues from it. The
        // record names the destination (an activation elsewhere knows the move did not land) and is a hand-off (the
        // checkpoint is where the VM stands: whichever activation comes next continues without redoing anything).
        _record = _record! with { Moves = _record.Moves + (repeat ? 0 : 1), MovingTo = destination.ToParsableString(), HandedOff = true };
        await SaveCheckpoint();
        _chain = 0;
        RequestContext.Set(IPlacementDirector.PlacementHintKey, destination);
        this.MigrateOnIdle();
        return destination.Endpoint.ToString();
    }

    async Task<SiloAddress> ChooseSilo(string? target)
    {
        var hosts = await GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        var silos = hosts.Keys.OrderBy(s => s.ToString(), StringComparer.Ordinal).ToList();
        if (target == null)
        {
            // The next silo after this one: moves spread over the fleet in turn.
            int here = silos.FindIndex(s => s.Equals(silo.SiloAddress));
            return silos.Count > 1 ? silos[(here + 1) % silos.Count] : throw new InvalidOperationException("there is no other silo to move to");
        }
        return silos.FirstOrDefault(s => s.Endpoint.ToString() == target || s.ToParsableString() == target || s.ToString() == target)
            ?? throw new ArgumentException($"no active silo {target} (silos: {string.Join(", ", silos.Select(s => s.Endpoint))})");
    }

    public async Task Delete()
    {
        _chain = 0;
        _vm?.Dispose();
        _vm = null;
        _record = null;
        await store.DeleteVmAsync(Id);
        DeactivateOnIdle();
    }

    void QueueStep()
    {
        _chain = Random.Shared.NextInt64(1, long.MaxValue);
        this.AsReference<IVmGrain>().Step(_chain);
    }

    public async Task Step(long chain)
    {
        if (chain != _chain || _vm == null || _record is not { Phase: VmPhase.Running } record) return;
        ulong budget = _options.SliceUnits;
        if (record.Spec.Budget is ulong total) budget = Math.Min(budget, total - Math.Min(total, _units));
        RunResult result;
        try
        {
            VirtualMachine vm = _vm;
            _slice = budget == 0 ? Task.FromResult(new RunResult(RunStatus.OutOfBudget, 0, 0, _units)) : slices.Run(() => vm.Run(budget));
            result = await _slice;
        }
        catch (Exception e)
        {
            _slice = null;
            log.LogError(e, "VM {Id} failed", Id);
            _record = record with { Error = $"{e.GetType().Name}: {e.Message}" };
            await End(VmPhase.Failed, new RunResult(RunStatus.Exited, 125, 0, _units));
            return;
        }
        _slice = null;
        _units = result.InstructionsRetired;
        if (_hashWanted) UpdateHash();
        switch (result.Status)
        {
            case RunStatus.OutOfBudget when record.Spec.Budget is ulong limit && _units >= limit:
                await End(VmPhase.OutOfBudget, result);
                return;
            case RunStatus.OutOfBudget:
            case RunStatus.Stopped:
                if (_options.CheckpointUnits > 0 && _units - record.CheckpointInstructions >= _options.CheckpointUnits) await SaveCheckpoint();
                if (chain == _chain) QueueStep();
                return;
            case RunStatus.Signaled:
                await End(VmPhase.Signaled, result);
                return;
            default:
                await End(VmPhase.Exited, result);
                return;
        }
    }

    /// <summary>Writes the output and snapshot to the store, then points the record at it; the older checkpoint goes last.</summary>
    async Task SaveCheckpoint()
    {
        string? previous = _record!.Checkpoint;
        string name = $"checkpoint-{_units}";
        var clock = Stopwatch.StartNew();
        long bytes = 0;
        await store.WriteBlobAsync(Id, name, stream =>
        {
            Checkpoint.Write(stream, _stdout.ToArray(), _stderr.ToArray(), _vm);
            bytes = stream.Position;
        });
        log.LogInformation("VM {Id}: checkpoint of {Bytes} bytes at {Units} units written in {Ms} ms", Id, bytes, _units, clock.ElapsedMilliseconds);
        _record = _record with { Checkpoint = name, CheckpointInstructions = _units, Instructions = _units };
        await store.WriteRecordAsync(Id, _record.ToJson());
        if (previous != null && previous != name) await store.DeleteBlobAsync(Id, previous);
    }

    /// <summary>The VM ended: its output, status and final state hash become its record; its VM and checkpoints go.</summary>
    async Task End(VmPhase phase, RunResult result)
    {
        string? previous = _record!.Checkpoint;
        string? hash = _vm != null ? Convert.ToHexStringLower(_vm.StateHash()) : null;
        const string name = "final";
        await store.WriteBlobAsync(Id, name, stream => Checkpoint.Write(stream, _stdout.ToArray(), _stderr.ToArray(), null));
        _record = _record with
        {
            Phase = phase,
            Checkpoint = name,
            Instructions = result.InstructionsRetired,
            StateHash = hash,
            ExitCode = result.ExitCode,
            Signal = result.Signal,
        };
        await store.WriteRecordAsync(Id, _record.ToJson());
        if (previous != null && previous != name) await store.DeleteBlobAsync(Id, previous);
        _chain = 0;
        _vm?.Dispose();
        _vm = null;
    }
}
