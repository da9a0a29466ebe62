using Ingot.Server.Api;
using Ingot.Server.Capacity;

namespace Ingot.Server.Tests.Capacity;

public sealed class HostnameTemplateTests
{
    [Fact]
    public void The_default_renders_a_dns_name_of_role_random_site_and_domain_with_a_new_random_part_each_time()
    {
        Assert.Null(HostnameTemplate.Problem(HostnameTemplate.Default, 100, "fancydb", "lon1", "example.net"));
        var names = Enumerable.Range(0, 50).Select(i => HostnameTemplate.Render(HostnameTemplate.Default, "fancydb", "lon1", "example.net", HostnameTemplate.Random(), i)).ToList();
        Assert.All(names, n => Assert.Matches("^fancydb-[a-z0-9]{6}\\.lon1\\.example\\.net$", n));
        Assert.All(names, n => Assert.True(Names.IsHostname(n)));
        Assert.True(names.Distinct().Count() > 45);
    }

    [Theory]
    [InlineData("{role}-{n}.{site}", 5, null)]
    [InlineData("{role}.{site}", 1, null)]
    [InlineData("{role}.{site}", 2, "{random} or {n}")]
    [InlineData("{role}-{serial}.{site}", 1, "'{serial}' is not a field")]
    [InlineData("{role}-{n.{site}", 1, "brace")]
    [InlineData("{role}_{n}.{site}", 1, "not a DNS name")]
    [InlineData("-{n}.{site}", 1, "not a DNS name")]
    public void A_template_is_checked_before_it_names_anything(string template, int count, string? problem)
    {
        var found = HostnameTemplate.Problem(template, count, "fancydb", "lon1", "example.net");
        if (problem is null) Assert.Null(found);
        else Assert.Contains(problem, found);
    }

    [Fact]
    public void A_template_too_long_for_dns_is_refused_before_any_machine_is_named()
    {
        var label = new string('x', 60);
        Assert.Contains("not a DNS name", HostnameTemplate.Problem($"{{role}}{label}-{{n}}.{{site}}", 1, "fancydb", "lon1", "example.net"));
    }
}
