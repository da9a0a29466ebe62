using System.Net;
using System.Net.Http.Json;
using Ingot.Client;
using Ingot.Server.Notifications;
using Ingot.Server.Tests.Infrastructure;
using MimeKit;

namespace Ingot.Server.Tests.Notifications;

/// <summary>A user with an e-mail address hears of their own batches without subscribing (issue 14's defaults), through
/// the real SMTP server of <see cref="DeliveryFleet"/>.</summary>
public sealed class DefaultSubscriptionTests(DeliveryFleet fleet) : IClassFixture<DeliveryFleet>
{
    private IngotClient Admin => fleet.Server.Admin;

    /// <summary>A new admin user (so they may batch any machine) with that address, and their client.</summary>
    private async Task<(string Name, IngotClient Client)> UserAsync(string? email, CancellationToken ct)
    {
        var name = Unique.Name("u");
        await Admin.CreateUserAsync(new UserCreate(name, Admin: true, Email: email), ct);
        return (name, fleet.Server.Client((await Admin.CreateTokenAsync(new TokenCreate("t", name), ct)).Token));
    }

    private List<MimeMessage> MailTo(string address) =>
        [.. fleet.Smtp.Messages.Select(m => MimeMessage.Load(new MemoryStream(m))).Where(m => m.To.Mailboxes.Any(x => x.Address == address))];

    private async Task<List<MimeMessage>> WaitForMailAsync(string address, Predicate<MimeMessage> which, int count, CancellationToken ct)
    {
        List<MimeMessage> found;
        while ((found = [.. MailTo(address).Where(m => which(m))]).Count < count) await Task.Delay(50, ct);
        return found;
    }

