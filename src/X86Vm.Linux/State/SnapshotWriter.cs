using System.Collections;
using System.Reflection;
using CpuCore = X86Vm.Cpu.Cpu;

namespace X86Vm.Linux.State;

/// <summary>
/// Writes the object graph reachable from a root as data (docs/snapshot-format.md): objects are numbered in the order
/// first met, breadth first from the root, and written in that order with their fields; a reference is a number.
/// Every walk follows fields in declaration order and collections in their enumeration order, so one state always
/// writes the same bytes, and a VM restored from them writes them again.
/// </summary>
public sealed class SnapshotWriter
{
    /// <summary>Reference tags (the reader's <see cref="SnapshotReader"/> mirror).</summary>
    internal const int Null = 0, NewObject = 1, InlineString = 2, InlineBoxed = 3, InlineDelegate = 4, FirstId = 5;

    /// <summary>How deep values written inline (structs, boxed values) may nest: the reader refuses deeper ones.</summary>
    internal const int MaxNesting = 64;
    int _depth;

    readonly BinaryWriter _out;
    readonly Dictionary<object, int> _ids = new(ReferenceEqualityComparer.Instance);
    readonly List<(int Parent, string Field)> _origins = [];
    readonly Queue<object> _pending = new();
    readonly Dictionary<Type, SnapshotLayout> _layouts = new();
    /// <summary>Types whose description is written: classes by number, structs where first written inline.</summary>
    readonly Dictionary<Type, int> _typeIds = new();
    readonly HashSet<Type> _describedStructs = [];
    readonly List<object> _objects = [];
    int _current = -1;
    string _field = "";

    SnapshotWriter(Stream destination) => _out = new BinaryWriter(destination);

    /// <summary>Writes <paramref name="root"/> and everything it reaches; throws <see cref="SnapshotNotSupportedException"/> on a host object.</summary>
    public static void Write(Stream destination, object root, Func<object, string?>? refuse = null)
    {
        var w = new SnapshotWriter(destination);
        w.Ref(root);
        while (w._pending.TryDequeue(out object? o))
        {
            w._current = w._ids[o];
            if (refuse?.Invoke(o) is string reason) throw new SnapshotNotSupportedException($"{reason} ({w.PathOf(w._current)})");
            w.Body(o);
        }
        w._out.Flush();
    }

    void Body(object o)
    {
        SnapshotLayout layout = _layouts[o.GetType()];
        switch (layout.Shape)
        {
            case SnapshotShape.Object:
                foreach (FieldInfo f in layout.Fields)
                {
                    _field = f.Name;
                    Value(f.FieldType, f.GetValue(o));
                }
                break;
            case SnapshotShape.PrimitiveArray:
                var a = (Array)o;
                var bytes = new byte[Buffer.ByteLength(a)];
                Buffer.BlockCopy(a, 0, bytes, 0, bytes.Length);
                _out.Write(bytes);
                break;
            case SnapshotShape.Array:
                var items = (Array)o;
                Type element = o.GetType().GetElementType()!;
                for (int i = 0; i < items.Length; i++)
                {
                    _field = $"[{i}]";
                    Value(element, items.GetValue(i));
                }
                break;
            case SnapshotShape.HashCollection:
                HashCollection(o);
                break;
            case SnapshotShape.Cpu:
                var cpu = (CpuCore)o;
                _field = "Memory";
                Ref(cpu.Memory);
                var image = new byte[CpuCore.StateImageSize];
                cpu.SaveState(image);
                _out.Write(image);
                break;
        }
    }

    /// <summary>Its slots (Dictionary, HashSet) or its entries in order (OrderedDictionary); the comparer was written with the reference.</summary>
    void HashCollection(object o)
    {
        Type[] args = o.GetType().GetGenericArguments();
        if (HashCollectionSlots.HasSlots(o.GetType()))
        {
            var (freeList, freeCount, slots) = HashCollectionSlots.Read(o);
            _out.Write(freeList);
            _out.Write(freeCount);
            _out.Write7BitEncodedInt(slots.Count);
            foreach (HashCollectionSlots.Slot s in slots)
            {
                _out.Write(s.Used);
                if (!s.Used)
                {
                    _out.Write(s.Next);
                    continue;
                }
                _field = $"[{s.Key}]";
                Value(args[0], s.Key);
                if (args.Length == 2) Value(args[1], s.Value);
            }
            return;
        }
        if (o is IDictionary d)
        {
            _out.Write7BitEncodedInt(d.Count);
            foreach (DictionaryEntry e in d)
            {
                _field = $"[{e.Key}]";
                Value(args[0], e.Key);
                Value(args[1], e.Value);
            }
            return;
        }
        var set = (IEnumerable)o;
        var list = set.Cast<object?>().ToList();
        _out.Write7BitEncodedInt(list.Count);
        foreach (object? item in list) Value(args[0], item);
    }

    /// <summary>A value of static type <paramref name="declared"/>: primitives and structs inline, objects by reference.</summary>
    void Value(Type declared, object? value)
    {
        if (declared.IsEnum) declared = Enum.GetUnderlyingType(declared);
        if (declared.IsPrimitive)
        {
            Primitive(declared, value!);
            return;
        }
        if (Nullable.GetUnderlyingType(declared) is Type inner)
        {
            _out.Write(value != null);
            if (value != null) Value(inner, value);
            return;
        }
        if (declared.IsValueType)
        {
            SnapshotLayout layout = Layout(declared);
            if (_describedStructs.Add(declared)) String(layout.Description);
            if (++_depth > MaxNesting) throw new SnapshotNotSupportedException($"values nested too deeply ({PathOf(_current)}.{_field})");
            foreach (FieldInfo f in layout.Fields) Value(f.FieldType, f.GetValue(value));
            _depth--;
            return;
        }
        Ref(value);
    }

