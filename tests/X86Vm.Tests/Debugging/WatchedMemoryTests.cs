using X86Vm.Cpu.Memory;

namespace X86Vm.Tests.Debugging;

/// <summary>The address space's watched ranges (what watchpoints are made of), without a debugger.</summary>
public class WatchedMemoryTests
{
    const ulong Base = 0x10000;

    static AddressSpace Memory()
    {
        var m = new AddressSpace();
        m.Map(Base, 0x3000, Protection.ReadWrite, MappingFlags.None, "test");
        return m;
    }

    static GuestFault WatchFault(Action access)
    {
        var f = Assert.Throws<GuestFault>(access);
        Assert.NotNull(f.WatchKind);
        return f;
    }

    [Fact]
    public void AnInstructionWriteFaultsBeforeWriting()
    {
        var m = Memory();
        m.Write(Base + 0x100, 7);          // through the TLB first: the watch must flush it
        m.AddWatch(Base + 0x100, 4, WatchKind.Write);
        GuestFault f = WatchFault(() => m.Write(Base + 0x102, (byte)1));
        Assert.Equal(Base + 0x100, f.SiAddr);
        Assert.Equal(WatchKind.Write, f.WatchKind);
        Assert.Equal(7, m.Read<int>(Base + 0x100)); // nothing written; reads are not watched
        WatchFault(() => m.Write(Base + 0xFE, 0x0102030405060708UL)); // overlapping from below
        m.Write(Base + 0x104, 5);           // same page, outside the range
        m.Write(Base + 0x0FC, 5);
        Assert.Equal(7, m.Read<int>(Base + 0x100));
    }

    [Fact]
    public void KernelCopiesAndSuspendedWatchesDoNotFault()
    {
        var m = Memory();
        m.AddWatch(Base + 0x100, 8, WatchKind.Access);
        Assert.True(m.TryWrite(Base + 0x100, [1, 2, 3, 4]));
        var buffer = new byte[4];
        Assert.True(m.TryRead(Base + 0x100, buffer));
        Assert.Equal([1, 2, 3, 4], buffer);
        Assert.Equal([1, 2, 3, 4], m.TryReadCString(Base + 0x100));
        m.Poke(Base + 0x100, [9]);
        m.WatchesSuspended = true;
        m.Write(Base + 0x100, 0x11);
        Assert.Equal(0x11, m.Read<int>(Base + 0x100));
        m.WatchesSuspended = false;
        Assert.Equal(WatchKind.Read, WatchFault(() => m.Read<byte>(Base + 0x107)).WatchAccess);
        WatchFault(() => m.Read(Base + 0xF0, new byte[32])); // a multi-byte instruction load (FXRSTOR…)
    }

    [Fact]
    public void ReadWatchesIgnoreWritesAndRemovalRestoresAccess()
    {
        var m = Memory();
        m.AddWatch(Base + 0x1FFE, 4, WatchKind.Read); // straddles two pages
        m.Write(Base + 0x1FFE, 0xAABBCCDD);
        WatchFault(() => m.Read<uint>(Base + 0x1FFC));
        WatchFault(() => m.Read<byte>(Base + 0x2001)); // the part on the second page
        Assert.False(m.RemoveWatch(Base + 0x1FFE, 4, WatchKind.Write));
        Assert.True(m.RemoveWatch(Base + 0x1FFE, 4, WatchKind.Read));
        Assert.False(m.HasWatches);
        Assert.Equal(0xAABBCCDD, m.Read<uint>(Base + 0x1FFE));
    }

    [Fact]
    public void AForkedCopyHasNoWatches()
    {
        var m = Memory();
        m.AddWatch(Base, 4, WatchKind.Write);
        AddressSpace copy = m.CloneCopyOnWrite();
        copy.Write(Base, 1);
        WatchFault(() => m.Write(Base, 1));
    }
}
