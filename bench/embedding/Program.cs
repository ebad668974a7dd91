// Measures what each VM costs when COUNT of them live in one process: creation time, managed memory of a VM that is
// created (loaded, not run), paused mid-run, and ended but not disposed; run and dispose times; and COUNT VMs
// created, run and disposed in parallel on every core.
using System.Diagnostics;
using X86Vm;

string program = Path.GetFullPath(args[0]);
int count = args.Length > 1 ? int.Parse(args[1]) : 1000;
VirtualMachine New() => new(new VirtualMachineOptions
{
    Program = program,
    Deterministic = true,
    Stdout = Stream.Null,
    Mounts = [new MountSpec("/", "/", MountKind.ReadOnly), MountSpec.Tmpfs("/tmp")],
    WorkingDirectory = "/",
});

for (int i = 0; i < 50; i++) using (VirtualMachine warm = New()) warm.Run(ulong.MaxValue); // the runtime's JIT, caches

long Heap() => GC.GetTotalMemory(forceFullCollection: true);
long rss0 = Environment.WorkingSet, heap0 = Heap();
var vms = new VirtualMachine[count];
var clock = Stopwatch.StartNew();
for (int i = 0; i < count; i++) vms[i] = New();
double create = clock.Elapsed.TotalMicroseconds / count;
long created = (Heap() - heap0) / count, rssCreated = (Environment.WorkingSet - rss0) / count;

clock.Restart();
foreach (VirtualMachine vm in vms) vm.Run(5_000);
double pauseRun = clock.Elapsed.TotalMicroseconds / count;
long paused = (Heap() - heap0) / count;

clock.Restart();
foreach (VirtualMachine vm in vms) vm.Run(ulong.MaxValue);
double finishRun = clock.Elapsed.TotalMicroseconds / count;
long ended = (Heap() - heap0) / count;
ulong units = vms[0].InstructionsExecuted;

clock.Restart();
foreach (VirtualMachine vm in vms) vm.Dispose();
double dispose = clock.Elapsed.TotalMicroseconds / count;
Array.Clear(vms);
long afterDispose = (Heap() - heap0) / count;

clock.Restart();
Parallel.For(0, count, _ => { using VirtualMachine vm = New(); vm.Run(ulong.MaxValue); });
double parallel = clock.Elapsed.TotalMilliseconds;

Console.WriteLine($"{count} VMs of {Path.GetFileName(program)} ({units} units each), {Environment.ProcessorCount} cores");
Console.WriteLine($"create:            {create,8:F0} us/VM   managed heap {created / 1024.0,8:F1} KiB/VM   RSS {rssCreated / 1024.0,8:F1} KiB/VM");
Console.WriteLine($"run 5,000 units:   {pauseRun,8:F0} us/VM   paused:      {paused / 1024.0,8:F1} KiB/VM");
Console.WriteLine($"run to the end:    {finishRun,8:F0} us/VM   ended:       {ended / 1024.0,8:F1} KiB/VM");
Console.WriteLine($"dispose:           {dispose,8:F0} us/VM   after:       {afterDispose / 1024.0,8:F1} KiB/VM left");
Console.WriteLine($"parallel create+run+dispose: {parallel:F0} ms for {count} ({count / parallel * 1000:F0} VMs/s)");
