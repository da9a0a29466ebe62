-- Boot modes (issue 11 E.2), each 'uefi' or 'legacy', NULL while not known or not set: what iPXE reported as ${platform}
-- on the machine's last network boot, and an operator's override for the machine and for its SKU. Jobs boot a machine
-- in its own override, else its SKU's, else the reported mode, else UEFI (Inventory/BootModes).
ALTER TABLE machines ADD COLUMN boot_mode TEXT;
ALTER TABLE machines ADD COLUMN reported_boot_mode TEXT;
ALTER TABLE skus ADD COLUMN boot_mode TEXT;
-- What iPXE reported when a discovery token was issued, so the machine its report registers starts with it.
ALTER TABLE boot_tokens ADD COLUMN boot_mode TEXT;
