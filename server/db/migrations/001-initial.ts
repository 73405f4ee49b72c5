// First schema: revisions, sync runs, inventory, key/value state (LKG pointer, upstream), audit.
export const V1_INITIAL = `
CREATE TABLE revisions (
  id            INTEGER PRIMARY KEY,
  digest        TEXT NOT NULL UNIQUE,            -- sha256 over the sorted file tree: content address
  source_kind   TEXT NOT NULL,
  source_url    TEXT NOT NULL,
  source_ref    TEXT,
  source_path   TEXT NOT NULL,
  version       TEXT,                            -- commit, bundle version, or null for a plain folder
  signer        TEXT,                            -- key id that signed it, null when unsigned
  fetched_at    TEXT NOT NULL,
  files         BLOB NOT NULL,                   -- gzip'd JSON {path: content}: re-render with no network
  objects       TEXT NOT NULL,                   -- JSON array of rendered objects: re-apply with no network
  object_count  INTEGER NOT NULL,
  status        TEXT NOT NULL DEFAULT 'stored' CHECK (status IN ('stored','applied','failed')),
  message       TEXT,
  pinned        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sync_runs (
  id            INTEGER PRIMARY KEY,
  trigger       TEXT NOT NULL,                   -- schedule | button | cli | upload | startup
  actor         TEXT,
  started_at    TEXT NOT NULL,
  finished_at   TEXT,
  revision_id   INTEGER REFERENCES revisions(id) ON DELETE SET NULL,
  result        TEXT NOT NULL DEFAULT 'running'
                CHECK (result IN ('running','succeeded','failed','rolled-back')),
  reason        TEXT,                            -- FetchFailed | RenderFailed | ValidationFailed | ApplyFailed ...
  message       TEXT,
  stages        TEXT NOT NULL DEFAULT '[]',      -- JSON [{stage, at, ms}]
  changes       TEXT NOT NULL DEFAULT '[]',      -- JSON [{ref, action, error?}]
  duration_ms   INTEGER
);
CREATE INDEX sync_runs_started ON sync_runs(started_at);

CREATE TABLE inventory (
  revision_id   INTEGER NOT NULL REFERENCES revisions(id) ON DELETE CASCADE,
  api_version   TEXT NOT NULL,
  kind          TEXT NOT NULL,
  namespace     TEXT NOT NULL DEFAULT '',
  name          TEXT NOT NULL,
  PRIMARY KEY (revision_id, api_version, kind, namespace, name)
);

CREATE TABLE state (
  key           TEXT PRIMARY KEY,
  value         TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);

CREATE TABLE audit (
  id            INTEGER PRIMARY KEY,
  at            TEXT NOT NULL,
  actor         TEXT NOT NULL,
  role          TEXT,
  source        TEXT,                            -- address or 'cli' / 'scheduler'
  action        TEXT NOT NULL,
  target        TEXT,
  result        TEXT NOT NULL,
  detail        TEXT
);
-- The audit log is append-only: history cannot be rewritten through SQL either.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
`;
