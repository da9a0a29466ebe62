using System.Net;
using Ingot.Bmc;

namespace Ingot.Simulator;

/// <summary>A user the simulated BMC accepts, with the highest privilege it may ask for.</summary>
public sealed record SimUser(string Name, string Password, IpmiPrivilege MaxPrivilege);

/// <summary>Misbehaviour to inject into one simulated BMC (DESIGN.md §3, Simulator). Both protocol servers
/// (IPMI, Redfish) honour every field.</summary>
public sealed record BmcFaults
{
    /// <summary>Fraction of requests (0..1) silently dropped.</summary>
    public double DropRate { get; init; }

    /// <summary>Added before every answer.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Answers nothing at all.</summary>
    public bool Unreachable { get; init; }

    /// <summary>Refuses every login as if the password were wrong.</summary>
    public bool WrongCredentials { get; init; }

    /// <summary>Answers with bytes that are not a valid reply.</summary>
    public bool GarbageReplies { get; init; }

    /// <summary>Acknowledges power commands but changes nothing: the quirk power confirmation must catch.</summary>
    public bool IgnorePowerCommands { get; init; }

    public static BmcFaults None { get; } = new();
}

/// <summary>The state of one simulated BMC and its machine: power, next boot device, faults, and a counter
/// of real power transitions that tests read. Thread-safe; the IPMI and Redfish servers share it.</summary>
public sealed class SimulatedBmc
{
    private readonly Lock gate = new();
    private PowerState power;
    private BootSettings boot = new(BootDevice.None);
    private long powerTransitions, boots;

    public SimulatedBmc(string name, IPAddress address, IReadOnlyList<SimUser> users, PowerState initialPower = PowerState.Off)
    {
        Name = name;
        Address = address;
        Users = users;
        power = initialPower;
    }

    public string Name { get; }
    public IPAddress Address { get; }
    public IReadOnlyList<SimUser> Users { get; }
    public Guid Guid { get; } = Guid.NewGuid();
    public BmcFaults Faults { get; set; } = BmcFaults.None;

    /// <summary>Called after every power transition that really happened (for a simulated machine to boot).</summary>
    public event Action<SimulatedBmc, PowerState>? PowerChanged;

    public PowerState Power { get { lock (gate) return power; } }
    public BootSettings Boot { get { lock (gate) return boot; } }

    /// <summary>How many times the power really went on or off (a cycle counts two).</summary>
    public long PowerTransitions => Interlocked.Read(ref powerTransitions);

    /// <summary>How many times the machine started: power went on, or a reset rebooted it. A power cycle is one boot,
    /// so "every machine cycled exactly once" reads as Boots == 1.</summary>
    public long Boots => Interlocked.Read(ref boots);

    public SimUser? FindUser(string name) => Users.FirstOrDefault(u => u.Name == name);

    /// <summary>Applies a power command as a BMC would: "on" when on and "off" when off change nothing;
    /// cycle and reset of a machine that is off change nothing either (as chassis control does).</summary>
    public void Apply(PowerAction action)
    {
        if (Faults.IgnorePowerCommands) return;
        var changes = new List<PowerState>();
        lock (gate)
        {
            switch (action)
            {
                case PowerAction.On when power == PowerState.Off:
                    changes.Add(power = PowerState.On);
                    break;
                case PowerAction.Off or PowerAction.SoftOff when power == PowerState.On:
                    changes.Add(power = PowerState.Off);
                    break;
                case PowerAction.Cycle when power == PowerState.On:
                    changes.Add(PowerState.Off);
                    changes.Add(PowerState.On);
                    break;
                case PowerAction.Reset when power == PowerState.On:
                    changes.Add(PowerState.On); // a reboot: the machine starts again, power stays on
                    break;
            }
            if (action != PowerAction.Reset) Interlocked.Add(ref powerTransitions, changes.Count);
            Interlocked.Add(ref boots, changes.Count(c => c == PowerState.On));
        }
        foreach (var state in changes) PowerChanged?.Invoke(this, state);
    }

    public void SetBoot(BootSettings settings)
    {
        lock (gate) boot = settings;
    }

    /// <summary>A one-time boot override is used up by the next boot (IPMI "boot flags valid" clears).</summary>
    public BootSettings TakeNextBoot()
    {
        lock (gate)
        {
            var next = boot;
            if (!boot.Persistent) boot = new BootSettings(BootDevice.None);
            return next;
        }
    }
}
