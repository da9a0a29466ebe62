-- Issue 14: the job statistics' histograms kept as jobs end, so a window's statistics read a few rows per hour, not
-- every job (GET /api/v1/jobs/stats over a million jobs: 6.4 s on SQLite, 2.3 s on PostgreSQL, when each query grouped the
-- jobs). A row per (hour queued, action, site, SKU, batch or single, status, shard) holds the count and two histograms,
-- runtime (r0..r30) and queue lag (l0..l30), in the buckets of JobStatsQuery.Bounds (r30/l30: beyond the last); steps
-- likewise per (hour, action, site, batch or single, step). The buckets are columns rather than rows so that an ending
-- writes one row, not three. Written by a trigger, in the ending's own transaction, on every way a job ends (the
-- broker's end, a cancellation of queued jobs): a job counts once, when it first becomes succeeded, failed or cancelled.
-- Site and SKU without a value are 0. shard spreads a hot hour over 8 rows on PostgreSQL, where the row stays locked
-- until the ending commits; SQLite has one writer and one shard. JobStatsQuery checks that the buckets here are its own.

CREATE TABLE job_stats (
    hour     TEXT NOT NULL,  -- the hour the jobs were queued in (UTC)
    action   TEXT NOT NULL,
    site_id  BIGINT NOT NULL,
    sku_id   BIGINT NOT NULL,
    batch    INTEGER NOT NULL,
    status   TEXT NOT NULL,       -- succeeded, failed, cancelled
    shard    INTEGER NOT NULL,
    count    INTEGER NOT NULL DEFAULT 0,
    r0 INTEGER NOT NULL DEFAULT 0, r1 INTEGER NOT NULL DEFAULT 0, r2 INTEGER NOT NULL DEFAULT 0, r3 INTEGER NOT NULL DEFAULT 0,
    r4 INTEGER NOT NULL DEFAULT 0, r5 INTEGER NOT NULL DEFAULT 0, r6 INTEGER NOT NULL DEFAULT 0, r7 INTEGER NOT NULL DEFAULT 0,
    r8 INTEGER NOT NULL DEFAULT 0, r9 INTEGER NOT NULL DEFAULT 0, r10 INTEGER NOT NULL DEFAULT 0, r11 INTEGER NOT NULL DEFAULT 0,
    r12 INTEGER NOT NULL DEFAULT 0, r13 INTEGER NOT NULL DEFAULT 0, r14 INTEGER NOT NULL DEFAULT 0, r15 INTEGER NOT NULL DEFAULT 0,
    r16 INTEGER NOT NULL DEFAULT 0, r17 INTEGER NOT NULL DEFAULT 0, r18 INTEGER NOT NULL DEFAULT 0, r19 INTEGER NOT NULL DEFAULT 0,
    r20 INTEGER NOT NULL DEFAULT 0, r21 INTEGER NOT NULL DEFAULT 0, r22 INTEGER NOT NULL DEFAULT 0, r23 INTEGER NOT NULL DEFAULT 0,
    r24 INTEGER NOT NULL DEFAULT 0, r25 INTEGER NOT NULL DEFAULT 0, r26 INTEGER NOT NULL DEFAULT 0, r27 INTEGER NOT NULL DEFAULT 0,
    r28 INTEGER NOT NULL DEFAULT 0, r29 INTEGER NOT NULL DEFAULT 0, r30 INTEGER NOT NULL DEFAULT 0,
    l0 INTEGER NOT NULL DEFAULT 0, l1 INTEGER NOT NULL DEFAULT 0, l2 INTEGER NOT NULL DEFAULT 0, l3 INTEGER NOT NULL DEFAULT 0,
    l4 INTEGER NOT NULL DEFAULT 0, l5 INTEGER NOT NULL DEFAULT 0, l6 INTEGER NOT NULL DEFAULT 0, l7 INTEGER NOT NULL DEFAULT 0,
    l8 INTEGER NOT NULL DEFAULT 0, l9 INTEGER NOT NULL DEFAULT 0, l10 INTEGER NOT NULL DEFAULT 0, l11 INTEGER NOT NULL DEFAULT 0,
    l12 INTEGER NOT NULL DEFAULT 0, l13 INTEGER NOT NULL DEFAULT 0, l14 INTEGER NOT NULL DEFAULT 0, l15 INTEGER NOT NULL DEFAULT 0,
    l16 INTEGER NOT NULL DEFAULT 0, l17 INTEGER NOT NULL DEFAULT 0, l18 INTEGER NOT NULL DEFAULT 0, l19 INTEGER NOT NULL DEFAULT 0,
    l20 INTEGER NOT NULL DEFAULT 0, l21 INTEGER NOT NULL DEFAULT 0, l22 INTEGER NOT NULL DEFAULT 0, l23 INTEGER NOT NULL DEFAULT 0,
    l24 INTEGER NOT NULL DEFAULT 0, l25 INTEGER NOT NULL DEFAULT 0, l26 INTEGER NOT NULL DEFAULT 0, l27 INTEGER NOT NULL DEFAULT 0,
    l28 INTEGER NOT NULL DEFAULT 0, l29 INTEGER NOT NULL DEFAULT 0, l30 INTEGER NOT NULL DEFAULT 0,
    max_run  REAL,
    max_lag  REAL,
    PRIMARY KEY (hour, action, site_id, sku_id, batch, status, shard)
);

