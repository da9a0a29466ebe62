"""Drives one simulated Redfish BMC with sushy (OpenStack Ironic's Redfish library) the way Ironic does, and
prints what sushy reports as one JSON document for the test to check. Usage: sushy_session.py URL USER PASSWORD"""
import json
import sys

import requests
import sushy

url, user, password = sys.argv[1:4]

# DSP0266's version document: readable without credentials, read before the service root by DMTF's tools.
versions = requests.get(url + "/redfish", timeout=10).json()

root = sushy.Sushy(url, username=user, password=password)
system = root.get_system()


def boot(s):
    return {"target": s.boot.target.value, "enabled": s.boot.enabled.value, "mode": s.boot.mode.value}


report = {
    "versions": versions,
    "redfish_version": root.redfish_version,
    "system": {
        "identity": system.identity,
        "power_state": system.power_state.value,
        "logical_cpus": system.processors.summary.count,
        "architecture": system.processors.summary.architecture.value,
        "processor_models": [p.model for p in system.processors.get_members()],
        "memory_gib": system.memory_summary.size_gib,
        "memory_health": system.memory_summary.health,
        "boot": boot(system),
        "allowed_resets": sorted(v.value for v in system.get_allowed_reset_system_values()),
    },
    "managers": [{"identity": m.identity, "type": m.manager_type.value, "firmware": m.firmware_version}
                 for m in system.managers],
    "manager_collection": [m.identity for m in root.get_manager_collection().get_members()],
    "chassis": [{"identity": c.identity, "type": c.chassis_type.value, "power_state": c.power_state.value}
                for c in system.chassis],
    "chassis_collection": [c.identity for c in root.get_chassis_collection().get_members()],
}

system.reset_system(sushy.ResetType.ON)
system.set_system_boot_options(sushy.BootSource.PXE, enabled=sushy.BootSourceOverrideEnabled.ONCE,
                               mode=sushy.BootSourceOverrideMode.UEFI)
system.refresh()
report["after"] = {"power_state": system.power_state.value, "boot": boot(system)}
print(json.dumps(report))
