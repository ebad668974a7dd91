using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using X86Vm.Cpu.State;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Linux.State;

/// <summary>How the snapshot codec writes objects of one type (docs/snapshots.md).</summary>
public enum SnapshotShape : byte
{
    /// <summary>A class: its instance fields (base class first, each class's in declaration order), less [NotSnapshot] ones.</summary>
    Object,
    /// <summary>An array whose elements are written one by one.</summary>
    Array,
    /// <summary>An array of a primitive type, written as its bytes (little-endian hosts).</summary>
    PrimitiveArray,
    /// <summary>A hash-based collection: its comparer, then its entry slots (<see cref="HashCollectionSlots"/>).</summary>
    HashCollection,
    /// <summary>A CPU: its architectural state image (<see cref="CpuCore.SaveState"/>) and address space.</summary>
    Cpu,
}

/// <summary>
/// One type as the snapshot codec sees it: its shape and saved fields. Its description (name, shape, field names and
/// types) is written with the first object of the type and compared on load, so a snapshot of another build whose
/// objects have other fields is refused instead of misread. Names carry assemblies without their versions: what must
/// match is the layout, not the version number (docs/snapshot-format.md, "Compatibility").
/// </summary>
public sealed partial class SnapshotLayout
{
    public Type Type { get; }
    public SnapshotShape Shape { get; }
    public FieldInfo[] Fields { get; }
    public string Description { get; }

    SnapshotLayout(Type type, SnapshotShape shape, FieldInfo[] fields)
    {
        Type = type;
        Shape = shape;
        Fields = fields;
        Description = $"{(int)shape}|{PortableName(type)}|" + (shape == SnapshotShape.HashCollection
            ? HashCollectionSlots.Describe(type)
            : string.Join(";", fields.Select(f => $"{f.Name}:{PortableName(f.FieldType)}")));
    }

    /// <summary>
    /// The assembly-qualified name without each assembly's version, culture and public key token (Type.GetType finds
    /// it by the simple names): a new x86vm version number or .NET release alone does not make a snapshot foreign.
    /// </summary>
    public static string PortableName(Type type) => AssemblyIdentity().Replace(type.AssemblyQualifiedName!, "");

    [System.Text.RegularExpressions.GeneratedRegex(@", Version=[^,\]]*, Culture=[^,\]]*, PublicKeyToken=[^,\]]*")]
    private static partial System.Text.RegularExpressions.Regex AssemblyIdentity();

    /// <summary>The layout of <paramref name="type"/>, or null with the reason it cannot be saved.</summary>
    public static SnapshotLayout? For(Type type, out string? refusal)
    {
        refusal = Refusal(type);
        if (refusal != null) return null;
        if (type == typeof(CpuCore)) return new SnapshotLayout(type, SnapshotShape.Cpu, []);
        if (type.IsArray)
        {
            if (type.GetArrayRank() != 1) { refusal = "a multi-dimensional array"; return null; }
            Type e = type.GetElementType()!;
            return new SnapshotLayout(type, e.IsPrimitive ? SnapshotShape.PrimitiveArray : SnapshotShape.Array, []);
        }
        if (IsHashCollection(type)) return new SnapshotLayout(type, SnapshotShape.HashCollection, []);
        if (type.GetCustomAttribute<InlineArrayAttribute>() != null) { refusal = "an inline array"; return null; }
        return new SnapshotLayout(type, SnapshotShape.Object, SavedFields(type));
    }

    /// <summary>Instance fields of <paramref name="type"/> and its bases (base first, declaration order), less [NotSnapshot] ones.</summary>
    public static FieldInfo[] SavedFields(Type type)
    {
        var chain = new List<Type>();
        for (Type? t = type; t != null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType) chain.Add(t);
        chain.Reverse();
        return chain.SelectMany(t => t
                .GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(f => f.GetCustomAttribute<NotSnapshotAttribute>() == null)
                .OrderBy(f => f.MetadataToken))
            .ToArray();
    }

    /// <summary>Dictionary, HashSet and OrderedDictionary: their internal layout depends on hash codes, which differ between processes.</summary>
    public static bool IsHashCollection(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var d &&
        (d == typeof(Dictionary<,>) || d == typeof(HashSet<>) || d == typeof(OrderedDictionary<,>));

    /// <summary>Host resources, caches that must have been left out, and types whose state is not plain data.</summary>
    static string? Refusal(Type type)
    {
        if (typeof(Stream).IsAssignableFrom(type)) return "a host stream";
        if (typeof(TextWriter).IsAssignableFrom(type) || typeof(TextReader).IsAssignableFrom(type)) return "a host text stream";
        if (typeof(System.Runtime.InteropServices.SafeHandle).IsAssignableFrom(type)) return "a host handle";
        if (typeof(System.Net.Sockets.Socket).IsAssignableFrom(type)) return "a host socket";
        if (typeof(Thread).IsAssignableFrom(type) || typeof(Task).IsAssignableFrom(type)) return "a host thread or task";
        if (typeof(Exception).IsAssignableFrom(type)) return "an exception";
        if (typeof(MemberInfo).IsAssignableFrom(type)) return "reflection metadata";
        if (typeof(WeakReference).IsAssignableFrom(type) || type.IsGenericType && type.GetGenericTypeDefinition() == typeof(WeakReference<>))
            return "a weak reference (its contents depend on the garbage collector)";
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var d &&
            (d == typeof(ConcurrentDictionary<,>) || d == typeof(ConditionalWeakTable<,>)))
            return "a concurrent or weak table";
        if (type.IsPointer || type == typeof(IntPtr) || type == typeof(UIntPtr)) return "a host pointer";
        if (type.Namespace == "X86Vm.Cpu.Execution" || type.Namespace == "X86Vm.Linux.Debugging" ||
            type == typeof(Syscalls.SyscallTable))
            return "decoded or compiled code, a debugger or the syscall table (caches and host bindings are rebuilt, not saved)";
        if (typeof(ICollection).IsAssignableFrom(type) && type.Namespace == "System.Collections") return "a non-generic collection";
        return null;
    }
}