CREATE TABLE job_step_stats (
    hour        TEXT NOT NULL,
    action      TEXT NOT NULL,
    site_id     BIGINT NOT NULL,
    batch       INTEGER NOT NULL,
    name        TEXT NOT NULL,
    shard       INTEGER NOT NULL,
    count       INTEGER NOT NULL DEFAULT 0,
    b0 INTEGER NOT NULL DEFAULT 0, b1 INTEGER NOT NULL DEFAULT 0, b2 INTEGER NOT NULL DEFAULT 0, b3 INTEGER NOT NULL DEFAULT 0,
    b4 INTEGER NOT NULL DEFAULT 0, b5 INTEGER NOT NULL DEFAULT 0, b6 INTEGER NOT NULL DEFAULT 0, b7 INTEGER NOT NULL DEFAULT 0,
    b8 INTEGER NOT NULL DEFAULT 0, b9 INTEGER NOT NULL DEFAULT 0, b10 INTEGER NOT NULL DEFAULT 0, b11 INTEGER NOT NULL DEFAULT 0,
    b12 INTEGER NOT NULL DEFAULT 0, b13 INTEGER NOT NULL DEFAULT 0, b14 INTEGER NOT NULL DEFAULT 0, b15 INTEGER NOT NULL DEFAULT 0,
    b16 INTEGER NOT NULL DEFAULT 0, b17 INTEGER NOT NULL DEFAULT 0, b18 INTEGER NOT NULL DEFAULT 0, b19 INTEGER NOT NULL DEFAULT 0,
    b20 INTEGER NOT NULL DEFAULT 0, b21 INTEGER NOT NULL DEFAULT 0, b22 INTEGER NOT NULL DEFAULT 0, b23 INTEGER NOT NULL DEFAULT 0,
    b24 INTEGER NOT NULL DEFAULT 0, b25 INTEGER NOT NULL DEFAULT 0, b26 INTEGER NOT NULL DEFAULT 0, b27 INTEGER NOT NULL DEFAULT 0,
    b28 INTEGER NOT NULL DEFAULT 0, b29 INTEGER NOT NULL DEFAULT 0, b30 INTEGER NOT NULL DEFAULT 0,
    max_seconds REAL,
    PRIMARY KEY (hour, action, site_id, batch, name, shard)
);

CREATE TRIGGER jobs_stats_ended AFTER UPDATE OF status ON jobs
WHEN OLD.status IN ('queued', 'running') AND NEW.status IN ('succeeded', 'failed', 'cancelled')
BEGIN
INSERT INTO job_stats (hour, action, site_id, sku_id, batch, status, shard,
    count, r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10,
    r11, r12, r13, r14, r15, r16, r17, r18, r19, r20, r21, r22,
    r23, r24, r25, r26, r27, r28, r29, r30, l0, l1, l2, l3,
    l4, l5, l6, l7, l8, l9, l10, l11, l12, l13, l14, l15,
    l16, l17, l18, l19, l20, l21, l22, l23, l24, l25, l26, l27,
    l28, l29, l30, max_run, max_lag)
