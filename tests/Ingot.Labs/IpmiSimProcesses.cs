using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ingot.Labs;

/// <summary>One OpenIPMI <c>ipmi_sim</c> process per BMC, each on its own loopback address, UDP 623 (LABS.md). Power and
/// boot state live in files written by a chassis-control script, so callers observe what the third-party BMC really
/// did. Dispose kills the processes and deletes their directory. Knows nothing of Ingot's client: callers decide when a
/// BMC counts as answering.</summary>
public sealed class IpmiSimProcesses : IAsyncDisposable
{
    public const string Binary = "/usr/bin/ipmi_sim";
    public const string AdminUser = "admin", AdminPassword = "password";
    public const string OperatorUser = "operator", OperatorPassword = "operpass";
    public const string Guid = "a1b2c3d4e5f60718293a4b5c6d7e0001";

    private readonly List<Process> processes = [];
    private readonly string root;

    private IpmiSimProcesses(IReadOnlyList<IPAddress> addresses, string root)
    {
        Addresses = addresses;
        this.root = root;
    }

    public IReadOnlyList<IPAddress> Addresses { get; }

    /// <summary>The ipmi_sim processes' ids, in address order (the benchmark reads their CPU time).</summary>
    public IReadOnlyList<int> ProcessIds => [.. processes.Select(p => p.Id)];

    /// <summary>Starts one ipmi_sim per address, every one powered off. A missing binary is an error, not a skip: the
    /// test and bench scripts install the Debian package openipmi.</summary>
    public static async Task<IpmiSimProcesses> StartAsync(IReadOnlyList<IPAddress> addresses)
    {
        if (!File.Exists(Binary)) throw new InvalidOperationException($"{Binary} is missing: install the Debian package openipmi");
        foreach (var address in addresses)
            if (address.GetAddressBytes() is not [127, ..]) throw new ArgumentException($"ipmi_sim binds loopback only, not {address}");
        var fleet = new IpmiSimProcesses(addresses, Directory.CreateTempSubdirectory("ingot-ipmi-sim-").FullName);
        try
        {
            for (var i = 0; i < addresses.Count; i++) fleet.processes.Add(fleet.StartOne(i));
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
        return fleet;
    }

    public string StateFile(int index, string name) => Path.Combine(root, $"bmc{index}", "state", name);

    public string ReadState(int index, string name) =>
        File.Exists(StateFile(index, name)) ? File.ReadAllText(StateFile(index, name)).Trim() : "";

    /// <summary>Throws if the BMC's process has died (a crash would otherwise look like a slow BMC).</summary>
    public void ThrowIfExited(int index)
    {
        if (processes[index].HasExited) throw new InvalidOperationException($"ipmi_sim for {Addresses[index]} exited with {processes[index].ExitCode}");
    }

    /// <summary>Until the BMC answers an RMCP presence ping (ASF, DMTF DSP0136 §3.2.4.1) on UDP 623: ipmi_sim needs a
    /// moment after start before it listens. A ping is protocol-level only, so this needs no IPMI client.</summary>
    /// <exception cref="TimeoutException">No pong within <paramref name="deadline"/>.</exception>
    public async Task WaitUntilAnsweringAsync(int index, TimeSpan deadline, CancellationToken ct = default)
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        // RMCP header (version 6, reserved, sequence 0xFF: no ACK, class 6: ASF), then the ASF message: IANA 4542,
        // type 0x80 (presence ping), tag, reserved, data length 0.
        byte[] ping = [0x06, 0x00, 0xFF, 0x06, 0x00, 0x00, 0x11, 0xBE, 0x80, 0x01, 0x00, 0x00];
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            ThrowIfExited(index);
            await udp.SendAsync(ping, new IPEndPoint(Addresses[index], 623), ct);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(TimeSpan.FromMilliseconds(200));
            try
            {
                var answer = await udp.ReceiveAsync(wait.Token);
                if (answer.Buffer is [0x06, _, _, 0x06, _, _, _, _, 0x40, ..]) return; // presence pong
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && DateTime.UtcNow < until)
            {
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"ipmi_sim on {Addresses[index]} did not answer an RMCP ping within {deadline.TotalSeconds:0} s");
            }
        }
    }

    private Process StartOne(int index)
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
        var start = new ProcessStartInfo(Binary, ["-c", Path.Combine(dir, "lan.conf"), "-f", Path.Combine(dir, "bmc.emu"), "-s", Path.Combine(dir, "sim"), "-n"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("ipmi_sim did not start");
        // Drained so a chatty simulator never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in processes)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
        processes.Clear();
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
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
