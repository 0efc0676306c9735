-- A démarche imported from the shared store remembers where it came from: the entry, the
-- version, the publisher's name, and the document exactly as imported (the base against which
-- the commune's own changes are shown when a newer version is offered).
ALTER TABLE demarches
    ADD COLUMN store_entry_id  uuid,
    ADD COLUMN store_version   integer,
    ADD COLUMN store_publisher text,
    ADD COLUMN store_snapshot  jsonb;
-- A statement of its own: Citus refuses ADD CONSTRAINT with other subcommands.
ALTER TABLE demarches ADD CONSTRAINT demarches_store_provenance_check
    CHECK ((store_entry_id IS NULL) = (store_version IS NULL));
CREATE INDEX demarches_store_entry_idx ON demarches (store_entry_id) WHERE store_entry_id IS NOT NULL;
