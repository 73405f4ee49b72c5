// Second schema step: host samples for the console's sparklines (retention pruned), and console settings.
export const V2_SAMPLES = `
CREATE TABLE host_samples (
  at            INTEGER PRIMARY KEY,             -- unix ms; one row per sample, time-ordered
  cpu           REAL,                            -- busy share of all cores, 0..1
  mem_used      INTEGER,                         -- bytes in use (total - available)
  mem_total     INTEGER,
  disk_used     INTEGER,                         -- bytes used on the data volume's file system
  disk_total    INTEGER,
  temp          REAL,                            -- °C, null when the hardware has no sensor
  rx            REAL,                            -- bytes/s received over the sample interval
  tx            REAL,                            -- bytes/s sent
  load1         REAL
);

CREATE TABLE console_settings (
  key           TEXT PRIMARY KEY,                -- source | schedule | maintenanceWindows | paused
  value         TEXT NOT NULL,                   -- JSON
  updated_at    TEXT NOT NULL,
  updated_by    TEXT NOT NULL
);
`;