    private async Task<BatchView> PowerOnAsync(IngotClient client, CancellationToken ct)
    {
        var (machine, _) = await fleet.MachineAsync();
        return await client.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, [machine.HardwareName]), ct: ct);
    }

    /// <summary>A later batch of the client's is mailed to the address in full, so the deliveries are past
    /// <paramref name="unmailed"/>'s events: it was left out, not late.</summary>
    private async Task AssertNeverMailedAsync(IngotClient client, string address, BatchView unmailed, CancellationToken ct)
    {
        var later = await PowerOnAsync(client, ct);
        await WaitForMailAsync(address, Of(later), 2, ct);
        Assert.DoesNotContain(MailTo(address), Of(unmailed));
    }

    private static Predicate<MimeMessage> Of(BatchView batch) => m => m.Subject?.Contains($"Batch {batch.Id} ") == true;

    /// <summary>The user's default (the list shows an admin everyone's).</summary>
    private static async Task<SubscriptionView> DefaultOfAsync(IngotClient client, string user, CancellationToken ct)
    {
        while (true)
        {
            if ((await client.ListSubscriptionsAsync(ct)).Items.SingleOrDefault(s => s.IsDefault && s.Owner == user) is { } found) return found;
            await Task.Delay(50, ct);
        }
    }

    [Fact]
    public async Task A_user_with_an_address_is_mailed_their_batch_accepted_and_completed_even_if_submitted_before_the_default_exists()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var address = $"{Unique.Name("alice")}@example.com";
        var (aliceName, alice) = await UserAsync(address, timeout.Token);
        // At once: the default is made on the next tick (2 s), and sends from the moment the address was set.
        var batch = await PowerOnAsync(alice, timeout.Token);
        var mail = await WaitForMailAsync(address, Of(batch), 2, timeout.Token);
        Assert.Equal($"[Ingot] Batch {batch.Id} (power_on) accepted: 1 host(s)", mail[0].Subject);
        Assert.StartsWith($"[Ingot] Batch {batch.Id} (power_on) succeeded", mail[1].Subject);

        var mine = await DefaultOfAsync(alice, aliceName, timeout.Token);
        Assert.Equal((DeliveryChannel.Email, address, true), (mine.Channel, mine.Target, mine.Filter.Mine));
        Assert.Equal(SubscriptionEndpoints.DefaultTypes, mine.Types);
        // Another user's batch is not alice's business.
        var theirs = await Admin.SubmitBatchAsync(new BatchSubmit(JobActions.PowerOn, [(await fleet.MachineAsync()).Machine.HardwareName]), ct: timeout.Token);
        await AssertNeverMailedAsync(alice, address, theirs, timeout.Token);
    }

    [Fact]
    public async Task The_default_follows_a_changed_address_and_goes_with_a_removed_one()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (name, bob) = await UserAsync(null, timeout.Token);
        var first = $"{Unique.Name("bob")}@example.com";
        Assert.Equal(first, (await bob.UpdateUserAsync(name, new UserUpdate(first), timeout.Token)).Email);
        Assert.Equal(first, (await DefaultOfAsync(bob, name, timeout.Token)).Target);

        var second = $"{Unique.Name("bob2")}@example.org";
        await bob.UpdateUserAsync(name, new UserUpdate(second), timeout.Token);
        while ((await DefaultOfAsync(bob, name, timeout.Token)).Target != second) await Task.Delay(50, timeout.Token);
        var batch = await PowerOnAsync(bob, timeout.Token);
        await WaitForMailAsync(second, Of(batch), 2, timeout.Token);
        Assert.DoesNotContain(MailTo(first), Of(batch));

        Assert.Null((await bob.UpdateUserAsync(name, new UserUpdate(""), timeout.Token)).Email);
        while ((await bob.ListSubscriptionsAsync(timeout.Token)).Items.Any(s => s.IsDefault && s.Owner == name)) await Task.Delay(50, timeout.Token);
    }

    [Fact]
    public async Task A_default_is_paused_not_deleted_and_a_paused_one_sends_nothing_of_what_happened_meanwhile()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var address = $"{Unique.Name("carol")}@example.com";
        var (carolName, carol) = await UserAsync(address, timeout.Token);
        var mine = await DefaultOfAsync(carol, carolName, timeout.Token);

        var refused = await Assert.ThrowsAsync<IngotApiException>(() => carol.DeleteSubscriptionAsync(mine.Id, timeout.Token));
        Assert.Equal(409, refused.Problem.Status);
        Assert.Contains("disable", refused.Problem.Detail);

        Assert.False((await carol.UpdateSubscriptionAsync(mine.Id, new SubscriptionUpdate(false), timeout.Token)).Enabled);
        var paused = await PowerOnAsync(carol, timeout.Token);
        // Its completion is in the log (settled): a resumed subscription starts after it.
        while ((await carol.ListEventsAsync(new EventQuery("batch.completed", Batch: paused.Id), timeout.Token)).Items.Count == 0)
            await Task.Delay(50, timeout.Token);
        Assert.True((await carol.UpdateSubscriptionAsync(mine.Id, new SubscriptionUpdate(true), timeout.Token)).Enabled);
        await AssertNeverMailedAsync(carol, address, paused, timeout.Token);
    }

    [Fact]
    public async Task Bad_addresses_and_other_peoples_settings_are_refused()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (name, dave) = await UserAsync(null, timeout.Token);
        using var http = fleet.Server.Http(fleet.Server.AdminToken);
        foreach (var bad in new[] { "not-an-address", "Dave <d@example.com>", "a@example.com, b@example.com" })
        {
            var problem = await (await http.PatchAsJsonAsync($"api/v1/users/{name}", new { email = bad }, timeout.Token))
                .ProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.Contains("plain e-mail address", problem.Errors!["email"][0]);
        }
        var create = await (await http.PostAsJsonAsync("api/v1/users", new { name = Unique.Name("e"), email = "@example.com" }, timeout.Token))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True(create.Errors!.ContainsKey("email"));

        var (other, _) = await UserAsync(null, timeout.Token);
        var member = Unique.Name("m");
        await Admin.CreateUserAsync(new UserCreate(member), timeout.Token);
        var client = fleet.Server.Client((await Admin.CreateTokenAsync(new TokenCreate("t", member), timeout.Token)).Token);
        var forbidden = await Assert.ThrowsAsync<IngotApiException>(() => client.UpdateUserAsync(other, new UserUpdate("x@example.com"), timeout.Token));
        Assert.Equal(403, forbidden.Problem.Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<IngotApiException>(() => Admin.UpdateUserAsync("nobody-" + Unique.Name("n"), new UserUpdate(""), timeout.Token))).Problem.Status);
        var empty = await (await http.PatchAsJsonAsync($"api/v1/subscriptions/{(await Admin.CreateSubscriptionAsync(
            new SubscriptionCreate("x", "email", "x@example.com"), timeout.Token)).Id}", new { }, timeout.Token)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True(empty.Errors!.ContainsKey("enabled"));
        Assert.Null((await dave.UpdateUserAsync(name, new UserUpdate(), timeout.Token)).Email); // nothing given: nothing changes
    }
}