SELECT hour, action, site_id, sku_id, batch, status, shard,
    1, CASE WHEN rb = 0 THEN 1 ELSE 0 END, CASE WHEN rb = 1 THEN 1 ELSE 0 END, CASE WHEN rb = 2 THEN 1 ELSE 0 END,
    CASE WHEN rb = 3 THEN 1 ELSE 0 END, CASE WHEN rb = 4 THEN 1 ELSE 0 END, CASE WHEN rb = 5 THEN 1 ELSE 0 END, CASE WHEN rb = 6 THEN 1 ELSE 0 END,
    CASE WHEN rb = 7 THEN 1 ELSE 0 END, CASE WHEN rb = 8 THEN 1 ELSE 0 END, CASE WHEN rb = 9 THEN 1 ELSE 0 END, CASE WHEN rb = 10 THEN 1 ELSE 0 END,
    CASE WHEN rb = 11 THEN 1 ELSE 0 END, CASE WHEN rb = 12 THEN 1 ELSE 0 END, CASE WHEN rb = 13 THEN 1 ELSE 0 END, CASE WHEN rb = 14 THEN 1 ELSE 0 END,
    CASE WHEN rb = 15 THEN 1 ELSE 0 END, CASE WHEN rb = 16 THEN 1 ELSE 0 END, CASE WHEN rb = 17 THEN 1 ELSE 0 END, CASE WHEN rb = 18 THEN 1 ELSE 0 END,
    CASE WHEN rb = 19 THEN 1 ELSE 0 END, CASE WHEN rb = 20 THEN 1 ELSE 0 END, CASE WHEN rb = 21 THEN 1 ELSE 0 END, CASE WHEN rb = 22 THEN 1 ELSE 0 END,
    CASE WHEN rb = 23 THEN 1 ELSE 0 END, CASE WHEN rb = 24 THEN 1 ELSE 0 END, CASE WHEN rb = 25 THEN 1 ELSE 0 END, CASE WHEN rb = 26 THEN 1 ELSE 0 END,
    CASE WHEN rb = 27 THEN 1 ELSE 0 END, CASE WHEN rb = 28 THEN 1 ELSE 0 END, CASE WHEN rb = 29 THEN 1 ELSE 0 END, CASE WHEN rb = 30 THEN 1 ELSE 0 END,
    CASE WHEN lb = 0 THEN 1 ELSE 0 END, CASE WHEN lb = 1 THEN 1 ELSE 0 END, CASE WHEN lb = 2 THEN 1 ELSE 0 END, CASE WHEN lb = 3 THEN 1 ELSE 0 END,
    CASE WHEN lb = 4 THEN 1 ELSE 0 END, CASE WHEN lb = 5 THEN 1 ELSE 0 END, CASE WHEN lb = 6 THEN 1 ELSE 0 END, CASE WHEN lb = 7 THEN 1 ELSE 0 END,
    CASE WHEN lb = 8 THEN 1 ELSE 0 END, CASE WHEN lb = 9 THEN 1 ELSE 0 END, CASE WHEN lb = 10 THEN 1 ELSE 0 END, CASE WHEN lb = 11 THEN 1 ELSE 0 END,
    CASE WHEN lb = 12 THEN 1 ELSE 0 END, CASE WHEN lb = 13 THEN 1 ELSE 0 END, CASE WHEN lb = 14 THEN 1 ELSE 0 END, CASE WHEN lb = 15 THEN 1 ELSE 0 END,
    CASE WHEN lb = 16 THEN 1 ELSE 0 END, CASE WHEN lb = 17 THEN 1 ELSE 0 END, CASE WHEN lb = 18 THEN 1 ELSE 0 END, CASE WHEN lb = 19 THEN 1 ELSE 0 END,
    CASE WHEN lb = 20 THEN 1 ELSE 0 END, CASE WHEN lb = 21 THEN 1 ELSE 0 END, CASE WHEN lb = 22 THEN 1 ELSE 0 END, CASE WHEN lb = 23 THEN 1 ELSE 0 END,
    CASE WHEN lb = 24 THEN 1 ELSE 0 END, CASE WHEN lb = 25 THEN 1 ELSE 0 END, CASE WHEN lb = 26 THEN 1 ELSE 0 END, CASE WHEN lb = 27 THEN 1 ELSE 0 END,
    CASE WHEN lb = 28 THEN 1 ELSE 0 END, CASE WHEN lb = 29 THEN 1 ELSE 0 END, CASE WHEN lb = 30 THEN 1 ELSE 0 END, run,
    lag
