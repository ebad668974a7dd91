using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using System.Text;

namespace X86Vm.Linux.Vfs;

/// <summary>
/// Guest file names, paths, arguments and environment strings are bytes (path_resolution(7): any byte but NUL and '/').
/// Inside x86vm they travel as .NET strings holding exactly one char per byte (ISO-8859-1), so every byte sequence,
/// invalid UTF-8 included, comes back out unchanged: guest memory and host file names are converted only here, never
/// decoded as UTF-8. Text that x86vm itself makes (/proc contents, mount points) is ASCII, the same in both readings.
/// </summary>
public static class GuestNames
{
    /// <summary>Guest bytes as a name.</summary>
    public static string FromBytes(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    /// <summary>A name's bytes, as the guest and the host's system calls see them.</summary>
    public static byte[] ToBytes(string name) => Encoding.Latin1.GetBytes(name);

    /// <summary>Byte length of a name.</summary>
    public static int ByteCount(string name) => name.Length;

    /// <summary>A name the host gave as a .NET string (a command line, a mount point): its UTF-8 bytes as a name.</summary>
    public static string FromHost(string text) => FromBytes(Encoding.UTF8.GetBytes(text));

    /// <summary>A name for display on the host (diagnostics): its bytes read as UTF-8.</summary>
    public static string ToDisplay(string name) => Encoding.UTF8.GetString(ToBytes(name));
}

/// <summary>Passes a name to a host system call as its bytes, NUL-terminated (LibraryImport marshaller).</summary>
[CustomMarshaller(typeof(string), MarshalMode.ManagedToUnmanagedIn, typeof(GuestNameMarshaller))]
public static unsafe class GuestNameMarshaller
{
    public static byte* ConvertToUnmanaged(string? name)
    {
        if (name == null) return null;
        byte* p = (byte*)NativeMemory.Alloc((nuint)name.Length + 1);
        for (int i = 0; i < name.Length; i++) p[i] = (byte)name[i];
        p[name.Length] = 0;
        return p;
    }

    public static void Free(byte* p) => NativeMemory.Free(p);
}
