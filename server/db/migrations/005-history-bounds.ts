// Fifth schema step: bounded history — unchanged objects counted instead of listed, repeated unchanged scheduled
// runs folded into one row, and audit retention that can only drop the oldest entries.
export const V5_HISTORY_BOUNDS = `
ALTER TABLE sync_runs ADD COLUMN unchanged INTEGER NOT NULL DEFAULT 0;  -- objects already as wanted (not in changes)
ALTER TABLE sync_runs ADD COLUMN repeats INTEGER NOT NULL DEFAULT 1;    -- identical unchanged scheduled runs in this row
ALTER TABLE sync_runs ADD COLUMN first_at TEXT;                         -- start of the first of them (null: this run only)

CREATE INDEX audit_at ON audit(at);

-- Still append-only, except that retention may drop entries from the old end: the newest 1,000 stay untouchable.
DROP TRIGGER audit_no_delete;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  WHEN OLD.id > (SELECT max(id) FROM audit) - 1000
  BEGIN SELECT RAISE(ABORT, 'audit is append-only: only entries older than the newest 1000 may be dropped'); END;
`;
