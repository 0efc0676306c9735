-- The whole look of the commune as one versioned document (name, colours, font, logo, banner,
-- footer, legal pages). `branding.document` is the current version; every saved version is kept
-- in `branding_versions` so that any of them can be restored. The colour columns of m0003 stay
-- in step with the document (their CHECKs remain a last line of defence).
ALTER TABLE branding
    ADD COLUMN document jsonb,
    ADD COLUMN version integer NOT NULL DEFAULT 1;

-- Built first, then written as a value: Citus refuses an UPDATE whose SET calls a STABLE
-- function (jsonb_build_object) on the row's columns. `branding` has one row.
DO $$
DECLARE
    built jsonb;
BEGIN
    SELECT jsonb_build_object(
        'look', jsonb_build_object(
            'primary_color', primary_color,
            'secondary_color', secondary_color,
            'welcome_text', welcome_text),
        'legal', jsonb_build_object())
    INTO built FROM branding;
    UPDATE branding SET document = built;
END
$$;
ALTER TABLE branding ALTER COLUMN document SET NOT NULL;

CREATE TABLE branding_versions (
    version       integer PRIMARY KEY,
    document      jsonb NOT NULL,
    saved_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    saved_at      timestamptz NOT NULL DEFAULT now(),
    -- A restore is a new version equal to an older one: history only grows.
    restored_from integer
);
-- Through variables, not INSERT … SELECT: Citus 13.2 pushes an INSERT … SELECT between two
-- tables of one tenant schema down with a broken filter (`WHERE ( IS NOT NULL)`).
DO $$
DECLARE
    current_version integer;
    current_document jsonb;
BEGIN
    SELECT version, document INTO current_version, current_document FROM branding;
    INSERT INTO branding_versions (version, document) VALUES (current_version, current_document);
END
$$;

-- Logos and banners, named by the SHA-256 of their bytes (content-hashed URLs: cached forever,
-- a change is a new name). Kept in the tenant's schema, so another commune's host cannot reach
-- them, and written in the same transaction as the rest.
CREATE TABLE branding_assets (
    name         text PRIMARY KEY CHECK (name ~ '^[0-9a-f]{32}\.(png|jpg|svg)$'),
    content_type text NOT NULL,
    bytes        bytea NOT NULL,
    width        integer,
    height       integer,
    created_at   timestamptz NOT NULL DEFAULT now()
);
