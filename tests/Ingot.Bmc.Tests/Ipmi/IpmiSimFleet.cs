using System.Diagnostics;
using System.Net;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;

namespace Ingot.Bmc.Tests.Ipmi;

/// <summary>One OpenIPMI <c>ipmi_sim</c> process per BMC, each on its own loopback address, UDP 623, started once for
/// the whole test run (xUnit collection fixture) and killed at its end. Power and boot state live in files written by
/// a chassis-control script, so tests observe what the third-party BMC really did. A missing ipmi_sim fails the tests:
/// test.sh installs it (package openipmi).</summary>
public sealed class IpmiSimFleet : IAsyncLifetime
{
    public const string AdminUser = "admin", AdminPassword = "password";
    public const string OperatorUser = "operator", OperatorPassword = "operpass";
    public const string Guid = "a1b2c3d4e5f60718293a4b5c6d7e0001";
    private const int Count = 3;

    private readonly List<Process> processes = [];
    private readonly string root = Directory.CreateTempSubdirectory("ingot-ipmi-sim-").FullName;

    /// <summary>127.0.2.201…: away from the 127.0.2.1–50 the benchmark's fleet uses.</summary>
    public IReadOnlyList<IPAddress> Addresses { get; } = [.. Enumerable.Range(201, Count).Select(i => IPAddress.Parse($"127.0.2.{i}"))];

    /// <summary>A loopback address where nothing listens.</summary>
    public static IPAddress Nowhere { get; } = IPAddress.Parse("127.0.2.250");

    /// <summary>Short attempts so failure tests are quick; ipmi_sim answers in well under a millisecond.</summary>
    public IpmiClientOptions Options { get; } = new()
    {
        AttemptTimeout = TimeSpan.FromMilliseconds(400), Attempts = 3, LocalAddress = IPAddress.Loopback,
    };

    public IpmiTransport Transport { get; private set; } = null!;

    public BmcTarget Target(int index, string user = AdminUser, string password = AdminPassword) =>
        new("ipmi", Addresses[index].ToString(), 623, user, password);

    public string StateFile(int index, string name) => Path.Combine(root, $"bmc{index}", "state", name);

    public string ReadState(int index, string name) =>
        File.Exists(StateFile(index, name)) ? File.ReadAllText(StateFile(index, name)).Trim() : "";

    public async Task InitializeAsync()
    {
        const string binary = "/usr/bin/ipmi_sim";
        if (!File.Exists(binary)) throw new InvalidOperationException($"{binary} is missing: install the Debian package openipmi (test.sh does)");
        for (var i = 0; i < Count; i++) processes.Add(Start(i, binary));
        Transport = new IpmiTransport(Options);
        for (var i = 0; i < Count; i++) await WaitUntilAnsweringAsync(i);
    }

    private Process Start(int index, string binary)
    {
        var dir = Path.Combine(root, $"bmc{index}");
        Directory.CreateDirectory(Path.Combine(dir, "state"));
        Directory.CreateDirectory(Path.Combine(dir, "sim"));
        var script = Path.Combine(dir, "chassis-control");
        File.WriteAllText(script, ChassisControlScript);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(dir, "state", "power"), "0\n");
        File.WriteAllText(Path.Combine(dir, "lan.conf"), LanConf(Addresses[index], $"{script} {Path.Combine(dir, "state")}"));
        File.WriteAllText(Path.Combine(dir, "bmc.emu"), Emulator);
        var start = new ProcessStartInfo(binary, ["-c", Path.Combine(dir, "lan.conf"), "-f", Path.Combine(dir, "bmc.emu"), "-s", Path.Combine(dir, "sim"), "-n"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("ipmi_sim did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Until a full session works: ipmi_sim needs a moment after start before it answers.</summary>
    private async Task WaitUntilAnsweringAsync(int index)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (processes[index].HasExited) throw new InvalidOperationException($"ipmi_sim for {Addresses[index]} exited with {processes[index].ExitCode}");
            try
            {
                await using var session = await IpmiSession.OpenAsync(Transport, Target(index));
                return;
            }
            catch (BmcException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (Transport is not null) await Transport.DisposeAsync();
        foreach (var process in processes)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
        Directory.Delete(root, recursive: true);
    }

    private static string LanConf(IPAddress address, string chassisControl) => $"""
        name "ingot-test"
        set_working_mc 0x20
          startlan 1
            addr {address} 623
            priv_limit admin
            allowed_auths_callback none md2 md5 straight
            allowed_auths_user md2 md5 straight
            allowed_auths_operator md2 md5 straight
            allowed_auths_admin md2 md5 straight
            guid {Guid}
          endlan
          chassis_control "{chassisControl}"
          user 1 false "" "" user 1
          user 2 true "{AdminUser}" "{AdminPassword}" admin 10
          user 3 true "{OperatorUser}" "{OperatorPassword}" operator 10

        """;

    private const string Emulator = """
        mc_setbmc 0x20
        mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02
        sel_enable 0x20 1000 0x0a
        mc_enable 0x20

        """;

    /// <summary>ipmi_sim runs this for power and boot (see LABS.md): state in files, every change appended to a log.</summary>
    private const string ChassisControlScript = """
        #!/bin/sh
        d="$1"; shift
        case "$1 $2" in
          "get power") echo "power:$(cat "$d/power" 2>/dev/null || echo 0)" ;;
          "get boot") echo "boot:$(cat "$d/boot" 2>/dev/null || echo default)" ;;
          "set power") echo "$3" > "$d/power"; echo "power $3" >> "$d/log" ;;
          "set reset") echo "reset" >> "$d/log" ;;
          "set shutdown") echo 0 > "$d/power"; echo "shutdown" >> "$d/log" ;;
          "set boot") echo "$3" > "$d/boot"; echo "boot $3" >> "$d/log" ;;
        esac
        exit 0

        """;
}

[CollectionDefinition(Name)]
public sealed class IpmiSimCollection : ICollectionFixture<IpmiSimFleet>
{
    public const string Name = "ipmi_sim";
}
