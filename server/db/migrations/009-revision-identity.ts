// Ninth schema step: a revision is identified by its fetched tree and its render inputs together, and runs name
// their trigger in the domain's words (issue 13).
// `digest` stays the unique identity; the tree digest and the render-inputs digest are kept beside it. Revisions
// stored before this step were identified by their tree alone: their inputs are unknown (null), so the first run
// after the upgrade stores the same tree again under its full identity.
export const V9_REVISION_IDENTITY = `
ALTER TABLE revisions ADD COLUMN source_digest TEXT;  -- sha256 over the fetched file tree
ALTER TABLE revisions ADD COLUMN inputs_digest TEXT;  -- sha256 over the render inputs (path, variables); null: before 009
UPDATE revisions SET source_digest = digest;
CREATE INDEX revisions_source ON revisions(source_digest);

-- The console's one "button" trigger is now sync-now, retry or rollback; older runs were all "Sync now" or alike.
UPDATE sync_runs SET trigger = 'sync-now' WHERE trigger = 'button';
`;
