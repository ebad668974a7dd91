using X86Vm.Cpu.Memory;

namespace X86Vm.Tests.Memory;

/// <summary>
/// The software TLB grows when a space keeps refilling it (AddressSpace.CountRefill): values, protections and
/// copy-on-write must be the same before and after the growth, which happens in the middle of this workload.
/// </summary>
public class TlbGrowthTests
{
    const ulong Base = 0x1000_0000;
    const int Pages = 40_000; // more refills than the small TLB tolerates, more pages than the large one holds

    [Fact]
    public void ValuesSurviveGrowthAndThrashing()
    {
        var m = new AddressSpace();
        m.Map(Base, (ulong)Pages * Page.Size, Protection.ReadWrite, MappingFlags.None, "test");
        for (int round = 0; round < 3; round++)
            for (int p = 0; p < Pages; p++)
            {
                ulong a = Base + (ulong)p * Page.Size + (ulong)(p % 4000);
                if (round == 0) m.Write(a, (ulong)p * 3);
                else Assert.Equal((ulong)p * 3 + (ulong)(round - 1), m.Read<ulong>(a));
                if (round > 0) m.Write(a, (ulong)p * 3 + (ulong)round);
            }
    }

    [Fact]
    public void ProtectionChangesApplyAfterGrowth()
    {
        var m = new AddressSpace();
        m.Map(Base, (ulong)Pages * Page.Size, Protection.ReadWrite, MappingFlags.None, "test");
        for (int p = 0; p < Pages; p++) m.Write(Base + (ulong)p * Page.Size, p);
        ulong last = Base + (ulong)(Pages - 1) * Page.Size;
        Assert.Equal(Pages - 1, m.Read<int>(last)); // in the (now large) TLB
        m.Protect(last, Page.Size, Protection.Read);
        Assert.Throws<GuestFault>(() => m.Write(last, 1));
        Assert.Equal(Pages - 1, m.Read<int>(last));
        m.Unmap(last, Page.Size);
        Assert.Throws<GuestFault>(() => m.Read<int>(last));
    }

    [Fact]
    public void CopyOnWriteHoldsAfterGrowth()
    {
        var parent = new AddressSpace();
        parent.Map(Base, (ulong)Pages * Page.Size, Protection.ReadWrite, MappingFlags.None, "test");
        for (int p = 0; p < Pages; p++) parent.Write(Base + (ulong)p * Page.Size, p);
        AddressSpace child = parent.CloneCopyOnWrite();
        for (int p = 0; p < Pages; p += 7) child.Write(Base + (ulong)p * Page.Size, -p);
        for (int p = 0; p < Pages; p++)
        {
            Assert.Equal(p, parent.Read<int>(Base + (ulong)p * Page.Size));
            Assert.Equal(p % 7 == 0 ? -p : p, child.Read<int>(Base + (ulong)p * Page.Size));
        }
    }
}
