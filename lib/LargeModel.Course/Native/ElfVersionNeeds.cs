using System.Buffers.Binary;
using System.Text;

namespace LargeModel.Course.Native;

/// <summary>
/// The symbol-version requirements (the <c>.gnu.version_r</c> section) of a 64-bit little-endian ELF
/// shared library, and the one edit the course needs: marking a requirement weak.
/// </summary>
/// <remarks>
/// Why this exists: TorchSharp's <c>libLibTorchSharp.so</c> asks for <c>GLIBCXX_3.4.32</c> (GCC 13's
/// libstdc++) for a single symbol that no relocation uses. Older systems (Debian 12, Ubuntu 22.04) stop
/// at that requirement and refuse to load the library. A weak requirement (flag <c>VER_FLG_WEAK</c>)
/// only warns, so a copy with that one flag set loads and works. We only ever weaken a requirement
/// that no relocation can bind, so nothing the library calls is left unresolved.
/// </remarks>
internal sealed class ElfVersionNeeds
{
    const uint SectionDynSym = 11, SectionRela = 4, SectionVerNeed = 0x6ffffffe, SectionVerSym = 0x6fffffff;
    const ushort WeakFlag = 0x2;

    /// <summary>One requirement: "this library needs <see cref="Version"/> from <see cref="File"/>".</summary>
    internal sealed record Need(string File, string Version, ushort Index, ushort Flags, int FlagsOffset)
    {
        public bool IsWeak => (Flags & WeakFlag) != 0;
    }

    readonly byte[] elf;
    readonly HashSet<ushort> versionsUsedByRelocations;

    public IReadOnlyList<Need> Needs { get; }

    ElfVersionNeeds(byte[] elf, IReadOnlyList<Need> needs, HashSet<ushort> used)
    {
        this.elf = elf;
        Needs = needs;
        versionsUsedByRelocations = used;
    }

    /// <summary>True when some relocation binds a symbol of this version, i.e. the library really uses it.</summary>
    public bool IsUsedByRelocations(Need need) => versionsUsedByRelocations.Contains(need.Index);

    /// <summary>A copy of the library with <paramref name="needs"/> marked weak.</summary>
    public byte[] WithWeakened(IEnumerable<Need> needs)
    {
        var copy = (byte[])elf.Clone();
        foreach (var need in needs)
            BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(need.FlagsOffset), (ushort)(need.Flags | WeakFlag));
        return copy;
    }

    public static ElfVersionNeeds Read(byte[] elf)
    {
        var span = elf.AsSpan();
        if (elf.Length < 64 || span[0] != 0x7f || span[1] != (byte)'E' || span[2] != (byte)'L' || span[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (span[4] != 2 || span[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported");

        var sections = ReadSections(span);
        var needs = new List<Need>();
        foreach (var s in sections.Where(s => s.Type == SectionVerNeed))
            needs.AddRange(ReadNeeds(span, s, sections[(int)s.Link]));

        return new ElfVersionNeeds(elf, needs, VersionsUsedByRelocations(span, sections));
    }

    readonly record struct Section(uint Type, long Offset, long Size, uint Link, uint Info, long EntrySize);

    static List<Section> ReadSections(ReadOnlySpan<byte> elf)
    {
        long tableOffset = (long)U64(elf, 0x28);
        int entrySize = U16(elf, 0x3A), count = U16(elf, 0x3C);
        var sections = new List<Section>(count);
        for (int i = 0; i < count; i++)
        {
            var h = elf.Slice(checked((int)(tableOffset + (long)i * entrySize)), 64);
            sections.Add(new Section(U32(h, 4), (long)U64(h, 24), (long)U64(h, 32), U32(h, 40), U32(h, 44), (long)U64(h, 56)));
        }
        return sections;
    }

    static IEnumerable<Need> ReadNeeds(ReadOnlySpan<byte> elf, Section verneed, Section strings)
    {
        var found = new List<Need>();
        int entry = (int)verneed.Offset;
        for (uint n = 0; n < verneed.Info; n++)
        {
            int count = U16(elf, entry + 2);
            string file = CString(elf, strings, U32(elf, entry + 4));
            int aux = entry + (int)U32(elf, entry + 8);
            for (int a = 0; a < count; a++)
            {
                found.Add(new Need(file, CString(elf, strings, U32(elf, aux + 8)), U16(elf, aux + 6), U16(elf, aux + 4), aux + 4));
                aux += (int)U32(elf, aux + 12);
            }
            entry += (int)U32(elf, entry + 12);
        }
        return found;
    }

    static HashSet<ushort> VersionsUsedByRelocations(ReadOnlySpan<byte> elf, List<Section> sections)
    {
        var used = new HashSet<ushort>();
        int dynsym = sections.FindIndex(s => s.Type == SectionDynSym);
        var versym = sections.FirstOrDefault(s => s.Type == SectionVerSym);
        if (dynsym < 0 || versym.Size == 0) return used;

        foreach (var rela in sections.Where(s => s.Type == SectionRela && s.Link == dynsym))
        {
            long entries = rela.Size / Math.Max(rela.EntrySize, 24);
            for (long r = 0; r < entries; r++)
            {
                ulong info = U64(elf, (int)(rela.Offset + r * 24 + 8));
                uint symbol = (uint)(info >> 32);
                if (symbol == 0) continue;
                used.Add((ushort)(U16(elf, (int)(versym.Offset + symbol * 2L)) & 0x7fff));
            }
        }
        return used;
    }

    static string CString(ReadOnlySpan<byte> elf, Section strings, uint offset)
    {
        var s = elf[(int)(strings.Offset + offset)..];
        return Encoding.ASCII.GetString(s[..s.IndexOf((byte)0)]);
    }

    static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);
    static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);
    static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);
}
