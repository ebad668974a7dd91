using X86Vm.Cpu.Execution;

namespace X86Vm.Tests;

/// <summary>
/// Which execution tier the VMs of this test run use, from X86VM_TEST_JIT: unset (the default: the interpreter, with
/// hot blocks compiled after 1000 runs in the background), "off" (interpreter only) or "eager" (every block compiled
/// synchronously from its second run, so nearly all code runs compiled). test.sh runs the program and CPU tests in
/// both the default and the eager mode.
/// </summary>
public static class JitMode
{
    static readonly string Mode = Environment.GetEnvironmentVariable("X86VM_TEST_JIT") ?? "";

    public static bool Enabled => Mode != "off";
    public static bool Eager => Mode == "eager";
    public static int Threshold => Eager ? 1 : 1000;
    public static bool Synchronous => Eager;

    /// <summary>A compiler for a bare CPU's block cache: null unless the run is eager (the CPU tests run few instructions).</summary>
    public static BlockCompiler? Compiler() => Eager ? new BlockCompiler { Threshold = 1, Synchronous = true } : null;
}