    void Primitive(Type t, object v)
    {
        switch (Type.GetTypeCode(t))
        {
            case TypeCode.Boolean: _out.Write((bool)v); break;
            case TypeCode.Char: _out.Write((ushort)(char)v); break;
            case TypeCode.SByte: _out.Write((sbyte)v); break;
            case TypeCode.Byte: _out.Write((byte)v); break;
            case TypeCode.Int16: _out.Write((short)v); break;
            case TypeCode.UInt16: _out.Write((ushort)v); break;
            case TypeCode.Int32: _out.Write((int)v); break;
            case TypeCode.UInt32: _out.Write((uint)v); break;
            case TypeCode.Int64: _out.Write((long)v); break;
            case TypeCode.UInt64: _out.Write((ulong)v); break;
            case TypeCode.Single: _out.Write(BitConverter.SingleToInt32Bits((float)v)); break;
            case TypeCode.Double: _out.Write(BitConverter.DoubleToInt64Bits((double)v)); break;
            default: throw new SnapshotNotSupportedException($"a host pointer ({PathOf(_current)}.{_field})");
        }
    }

    void Ref(object? o)
    {
        switch (o)
        {
            case null:
                _out.Write7BitEncodedInt(Null);
                return;
            case string s:
                _out.Write7BitEncodedInt(InlineString);
                String(s);
                return;
            case Delegate d:
                Delegate(d);
                return;
        }
        Type type = o.GetType();
        if (type.IsValueType)
        {
            _out.Write7BitEncodedInt(InlineBoxed);
            TypeRef(type);
            Value(type, o);
            return;
        }
        if (_ids.TryGetValue(o, out int id))
        {
            _out.Write7BitEncodedInt(FirstId + id);
            return;
        }
        _out.Write7BitEncodedInt(NewObject);
        TypeRef(type);
        if (o is Array a) _out.Write7BitEncodedInt(a.Length);
        if (Layout(type).Shape == SnapshotShape.HashCollection) _out.Write7BitEncodedInt(ComparerCode(o));
        _ids[o] = _objects.Count;
        _objects.Add(o);
        _origins.Add((_current, _field));
        _pending.Enqueue(o);
    }

    /// <summary>A delegate the kernel's objects hold (a closure over VM objects): its method and target, inline.</summary>
    void Delegate(Delegate d)
    {
        if (d.GetInvocationList().Length != 1) throw new SnapshotNotSupportedException($"a multicast delegate ({PathOf(_current)}.{_field})");
        MethodInfo m = d.Method;
        if (m.DeclaringType == null || m.IsGenericMethod) throw new SnapshotNotSupportedException($"a delegate to {m.Name} ({PathOf(_current)}.{_field})");
        _out.Write7BitEncodedInt(InlineDelegate);
        TypeRef(d.GetType());
        TypeRef(m.DeclaringType);
        _out.Write(m.MetadataToken);
        String(m.Name);
        Ref(d.Target);
    }

    /// <summary>0: the default comparer, 1: reference equality, 2: ordinal strings; others cannot be saved.</summary>
    int ComparerCode(object collection)
    {
        object? comparer = collection.GetType().GetProperty("Comparer")!.GetValue(collection);
        Type key = collection.GetType().GetGenericArguments()[0];
        object defaultComparer = typeof(EqualityComparer<>).MakeGenericType(key).GetProperty("Default")!.GetValue(null)!;
        if (comparer == null || comparer.Equals(defaultComparer)) return 0;
        if (ReferenceEquals(comparer, ReferenceEqualityComparer.Instance)) return 1;
        if (ReferenceEquals(comparer, StringComparer.Ordinal)) return 2;
        throw new SnapshotNotSupportedException($"a collection with comparer {comparer.GetType().Name} ({PathOf(_current)}.{_field})");
    }

    /// <summary>A type by number; its description the first time.</summary>
    void TypeRef(Type type)
    {
        if (_typeIds.TryGetValue(type, out int id))
        {
            _out.Write7BitEncodedInt(id + 1);
            return;
        }
        SnapshotLayout layout = Layout(type);
        _typeIds[type] = _typeIds.Count;
        _out.Write7BitEncodedInt(0);
        String(layout.Description);
    }

    SnapshotLayout Layout(Type type)
    {
        if (_layouts.TryGetValue(type, out SnapshotLayout? known)) return known;
        SnapshotLayout layout = SnapshotLayout.For(type, out string? refusal) ??
            throw new SnapshotNotSupportedException($"{refusal}: {type.Name} ({PathOf(_current)}.{_field})");
        _layouts[type] = layout;
        return layout;
    }

    // Strings as UTF-16 code units: exact for any .NET string, including unpaired surrogates.
    void String(string s)
    {
        _out.Write7BitEncodedInt(s.Length);
        foreach (char c in s) _out.Write((ushort)c);
    }

    /// <summary>Where object <paramref name="id"/> was first met: the fields from the root, for error messages.</summary>
    string PathOf(int id)
    {
        var parts = new List<string>();
        while (id >= 0)
        {
            var (parent, field) = _origins[id];
            parts.Add($"{_objects[id].GetType().Name}");
            if (parent >= 0) parts.Add("." + field + ": ");
            id = parent;
        }
        parts.Reverse();
        return string.Concat(parts);
    }
}
