// Eighth schema step: the outbox of events reported upward (MQTT, webhooks), and how far each sink has got.
export const V8_OUTBOX = `
CREATE TABLE outbox (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT, -- delivery order; never reused, so a cursor stays valid
  id            TEXT NOT NULL UNIQUE,              -- stable event id: receivers drop duplicates by it
  type          TEXT NOT NULL,                     -- outpost.run, outpost.state, outpost.action, outpost.heartbeat, ...
  severity      TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
  at            TEXT NOT NULL,                     -- ISO time the event happened
  data          TEXT NOT NULL                      -- JSON payload (docs/reporting.md)
);
CREATE INDEX outbox_type ON outbox (type, seq);

CREATE TABLE report_cursors (
  sink          TEXT PRIMARY KEY,                  -- a sink (mqtt, webhook) or the collector's own marks
  seq           INTEGER NOT NULL                   -- the last outbox seq (or source row id) it has dealt with
);
`;
