namespace Ingot.Client;

public sealed partial class IngotClient
{
    public Task<IReadOnlyList<ImageView>> ListImagesAsync(CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<ImageView>>("api/v1/images", ct);
    public Task<ImageView> GetImageAsync(string name, CancellationToken ct = default) =>
        GetAsync<ImageView>($"api/v1/images/{Segment(name)}", ct);
    public Task<ImageView> CreateImageAsync(ImageCreate image, CancellationToken ct = default) =>
        PostAsync<ImageView>("api/v1/images", image, ct);
    public Task DeleteImageAsync(string name, CancellationToken ct = default) =>
        DeleteAsync($"api/v1/images/{Segment(name)}", ct);
}
