using X86Vm.Linux.State;

namespace X86Vm.Tests.Snapshots;

/// <summary>
/// The snapshot codec on plain graphs: hash tables come back with their slots (so they enumerate alike after more
/// changes, not only now), shared objects stay shared, and host objects are refused.
/// </summary>
public class SnapshotCodecTests
{
    static T RoundTrip<T>(T root) where T : class
    {
        var bytes = new MemoryStream();
        SnapshotWriter.Write(bytes, root);
        bytes.Position = 0;
        return (T)SnapshotReader.Read(bytes)[0];
    }

    [Fact]
    public void TablesWithRemovedEntriesEnumerateAlikeAfterMoreInsertions()
    {
        var d = new Dictionary<int, string>();
        var set = new HashSet<string>();
        for (int i = 0; i < 20; i++) { d[i * 37] = $"v{i}"; set.Add($"s{i}"); }
        foreach (int i in new[] { 3, 11, 7, 0 }) { d.Remove(i * 37); set.Remove($"s{i}"); }
        var (d2, set2) = RoundTrip(Tuple.Create(d, set)) is var t ? (t.Item1, t.Item2) : default;
        foreach (int i in new[] { 100, 101, 102, 103, 104 }) { d[i] = "n"; d2[i] = "n"; set.Add($"n{i}"); set2.Add($"n{i}"); }
        Assert.Equal(d.ToList(), d2.ToList());
        Assert.Equal(set.ToList(), set2.ToList());
        Assert.True(d2.ContainsKey(5 * 37) && !d2.ContainsKey(3 * 37));
    }

    [Fact]
    public void ReferenceKeyedTablesAndSharedObjectsSurvive()
    {
        var a = new List<int> { 1 };
        var b = new List<object> { a };
        var byRef = new Dictionary<object, int>(ReferenceEqualityComparer.Instance) { [a] = 1, [b] = 2 };
        var copy = RoundTrip(Tuple.Create(byRef, a, b));
        Assert.Same(copy.Item2, copy.Item3[0]);
        Assert.Equal(1, copy.Item1[copy.Item2]);
        Assert.Equal(2, copy.Item1[copy.Item3]);
        Assert.Equal([copy.Item2, copy.Item3], copy.Item1.Keys);
    }

    [Fact]
    public void HostObjectsAreRefusedWithTheirPath()
    {
        var e = Assert.Throws<SnapshotNotSupportedException>(() =>
            SnapshotWriter.Write(new MemoryStream(), Tuple.Create(new List<object> { new MemoryStream() })));
        Assert.StartsWith("a host stream: MemoryStream (Tuple`1.m_Item1: List`1._items: Object[]", e.Message);
    }
}
