-- The shared store of démarches: a catalogue across tenants. An entry is one démarche of one
-- publishing tenant; each publication adds an immutable version holding the exchange payload
-- (démarche document, instruction without the publisher's services, attachments, letters).
-- Nothing in a payload names the publisher's tenant, services, agents or citizens.
CREATE TABLE platform.store_entries (
    id                  uuid PRIMARY KEY,
    publisher_tenant_id uuid NOT NULL REFERENCES platform.tenants (id),
    publisher_name      text NOT NULL CHECK (length(trim(publisher_name)) > 0),
    -- The publisher's own démarche: republishing it adds a version to the same entry.
    source_demarche_id  uuid NOT NULL,
    title               text NOT NULL,
    description         text NOT NULL,
    domain              text NOT NULL,
    organism_type       text NOT NULL,
    -- hidden: out of the catalogue until an operator shows it again; withdrawn: for good.
    status              text NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'hidden', 'withdrawn')),
    featured            boolean NOT NULL DEFAULT false,
    import_count        integer NOT NULL DEFAULT 0,
    latest_version      integer NOT NULL CHECK (latest_version > 0),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (publisher_tenant_id, source_demarche_id)
);
CREATE INDEX store_entries_status_idx ON platform.store_entries (status, featured DESC, updated_at DESC);

CREATE TABLE platform.store_versions (
    entry_id     uuid NOT NULL REFERENCES platform.store_entries (id),
    version      integer NOT NULL CHECK (version > 0),
    payload      jsonb NOT NULL,
    notes        text NOT NULL DEFAULT '',
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entry_id, version)
);

-- Importers diff against the version they imported: versions never change.
CREATE FUNCTION platform.store_versions_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'store versions are immutable';
END
$$;
CREATE TRIGGER store_versions_immutable BEFORE UPDATE OR DELETE ON platform.store_versions
    FOR EACH ROW EXECUTE FUNCTION platform.store_versions_are_immutable();

-- Who imported what, for "most imported" and for the operators.
CREATE TABLE platform.store_imports (
    entry_id    uuid NOT NULL REFERENCES platform.store_entries (id),
    tenant_id   uuid NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    version     integer NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX store_imports_entry_idx ON platform.store_imports (entry_id, imported_at);