FROM (SELECT hour, action, site_id, sku_id, batch, status, shard, run, lag, CASE WHEN run IS NULL THEN NULL WHEN run <= 0.05 THEN 0 WHEN run <= 0.1 THEN 1 WHEN run <= 0.25 THEN 2 WHEN run <= 0.5 THEN 3 WHEN run <= 1 THEN 4 WHEN run <= 2 THEN 5 WHEN run <= 3 THEN 6 WHEN run <= 5 THEN 7 WHEN run <= 7.5 THEN 8 WHEN run <= 10 THEN 9 WHEN run <= 15 THEN 10 WHEN run <= 20 THEN 11 WHEN run <= 30 THEN 12 WHEN run <= 45 THEN 13 WHEN run <= 60 THEN 14 WHEN run <= 90 THEN 15 WHEN run <= 120 THEN 16 WHEN run <= 180 THEN 17 WHEN run <= 300 THEN 18 WHEN run <= 450 THEN 19 WHEN run <= 600 THEN 20 WHEN run <= 900 THEN 21 WHEN run <= 1200 THEN 22 WHEN run <= 1800 THEN 23 WHEN run <= 2700 THEN 24 WHEN run <= 3600 THEN 25 WHEN run <= 7200 THEN 26 WHEN run <= 14400 THEN 27 WHEN run <= 43200 THEN 28 WHEN run <= 86400 THEN 29 ELSE 30 END AS rb,
             CASE WHEN lag IS NULL THEN NULL WHEN lag <= 0.05 THEN 0 WHEN lag <= 0.1 THEN 1 WHEN lag <= 0.25 THEN 2 WHEN lag <= 0.5 THEN 3 WHEN lag <= 1 THEN 4 WHEN lag <= 2 THEN 5 WHEN lag <= 3 THEN 6 WHEN lag <= 5 THEN 7 WHEN lag <= 7.5 THEN 8 WHEN lag <= 10 THEN 9 WHEN lag <= 15 THEN 10 WHEN lag <= 20 THEN 11 WHEN lag <= 30 THEN 12 WHEN lag <= 45 THEN 13 WHEN lag <= 60 THEN 14 WHEN lag <= 90 THEN 15 WHEN lag <= 120 THEN 16 WHEN lag <= 180 THEN 17 WHEN lag <= 300 THEN 18 WHEN lag <= 450 THEN 19 WHEN lag <= 600 THEN 20 WHEN lag <= 900 THEN 21 WHEN lag <= 1200 THEN 22 WHEN lag <= 1800 THEN 23 WHEN lag <= 2700 THEN 24 WHEN lag <= 3600 THEN 25 WHEN lag <= 7200 THEN 26 WHEN lag <= 14400 THEN 27 WHEN lag <= 43200 THEN 28 WHEN lag <= 86400 THEN 29 ELSE 30 END AS lb
      FROM (SELECT substr(NEW.created_at, 1, 13) || ':00:00.000000Z' AS hour, NEW.action AS action, COALESCE(NEW.site_id, 0) AS site_id, COALESCE((SELECT m.sku_id FROM machines m WHERE m.id = NEW.machine_id), 0) AS sku_id,
                   NEW.batch_id IS NOT NULL AS batch, NEW.status AS status, 0 AS shard, CASE WHEN NEW.ended_at IS NOT NULL AND NEW.started_at IS NOT NULL AND NEW.status IN ('succeeded', 'failed') THEN COALESCE(NEW.run_seconds, ((julianday(NEW.ended_at) - julianday(NEW.started_at)) * 86400.0)) END AS run, CASE WHEN NEW.started_at IS NOT NULL THEN COALESCE(NEW.lag_seconds, ((julianday(NEW.started_at) - julianday(NEW.created_at)) * 86400.0)) END AS lag) v) b
    WHERE TRUE
