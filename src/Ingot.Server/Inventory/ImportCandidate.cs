using System.Globalization;
using Ingot.Client;
using Ingot.Server.Api;

namespace Ingot.Server.Inventory;

/// <summary>One CSV row on its way into the inventory: the machine it describes (checked by
/// <see cref="MachineDraft.From"/>, exactly as POST /machines checks a body), the keys that must be unique
/// (serial, MACs, hostname) and every reason found so far to reject it.</summary>
public sealed class ImportCandidate
{
    private ImportCandidate(CsvRow row) => Row = row;

    public CsvRow Row { get; }
    public int Line => Row.Line;
    public MachineDraft? Draft { get; private set; }

    /// <summary>The normalised serial, when the row has a valid one and its fields are where the header says.</summary>
    public string? Serial { get; private set; }

    /// <summary>The serial to name in an error: normalised when valid, else as written.</summary>
    public string? ReportedSerial => Normalised(Row["serial"]) ?? Row["serial"];
    public string? HardwareName => Serial is null ? null : Names.HardwareName(Serial);
    public IReadOnlyList<string> Macs { get; private set; } = [];
    public string? Hostname { get; private set; }
    public List<string> Reasons { get; } = [];
    public bool IsGood => Reasons.Count == 0 && Draft is not null;

    public static ImportCandidate From(CsvRow row, Catalog catalog)
    {
        var candidate = new ImportCandidate(row);
        candidate.Reasons.AddRange(row.ShapeProblems);
        // A row with the wrong field count or broken quoting may have its values under the wrong columns:
        // checking them would only add misleading reasons, and its keys must not make another row a duplicate.
        if (row.ShapeProblems.Count > 0) return candidate;

        var v = new Validation();
        var body = Machine(row, candidate.Reasons);
        candidate.Draft = MachineDraft.From(body, catalog, v);
        candidate.Reasons.AddRange(DraftReasons(v));
        if (candidate.Reasons.Count > 0) candidate.Draft = null;
        candidate.Serial = Normalised(row["serial"]);

        candidate.Macs = CsvRows.Split(row["macs"]).Select(Names.Mac).OfType<string>().Distinct().ToList();
        candidate.Hostname = row["hostname"]?.ToLowerInvariant().TrimEnd('.');
        return candidate;
    }

    /// <summary>The row as the API's create body; numbers that do not parse are reported here, since
    /// the body can only carry numbers.</summary>
    private static MachineCreate Machine(CsvRow row, List<string> reasons)
    {
        var macs = CsvRows.Split(row["macs"]).Select(mac => new NicInput(mac)).ToList();
        var bmcGiven = new[] { "bmc_driver", "bmc_address", "bmc_port", "bmc_username", "bmc_password" }.Any(c => row[c] is not null);
        var bmc = bmcGiven
            ? new BmcInput(row["bmc_driver"], row["bmc_address"], Number(row, "bmc_port", reasons), row["bmc_username"],
                // The password is taken as written: spaces around it may be part of it.
                row.Raw("bmc_password") is { Length: > 0 } password ? password : null)
            : null;
        return new MachineCreate(row["serial"], row["vendor"], row["model"], row["site"], row["rack"], Number(row, "unit", reasons),
            row["sku"], row["hostname"], row["role"], macs, bmc, CsvRows.Split(row["tags"]));
    }

    private static string? Normalised(string? serial) => serial is not null && Names.IsSerial(serial) ? Names.Serial(serial) : null;

    private static int? Number(CsvRow row, string column, List<string> reasons)
    {
        var text = row[column];
        if (text is null) return null;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) return value;
        reasons.Add($"{column}: '{text}' is not a whole number");
        return null;
    }

    /// <summary>MachineDraft's reasons, named after the CSV columns (nics[2].mac is the macs column).</summary>
    private static List<string> DraftReasons(Validation v)
    {
        var result = new List<string>();
        foreach (var (field, reasons) in v.Errors)
            foreach (var reason in reasons.Select(r => r.TrimEnd('.')))
                result.Add(reason.StartsWith("is ", StringComparison.Ordinal) || reason.StartsWith("must ", StringComparison.Ordinal)
                    ? $"{Column(field)} {reason}" : $"{Column(field)}: {reason}");
        return result;
    }

    private static string Column(string field)
    {
        if (field.StartsWith("nics[", StringComparison.Ordinal)) return "macs";
        if (field.StartsWith("tags[", StringComparison.Ordinal)) return "tags";
        return field.Replace('.', '_');
    }

    /// <summary>Every reason as one sentence, for <see cref="ImportRowError.Reason"/>.</summary>
    public string Sentence() => string.Join("; ", Reasons.Select(r => r.TrimEnd('.'))) + ".";
}
