using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using X86Vm.Cpu.Memory;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Linux.State;

/// <summary>
/// Rebuilds the object graph <see cref="SnapshotWriter"/> wrote: objects are made uninitialised (no constructor runs),
/// their saved fields set, hash-based collections refilled once every object exists (their keys' hash codes may
/// depend on fields). Fields left out of the snapshot are left at their defaults for the owner to rebuild. Types are
/// checked against this build's, and only x86vm's own and the runtime's collection types are made.
/// </summary>
public sealed class SnapshotReader
{
    readonly BinaryReader _in;
    readonly long _length;
    int _depth;
    readonly List<object> _objects = [];
    readonly Queue<object> _pending = new();
    readonly List<Type> _typeIds = [];
    readonly Dictionary<Type, SnapshotLayout> _layouts = new();
    readonly HashSet<Type> _describedStructs = [];
    readonly List<(object Collection, List<(object? Key, object? Value)> Entries)> _fills = [];
    readonly List<(object Collection, int FreeList, int FreeCount, List<HashCollectionSlots.Slot> Slots)> _slotFills = [];

    SnapshotReader(Stream source)
    {
        _in = new BinaryReader(source);
        _length = source.Length;
    }

    /// <summary>Every object of the graph in the order written (the root first); throws <see cref="SnapshotFormatException"/>.</summary>
    public static IReadOnlyList<object> Read(Stream source)
    {
        var r = new SnapshotReader(source);
        try
        {
            if (r.Ref() == null) throw new SnapshotFormatException("the snapshot holds no VM");
            while (r._pending.TryDequeue(out object? o)) r.Body(o);
            if (source.Position != source.Length) throw new SnapshotFormatException("the snapshot has data after its end");
            r.Fill();
            return r._objects;
        }
        catch (Exception e) when (e is not (SnapshotFormatException or ForeignBuildException or OutOfMemoryException))
        {
            throw new SnapshotFormatException($"damaged snapshot: {e.Message}", e);
        }
    }

    void Body(object o)
    {
        SnapshotLayout layout = _layouts[o.GetType()];
        switch (layout.Shape)
        {
            case SnapshotShape.Object:
                foreach (FieldInfo f in layout.Fields) f.SetValue(o, Value(f.FieldType));
                break;
            case SnapshotShape.PrimitiveArray:
                var a = (Array)o;
                byte[] bytes = _in.ReadBytes(Buffer.ByteLength(a));
                if (bytes.Length != Buffer.ByteLength(a)) throw new EndOfStreamException();
                Buffer.BlockCopy(bytes, 0, a, 0, bytes.Length);
                break;
            case SnapshotShape.Array:
                var items = (Array)o;
                Type element = o.GetType().GetElementType()!;
                for (int i = 0; i < items.Length; i++) items.SetValue(Value(element), i);
                break;
            case SnapshotShape.HashCollection when HashCollectionSlots.HasSlots(o.GetType()):
                Type[] types = o.GetType().GetGenericArguments();
                int freeList = _in.ReadInt32(), freeCount = _in.ReadInt32();
                int slotCount = Count();
                var slots = new List<HashCollectionSlots.Slot>(slotCount);
                for (int i = 0; i < slotCount; i++)
                    slots.Add(_in.ReadBoolean()
                        ? new HashCollectionSlots.Slot(true, Value(types[0]), types.Length == 2 ? Value(types[1]) : null, 0)
                        : new HashCollectionSlots.Slot(false, null, null, _in.ReadInt32()));
                _slotFills.Add((o, freeList, freeCount, slots));
                break;
            case SnapshotShape.HashCollection:
                Type[] args = o.GetType().GetGenericArguments();
                int count = Count();
                var entries = new List<(object?, object?)>(count);
                for (int i = 0; i < count; i++)
                    entries.Add(o is IDictionary ? (Value(args[0]), Value(args[1])) : (Value(args[0]), null));
                _fills.Add((o, entries));
                break;
            case SnapshotShape.Cpu:
                var memory = Ref() as AddressSpace ?? throw new SnapshotFormatException("damaged snapshot: a CPU without memory");
                byte[] image = _in.ReadBytes(CpuCore.StateImageSize);
                if (!((CpuCore)o).RestoreState(image, memory)) throw new SnapshotFormatException("damaged snapshot: an invalid CPU state");
                break;
        }
    }

