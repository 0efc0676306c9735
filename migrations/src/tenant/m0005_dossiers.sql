-- A citizen's démarche in progress. `key` is the secret that names the draft in URLs: it is all
-- an anonymous citizen has, so it is long and random. A draft stays on the version it was
-- started on, so a publication never changes a form under a citizen's feet.
CREATE TABLE dossier_drafts (
    id          uuid PRIMARY KEY,
    key         text NOT NULL UNIQUE,
    demarche_id uuid NOT NULL,
    version     integer NOT NULL,
    user_id     uuid REFERENCES users (id) ON DELETE CASCADE,
    answers     jsonb NOT NULL DEFAULT '{}',
    -- The problems found on the last "next"/"submit", shown again after the redirect.
    problems    jsonb NOT NULL DEFAULT '[]',
    step        integer NOT NULL DEFAULT 0 CHECK (step >= 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (demarche_id, version) REFERENCES demarche_versions (demarche_id, version)
);
CREATE INDEX dossier_drafts_user_idx ON dossier_drafts (user_id, demarche_id, updated_at DESC);

-- Per-year sequence of dossier references (2026-000123): gapless within a committed year,
-- since the row is locked by the submitting transaction.
CREATE TABLE dossier_counters (
    year integer PRIMARY KEY,
    last integer NOT NULL
);

CREATE TABLE dossiers (
    id              uuid PRIMARY KEY,
    reference       text NOT NULL UNIQUE,
    demarche_id     uuid NOT NULL,
    version         integer NOT NULL,
    user_id         uuid REFERENCES users (id) ON DELETE SET NULL,
    -- Anonymous dossiers are followed through a secret tracking link.
    tracking_key    text UNIQUE,
    contact_email   text,
    answers         jsonb NOT NULL,
    status          text NOT NULL,
    channel         text NOT NULL DEFAULT 'portal',
    submitted_at    timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (demarche_id, version) REFERENCES demarche_versions (demarche_id, version)
);
CREATE INDEX dossiers_user_idx ON dossiers (user_id, submitted_at DESC);

CREATE TABLE dossier_events (
    id          bigserial PRIMARY KEY,
    dossier_id  uuid NOT NULL REFERENCES dossiers (id),
    at          timestamptz NOT NULL DEFAULT now(),
    kind        text NOT NULL,
    status      text,
    by_user     uuid REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX dossier_events_dossier_idx ON dossier_events (dossier_id, id);

-- Pièces justificatives. The bytes live in the tenant's file store under `id`; a row belongs
-- to a draft until submission, then to the dossier.
CREATE TABLE attachments (
    id           uuid PRIMARY KEY,
    draft_id     uuid REFERENCES dossier_drafts (id) ON DELETE SET NULL,
    dossier_id   uuid REFERENCES dossiers (id),
    field_path   text NOT NULL,
    name         text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL CHECK (size >= 0),
    sha256       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_draft_idx ON attachments (draft_id);
CREATE INDEX attachments_dossier_idx ON attachments (dossier_id);

-- Set on submission: the draft then only redirects to its dossier (a second click on
-- "Envoyer" finds the dossier instead of an error or a duplicate).
ALTER TABLE dossier_drafts ADD COLUMN dossier_id uuid;
ALTER TABLE dossier_drafts ADD CONSTRAINT dossier_drafts_dossier_id_fkey
    FOREIGN KEY (dossier_id) REFERENCES dossiers (id);
