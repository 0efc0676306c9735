-- A refused piece the citizen replaced: the old row stays with its dossier (agents can still
-- open it, the history names it) and points at the piece that replaced it. Current pieces are
-- those not replaced.
ALTER TABLE attachments ADD COLUMN replaced_by uuid;
ALTER TABLE attachments ADD CONSTRAINT attachments_replaced_by_fkey
    FOREIGN KEY (replaced_by) REFERENCES attachments (id);
CREATE UNIQUE INDEX attachments_replaced_by_idx ON attachments (replaced_by) WHERE replaced_by IS NOT NULL;