ON CONFLICT (hour, action, site_id, sku_id, batch, status, shard) DO UPDATE SET
    count = count + excluded.count, r0 = r0 + excluded.r0, r1 = r1 + excluded.r1,
    r2 = r2 + excluded.r2, r3 = r3 + excluded.r3, r4 = r4 + excluded.r4,
    r5 = r5 + excluded.r5, r6 = r6 + excluded.r6, r7 = r7 + excluded.r7,
    r8 = r8 + excluded.r8, r9 = r9 + excluded.r9, r10 = r10 + excluded.r10,
    r11 = r11 + excluded.r11, r12 = r12 + excluded.r12, r13 = r13 + excluded.r13,
    r14 = r14 + excluded.r14, r15 = r15 + excluded.r15, r16 = r16 + excluded.r16,
    r17 = r17 + excluded.r17, r18 = r18 + excluded.r18, r19 = r19 + excluded.r19,
    r20 = r20 + excluded.r20, r21 = r21 + excluded.r21, r22 = r22 + excluded.r22,
    r23 = r23 + excluded.r23, r24 = r24 + excluded.r24, r25 = r25 + excluded.r25,
    r26 = r26 + excluded.r26, r27 = r27 + excluded.r27, r28 = r28 + excluded.r28,
    r29 = r29 + excluded.r29, r30 = r30 + excluded.r30, l0 = l0 + excluded.l0,
    l1 = l1 + excluded.l1, l2 = l2 + excluded.l2, l3 = l3 + excluded.l3,
    l4 = l4 + excluded.l4, l5 = l5 + excluded.l5, l6 = l6 + excluded.l6,
    l7 = l7 + excluded.l7, l8 = l8 + excluded.l8, l9 = l9 + excluded.l9,
    l10 = l10 + excluded.l10, l11 = l11 + excluded.l11, l12 = l12 + excluded.l12,
    l13 = l13 + excluded.l13, l14 = l14 + excluded.l14, l15 = l15 + excluded.l15,
    l16 = l16 + excluded.l16, l17 = l17 + excluded.l17, l18 = l18 + excluded.l18,
    l19 = l19 + excluded.l19, l20 = l20 + excluded.l20, l21 = l21 + excluded.l21,
    l22 = l22 + excluded.l22, l23 = l23 + excluded.l23, l24 = l24 + excluded.l24,
    l25 = l25 + excluded.l25, l26 = l26 + excluded.l26, l27 = l27 + excluded.l27,
    l28 = l28 + excluded.l28, l29 = l29 + excluded.l29, l30 = l30 + excluded.l30,
    max_run = CASE WHEN max_run IS NULL OR excluded.max_run > max_run THEN excluded.max_run ELSE max_run END, max_lag = CASE WHEN max_lag IS NULL OR excluded.max_lag > max_lag THEN excluded.max_lag ELSE max_lag END;
INSERT INTO job_step_stats (hour, action, site_id, batch, name, shard,
    count, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10,
    b11, b12, b13, b14, b15, b16, b17, b18, b19, b20, b21, b22,
    b23, b24, b25, b26, b27, b28, b29, b30, max_seconds)
SELECT hour, action, site_id, batch, name, shard,
    COUNT(*), SUM(CASE WHEN bk = 0 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN bk = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 4 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 5 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 6 THEN 1 ELSE 0 END),
    SUM(CASE WHEN bk = 7 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 8 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 9 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 10 THEN 1 ELSE 0 END),
    SUM(CASE WHEN bk = 11 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 12 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 13 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 14 THEN 1 ELSE 0 END),
    SUM(CASE WHEN bk = 15 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 16 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 17 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 18 THEN 1 ELSE 0 END),
    SUM(CASE WHEN bk = 19 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 20 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 21 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 22 THEN 1 ELSE 0 END),
    SUM(CASE WHEN bk = 23 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 24 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 25 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 26 THEN 1 ELSE 0 END),
    SUM(CASE WHEN bk = 27 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 28 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 29 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 30 THEN 1 ELSE 0 END),
    MAX(seconds)
