using System.Buffers.Binary;

namespace X86Vm.Linux.Process;

/// <summary>
/// One System V semaphore set (semget(2)): its values, the pid of the last operation on each, the last semop time, and
/// the SEM_UNDO adjustments of each process that asked for them (semop(2) "semadj"), applied when that process exits.
/// </summary>
public sealed class SemaphoreSet(GuestProcess creator, int key, int flags, int count) : IpcObject(creator, key, flags)
{
    /// <summary>SEMVMX: the largest value; SEMAEM: the largest adjustment.</summary>
    public const int MaxValue = 32767, MaxAdjust = MaxValue;
    public const short SEM_UNDO = 0x1000;

    public int[] Values = new int[count];
    public int[] Pids = new int[count];
    public long OperationTime;
    /// <summary>semadj by process (threads share their process's; a fork's child starts with none), in pid order.</summary>
    public SortedDictionary<int, int[]> Undo = new();
    /// <summary>Kernel memory the SEM_UNDO records hold (struct sem_undo: an adjustment per semaphore, per process).</summary>
    public KernelCharge UndoHeld = new();

    public int Count => Values.Length;

    /// <summary>Kernel memory the set holds: a value, a pid and queue heads per semaphore.</summary>
    public long Bytes => Count * 64L;

    /// <summary>What <paramref name="records"/> SEM_UNDO records of this set hold: 4 bytes per semaphore each.</summary>
    public long UndoBytes(int records) => records * (long)Count * 4;

    /// <summary>
    /// Charges the SEM_UNDO records the set holds, with room for one more when <paramref name="pid"/> has none yet and
    /// <paramref name="adding"/> (find_alloc_undo, before the operations are tried); false (ENOMEM) when it does not fit.
    /// Called again after the attempt, it gives back the room a call that made no record did not use.
    /// </summary>
    public bool ChargeUndo(Kernel kernel, int pid, bool adding) =>
        UndoHeld.TryCharge(kernel, UndoBytes(Undo.Count + (adding && !Undo.ContainsKey(pid) ? 1 : 0)));

    /// <summary>One struct sembuf (6 bytes: sem_num, sem_op, sem_flg).</summary>
    public readonly record struct Operation(ushort Number, short Delta, short Flags)
    {
        public bool NoWait => (Flags & IpcObject.IPC_NOWAIT) != 0;
        public bool Undo => (Flags & SEM_UNDO) != 0;

        public static Operation[] Parse(ReadOnlySpan<byte> sops)
        {
            var ops = new Operation[sops.Length / 6];
            for (int i = 0; i < ops.Length; i++)
            {
                ReadOnlySpan<byte> s = sops[(i * 6)..];
                ops[i] = new(BinaryPrimitives.ReadUInt16LittleEndian(s), BinaryPrimitives.ReadInt16LittleEndian(s[2..]),
                    BinaryPrimitives.ReadInt16LittleEndian(s[4..]));
            }
            return ops;
        }
    }

    /// <summary>What an attempt at a list of operations came to.</summary>
    public enum Outcome { Done, WouldBlock, NoWait, OutOfRange }

    /// <summary>
    /// perform_atomic_semop: the operations in order on a copy of the values (and of the caller's adjustments), all or
    /// nothing. A zero op waits for zero, a negative one for a value at least its size; a value past SEMVMX or an
    /// adjustment past SEMAEM is ERANGE. <paramref name="blocking"/> is the operation that would wait.
    /// </summary>
    public Outcome Try(ReadOnlySpan<Operation> ops, int pid, bool apply, out int blocking)
    {
        var values = (int[])Values.Clone();
        int[]? adjust = null;
        blocking = -1;
        for (int i = 0; i < ops.Length; i++)
        {
            Operation op = ops[i];
            int value = values[op.Number];
            if ((op.Delta == 0 && value != 0) || value + op.Delta < 0)
            {
                blocking = i;
                return op.NoWait ? Outcome.NoWait : Outcome.WouldBlock;
            }
            if (value + op.Delta > MaxValue) return Outcome.OutOfRange;
            if (op.Undo)
            {
                adjust ??= Undo.TryGetValue(pid, out int[]? known) ? (int[])known.Clone() : new int[Count];
                int next = adjust[op.Number] - op.Delta;
                if (next < -MaxAdjust - 1 || next > MaxAdjust) return Outcome.OutOfRange;
                adjust[op.Number] = next;
            }
            values[op.Number] = value + op.Delta;
        }
        if (!apply) return Outcome.Done;
        Values = values;
        if (adjust != null) Undo[pid] = adjust;
        foreach (Operation op in ops) Pids[op.Number] = pid;
        return Outcome.Done;
    }

    /// <summary>SETVAL and SETALL clear the adjustments of every process for the semaphores they set.</summary>
    public void ClearUndo(int? number)
    {
        foreach (int[] adjust in Undo.Values)
            if (number is int n) adjust[n] = 0;
            else Array.Clear(adjust);
    }
}

/// <summary>
/// The VM's System V semaphore sets, with Linux's default limits (/proc/sys/kernel/sem: SEMMSL 32000 per set, SEMMNS
/// 1024000000 in all, SEMOPM 500 per call, SEMMNI 32000 sets); their memory is charged to the VM's memory account.
/// </summary>
public sealed class SemaphoreSets
{
    public const int MaxPerSet = 32000, MaxOperations = 500, MaxSets = 32000;
    public const long MaxSemaphores = 1024000000;

    public IpcRegistry<SemaphoreSet> Registry { get; } = new();

    /// <summary>Semaphores in all sets (the namespace's used_sems).</summary>
    public long InUse => Registry.ById.Values.Sum(s => (long)s.Count);

    /// <summary>IPC_RMID: the set is gone at once; its waiters find it removed (EIDRM).</summary>
    public void Remove(Kernel kernel, SemaphoreSet set)
    {
        set.Removed = true;
        Registry.Remove(set);
        set.Held.Uncharge(kernel);
        set.UndoHeld.Uncharge(kernel);
    }

    /// <summary>exit_sem: a process's SEM_UNDO adjustments are applied (clamped to 0..SEMVMX) when it exits, and their memory given back.</summary>
    public void ProcessExited(GuestProcess p)
    {
        foreach (SemaphoreSet set in Registry.ById.Values)
        {
            if (!set.Undo.Remove(p.Pid, out int[]? adjust)) continue;
            set.ChargeUndo(p.Kernel, p.Pid, adding: false);
            for (int i = 0; i < set.Count; i++)
            {
                if (adjust[i] == 0) continue;
                set.Values[i] = Math.Clamp(set.Values[i] + adjust[i], 0, SemaphoreSet.MaxValue);
                set.Pids[i] = p.Pid;
            }
        }
    }
}
