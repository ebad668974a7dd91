using X86Vm.Linux.Process;
using X86Vm.Linux.State;

namespace X86Vm.Linux;

// The state hash's IPC part (docs/state-hash.md): System V segments, semaphore sets and message queues, each in id
// order, and POSIX message queues in name order.
public sealed partial class Kernel
{
    byte[] IpcHash() => StateWriter.Node("ipc", w =>
    {
        // Segments: their metadata (their pages are hashed with the mappings that attach them).
        w.Hash(StateWriter.Node("shm", w =>
        {
            w.I32(SharedMemory.Registry.Sequence).I32(SharedMemory.Registry.LastIndex).U64((ulong)SharedMemory.ById.Count);
            foreach (SharedMemorySegment s in SharedMemory.ById.Values)
                IpcPerm(w, s).U64(s.Size).I32(s.CreatorPid).I32(s.LastPid).I64(s.AttachTime).I64(s.DetachTime);
        }));
        w.Hash(StateWriter.Node("sem", w =>
        {
            w.I32(Semaphores.Registry.Sequence).I32(Semaphores.Registry.LastIndex).U64((ulong)Semaphores.Registry.ById.Count);
            foreach (SemaphoreSet s in Semaphores.Registry.ById.Values)
            {
                IpcPerm(w, s).I64(s.OperationTime).U64((ulong)s.Count);
                for (int i = 0; i < s.Count; i++) w.I32(s.Values[i]).I32(s.Pids[i]);
                w.U64((ulong)s.Undo.Count);
                foreach (var (pid, adjust) in s.Undo)
                {
                    w.I32(pid);
                    foreach (int v in adjust) w.I32(v);
                }
                w.I64(s.UndoHeld.Pages);
            }
        }));
        w.Hash(StateWriter.Node("msg", w =>
        {
            w.I32(MessageQueues.Registry.Sequence).I32(MessageQueues.Registry.LastIndex).U64((ulong)MessageQueues.Registry.ById.Count);
            foreach (MessageQueue q in MessageQueues.Registry.ById.Values)
            {
                IpcPerm(w, q).I64(q.MaxBytes).I32(q.LastSendPid).I32(q.LastReceivePid).I64(q.SendTime).I64(q.ReceiveTime);
                w.U64((ulong)q.Messages.Count);
                foreach (QueuedMessage m in q.Messages) w.I64(m.Type).Bytes(m.Text);
            }
        }));
        // POSIX queues by name, then those unlinked but still open (also hashed with their descriptors).
        w.Hash(StateWriter.Node("mqueue", w =>
        {
            var named = PosixMessageQueues.Named.OrderBy(q => q.Name, StringComparer.Ordinal).ToList();
            w.U64((ulong)named.Count);
            foreach (PosixMessageQueue q in named) PosixMessageQueues.Hash(w, q);
            // Unlinked queues still open, in unlink order (they still count against the limits).
            w.U64((ulong)PosixMessageQueues.Lingering.Count);
            foreach (PosixMessageQueue q in PosixMessageQueues.Lingering) PosixMessageQueues.Hash(w, q);
        }));
    });

    /// <summary>What every System V object has: id, key, owner, creator, mode, change time, removal, charged pages.</summary>
    static StateWriter IpcPerm(StateWriter w, IpcObject o) =>
        w.I32(o.Id).I32(o.Key).U32(o.Uid).U32(o.Gid).U32(o.CreatorUid).U32(o.CreatorGid).U32(o.Mode).I64(o.ChangeTime)
            .Bool(o.Removed).I64(o.Held.Pages);
}
