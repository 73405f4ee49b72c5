// Thirteenth schema step: what a technician recognises a revision by, beside its digest (issue 15): a git commit's
// subject, author and time, an upload's file name and uploader. Cleaned and bounded before they are stored
// (sources/label.ts); null for revisions stored before this step and for sources that have none.
export const V13_REVISION_LABELS = `
ALTER TABLE revisions ADD COLUMN subject      TEXT; -- git: the commit message's first line (<= 200 characters)
ALTER TABLE revisions ADD COLUMN author       TEXT; -- git: the commit author's name (<= 100 characters)
ALTER TABLE revisions ADD COLUMN committed_at TEXT; -- git: the commit time, RFC 3339
ALTER TABLE revisions ADD COLUMN upload_name  TEXT; -- upload: the bundle's file name as uploaded
ALTER TABLE revisions ADD COLUMN uploaded_by  TEXT; -- upload: the console user or cli:<user> who uploaded it
`;
