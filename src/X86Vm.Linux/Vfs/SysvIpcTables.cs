using System.Text;
using X86Vm.Linux.Process;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// /proc/sysvipc/{shm,sem,msg} (proc(5)): one line per System V object of the VM in id order, with the header and
/// column widths of Linux's ipc/shm.c, ipc/sem.c and ipc/msg.c (64-bit).
/// </summary>
static class SysvIpcTables
{
    public static readonly string[] Names = ["msg", "sem", "shm"];

    public static string? Text(Kernel k, string name) => name switch
    {
        "shm" => Shm(k),
        "sem" => Sem(k),
        "msg" => Msg(k),
        _ => null,
    };

    static string Perm(IpcObject o) => $"{o.Key,10} {o.Id,10}  {Convert.ToString(o.ShownMode, 8),4}";
    static string Owners(IpcObject o) => $"{o.Uid,5} {o.Gid,5} {o.CreatorUid,5} {o.CreatorGid,5}";

    static string Shm(Kernel k)
    {
        var sb = new StringBuilder("       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n");
        foreach (SharedMemorySegment s in k.SharedMemory.ById.Values)
            sb.Append($"{Perm(s)} {s.Size,21} {s.CreatorPid,5} {s.LastPid,5}  {SharedMemorySegments.Attachments(k, s),5} {Owners(s)} " +
                $"{s.AttachTime,10} {s.DetachTime,10} {s.ChangeTime,10} {(ulong)s.Memory.ResidentPages * 4096,21} {0,21}\n");
        return sb.ToString();
    }

    static string Sem(Kernel k)
    {
        var sb = new StringBuilder("       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n");
        foreach (SemaphoreSet s in k.Semaphores.Registry.ById.Values)
            sb.Append($"{Perm(s)} {s.Count,10} {Owners(s)} {s.OperationTime,10} {s.ChangeTime,10}\n");
        return sb.ToString();
    }

    static string Msg(Kernel k)
    {
        var sb = new StringBuilder("       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n");
        foreach (MessageQueue q in k.MessageQueues.Registry.ById.Values)
            sb.Append($"{Perm(q)}  {q.Bytes,10} {q.Messages.Count,10} {q.LastSendPid,5} {q.LastReceivePid,5} {Owners(q)} " +
                $"{q.SendTime,10} {q.ReceiveTime,10} {q.ChangeTime,10}\n");
        return sb.ToString();
    }
}
