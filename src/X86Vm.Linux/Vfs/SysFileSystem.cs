using X86Vm.Cpu.Memory;
using X86Vm.Linux.Host;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// Deterministic mode's /sys: a tmpfs holding what glibc and language runtimes read to count CPUs
/// (get_nprocs(3) reads /sys/devices/system/cpu/online), describing the VM's one CPU instead of the host's.
/// </summary>
public static class SysFileSystem
{
    public static MemoryFileSystem Create(IClock clock, ulong device, MemoryAccount account)
    {
        var fs = new MemoryFileSystem(clock, device, rootMode: 0x1ED /* 0755 */, account: account);
        foreach (string dir in new[] { "devices", "devices/system", "devices/system/cpu", "devices/system/cpu/cpu0" })
            fs.MakeDirectory(dir, 0x1ED);
        foreach (string name in new[] { "online", "possible", "present" })
        {
            OpenFile f = fs.Open("devices/system/cpu/" + name, "/sys/devices/system/cpu/" + name,
                OpenFlags.Create | OpenFlags.WriteOnly, 0x124 /* 0444 */, out _)!;
            f.WriteAt("0\n"u8, 0);
            f.Release();
        }
        return fs;
    }
}
