using System.Collections.Concurrent;
using System.Reflection;
using Iced.Intel;

namespace X86Vm.Cpu.Decoding;

/// <summary>
/// Chooses the handler of one decoded instruction. <paramref name="operands"/> are the operand-kind
/// types from <see cref="OperandDecoder"/>; the binder may set extra <see cref="DecodedOp"/> fields and
/// returns a handler pointer, or 0 when this form is not implemented (the instruction then raises #UD).
/// </summary>
public delegate nint Binder(in Instruction insn, ref DecodedOp op, Type[] operands);

/// <summary>Marks a static class holding an instruction family; it must have <c>static void Register(InstructionTable)</c>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class InstructionFamilyAttribute : Attribute;

/// <summary>
/// Mnemonic → binder. Each family (one file per family, marked <see cref="InstructionFamilyAttribute"/>) registers its
/// own instructions; <see cref="InstructionFamilies.All"/> lists the families.
/// </summary>
public sealed class InstructionTable
{
    readonly Binder?[] _binders = new Binder?[Enum.GetValues<Mnemonic>().Length];
    readonly Dictionary<Mnemonic, string> _owners = new();

    public static InstructionTable Default { get; } = Build();

    static InstructionTable Build()
    {
        var table = new InstructionTable();
        foreach (Type t in InstructionFamilies.All)
        {
            MethodInfo register = t.GetMethod("Register", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                ?? throw new InvalidOperationException($"{t.Name} lacks Register(InstructionTable)");
            register.Invoke(null, [table]);
        }
        return table;
    }

    public void Add(Mnemonic mnemonic, Binder binder, [System.Runtime.CompilerServices.CallerFilePath] string owner = "")
    {
        if (_binders[(int)mnemonic] != null)
            throw new InvalidOperationException($"{mnemonic} registered twice ({_owners[mnemonic]} and {owner})");
        _binders[(int)mnemonic] = binder;
        _owners[mnemonic] = Path.GetFileName(owner);
    }

    public Binder? Find(Mnemonic mnemonic) => _binders[(int)mnemonic];

    public IEnumerable<Mnemonic> Mnemonics => _owners.Keys;
}

/// <summary>Function pointers to generic handler instantiations, made once and cached.</summary>
public static class Handlers
{
    /// <summary>A handler instantiation's identity, compared by the type arguments' identities (no strings built per lookup).</summary>
    readonly record struct Key(Type Owner, string Name, Type[] TypeArgs)
    {
        public bool Equals(Key other) =>
            Owner == other.Owner && Name == other.Name && TypeArgs.AsSpan().SequenceEqual(other.TypeArgs);

        public override int GetHashCode()
        {
            var h = new HashCode();
            h.Add(Owner);
            h.Add(Name);
            foreach (Type t in TypeArgs) h.Add(t);
            return h.ToHashCode();
        }
    }

    static readonly ConcurrentDictionary<Key, nint> Cache = new();
    static readonly ConcurrentDictionary<nint, MethodInfo> Methods = new();

    /// <summary>Pointer to <c>owner.name&lt;typeArgs…&gt;</c> (or the non-generic method when no type arguments are given).</summary>
    public static nint Get(Type owner, string name, params Type[] typeArgs)
    {
        if (Cache.TryGetValue(new Key(owner, name, typeArgs), out nint pointer)) return pointer;
        MethodInfo m = owner.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new MissingMethodException(owner.Name, name);
        if (typeArgs.Length > 0) m = m.MakeGenericMethod(typeArgs);
        pointer = m.MethodHandle.GetFunctionPointer();
        Methods.TryAdd(pointer, m);
        return Cache.GetOrAdd(new Key(owner, name, typeArgs.ToArray()), pointer);
    }

    /// <summary>The method behind a pointer <see cref="Get"/> returned (the block compiler calls it directly); null for others.</summary>
    public static MethodInfo? MethodOf(nint pointer) => Methods.GetValueOrDefault(pointer);
}