FROM (SELECT hour, action, site_id, batch, name, shard, seconds, CASE WHEN seconds IS NULL THEN NULL WHEN seconds <= 0.05 THEN 0 WHEN seconds <= 0.1 THEN 1 WHEN seconds <= 0.25 THEN 2 WHEN seconds <= 0.5 THEN 3 WHEN seconds <= 1 THEN 4 WHEN seconds <= 2 THEN 5 WHEN seconds <= 3 THEN 6 WHEN seconds <= 5 THEN 7 WHEN seconds <= 7.5 THEN 8 WHEN seconds <= 10 THEN 9 WHEN seconds <= 15 THEN 10 WHEN seconds <= 20 THEN 11 WHEN seconds <= 30 THEN 12 WHEN seconds <= 45 THEN 13 WHEN seconds <= 60 THEN 14 WHEN seconds <= 90 THEN 15 WHEN seconds <= 120 THEN 16 WHEN seconds <= 180 THEN 17 WHEN seconds <= 300 THEN 18 WHEN seconds <= 450 THEN 19 WHEN seconds <= 600 THEN 20 WHEN seconds <= 900 THEN 21 WHEN seconds <= 1200 THEN 22 WHEN seconds <= 1800 THEN 23 WHEN seconds <= 2700 THEN 24 WHEN seconds <= 3600 THEN 25 WHEN seconds <= 7200 THEN 26 WHEN seconds <= 14400 THEN 27 WHEN seconds <= 43200 THEN 28 WHEN seconds <= 86400 THEN 29 ELSE 30 END AS bk
      FROM (SELECT substr(NEW.created_at, 1, 13) || ':00:00.000000Z' AS hour, NEW.action AS action, COALESCE(NEW.site_id, 0) AS site_id, NEW.batch_id IS NOT NULL AS batch, st.name, 0 AS shard,
                   ((julianday(st.ended_at) - julianday(st.started_at)) * 86400.0) AS seconds
            FROM job_steps st WHERE st.job_id = NEW.id AND st.status = 'succeeded' AND st.started_at IS NOT NULL AND st.ended_at IS NOT NULL) v) b
GROUP BY hour, action, site_id, batch, name, shard
ON CONFLICT (hour, action, site_id, batch, name, shard) DO UPDATE SET
    count = count + excluded.count, b0 = b0 + excluded.b0, b1 = b1 + excluded.b1,
    b2 = b2 + excluded.b2, b3 = b3 + excluded.b3, b4 = b4 + excluded.b4,
    b5 = b5 + excluded.b5, b6 = b6 + excluded.b6, b7 = b7 + excluded.b7,
    b8 = b8 + excluded.b8, b9 = b9 + excluded.b9, b10 = b10 + excluded.b10,
    b11 = b11 + excluded.b11, b12 = b12 + excluded.b12, b13 = b13 + excluded.b13,
    b14 = b14 + excluded.b14, b15 = b15 + excluded.b15, b16 = b16 + excluded.b16,
    b17 = b17 + excluded.b17, b18 = b18 + excluded.b18, b19 = b19 + excluded.b19,
    b20 = b20 + excluded.b20, b21 = b21 + excluded.b21, b22 = b22 + excluded.b22,
    b23 = b23 + excluded.b23, b24 = b24 + excluded.b24, b25 = b25 + excluded.b25,
    b26 = b26 + excluded.b26, b27 = b27 + excluded.b27, b28 = b28 + excluded.b28,
    b29 = b29 + excluded.b29, b30 = b30 + excluded.b30, max_seconds = CASE WHEN max_seconds IS NULL OR excluded.max_seconds > max_seconds THEN excluded.max_seconds ELSE max_seconds END;
END;

-- The jobs that ended before this migration.
INSERT INTO job_stats (hour, action, site_id, sku_id, batch, status, shard,
    count, r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10,
    r11, r12, r13, r14, r15, r16, r17, r18, r19, r20, r21, r22,
    r23, r24, r25, r26, r27, r28, r29, r30, l0, l1, l2, l3,
    l4, l5, l6, l7, l8, l9, l10, l11, l12, l13, l14, l15,
    l16, l17, l18, l19, l20, l21, l22, l23, l24, l25, l26, l27,
    l28, l29, l30, max_run, max_lag)
