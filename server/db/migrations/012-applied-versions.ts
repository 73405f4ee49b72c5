// Twelfth schema step: what Outpost last verified of each applied object, so an unchanged resync needs no dry run.
export const V12_APPLIED_VERSIONS = `
ALTER TABLE inventory ADD COLUMN desired_digest   TEXT NOT NULL DEFAULT ''; -- sha256 of the object as Outpost sends it
ALTER TABLE inventory ADD COLUMN resource_version TEXT NOT NULL DEFAULT ''; -- the live version known to hold it
ALTER TABLE inventory ADD COLUMN generation       INTEGER;                  -- its metadata.generation, when the kind has one
ALTER TABLE inventory ADD COLUMN uid              TEXT NOT NULL DEFAULT '';
ALTER TABLE inventory ADD COLUMN fields_digest    TEXT NOT NULL DEFAULT ''; -- sha256 of the fields Outpost's manager owns
`;