    /// <summary>Refills the hash-based collections (slot by slot, or in order), now that every key is complete.</summary>
    void Fill()
    {
        foreach (var (collection, freeList, freeCount, slots) in _slotFills)
        {
            // An empty set that never held anything has a free-list head of 0, not -1.
            if (slots.Count(s => !s.Used) != freeCount || freeList < -1 || freeList >= Math.Max(1, slots.Count))
                throw new SnapshotFormatException("damaged snapshot: a table whose free slots do not add up");
            HashCollectionSlots.Write(collection, freeList, freeCount, slots);
        }
        foreach (var (collection, entries) in _fills)
        {
            if (collection is IDictionary d)
                foreach (var (key, value) in entries) d.Add(key!, value);
            else
            {
                MethodInfo add = collection.GetType().GetMethod("Add")!;
                foreach (var (item, _) in entries)
                    if (!(bool)add.Invoke(collection, [item])!) throw new SnapshotFormatException("damaged snapshot: a set with a repeated item");
            }
        }
    }

    object? Value(Type declared)
    {
        if (declared.IsEnum) return Enum.ToObject(declared, Primitive(Enum.GetUnderlyingType(declared)));
        if (declared.IsPrimitive) return Primitive(declared);
        if (Nullable.GetUnderlyingType(declared) is Type inner) return _in.ReadBoolean() ? Value(inner) : null;
        if (declared.IsValueType)
        {
            SnapshotLayout layout = Layout(declared);
            if (_describedStructs.Add(declared)) CheckDescription(layout, String());
            object box = RuntimeHelpers.GetUninitializedObject(declared);
            // Values nest on the stack (a struct in a struct, a boxed value in a field): bounded, whatever the file says.
            if (++_depth > SnapshotWriter.MaxNesting) throw new SnapshotFormatException("damaged snapshot: values nested too deeply");
            foreach (FieldInfo f in layout.Fields) f.SetValue(box, Value(f.FieldType));
            _depth--;
            return box;
        }
        object? o = Ref();
        if (o != null && !declared.IsInstanceOfType(o))
            throw new SnapshotFormatException($"damaged snapshot: a {o.GetType().Name} where a {declared.Name} belongs");
        return o;
    }

    object Primitive(Type t) => Type.GetTypeCode(t) switch
    {
        TypeCode.Boolean => _in.ReadBoolean(),
        TypeCode.Char => (char)_in.ReadUInt16(),
        TypeCode.SByte => _in.ReadSByte(),
        TypeCode.Byte => _in.ReadByte(),
        TypeCode.Int16 => _in.ReadInt16(),
        TypeCode.UInt16 => _in.ReadUInt16(),
        TypeCode.Int32 => _in.ReadInt32(),
        TypeCode.UInt32 => _in.ReadUInt32(),
        TypeCode.Int64 => _in.ReadInt64(),
        TypeCode.UInt64 => _in.ReadUInt64(),
        TypeCode.Single => BitConverter.Int32BitsToSingle(_in.ReadInt32()),
        TypeCode.Double => BitConverter.Int64BitsToDouble(_in.ReadInt64()),
        _ => throw new SnapshotFormatException($"damaged snapshot: a field of type {t.Name}"),
    };

    object? Ref()
    {
        int tag = _in.Read7BitEncodedInt();
        switch (tag)
        {
            case SnapshotWriter.Null: return null;
            case SnapshotWriter.InlineString: return String();
            case SnapshotWriter.InlineBoxed:
            {
                Type t = TypeRef();
                if (!t.IsValueType) throw new SnapshotFormatException("damaged snapshot: a boxed class");
                return Value(t);
            }
            case SnapshotWriter.InlineDelegate: return Delegate();
            case SnapshotWriter.NewObject: return New();
            default:
                int id = tag - SnapshotWriter.FirstId;
                if (id < 0 || id >= _objects.Count) throw new SnapshotFormatException("damaged snapshot: a reference to no object");
                return _objects[id];
        }
    }

