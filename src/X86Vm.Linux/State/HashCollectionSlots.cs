using System.Reflection;

namespace X86Vm.Linux.State;

/// <summary>
/// The entry slots of a Dictionary or HashSet, for the snapshot codec. Enumeration visits the slots in index order,
/// and a removed slot is reused by a later insertion (a free list), so the order a restored table enumerates in after
/// further changes depends on its slots, not only its contents: a snapshot saves every slot (used: its key and value;
/// free: its link in the free list) and a restore puts each back at its index, with buckets recomputed from this
/// process's hash codes (which differ between processes). OrderedDictionary keeps no holes and is refilled in order.
/// </summary>
public static class HashCollectionSlots
{
    /// <summary>One slot: in use with its key (a set's item) and value, or free with the encoded next free slot.</summary>
    public readonly record struct Slot(bool Used, object? Key, object? Value, int Next);

    /// <summary>Whether <paramref name="type"/> is kept slot by slot (Dictionary, HashSet), not refilled in order.</summary>
    public static bool HasSlots(Type type) =>
        type.GetGenericTypeDefinition() is var d && (d == typeof(Dictionary<,>) || d == typeof(HashSet<>));

    /// <summary>The internal fields this relies on: part of the type's description, so another runtime's layout is refused.</summary>
    public static string Describe(Type type) =>
        string.Join(",", type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic).OrderBy(f => f.MetadataToken)
            .Select(f => f.Name + ":" + f.FieldType.Name));

    public static (int FreeList, int FreeCount, List<Slot> Slots) Read(object collection)
    {
        Type t = collection.GetType();
        var n = Names(t);
        int count = (int)Field(t, n.Count).GetValue(collection)!;
        var entries = (Array?)Field(t, n.Entries).GetValue(collection);
        var slots = new List<Slot>(count);
        Type entry = t.GetField(n.Entries, BindingFlags.Instance | BindingFlags.NonPublic)!.FieldType.GetElementType()!;
        FieldInfo next = Field(entry, n.Next), key = Field(entry, n.Key);
        FieldInfo? value = n.Value == null ? null : Field(entry, n.Value);
        for (int i = 0; i < count; i++)
        {
            object e = entries!.GetValue(i)!;
            int link = (int)next.GetValue(e)!;
            slots.Add(link >= -1 ? new Slot(true, key.GetValue(e), value?.GetValue(e), 0) : new Slot(false, null, null, link));
        }
        return ((int)Field(t, n.FreeList).GetValue(collection)!, (int)Field(t, n.FreeCount).GetValue(collection)!, slots);
    }

    /// <summary>Puts the slots back into an empty collection (made with the saved comparer), buckets and all.</summary>
    public static void Write(object collection, int freeList, int freeCount, List<Slot> slots)
    {
        Type t = collection.GetType();
        var n = Names(t);
        if (slots.Count > 0) t.GetMethod("EnsureCapacity", [typeof(int)])!.Invoke(collection, [slots.Count]);
        var entries = (Array?)Field(t, n.Entries).GetValue(collection);
        var buckets = (int[]?)Field(t, n.Buckets).GetValue(collection);
        Type entry = t.GetField(n.Entries, BindingFlags.Instance | BindingFlags.NonPublic)!.FieldType.GetElementType()!;
        FieldInfo next = Field(entry, n.Next), key = Field(entry, n.Key), hash = Field(entry, n.Hash);
        FieldInfo? value = n.Value == null ? null : Field(entry, n.Value);
        object? comparer = Field(t, "_comparer").GetValue(collection);
        Type keyType = t.GetGenericArguments()[0];
        MethodInfo getHash = typeof(IEqualityComparer<>).MakeGenericType(keyType).GetMethod("GetHashCode")!;
        for (int i = 0; i < slots.Count; i++)
        {
            Slot s = slots[i];
            object e = Activator.CreateInstance(entry)!;
            if (s.Used)
            {
                int h = comparer != null ? (int)getHash.Invoke(comparer, [s.Key])! : s.Key!.GetHashCode();
                ref int bucket = ref buckets![(int)((uint)h % (uint)buckets.Length)];
                hash.SetValue(e, hash.FieldType == typeof(uint) ? (object)(uint)h : h);
                key.SetValue(e, s.Key);
                value?.SetValue(e, s.Value);
                next.SetValue(e, bucket - 1);
                bucket = i + 1;
            }
            else next.SetValue(e, s.Next);
            entries!.SetValue(e, i);
        }
        Field(t, n.Count).SetValue(collection, slots.Count);
        Field(t, n.FreeList).SetValue(collection, freeList);
        Field(t, n.FreeCount).SetValue(collection, freeCount);
    }

    static (string Buckets, string Entries, string Count, string FreeList, string FreeCount, string Next, string Key, string? Value, string Hash) Names(Type t) =>
        t.GetGenericTypeDefinition() == typeof(Dictionary<,>)
            ? ("_buckets", "_entries", "_count", "_freeList", "_freeCount", "next", "key", "value", "hashCode")
            : ("_buckets", "_entries", "_count", "_freeList", "_freeCount", "Next", "Value", null, "HashCode");

    static FieldInfo Field(Type t, string name) =>
        t.GetField(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public) ??
        throw new SnapshotNotSupportedException($"this .NET runtime's {t.Name} has no field {name}");
}
