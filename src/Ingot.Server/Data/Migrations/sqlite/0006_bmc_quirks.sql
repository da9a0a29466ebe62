-- What a BMC does not report although it applies it (issue 11 E.1: OpenIPMI ipmi_sim never reports the boot-flags-valid,
-- persistent or EFI bits), learned by the jobs' boot steps and shown in the machine's BMC health: comma-separated names
-- from Ingot.Bmc's BootQuirks, sorted, or NULL while none is known.
ALTER TABLE bmc_health ADD COLUMN quirks TEXT;
