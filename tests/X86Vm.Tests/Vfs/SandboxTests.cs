using System.Text;
using X86Vm.Tests.Programs;

namespace X86Vm.Tests.Vfs;

/// <summary>
/// The guest sees only its view: "..", symlinks (absolute and relative, made on the host to point outside),
/// /proc/self/root and /proc/self/cwd never lead out of it, and a copy-on-write overlay never writes the host.
/// The probe (tests/programs/sandbox/probe.c) runs with a temporary directory as its root.
/// </summary>
public sealed class SandboxTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("x86vm-root-").FullName;
    readonly string _outside = Directory.CreateTempSubdirectory("x86vm-outside-").FullName;
    const string Secret = "host secret";

    public SandboxTests()
    {
        File.Copy(SyscallPrograms.Binary("probe"), Path.Combine(_root, "probe"));
        Directory.CreateDirectory(Path.Combine(_root, "data"));
        File.WriteAllText(Path.Combine(_root, "data", "inside.txt"), "inside\n");
        File.WriteAllText(Path.Combine(_outside, "secret.txt"), Secret + "\n");
        // Links made on the host, inside the view, pointing out of it.
        File.CreateSymbolicLink(Path.Combine(_root, "data", "abs-etc"), "/etc");
        File.CreateSymbolicLink(Path.Combine(_root, "data", "abs-secret"), Path.Combine(_outside, "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(_root, "data", "rel-up"), "../../../../../../..");
        File.CreateSymbolicLink(Path.Combine(_root, "data", "rel-secret"), "../../../../../../.." + Path.Combine(_outside, "secret.txt"));
    }

    public void Dispose()
    {
        Directory.Delete(_root, true);
        Directory.Delete(_outside, true);
    }

    string Run(params string[] commands) => Run([new MountSpec(_root, "/", MountKind.ReadOnly), MountSpec.Tmpfs("/tmp")], "/", commands);

    static string Run(IReadOnlyList<MountSpec> mounts, string cwd, params string[] commands)
    {
        GuestRunResult r = SyscallPrograms.Vm("/probe", commands, mounts, cwd);
        Assert.True(r.ExitStatus == 0, r.Stderr);
        Assert.DoesNotContain(Secret, r.StdoutText);
        Assert.DoesNotContain("root:x:0:0", r.StdoutText);
        return r.StdoutText;
    }

    [Fact]
    public void DotDotStaysAtTheRoot()
    {
        string o = Run("cd:/", "cd:../../..", "ls:/../../..", "cat:/../../../etc/passwd", "cd:/data/../../..");
        Assert.Contains("cd ../../..: ok /\n", o);
        Assert.Contains("list /../../..: ../d ./d data/d dev/d probe/f proc/d tmp/d\n", o);
        Assert.Contains("cat /../../../etc/passwd: ENOENT", o);
        Assert.Contains("cd /data/../../..: ok /\n", o);
    }

    [Fact]
    public void SymlinksPointingOutsideResolveInsideTheView()
    {
        string o = Run("cat:/data/abs-etc/passwd", "cat:/data/abs-secret", "cat:/data/rel-secret", "ls:/data/rel-up",
            "cd:/data/rel-up", "cd:/data/abs-etc", "link:/data/rel-up", "cat:/data/rel-up/data/inside.txt");
        Assert.Contains("cat /data/abs-etc/passwd: ENOENT", o);
        Assert.Contains("cat /data/abs-secret: ENOENT", o);
        Assert.Contains("cat /data/rel-secret: ENOENT", o);
        Assert.Contains("list /data/rel-up: ../d ./d data/d dev/d probe/f proc/d tmp/d\n", o);
        Assert.Contains("cd /data/rel-up: ok /\n", o);
        Assert.Contains("cd /data/abs-etc: ENOENT", o);
        Assert.Contains("cat /data/rel-up/data/inside.txt: inside\n", o);
    }

    [Fact]
    public void ProcRootAndCwdLinksStayInside()
    {
        string o = Run("link:/proc/self/root", "ls:/proc/self/root/", "cat:/proc/self/root/../../etc/passwd",
            "cd:/proc/self/root/..", "cd:/proc/self/cwd/../..", "cat:/proc/1/root/etc/passwd", "ls:/proc");
        Assert.Contains("link /proc/self/root: /\n", o);
        Assert.Contains("list /proc/self/root/: ../d ./d data/d dev/d probe/f proc/d tmp/d\n", o);
        Assert.Contains("cat /proc/self/root/../../etc/passwd: ENOENT", o);
        Assert.Contains("cd /proc/self/root/..: ok /\n", o);
        Assert.Contains("cat /proc/1/root/etc/passwd: ENOENT", o);
        // /proc shows the VM's own process and its implicit init (pid 1) only, never the host's.
        string proc = o.Split('\n').Single(l => l.StartsWith("list /proc:"));
        Assert.Equal(2, proc.Split(' ').Count(w => w.Length > 2 && char.IsDigit(w[0])));
        Assert.Contains(" 1/d", proc);
    }

    [Fact]
    public void ReadOnlyRootRefusesWrites()
    {
        string o = Run("write:/data/new", "rm:/data/inside.txt", "mkdir:/data/d", "mv:/data/inside.txt=/data/x", "chmod:/probe",
            "write:/tmp/t", "cat:/tmp/t", "mv:/tmp/t=/data/t");
        Assert.Contains("write /data/new: EROFS", o);
        Assert.Contains("rm /data/inside.txt: EROFS", o);
        Assert.Contains("mkdir /data/d: EROFS", o);
        Assert.Contains("mv /data/inside.txt /data/x: EROFS", o);
        Assert.Contains("chmod /probe: EROFS", o);
        Assert.Contains("cat /tmp/t: guest", o);
        Assert.Contains("mv /tmp/t /data/t: EXDEV", o);
        Assert.False(File.Exists(Path.Combine(_root, "data", "new")));
    }

    static string Snapshot(string dir)
    {
        var sb = new StringBuilder();
        foreach (string f in Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(f);
            sb.Append(Path.GetRelativePath(dir, f)).Append(' ').Append(info.Attributes).Append(' ')
                .Append(OperatingSystem.IsWindows() ? 0 : (int)File.GetUnixFileMode(f)).Append(' ').Append(info.LinkTarget ?? "")
                .Append(' ').Append(info.LastWriteTimeUtc.Ticks);
            if (info.LinkTarget == null && File.Exists(f)) sb.Append(' ').Append(File.ReadAllText(f));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    [Fact]
    public void CopyOnWriteOverlayNeverWritesTheHost()
    {
        string work = Path.Combine(_outside, "work");
        Directory.CreateDirectory(Path.Combine(work, "sub"));
        File.WriteAllText(Path.Combine(work, "keep.txt"), "original\n");
        File.WriteAllText(Path.Combine(work, "sub", "deep.txt"), "deep\n");
        string before = Snapshot(_outside);
        var mounts = new[] { new MountSpec(_root, "/", MountKind.ReadOnly), MountSpec.Tmpfs("/tmp"), new MountSpec(work, "/work", MountKind.CopyOnWrite) };
        string o = Run(mounts, "/work", "cat:keep.txt", "write:keep.txt", "cat:keep.txt", "write:new.txt", "rm:sub/deep.txt", "ls:sub",
            "rmdir:sub", "mkdir:sub", "ls:sub", "mv:keep.txt=moved.txt", "chmod:moved.txt", "ls:.", "cat:moved.txt", "cat:/work/keep.txt",
            "cd:..", "cat:work/new.txt", "mkdir:/work/newdir", "write:/work/newdir/f", "mv:/work/newdir=/work/sub/nd", "cat:/work/sub/nd/f");
        Assert.Contains("cat keep.txt: original\n", o);
        Assert.Contains("cat keep.txt: guest\n", o);
        Assert.Contains("rm sub/deep.txt: ok", o);
        Assert.Contains("list sub: ../d ./d\n", o);
        Assert.Contains("rmdir sub: ok", o);
        Assert.Contains("list .: ../d ./d moved.txt/f new.txt/f sub/d\n", o);
        Assert.Contains("cat moved.txt: guest\n", o);
        Assert.Contains("cat /work/keep.txt: ENOENT", o);
        Assert.Contains("cat work/new.txt: guest\n", o);
        Assert.Contains("cat /work/sub/nd/f: guest\n", o);
        Assert.Equal(before, Snapshot(_outside));
    }

    [Fact]
    public void CopyOnWriteReadsFallThroughForUntouchedFiles()
    {
        string work = Path.Combine(_outside, "live");
        Directory.CreateDirectory(work);
        File.WriteAllText(Path.Combine(work, "a.txt"), "A\n");
        var mounts = new[] { new MountSpec(_root, "/", MountKind.ReadOnly), new MountSpec(work, "/w", MountKind.CopyOnWrite) };
        string o = Run(mounts, "/", "cat:/w/a.txt", "ls:/w", "link:/w/../data/abs-etc");
        Assert.Contains("cat /w/a.txt: A\n", o);
        Assert.Contains("list /w: ../d ./d a.txt/f\n", o);
        Assert.Contains("link /w/../data/abs-etc: /etc\n", o);
    }

    /// <summary>
    /// On Linux a mount point's parents always exist. With a host directory mounted at /tmp/a/b (below the private
    /// tmpfs /tmp, which has no a) and one at /srv/x/m (the read-only root has no srv), every directory on the way
    /// is a directory to stat, opendir/readdir (listing the next component with stat's inode), realpath and chdir;
    /// nothing else can be made in it.
    /// </summary>
    [Fact]
    public void DirectoriesOnTheWayToAMountPointExist()
    {
        string deep = Path.Combine(_outside, "deep"), other = Path.Combine(_outside, "other");
        Directory.CreateDirectory(deep);
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(deep, "f.txt"), "deep\n");
        var mounts = new[]
        {
            new MountSpec(_root, "/", MountKind.ReadOnly), MountSpec.Tmpfs("/tmp"), new MountSpec(deep, "/tmp/a/b", MountKind.ReadWrite),
            new MountSpec(other, "/srv/x/m", MountKind.ReadWrite),
        };
        string o = Run(mounts, "/tmp/a/b", "stat:/tmp/a", "stat:/tmp/a/b", "stat:/tmp/a/", "ls:/tmp", "ls:/tmp/a", "real:/tmp/a",
            "real:.", "real:/tmp/a/../a/b/f.txt", "link:/tmp/a", "cd:..", "cd:b", "cd:/tmp/a/b/../..", "cd:a", "cat:/tmp/a/b/f.txt",
            "cat:/tmp/a/nothing", "ls:/", "stat:/srv", "stat:/srv/x", "stat:/srv/x/m", "ls:/srv/x", "real:/srv/x/m/..", "cd:/srv/x",
            "mkdir:/tmp/a", "write:/tmp/a/new", "write:/srv/x/new", "rmdir:/srv/x", "write:/tmp/a/b/new");
        foreach (string expected in new[]
        {
            "stat /tmp/a: dir same-ino", "stat /tmp/a/b: dir same-ino", "stat /tmp/a/: dir same-ino", "list /tmp: ../d ./d a/d",
            "list /tmp/a: ../d ./d b/d", "real /tmp/a: /tmp/a", "real .: /tmp/a/b", "real /tmp/a/../a/b/f.txt: /tmp/a/b/f.txt",
            "link /tmp/a: EINVAL", "cd ..: ok /tmp/a", "cd b: ok /tmp/a/b", "cd /tmp/a/b/../..: ok /tmp", "cd a: ok /tmp/a",
            "cat /tmp/a/b/f.txt: deep", "cat /tmp/a/nothing: ENOENT", "list /: ../d ./d data/d dev/d probe/f proc/d srv/d tmp/d",
            "stat /srv: dir same-ino", "stat /srv/x: dir same-ino",
            "stat /srv/x/m: dir same-ino", "list /srv/x: ../d ./d m/d", "real /srv/x/m/..: /srv/x", "cd /srv/x: ok /srv/x",
            "mkdir /tmp/a: EEXIST", "write /tmp/a/new: EROFS", "write /srv/x/new: EROFS", "write /tmp/a/b/new: ok",
        })
            Assert.Contains(expected + "\n", o);
        Assert.True(File.Exists(Path.Combine(deep, "new")));
        Assert.DoesNotContain("rmdir /srv/x: ok", o);
    }

    [Fact]
    public void MountRootsCannotBeRemovedAndDotDotCrossesBackToTheParentMount()
    {
        string work = Path.Combine(_outside, "m");
        Directory.CreateDirectory(work);
        var mounts = new[] { new MountSpec(_root, "/", MountKind.ReadOnly), new MountSpec(work, "/data/m", MountKind.ReadWrite) };
        string o = Run(mounts, "/data/m", "cd:..", "cd:/data/m/../..", "rmdir:/data/m", "mv:/data/m=/data/n", "write:/data/m/f", "mv:/data/m/f=/data/f");
        Assert.Contains("cd ..: ok /data\n", o);
        Assert.Contains("cd /data/m/../..: ok /\n", o);
        Assert.Contains("rmdir /data/m: EBUSY", o);
        Assert.Contains("mv /data/m /data/n: EXDEV", o);
        Assert.Contains("mv /data/m/f /data/f: EXDEV", o);
        Assert.True(File.Exists(Path.Combine(work, "f")));
    }
}
