using System.Buffers.Binary;

namespace Ingot.Bmc.Ipmi;

/// <summary>Appends little-endian fields (IPMI's byte order) to a growing buffer.</summary>
internal sealed class ByteWriter(int capacity = 64)
{
    private byte[] buffer = new byte[capacity];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => buffer.AsSpan(0, Length);

    public ByteWriter U8(byte value)
    {
        Grow(1)[0] = value;
        return this;
    }

    public ByteWriter U16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(Grow(2), value);
        return this;
    }

    public ByteWriter U32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(Grow(4), value);
        return this;
    }

    public ByteWriter Bytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(Grow(value.Length));
        return this;
    }

    public ByteWriter Zeros(int count)
    {
        Grow(count).Clear();
        return this;
    }

    public byte[] ToArray() => Span.ToArray();

    private Span<byte> Grow(int count)
    {
        if (Length + count > buffer.Length) Array.Resize(ref buffer, Math.Max(buffer.Length * 2, Length + count));
        var span = buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }
}

/// <summary>Reads little-endian fields without throwing: every read reports whether the bytes were there.</summary>
internal ref struct ByteReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> data = data;

    public int Position { get; private set; }

    public readonly int Remaining => data.Length - Position;

    public bool U8(out byte value)
    {
        value = 0;
        if (Remaining < 1) return false;
        value = data[Position++];
        return true;
    }

    public bool U16(out ushort value)
    {
        value = 0;
        if (Remaining < 2) return false;
        value = BinaryPrimitives.ReadUInt16LittleEndian(data[Position..]);
        Position += 2;
        return true;
    }

    public bool U32(out uint value)
    {
        value = 0;
        if (Remaining < 4) return false;
        value = BinaryPrimitives.ReadUInt32LittleEndian(data[Position..]);
        Position += 4;
        return true;
    }

    public bool Bytes(int count, out byte[] value)
    {
        value = [];
        if (count < 0 || Remaining < count) return false;
        value = data.Slice(Position, count).ToArray();
        Position += count;
        return true;
    }

    public bool Skip(int count)
    {
        if (count < 0 || Remaining < count) return false;
        Position += count;
        return true;
    }

    public byte[] Rest()
    {
        var rest = data[Position..].ToArray();
        Position = data.Length;
        return rest;
    }
}
