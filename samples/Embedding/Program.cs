// Runs a static Linux x86-64 program (args[0]) in a deterministic VM in slices of 2,000 units, printing the state hash
// after each, with a syscall filter counting the calls; after the first slice it moves the VM through a snapshot into a
// new VM, which finishes the run; then it runs the program in 100 short-lived VMs in parallel.
using X86Vm;
using X86Vm.Linux.Hooks;

string program = Path.GetFullPath(args[0]);

var vm = new VirtualMachine(new VirtualMachineOptions
{
    Program = program,
    Deterministic = true,
    Seed = 42,
    Stdout = Console.OpenStandardOutput(),
    MaxMemory = 64L << 20,
});
int syscalls = 0;
SyscallFilter filter = request =>
{
    syscalls++;
    return request.Name == "getpid" ? SyscallDecision.Emulate(1) : SyscallDecision.Allow;
};
vm.SyscallFilter = filter;
RunResult result;
bool moved = false;
while ((result = vm.Run(2_000)).Status == RunStatus.OutOfBudget)
{
    Console.WriteLine($"{result.InstructionsRetired,8} {Convert.ToHexStringLower(vm.StateHash())}");
    if (moved) continue;
    // Save the whole VM to a stream and restore it into a new VM (as another host would); hooks are the host's: bind again.
    var snapshot = new MemoryStream();
    vm.SaveSnapshot(snapshot);
    vm.Dispose();
    snapshot.Position = 0;
    vm = VirtualMachine.LoadSnapshot(snapshot, new RestoreOptions { Stdout = Console.OpenStandardOutput() });
    vm.SyscallFilter = filter;
    moved = true;
    Console.WriteLine($"restored from {snapshot.Length} bytes: {Convert.ToHexStringLower(vm.StateHash())}");
}
vm.Dispose();
Console.WriteLine($"{result.Status} with {result.ExitCode} after {result.InstructionsRetired} units and {syscalls} syscalls");

// Many VMs at once: each is isolated and runs on whichever thread runs it (one thread per VM at a time).
var exitCodes = new int[100];
Parallel.For(0, exitCodes.Length, i =>
{
    using var vm = new VirtualMachine(new VirtualMachineOptions { Program = program, Deterministic = true, Stdout = Stream.Null });
    exitCodes[i] = vm.Run(ulong.MaxValue).ExitCode;
});
Console.WriteLine($"{exitCodes.Count(c => c == 0)} of {exitCodes.Length} VMs exited with 0");