SELECT hour, action, site_id, sku_id, batch, status, shard,
    COUNT(*), SUM(CASE WHEN rb = 0 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN rb = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 4 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 5 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 6 THEN 1 ELSE 0 END),
    SUM(CASE WHEN rb = 7 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 8 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 9 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 10 THEN 1 ELSE 0 END),
    SUM(CASE WHEN rb = 11 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 12 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 13 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 14 THEN 1 ELSE 0 END),
    SUM(CASE WHEN rb = 15 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 16 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 17 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 18 THEN 1 ELSE 0 END),
    SUM(CASE WHEN rb = 19 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 20 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 21 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 22 THEN 1 ELSE 0 END),
    SUM(CASE WHEN rb = 23 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 24 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 25 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 26 THEN 1 ELSE 0 END),
    SUM(CASE WHEN rb = 27 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 28 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 29 THEN 1 ELSE 0 END), SUM(CASE WHEN rb = 30 THEN 1 ELSE 0 END),
    SUM(CASE WHEN lb = 0 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 2 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 3 THEN 1 ELSE 0 END),
    SUM(CASE WHEN lb = 4 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 5 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 6 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 7 THEN 1 ELSE 0 END),
    SUM(CASE WHEN lb = 8 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 9 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 10 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 11 THEN 1 ELSE 0 END),
    SUM(CASE WHEN lb = 12 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 13 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 14 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 15 THEN 1 ELSE 0 END),
    SUM(CASE WHEN lb = 16 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 17 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 18 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 19 THEN 1 ELSE 0 END),
    SUM(CASE WHEN lb = 20 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 21 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 22 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 23 THEN 1 ELSE 0 END),
    SUM(CASE WHEN lb = 24 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 25 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 26 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 27 THEN 1 ELSE 0 END),
    SUM(CASE WHEN lb = 28 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 29 THEN 1 ELSE 0 END), SUM(CASE WHEN lb = 30 THEN 1 ELSE 0 END), MAX(run),
    MAX(lag)
FROM (SELECT hour, action, site_id, sku_id, batch, status, shard, run, lag, CASE WHEN run IS NULL THEN NULL WHEN run <= 0.05 THEN 0 WHEN run <= 0.1 THEN 1 WHEN run <= 0.25 THEN 2 WHEN run <= 0.5 THEN 3 WHEN run <= 1 THEN 4 WHEN run <= 2 THEN 5 WHEN run <= 3 THEN 6 WHEN run <= 5 THEN 7 WHEN run <= 7.5 THEN 8 WHEN run <= 10 THEN 9 WHEN run <= 15 THEN 10 WHEN run <= 20 THEN 11 WHEN run <= 30 THEN 12 WHEN run <= 45 THEN 13 WHEN run <= 60 THEN 14 WHEN run <= 90 THEN 15 WHEN run <= 120 THEN 16 WHEN run <= 180 THEN 17 WHEN run <= 300 THEN 18 WHEN run <= 450 THEN 19 WHEN run <= 600 THEN 20 WHEN run <= 900 THEN 21 WHEN run <= 1200 THEN 22 WHEN run <= 1800 THEN 23 WHEN run <= 2700 THEN 24 WHEN run <= 3600 THEN 25 WHEN run <= 7200 THEN 26 WHEN run <= 14400 THEN 27 WHEN run <= 43200 THEN 28 WHEN run <= 86400 THEN 29 ELSE 30 END AS rb,
             CASE WHEN lag IS NULL THEN NULL WHEN lag <= 0.05 THEN 0 WHEN lag <= 0.1 THEN 1 WHEN lag <= 0.25 THEN 2 WHEN lag <= 0.5 THEN 3 WHEN lag <= 1 THEN 4 WHEN lag <= 2 THEN 5 WHEN lag <= 3 THEN 6 WHEN lag <= 5 THEN 7 WHEN lag <= 7.5 THEN 8 WHEN lag <= 10 THEN 9 WHEN lag <= 15 THEN 10 WHEN lag <= 20 THEN 11 WHEN lag <= 30 THEN 12 WHEN lag <= 45 THEN 13 WHEN lag <= 60 THEN 14 WHEN lag <= 90 THEN 15 WHEN lag <= 120 THEN 16 WHEN lag <= 180 THEN 17 WHEN lag <= 300 THEN 18 WHEN lag <= 450 THEN 19 WHEN lag <= 600 THEN 20 WHEN lag <= 900 THEN 21 WHEN lag <= 1200 THEN 22 WHEN lag <= 1800 THEN 23 WHEN lag <= 2700 THEN 24 WHEN lag <= 3600 THEN 25 WHEN lag <= 7200 THEN 26 WHEN lag <= 14400 THEN 27 WHEN lag <= 43200 THEN 28 WHEN lag <= 86400 THEN 29 ELSE 30 END AS lb
      FROM (SELECT substr(j.created_at, 1, 13) || ':00:00.000000Z' AS hour, j.action AS action, COALESCE(j.site_id, 0) AS site_id, COALESCE(m.sku_id, 0) AS sku_id,
                   j.batch_id IS NOT NULL AS batch, j.status AS status, 0 AS shard, CASE WHEN j.ended_at IS NOT NULL AND j.started_at IS NOT NULL AND j.status IN ('succeeded', 'failed') THEN COALESCE(j.run_seconds, ((julianday(j.ended_at) - julianday(j.started_at)) * 86400.0)) END AS run, CASE WHEN j.started_at IS NOT NULL THEN COALESCE(j.lag_seconds, ((julianday(j.started_at) - julianday(j.created_at)) * 86400.0)) END AS lag
            FROM jobs j JOIN machines m ON m.id = j.machine_id WHERE j.status IN ('succeeded', 'failed', 'cancelled')) v) b
