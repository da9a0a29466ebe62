using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Ingot.Client;
using Ingot.Portal.Components.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ingot.Portal.Tests;

/// <summary>The portal as a user meets it, in Debian's Chromium against a real server and simulated fleet.</summary>
public sealed class PortalTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private static readonly LocatorAssertionsToHaveTextOptions Minute = new() { Timeout = 60_000 };

    [Fact]
    public async Task Sign_in_refuses_a_wrong_token_then_signs_in_and_out()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.Server.Url.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/machines/" + fixture.WebMachines[0].HardwareName);
        Assert.Contains("/sign-in", page.Url); // not signed in: sent to sign in, and back afterwards
        await page.GetByLabel("API token").FillAsync("ingot_not-a-token-of-anyone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not valid");

        await page.GetByLabel("API token").FillAsync(fixture.MemberToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(fixture.WebMachines[0].HardwareName);
        await Expect(page.Locator("header .who")).ToContainTextAsync("alice");
        var session = (await context.CookiesAsync()).Single(c => c.Name == "ingot_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.DoesNotContain(fixture.MemberToken, session.Value); // sealed, not the token in the clear

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync("**/sign-in");
        await page.GotoAsync("/machines");
        Assert.Contains("/sign-in", page.Url);
        await context.CloseAsync();
    }

    [Fact]
    public async Task An_admin_finds_a_machine_and_reimages_it_watching_its_steps_to_completion()
    {
        var page = await fixture.SignedInAsync(fixture.Server.AdminToken);
        var machine = fixture.WebMachines[1];
        await page.GetByLabel("Text").FillAsync(machine.Hostname!);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        var rows = page.GetByRole(AriaRole.Table, new() { Name = "Machines found" }).Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(1);
        await rows.GetByRole(AriaRole.Link).ClickAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Reimage" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Form, new() { Name = "Confirm Reimage" });
        await Expect(confirm).ToContainTextAsync(machine.HardwareName);
        await confirm.GetByLabel("Image").SelectOptionAsync("debian-12");
        // An in_use machine: the force is asked for, and the form does not go without it.
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Yes, reimage" }).ClickAsync();
        await Expect(confirm).ToBeVisibleAsync();
        await confirm.GetByLabel(new Regex("Force")).CheckAsync();
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Yes, reimage" }).ClickAsync();

        var url = page.Url;
        var live = page.Locator("[data-live] article.job");
        await Expect(live.Locator("h3 .status")).ToHaveTextAsync("succeeded", Minute); // with no reload: the live part
        Assert.Equal(url, page.Url);
        await Expect(live.Locator("li.step-succeeded")).ToHaveCountAsync(await live.Locator("li.step").CountAsync());
        await Expect(live.Locator("li.step", new() { HasText = "wait_installer_finished" })).ToContainTextAsync("succeeded");
        await PortalFixture.ScreenshotAsync(page, "machine");
        var jobs = await fixture.Server.Admin.ListJobsAsync(new JobQuery(Machine: machine.HardwareName, Action: JobActions.Reimage));
        Assert.Equal(JobStatus.Succeeded, Assert.Single(jobs.Items).Status);
        // A live part of a finished job renders it once and says it is done (it once broke the connection instead, and
        // the browser came back three seconds later for nothing).
        var part = await page.APIRequest.GetAsync($"/portal/live/jobs/{jobs.Items[0].Id}");
        Assert.Equal(200, part.Status);
        var stream = await part.TextAsync();
        Assert.Contains("event: html", stream);
        Assert.EndsWith("event: done\ndata: \n\n", stream);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_batch_from_a_search_is_reviewed_submitted_and_followed_live_to_100_percent()
    {
        var page = await fixture.SignedInAsync(fixture.Server.AdminToken);
        await page.GetByLabel("Role").FillAsync("ops-role");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Machines found" }).Locator("tbody tr")).ToHaveCountAsync(3);
        await page.GetByRole(AriaRole.Link, new() { Name = "start a batch on every machine of this search" }).ClickAsync();

        var form = page.GetByRole(AriaRole.Form, new() { Name = "New batch" });
        await Expect(form).ToContainTextAsync("3 machine(s)");
        await form.GetByLabel("Action").SelectOptionAsync("power_cycle");
        await form.GetByRole(AriaRole.Button, new() { Name = "Review the batch" }).ClickAsync();
        await Expect(form.GetByRole(AriaRole.Alert)).ToContainTextAsync("power_cycle on 3 machine(s)");
        await form.GetByRole(AriaRole.Button, new() { Name = "Yes, submit the batch" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/batches/[0-9]+$"));

        var succeeded = page.Locator("[data-live] td.count[data-status=succeeded]");
        await Expect(succeeded).ToHaveTextAsync("3", Minute); // followed live, no reload
        await Expect(page.Locator("[data-live] .status").First).ToHaveTextAsync("succeeded");
        await PortalFixture.ScreenshotAsync(page, "batch");
        Assert.Equal("3", await page.Locator("[data-live] progress[aria-label^='succeeded']").GetAttributeAsync("value"));
        Assert.Equal("3", await page.Locator("[data-live] progress[aria-label^='succeeded']").GetAttributeAsync("max"));
        var id = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var batch = await fixture.Server.Admin.GetBatchAsync(id);
        Assert.Equal((BatchStatus.Succeeded, 3), (batch.Status, batch.Hosts));
        Assert.Equal(fixture.OpsMachines.Select(m => m.HardwareName).Order(),
            (await fixture.Server.Admin.GetBatchHostsAsync(id)).Items.Select(h => h.HardwareName).Order());
        // The batches page's statistics say what the API's do.
        await page.GotoAsync("/batches");
        var stats = (await fixture.Server.Admin.GetBatchStatsAsync(DateTimeOffset.UtcNow.AddDays(-30))).Actions.Single(a => a.Action == "power_cycle");
        var row = page.GetByRole(AriaRole.Table, new() { Name = "Batch statistics by action" }).Locator("tr", new() { HasText = "power_cycle" });
        await Expect(row.Locator("td").Nth(1)).ToHaveTextAsync(stats.Jobs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(row.Locator("td").Nth(3)).ToHaveTextAsync(Dashboards.Rate(stats.SuccessRate));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Machines_ticked_on_the_machines_page_become_a_batchs_host_list()
    {
        var page = await fixture.SignedInAsync(fixture.Server.AdminToken);
        var chosen = fixture.DbMachines[1];
        await page.GetByLabel("Role").FillAsync("db-role");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Machines found" }).Locator("tbody tr")).ToHaveCountAsync(2);
        // Select all, then untick one: what is sent is what is ticked.
        await page.GetByLabel("Select every machine of this page").CheckAsync();
        await page.GetByLabel($"Select {fixture.DbMachines[0].HardwareName}").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Start a batch on the selected machines" }).ClickAsync();

        var form = page.GetByRole(AriaRole.Form, new() { Name = "New batch" });
        await Expect(form.GetByLabel(new Regex("^Hosts"))).ToHaveValueAsync(chosen.HardwareName);
        await form.GetByLabel("Action").SelectOptionAsync("power_on");
        await form.GetByRole(AriaRole.Button, new() { Name = "Review the batch" }).ClickAsync();
        await Expect(form.GetByRole(AriaRole.Alert)).ToContainTextAsync("power_on on 1 machine(s)");
        await form.GetByRole(AriaRole.Button, new() { Name = "Yes, submit the batch" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/batches/[0-9]+$"));
        // (Live, or already ended when the page was drawn: one fast power_on may beat the page.)
        await Expect(page.Locator("td.count[data-status=succeeded]")).ToHaveTextAsync("1", Minute);
        var id = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal([chosen.HardwareName], (await fixture.Server.Admin.GetBatchHostsAsync(id)).Items.Select(h => h.HardwareName));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_member_asks_for_machines_and_watches_the_request_fulfilled_with_a_replacement()
    {
        var page = await fixture.SignedInAsync(fixture.MemberToken);
        await page.GetByRole(AriaRole.Link, new() { Name = "Requests" }).ClickAsync();
        var form = page.GetByRole(AriaRole.Form, new() { Name = "New request" });
        await form.GetByLabel("Role").FillAsync("web-role");
        await form.GetByLabel("Site").FillAsync(PortalFixture.RequestSite);
        await form.GetByLabel("SKU").FillAsync(PortalFixture.RequestSku);
        await form.GetByLabel("How many").FillAsync("2");
        await form.GetByRole(AriaRole.Button, new() { Name = "Request" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/requests/[0-9]+$"));

        var live = page.Locator("[data-live]");
        await Expect(live.Locator(".status").First).ToHaveTextAsync("fulfilled", Minute);
        await Expect(live.Locator("tr", new() { HasText = fixture.FailingMachine.HardwareName }).Locator(".machine-status"))
            .ToHaveTextAsync("failed", Minute);
        await Expect(live).ToContainTextAsync("1 replacement(s)");
        await Expect(live.Locator(".machine-status", new() { HasTextString = "in_use" })).ToHaveCountAsync(2);
        await Expect(live.Locator("tr", new() { HasText = fixture.FailingMachine.HardwareName })).ToContainTextAsync("disk sda not found");
        await PortalFixture.ScreenshotAsync(page, "request");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_member_starts_a_pool_resizes_it_and_deletes_it_watching_its_members_live()
    {
        var page = await fixture.SignedInAsync(fixture.MemberToken);
        await page.GetByRole(AriaRole.Link, new() { Name = "Pools" }).ClickAsync();
        var form = page.GetByRole(AriaRole.Form, new() { Name = "New pool" });
        await form.GetByLabel("Role").FillAsync("web-role");
        await form.GetByLabel("Site").FillAsync(PortalFixture.RequestSite);
        await form.GetByLabel("SKU").FillAsync(PortalFixture.PoolSku);
        await form.GetByLabel("Machines").FillAsync("1");
        await form.GetByRole(AriaRole.Button, new() { Name = "Start the pool" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/pools/[0-9]+$"));
        var id = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

        var live = page.Locator("[data-live]");
        await Expect(live.Locator(".status").First).ToHaveTextAsync("steady", Minute);
        await Expect(live.Locator(".machine-status", new() { HasTextString = "in_use" })).ToHaveCountAsync(1);

        var resize = page.GetByRole(AriaRole.Form, new() { Name = "Resize the pool" });
        await resize.GetByLabel("Machines").FillAsync("2");
        await resize.GetByRole(AriaRole.Button, new() { Name = "Resize" }).ClickAsync();
        await Expect(live.Locator(".machine-status", new() { HasTextString = "in_use" })).ToHaveCountAsync(2, new() { Timeout = 60_000 });
        await Expect(live.Locator(".status").First).ToHaveTextAsync("steady");
        Assert.Equal(2, (await fixture.Server.Admin.GetPoolAsync(id)).Healthy);
        await PortalFixture.ScreenshotAsync(page, "pool");

        // Deleting asks first, naming what happens to the members.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete pool {id}" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Form, new() { Name = $"Confirm deleting pool {id}" });
        await Expect(confirm).ToContainTextAsync("2 machine(s) go back");
        Assert.NotEqual(PoolStatus.Deleted, (await fixture.Server.Admin.GetPoolAsync(id)).Status);
        await confirm.GetByRole(AriaRole.Button, new() { Name = $"Yes, delete pool {id}" }).ClickAsync();
        await Expect(page.Locator(".request-progress .status").First).ToHaveTextAsync("deleted", Minute);
        var pool = await fixture.Server.Admin.GetPoolAsync(id);
        Assert.Equal((PoolStatus.Deleted, "alice"), (pool.Status, pool.DeletedBy));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_member_sees_no_action_on_another_teams_machine_and_cannot_post_one_by_hand()
    {
        var page = await fixture.SignedInAsync(fixture.MemberToken);
        var own = fixture.WebMachines[2];
        var theirs = fixture.DbMachines[0];
        await page.GotoAsync("/machines/" + own.HardwareName);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Power cycle" })).ToBeVisibleAsync();

        await page.GotoAsync("/machines/" + theirs.HardwareName);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(theirs.HardwareName);
        Assert.Equal(0, await page.Locator("main button").CountAsync());
        await Expect(page.Locator("main .note")).ToContainTextAsync("belongs to team db");

        // By hand: the action form's POST, with this session's cookies and a valid antiforgery token, to the other machine:
        // refused (no such form on that page), nothing queued. The API would refuse it anyway: the portal has no other door.
        var antiforgery = await page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        var response = await page.APIRequest.PostAsync("/machines/" + theirs.HardwareName, new APIRequestContextOptions
        {
            Form = FormOf(page, ("__RequestVerificationToken", antiforgery!), ("_handler", "act"), ("Act.Step", "confirm"), ("Act.Action", "power_cycle")),
        });
        Assert.Equal(400, response.Status);
        Assert.Empty((await fixture.Server.Admin.ListJobsAsync(new JobQuery(Machine: theirs.HardwareName))).Items);
        // Nor does the session reach the API itself: the API takes tokens, not the portal's cookie.
        var api = await page.APIRequest.PostAsync($"/api/v1/machines/{theirs.HardwareName}/jobs", new APIRequestContextOptions
        {
            DataObject = new { action = "power_cycle" },
        });
        Assert.Equal(401, api.Status);
        // And without the antiforgery token the POST is refused before anything runs.
        var forged = await page.APIRequest.PostAsync("/machines/" + own.HardwareName, new APIRequestContextOptions
        {
            Form = FormOf(page, ("_handler", "act"), ("Act.Step", "confirm"), ("Act.Action", "power_cycle")),
        });
        Assert.Equal(400, forged.Status);
        Assert.Empty((await fixture.Server.Admin.ListJobsAsync(new JobQuery(Machine: own.HardwareName))).Items);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_main_pages_have_labelled_controls_and_work_from_the_keyboard()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.Server.Url.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/sign-in");
        await AssertAccessibleAsync(page);
        await PortalFixture.ScreenshotAsync(page, "sign-in");
        // Keyboard only: the skip link, the home link, the token field; typed, and Enter signs in.
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByLabel("API token")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(fixture.MemberToken);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/machines");
        await AssertAccessibleAsync(page);
        await PortalFixture.ScreenshotAsync(page, "machines");
        // The skip link first, then to the main content.
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" })).ToBeFocusedAsync();
        await page.GotoAsync("/machines/" + fixture.WebMachines[0].HardwareName);
        await AssertAccessibleAsync(page);
        await context.CloseAsync();
    }

    [Fact]
    public async Task The_dashboards_numbers_equal_the_apis()
    {
        var admin = fixture.Server.Admin;
        // Work of today to count: a single job that succeeds.
        var job = await admin.SubmitJobAsync(fixture.WebMachines[0].HardwareName, JobActions.PowerOff);
        await Until(async () => (await admin.GetJobAsync(job.Id)).Status == JobStatus.Succeeded);
        var page = await fixture.SignedInAsync(fixture.Server.AdminToken);
        await page.GetByRole(AriaRole.Link, new() { Name = "Dashboards" }).ClickAsync();
        await AssertAccessibleAsync(page);
        await PortalFixture.ScreenshotAsync(page, "dashboards");
        Assert.True(await page.Locator("img.chart").CountAsync() >= 5); // every chart drawn (steps ran today; work now has one only with work)

        // The page and the API read at nearly the same time; other tests' work may end in between, so both are read again
        // until they agree (they must, within a few seconds).
        await Until(async () =>
        {
            await page.ReloadAsync();
            var today = DateTimeOffset.UtcNow.UtcDateTime.Date;
            var stats = await admin.GetJobStatsAsync(today, today.AddDays(1), steps: true);
            var row = Row(page, "rate", today.ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            foreach (var action in stats.Groups.Select(g => g.Action).Distinct())
            {
                var groups = stats.Groups.Where(g => g.Action == action).ToList();
                var ended = groups.Sum(g => g.Succeeded + g.Failed);
                var expected = ended == 0 ? "–" : (100.0 * groups.Sum(g => g.Succeeded) / ended).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " %";
                if (await Cell(page, "rate", row, action) != expected) return false;
            }
            var jobsRow = Row(page, "throughput", today.ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            if (await Cell(page, "throughput", jobsRow, "succeeded") != stats.Groups.Sum(g => g.Succeeded).ToString()) return false;
            if (await Cell(page, "throughput", jobsRow, "failed") != stats.Groups.Sum(g => g.Failed).ToString()) return false;
            var inUse = await admin.SearchMachinesAsync(new MachineQuery(Site: PortalFixture.RequestSite, State: "in_use", Limit: 1, Count: true));
            var available = await admin.SearchMachinesAsync(new MachineQuery(State: "available", Limit: 1, Count: true));
            if (await Cell(page, "fleet", Row(page, "fleet", PortalFixture.RequestSite), "in_use") != inUse.Total.ToString()) return false;
            var availableShown = 0L;
            foreach (var site in await page.Locator("table[data-table=fleet] tbody th").AllTextContentsAsync())
                availableShown += long.Parse(await Cell(page, "fleet", Row(page, "fleet", site), "available"), System.Globalization.CultureInfo.InvariantCulture);
            if (availableShown != available.Total) return false;
            // Steps of the window (today is in it), as many rows as the API has.
            var windowSteps = await page.Locator("table[data-table=steps] tbody tr").CountAsync();
            var since = today.AddDays(-13);
            return windowSteps == (await admin.GetJobStatsAsync(since, today.AddDays(1), steps: true)).Steps.Count && windowSteps > 0;
        });
        // Split by site: today's job was on a machine without one.
        await page.GotoAsync("/dashboards?days=7&by=site");
        await Expect(page.Locator("table[data-table=rate] thead")).ToContainTextAsync(Dashboard.NoSite);
        Assert.Equal(7, await page.Locator("table[data-table=rate] tbody tr").CountAsync());
        await page.Context.CloseAsync();
    }

    private static ILocator Row(IPage page, string table, string header) =>
        page.Locator($"table[data-table={table}] tbody tr").Filter(new() { Has = page.Locator("th", new() { HasTextRegex = new Regex($"^{Regex.Escape(header)}$") }) });

    /// <summary>The text of a row's cell under the column headed <paramref name="column"/>.</summary>
    private static async Task<string> Cell(IPage page, string table, ILocator row, string column)
    {
        var headers = await page.Locator($"table[data-table={table}] thead th").AllTextContentsAsync();
        var index = headers.ToList().IndexOf(column);
        Assert.True(index > 0, $"no column '{column}' in the {table} table ({string.Join(", ", headers)})");
        return (await row.Locator("th, td").Nth(index).TextContentAsync())!.Trim();
    }

    private static async Task Until(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "not within 30 s");
            await Task.Delay(200);
        }
    }

    private static async Task AssertAccessibleAsync(IPage page)
    {
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "critical" or "serious").Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Html))})").ToList();
        Assert.True(serious.Count == 0, $"{page.Url}:\n{string.Join("\n", serious)}");
    }

    private static IFormData FormOf(IPage page, params (string Name, string Value)[] fields)
    {
        var form = page.APIRequest.CreateFormData();
        foreach (var (name, value) in fields) form.Set(name, value);
        return form;
    }
}
