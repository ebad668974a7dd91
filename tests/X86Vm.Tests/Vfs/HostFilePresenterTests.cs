using X86Vm.Cpu.Memory;
using X86Vm.Linux;
using X86Vm.Linux.Host;
using X86Vm.Linux.Vfs;

namespace X86Vm.Tests.Vfs;

/// <summary>
/// Deterministic mode's view of host files (docs/determinism.md): inode numbers in the order the VM meets them, the
/// mount's device, owner root, listings in byte order, the host's modification time until the guest writes, then the
/// virtual time of the write — for a host mount and for a copy-on-write overlay's lower layer alike.
/// </summary>
public sealed class HostFilePresenterTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("x86vm-presenter").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static readonly string[] Names = ["b", "a", "C", "ä", "a0"];

    void MakeFiles()
    {
        foreach (string name in Names) File.WriteAllText(Path.Combine(_dir, name), name);
        File.SetLastWriteTimeUtc(Path.Combine(_dir, "a"), new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
    }

    static List<string> Listing(IFileSystem fs)
    {
        OpenFile dir = fs.Open("", "/m", OpenFlags.ReadOnly | OpenFlags.Directory, 0, out int errno) ?? throw new IOException($"errno {errno}");
        // Names are bytes (one char per byte inside x86vm): shown here as the UTF-8 text they are on the host.
        return dir.ListDirectory()!.Select(e => GuestNames.ToDisplay(e.Name)).Where(n => n is not "." and not "..").ToList();
    }

    [Fact]
    public void HostMountIsPresentedVirtually()
    {
        MakeFiles();
        var clock = new VirtualClock(new InstructionMeter());
        var fs = new HostDirectoryFileSystem(_dir, readOnly: false, presenter: new HostFilePresenter(0x42, clock));
        // Byte order of the UTF-8 names: "C" (0x43) < "a" < "a0" < "b" < "ä" (0xC3 0xA4).
        Assert.Equal(["C", "a", "a0", "b", "ä"], Listing(fs));

        FileStatus a = fs.Lstat("a", out _)!;
        Assert.Equal(0x42UL, a.Device);
        Assert.Equal(0U, a.Uid);
        Assert.Equal(new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000, a.ModifyNs);
        Assert.Equal(a.ModifyNs, a.ChangeNs);
        Assert.Equal(a.Inode, fs.Lstat("a", out _)!.Inode);
        Assert.NotEqual(a.Inode, fs.Lstat("b", out _)!.Inode);
        Assert.True(a.Inode < 100, $"a virtual inode number, not the host's {a.Inode}");

        // A write through the VM gives the virtual time of the write.
        OpenFile f = fs.Open("a", "/m/a", OpenFlags.WriteOnly, 0, out _)!;
        f.WriteAt("x"u8, 0);
        Assert.Equal(VirtualClock.BootRealtime, f.Status().ModifyNs);
        f.Release();
    }

    [Fact]
    public void WhatTheGuestCreatesHasVirtualTimesNotTheHostClocks()
    {
        // The host stamps a new file, directory or link, and the directory that gets the entry, with its own clock: the
        // guest sees the virtual time of the change instead, so a run that creates files in a read-write mount prints
        // the same times whenever it runs.
        var meter = new InstructionMeter();
        var clock = new VirtualClock(meter);
        var fs = new HostDirectoryFileSystem(_dir, readOnly: false, presenter: new HostFilePresenter(0x42, clock));
        Directory.SetLastWriteTimeUtc(_dir, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        meter.Charge(5_000);
        long now = VirtualClock.BootRealtime + 5_000;
        Assert.Equal(0, fs.MakeDirectory("d", 0x1ED));
        fs.Open("d/f", "/m/d/f", OpenFlags.WriteOnly | OpenFlags.Create, 0x1A4, out _)!.Release();
        Assert.Equal(0, fs.Symlink("f", "d/l"));
        Assert.Equal(0, fs.MakeNode("p", FileKind.Fifo, 0x1A4));
        foreach (string path in new[] { "d", "d/f", "d/l", "p" })
        {
            FileStatus st = fs.Lstat(path, out _)!;
            Assert.Equal((now, now, now, now), (st.AccessNs, st.ModifyNs, st.ChangeNs, st.BirthNs));
        }
        FileStatus root = fs.Lstat("", out _)!; // got the entries "d" and "p": modified now, accessed when the host says
        Assert.Equal((now, now), (root.ModifyNs, root.ChangeNs));

        meter.Charge(1_000);
        Assert.Equal(0, fs.Rename("d/f", "g", 0));
        Assert.Equal(now + 1_000, fs.Lstat("d", out _)!.ModifyNs);
        Assert.Equal((now, now + 1_000), (fs.Lstat("g", out _)!.ModifyNs, fs.Lstat("g", out _)!.ChangeNs));
        Assert.Equal(0, fs.Remove("g", directory: false));
        Assert.Equal(now + 1_000, fs.Lstat("", out _)!.ModifyNs);
    }

    [Fact]
    public void TheSameTreeIsPresentedTheSameWayInAnotherVm()
    {
        MakeFiles();
        FileStatus Stat(string name)
        {
            var clock = new VirtualClock(new InstructionMeter());
            var overlay = new MemoryFileSystem(clock, 0x50, new HostTree(_dir, new HostFilePresenter(0x50, clock)), account: MemoryAccount.Unlimited());
            Listing(overlay);
            return overlay.Lstat(name, out _)!;
        }
        FileStatus first = Stat("b");
        Assert.Equal(first, Stat("b"));
        Assert.Equal(0x50UL, first.Device);
    }
}