GROUP BY hour, action, site_id, sku_id, batch, status, shard;

INSERT INTO job_step_stats (hour, action, site_id, batch, name, shard,
    count, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10,
    b11, b12, b13, b14, b15, b16, b17, b18, b19, b20, b21, b22,
    b23, b24, b25, b26, b27, b28, b29, b30, max_seconds)
SELECT hour, action, site_id, batch, name, shard,
    COUNT(*), SUM(CASE WHEN bk = 0 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN bk = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 4 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 5 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 6 THEN 1 ELSE 0 END),
    SUM(CASE WHEN bk = 7 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 8 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 9 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 10 THEN 1 ELSE 0 END),
    SUM(CASE WHEN bk = 11 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 12 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 13 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 14 THEN 1 ELSE 0 END),
    SUM(CASE WHEN bk = 15 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 16 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 17 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 18 THEN 1 ELSE 0 END),
    SUM(CASE WHEN bk = 19 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 20 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 21 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 22 THEN 1 ELSE 0 END),
    SUM(CASE WHEN bk = 23 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 24 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 25 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 26 THEN 1 ELSE 0 END),
    SUM(CASE WHEN bk = 27 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 28 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 29 THEN 1 ELSE 0 END), SUM(CASE WHEN bk = 30 THEN 1 ELSE 0 END),
    MAX(seconds)
FROM (SELECT hour, action, site_id, batch, name, shard, seconds, CASE WHEN seconds IS NULL THEN NULL WHEN seconds <= 0.05 THEN 0 WHEN seconds <= 0.1 THEN 1 WHEN seconds <= 0.25 THEN 2 WHEN seconds <= 0.5 THEN 3 WHEN seconds <= 1 THEN 4 WHEN seconds <= 2 THEN 5 WHEN seconds <= 3 THEN 6 WHEN seconds <= 5 THEN 7 WHEN seconds <= 7.5 THEN 8 WHEN seconds <= 10 THEN 9 WHEN seconds <= 15 THEN 10 WHEN seconds <= 20 THEN 11 WHEN seconds <= 30 THEN 12 WHEN seconds <= 45 THEN 13 WHEN seconds <= 60 THEN 14 WHEN seconds <= 90 THEN 15 WHEN seconds <= 120 THEN 16 WHEN seconds <= 180 THEN 17 WHEN seconds <= 300 THEN 18 WHEN seconds <= 450 THEN 19 WHEN seconds <= 600 THEN 20 WHEN seconds <= 900 THEN 21 WHEN seconds <= 1200 THEN 22 WHEN seconds <= 1800 THEN 23 WHEN seconds <= 2700 THEN 24 WHEN seconds <= 3600 THEN 25 WHEN seconds <= 7200 THEN 26 WHEN seconds <= 14400 THEN 27 WHEN seconds <= 43200 THEN 28 WHEN seconds <= 86400 THEN 29 ELSE 30 END AS bk
      FROM (SELECT substr(j.created_at, 1, 13) || ':00:00.000000Z' AS hour, j.action AS action, COALESCE(j.site_id, 0) AS site_id, j.batch_id IS NOT NULL AS batch, st.name, 0 AS shard,
                   ((julianday(st.ended_at) - julianday(st.started_at)) * 86400.0) AS seconds
            FROM jobs j JOIN job_steps st ON st.job_id = j.id
            WHERE j.status IN ('succeeded', 'failed', 'cancelled') AND st.status = 'succeeded' AND st.started_at IS NOT NULL AND st.ended_at IS NOT NULL) v) b
GROUP BY hour, action, site_id, batch, name, shard;
