// Fourth schema step: checksums beside each stored revision, and every revision that may still have objects on
// the cluster (a set, not one slot: two crashes in a row must not forget the first one's leftovers).
export const V4_STORE_SAFETY = `
ALTER TABLE revisions ADD COLUMN objects_sha256 TEXT;  -- hex sha256 of the objects text; null: stored before 004
ALTER TABLE revisions ADD COLUMN files_sha256 TEXT;    -- hex sha256 of the files blob (gzip bytes)

CREATE TABLE in_flight (
  revision_id   INTEGER PRIMARY KEY,             -- no foreign key: retention keeps these rows until cleaned up
  since         TEXT NOT NULL
);
INSERT OR IGNORE INTO in_flight (revision_id, since)
  SELECT json_extract(value, '$.revisionId'), updated_at FROM state
  WHERE key = 'in_flight' AND json_valid(value) AND json_extract(value, '$.revisionId') IS NOT NULL;
DELETE FROM state WHERE key = 'in_flight';
`;
