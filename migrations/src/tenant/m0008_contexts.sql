-- Contexts ("espaces"): variants of the portal for an audience (Familles, Entreprises…), each
-- at `/<code>` (and optionally its own host, in platform.tenant_hosts), with its own texts,
-- theme overrides and bouquet of démarches. The plain portal is the default context and has no
-- row here.
CREATE TABLE contexts (
    id              uuid PRIMARY KEY,
    -- The URL path segment; the application also refuses the portal's own top-level paths.
    code            text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name            text NOT NULL,
    welcome_text    text NOT NULL DEFAULT '',
    help_text       text NOT NULL DEFAULT '',
    -- NULL: the commune's own colour.
    primary_color   text,
    secondary_color text,
    position        integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- A démarche may belong to several contexts.
CREATE TABLE context_demarches (
    context_id  uuid NOT NULL REFERENCES contexts (id) ON DELETE CASCADE,
    demarche_id uuid NOT NULL REFERENCES demarches (id) ON DELETE CASCADE,
    PRIMARY KEY (context_id, demarche_id)
);
CREATE INDEX context_demarches_demarche_idx ON context_demarches (demarche_id);

-- Deleted contexts, so that their old links fall back to the plain portal with a notice
-- naming them, while an address that never was a context stays a 404.
CREATE TABLE retired_contexts (
    code       text PRIMARY KEY,
    name       text NOT NULL,
    retired_at timestamptz NOT NULL DEFAULT now()
);

-- The context a draft was started through, and the dossier was submitted through. Text, not a
-- foreign key: deleting a context never touches dossiers; the name is kept for the back office.
ALTER TABLE dossier_drafts ADD COLUMN context_code text;
ALTER TABLE dossiers ADD COLUMN context_code text, ADD COLUMN context_name text;