    object New()
    {
        Type type = TypeRef();
        SnapshotLayout layout = _layouts[type];
        object o;
        switch (layout.Shape)
        {
            case SnapshotShape.Array:
            case SnapshotShape.PrimitiveArray:
                int length = Count();
                o = Array.CreateInstance(type.GetElementType()!, length);
                break;
            case SnapshotShape.HashCollection:
                o = _in.Read7BitEncodedInt() switch
                {
                    0 => Activator.CreateInstance(type)!,
                    1 => Activator.CreateInstance(type, ReferenceEqualityComparer.Instance)!,
                    2 => Activator.CreateInstance(type, StringComparer.Ordinal)!,
                    _ => throw new SnapshotFormatException("damaged snapshot: an unknown comparer"),
                };
                break;
            default:
                if (type.IsAbstract || type.IsValueType || type == typeof(string))
                    throw new SnapshotFormatException($"damaged snapshot: an object of type {type.Name}");
                o = RuntimeHelpers.GetUninitializedObject(type);
                break;
        }
        _objects.Add(o);
        _pending.Enqueue(o);
        return o;
    }

    Delegate Delegate()
    {
        Type delegateType = TypeRef();
        Type declaring = TypeRef();
        int token = _in.ReadInt32();
        string name = String();
        object? target = Ref();
        if (!typeof(Delegate).IsAssignableFrom(delegateType) || !IsOwn(declaring.Assembly))
            throw new SnapshotFormatException("damaged snapshot: a delegate to a method outside x86vm");
        if (declaring.Module.ResolveMethod(token) is not MethodInfo m || m.Name != name || m.DeclaringType != declaring)
            throw new ForeignBuildException($"method {declaring.Name}.{name} differs");
        return m.IsStatic ? System.Delegate.CreateDelegate(delegateType, m) : System.Delegate.CreateDelegate(delegateType, target, m);
    }

    Type TypeRef()
    {
        int n = _in.Read7BitEncodedInt();
        if (n > 0)
        {
            if (n > _typeIds.Count) throw new SnapshotFormatException("damaged snapshot: a reference to no type");
            return _typeIds[n - 1];
        }
        string description = String();
        string[] parts = description.Split('|', 3);
        if (parts.Length != 3) throw new SnapshotFormatException("damaged snapshot: a malformed type");
        Type type = Type.GetType(parts[1], throwOnError: false) ??
            throw new ForeignBuildException($"type {parts[1]} does not exist here");
        if (!IsAllowed(type)) throw new SnapshotFormatException($"the snapshot names a type x86vm does not save ({type.FullName})");
        CheckDescription(Layout(type), description);
        _typeIds.Add(type);
        return type;
    }

    SnapshotLayout Layout(Type type)
    {
        if (_layouts.TryGetValue(type, out SnapshotLayout? known)) return known;
        SnapshotLayout layout = SnapshotLayout.For(type, out string? refusal) ??
            throw new SnapshotFormatException($"the snapshot holds {refusal} ({type.Name}), which x86vm never saves");
        _layouts[type] = layout;
        return layout;
    }

    static void CheckDescription(SnapshotLayout layout, string saved)
    {
        if (layout.Description != saved)
            throw new ForeignBuildException($"the fields of {layout.Type.Name} differ");
    }

    /// <summary>x86vm's own types and the runtime's collections and values: nothing else is ever made from a snapshot.</summary>
    static bool IsAllowed(Type type)
    {
        if (type.IsArray) return IsAllowed(type.GetElementType()!);
        if (type.IsGenericType && !type.GetGenericArguments().All(IsAllowed)) return false;
        string assembly = type.Assembly.GetName().Name ?? "";
        return IsOwn(type.Assembly) || assembly is "System.Private.CoreLib" or "System.Collections" or "System.Net.Primitives";
    }

    static bool IsOwn(Assembly a) => a.GetName().Name is "X86Vm" or "X86Vm.Linux" or "X86Vm.Cpu";

    int Count()
    {
        int n = _in.Read7BitEncodedInt();
        if (n < 0 || n > _length - _in.BaseStream.Position) throw new SnapshotFormatException("damaged snapshot: a count larger than the file");
        return n;
    }

    string String()
    {
        int n = Count();
        var chars = new char[n];
        for (int i = 0; i < n; i++) chars[i] = (char)_in.ReadUInt16();
        return new string(chars);
    }
}
