using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Ingot.Server.Api;

/// <summary>A connection's output as Kestrel writes it, passed through untouched until <see cref="RejectedRequests"/> arms
/// it. From then on Kestrel writes one thing more: its answer to the rejected request, a head with Content-Length: 0 and
/// Connection: close. That head is held back and sent again with the problem body: the same status line and headers, but
/// for the content headers.</summary>
internal sealed class RejectionWriter(PipeWriter inner, RejectedRequests.Connection state) : PipeWriter
{
    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();
    private ArrayBufferWriter<byte>? held;
    private bool replaced;

    /// <summary>Where Kestrel's bytes go: straight on until armed, then held back.</summary>
    private IBufferWriter<byte> Target => state.Problem is null && held is null ? inner : held ??= new ArrayBufferWriter<byte>();

    // After the replaced answer there is nothing but the close: whatever else comes is dropped.
    public override void Advance(int bytes)
    {
        if (!replaced) Target.Advance(bytes);
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => replaced ? new byte[Math.Max(sizeHint, 512)] : Target.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes + (held?.WrittenCount ?? 0);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Replace();
        return inner.FlushAsync(cancellationToken);
    }

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        if (Target == inner) return inner.WriteAsync(source, cancellationToken);
        if (!replaced) Target.Write(source.Span);
        return FlushAsync(cancellationToken);
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        Replace();
        inner.Complete(exception);
    }

    public override async ValueTask CompleteAsync(Exception? exception = null)
    {
        Replace();
        await inner.CompleteAsync(exception);
    }

    /// <summary>Once the held head is whole: the head without its Content-Length, then the problem's type and length, then it.</summary>
    private void Replace()
    {
        if (replaced || held is null || state.Problem is not { } problem) return;
        var end = held.WrittenSpan.IndexOf(EndOfHead);
        if (end < 0) return;
        replaced = true;
        var lines = Encoding.ASCII.GetString(held.WrittenSpan[..end]).Split("\r\n")
            .Where(line => !line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase) && !line.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase));
        var head = string.Join("\r\n", lines) + $"\r\nContent-Type: application/problem+json\r\nContent-Length: {problem.Length}\r\n\r\n";
        inner.Write(Encoding.ASCII.GetBytes(head));
        inner.Write(problem);
    }
}
