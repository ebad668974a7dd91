using System.Reflection;
using X86Vm.Cpu.Decoding;

namespace X86Vm.Tests.Cpu;

/// <summary>The table registers exactly the classes marked as instruction families (the list avoids a scan at start).</summary>
public class InstructionFamilyTests
{
    [Fact]
    public void EveryMarkedFamilyIsListedOnce()
    {
        string[] marked = typeof(InstructionTable).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<InstructionFamilyAttribute>() != null)
            .Select(t => t.FullName!).Order().ToArray();
        string[] listed = InstructionFamilies.All.Select(t => t.FullName!).Order().ToArray();
        Assert.Equal(marked, listed);
    }
}
