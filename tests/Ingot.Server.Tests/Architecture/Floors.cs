namespace Ingot.Server.Tests.Architecture;

/// <summary>The floors of Ingot.Server, read bottom-up, and the only edges allowed between its folders (one folder, one
/// namespace). <see cref="FloorTests"/> holds the compiled server to this table; docs/ARCHITECTURE.md draws it.</summary>
public static class Floors
{
    /// <summary>Every folder, and the folders it may use, each with the reason.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Allowed = new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        // The kernel: errors and their problem details, validation, query text, the caller, name rules, wire names.
        ["Api"] = new Dictionary<string, string>(),
        ["Data"] = new Dictionary<string, string>
        {
            ["Api"] = "a refused delete is the kernel's NotFound/Conflict; secret files are written by the kernel's PrivateFiles",
        },
        ["SelfService"] = new Dictionary<string, string>
        {
            ["Api"] = "errors, validation, the caller",
            ["Data"] = "users, teams, tokens and the audit log are rows",
        },
        ["Inventory"] = new Dictionary<string, string>
        {
            ["Api"] = "errors, validation, name rules",
            ["Data"] = "machines and the catalog are rows",
        },
        ["Jobs"] = new Dictionary<string, string>
        {
            ["Api"] = "errors, validation, the caller",
            ["Data"] = "the queue is rows",
            ["Inventory"] = "steps move machines through Inventory's lifecycle and assignment functions, inside the lease (IJobQueue.InLeaseAsync)",
        },
        ["Boot"] = new Dictionary<string, string>
        {
            ["Api"] = "errors, validation, name rules",
            ["Data"] = "boot tokens are rows",
            ["Inventory"] = "the boot decision reads the machine and the image catalog; discovery registers machines",
            ["Jobs"] = "the running job decides what a machine boots; installer events wake its job; discovery queues commissioning",
            ["SelfService"] = "boot tokens are hashed like API tokens (Tokens.Hash)",
        },
        ["Batches"] = new Dictionary<string, string>
        {
            ["Api"] = "errors, validation, the caller",
            ["Data"] = "batches are rows",
            ["Inventory"] = "a batch's hosts are machines, resolved by name",
            ["Jobs"] = "a batch is one job per host, admitted by the jobs' own rule",
        },
        ["Capacity"] = new Dictionary<string, string>
        {
            ["Api"] = "errors, validation, the caller",
            ["Data"] = "requests, pools and their machines are rows; the reconciler holds a loop lease",
            ["Inventory"] = "the image catalog; allocation moves machines to allocated with their name and role",
            ["Jobs"] = "a request's machines are installed, recycled and cancelled as jobs, by the jobs' own rules",
            ["Batches"] = "reclaim recycles its machines as batches, by the batches' own rules",
        },
        ["Cost"] = new Dictionary<string, string>
        {
            ["Api"] = "errors, validation, query text",
            ["Data"] = "cost is read from the state history; summaries are events under a loop lease",
        },
        ["Notifications"] = new Dictionary<string, string>
        {
            ["Api"] = "errors, validation, query text, the caller",
            ["Data"] = "events, subscriptions and deliveries are rows; the outbox is Data's",
        },
        ["Tickets"] = new Dictionary<string, string>
        {
            ["Api"] = "errors, validation, query text, the caller",
            ["Data"] = "tickets are rows; the opener holds a loop lease",
            ["Inventory"] = "a ticket's evidence: the machine, its history; precheck hosts resolved by name",
            ["Jobs"] = "tickets open on jobs' failures (their event types) and carry the job and its installer events",
            ["Notifications"] = "the opener reads the event log at its own cursor",
        },
        // The composition root: it may use everything, and nothing uses it.
        ["Hosting"] = new Dictionary<string, string>
        {
            ["Api"] = "composes", ["Data"] = "composes", ["SelfService"] = "composes", ["Inventory"] = "composes",
            ["Jobs"] = "composes", ["Boot"] = "composes", ["Batches"] = "composes", ["Capacity"] = "composes", ["Cost"] = "composes",
            ["Notifications"] = "composes", ["Tickets"] = "composes",
        },
    };
}
