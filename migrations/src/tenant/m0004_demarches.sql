-- A démarche being designed keeps its draft document (identity card + form, the versioned JSON
-- of app/src/demarches/document.rs) and is edited freely; publishing freezes a copy as its next
-- version. Dossiers will reference (demarche_id, version), so versions never change.
CREATE TABLE demarches (
    id              uuid PRIMARY KEY,
    draft           jsonb NOT NULL,
    state           text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published', 'closed')),
    current_version integer,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE demarche_versions (
    demarche_id  uuid NOT NULL REFERENCES demarches (id),
    version      integer NOT NULL CHECK (version > 0),
    document     jsonb NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    published_by uuid REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (demarche_id, version)
);

CREATE FUNCTION demarche_versions_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'published démarche versions are immutable';
END
$$;
CREATE TRIGGER demarche_versions_immutable BEFORE UPDATE OR DELETE ON demarche_versions
    FOR EACH ROW EXECUTE FUNCTION demarche_versions_are_immutable();
