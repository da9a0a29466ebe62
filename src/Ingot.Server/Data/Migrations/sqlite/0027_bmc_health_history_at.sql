-- Retention deletes a BMC's health history by age (INGOT_RETENTION_BMC_HEALTH_DAYS).
CREATE INDEX bmc_health_history_at ON bmc_health_history (at);
