-- On whose behalf a draft / dossier is filed, as lists show it: the kind of beneficiary and
-- their name as it was when the draft was started (like dossiers.citizen_name, a snapshot:
-- a list of thousands of dossiers filters and shows it without joining people and
-- organisations, and a later rename of the record does not rewrite what was filed).
ALTER TABLE dossier_drafts ADD COLUMN beneficiary_kind text;
ALTER TABLE dossier_drafts ADD CONSTRAINT dossier_drafts_beneficiary_kind_check
    CHECK (beneficiary_kind IN ('soi', 'personne', 'enfant', 'organisation'));
ALTER TABLE dossier_drafts ADD COLUMN beneficiary_name text;
ALTER TABLE dossiers ADD COLUMN beneficiary_kind text;
ALTER TABLE dossiers ADD CONSTRAINT dossiers_beneficiary_kind_check
    CHECK (beneficiary_kind IN ('soi', 'personne', 'enfant', 'organisation'));
ALTER TABLE dossiers ADD COLUMN beneficiary_name text;
CREATE INDEX dossiers_beneficiary_kind_idx ON dossiers (beneficiary_kind);
