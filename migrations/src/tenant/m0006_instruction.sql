-- The back office: the commune's organisation, how dossiers are routed and processed.

-- Org chart: Direction → Service → Pôle. Rights given on a service cover its sub-services.
CREATE TABLE services (
    id         uuid PRIMARY KEY,
    parent_id  uuid REFERENCES services (id),
    name       text NOT NULL CHECK (length(trim(name)) > 0),
    kind       text NOT NULL CHECK (kind IN ('direction', 'service', 'pole')),
    email      text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX services_name_idx ON services (COALESCE(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name));

-- Every commune starts with one service, so that every dossier always belongs to one.
INSERT INTO services (id, name, kind) VALUES ('00000000-0000-4000-8000-000000000001', 'Accueil', 'direction');

-- An agent's right on a service: consultation < modification < gestion.
CREATE TABLE service_members (
    service_id uuid NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    access     text NOT NULL CHECK (access IN ('consultation', 'modification', 'gestion')),
    PRIMARY KEY (service_id, user_id)
);
CREATE INDEX service_members_user_idx ON service_members (user_id);

-- While `from_user` is away, `to_user` acts on their dossiers with their rights, "on behalf of".
CREATE TABLE delegations (
    id         uuid PRIMARY KEY,
    from_user  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    to_user    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_on  date NOT NULL,
    ends_on    date NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on >= starts_on),
    CHECK (from_user <> to_user)
);
CREATE INDEX delegations_to_idx ON delegations (to_user, starts_on, ends_on);

-- Per démarche: workflow, routing rules and deadlines, as one validated document. A démarche
-- without a row uses the default workflow and routes everything to the first service.
CREATE TABLE demarche_instruction (
    demarche_id uuid PRIMARY KEY REFERENCES demarches (id) ON DELETE CASCADE,
    document    jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  uuid REFERENCES users (id) ON DELETE SET NULL
);

-- Constraints are added by name in their own statement (the names PostgreSQL would give):
-- Citus refuses a column added with an unnamed constraint.
ALTER TABLE dossiers
    ADD COLUMN service_id uuid,
    ADD COLUMN copy_services uuid[] NOT NULL DEFAULT '{}',
    ADD COLUMN assignee_id uuid,
    ADD COLUMN citizen_name text NOT NULL DEFAULT '',
    -- Deadlines, from the démarche's maximum processing time and alert threshold.
    ADD COLUMN due_on date,
    ADD COLUMN alert_on date,
    -- Silence vaut acceptation / rejet: the date the silence becomes a decision, if any.
    ADD COLUMN silence_on date,
    ADD COLUMN silence_kind text,
    -- A complement requested from the citizen: the dossier is open to their edits until they
    -- send it back, then returns to `complement_return`.
    ADD COLUMN complement_open boolean NOT NULL DEFAULT false,
    ADD COLUMN complement_return text,
    ADD COLUMN complement_message text,
    -- An agent's lock while they work; others read only until it expires.
    ADD COLUMN locked_by uuid,
    ADD COLUMN locked_until timestamptz,
    -- Bumped on every change of answers: an edit made on an older revision is refused.
    ADD COLUMN revision integer NOT NULL DEFAULT 0,
    -- Set when the dossier reaches a terminal status of its workflow; deadlines stop there.
    ADD COLUMN closed_at timestamptz,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE dossiers ADD CONSTRAINT dossiers_service_id_fkey
    FOREIGN KEY (service_id) REFERENCES services (id);
ALTER TABLE dossiers ADD CONSTRAINT dossiers_assignee_id_fkey
    FOREIGN KEY (assignee_id) REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE dossiers ADD CONSTRAINT dossiers_silence_kind_check
    CHECK (silence_kind IN ('acceptation', 'rejet'));
ALTER TABLE dossiers ADD CONSTRAINT dossiers_locked_by_fkey
    FOREIGN KEY (locked_by) REFERENCES users (id) ON DELETE SET NULL;

UPDATE dossiers SET service_id = '00000000-0000-4000-8000-000000000001',
    closed_at = CASE WHEN status IN ('accepte', 'refuse', 'sans_suite') THEN status_changed_at END;
ALTER TABLE dossiers ALTER COLUMN service_id SET NOT NULL;

CREATE INDEX dossiers_service_idx ON dossiers (service_id, submitted_at DESC);
CREATE INDEX dossiers_copies_idx ON dossiers USING gin (copy_services);
CREATE INDEX dossiers_assignee_idx ON dossiers (assignee_id, submitted_at DESC);
CREATE INDEX dossiers_due_idx ON dossiers (service_id, due_on) WHERE closed_at IS NULL;
CREATE INDEX dossiers_status_idx ON dossiers (service_id, status, submitted_at DESC);
CREATE INDEX dossiers_demarche_idx ON dossiers (demarche_id, submitted_at DESC);
-- The list's sort orders: a page of 50 walks an index and stops, whatever the tenant's size.
CREATE INDEX dossiers_submitted_idx ON dossiers (submitted_at DESC, id DESC);
CREATE INDEX dossiers_due_order_idx ON dossiers (due_on, submitted_at, id);
-- Selective filters get their own entry points, or the planner walks the date index for a
-- status or a late dossier that hardly any row has (seconds at 100,000 dossiers).
CREATE INDEX dossiers_status_order_idx ON dossiers (status, submitted_at DESC, id DESC);
CREATE INDEX dossiers_open_due_idx ON dossiers (due_on) WHERE closed_at IS NULL;

-- The complete history: who, when, what, on whose behalf. `request_id` makes a retried
-- transition a no-op: its actions already ran.
ALTER TABLE dossier_events
    ADD COLUMN on_behalf_of uuid,
    ADD COLUMN detail text,
    ADD COLUMN request_id uuid;
ALTER TABLE dossier_events ADD CONSTRAINT dossier_events_on_behalf_of_fkey
    FOREIGN KEY (on_behalf_of) REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE dossier_events ADD CONSTRAINT dossier_events_request_id_key UNIQUE (request_id);

CREATE TABLE dossier_notes (
    id           uuid PRIMARY KEY,
    dossier_id   uuid NOT NULL REFERENCES dossiers (id),
    author_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    on_behalf_of uuid REFERENCES users (id) ON DELETE SET NULL,
    visibility   text NOT NULL CHECK (visibility IN ('service', 'personal', 'citizen')),
    body         text NOT NULL CHECK (length(trim(body)) > 0),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dossier_notes_dossier_idx ON dossier_notes (dossier_id, created_at);

CREATE TABLE dossier_messages (
    id           uuid PRIMARY KEY,
    dossier_id   uuid NOT NULL REFERENCES dossiers (id),
    -- NULL author with from_citizen: an anonymous citizen through the tracking link.
    author_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    from_citizen boolean NOT NULL,
    body         text NOT NULL CHECK (length(trim(body)) > 0),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dossier_messages_dossier_idx ON dossier_messages (dossier_id, created_at);

CREATE TABLE dossier_links (
    dossier_id uuid NOT NULL REFERENCES dossiers (id),
    linked_id  uuid NOT NULL REFERENCES dossiers (id),
    PRIMARY KEY (dossier_id, linked_id),
    CHECK (dossier_id <> linked_id)
);

-- A piece's review: pending, valid, or refused with a reason the citizen reads.
ALTER TABLE attachments
    ADD COLUMN review text NOT NULL DEFAULT 'pending',
    ADD COLUMN refusal_reason text;
ALTER TABLE attachments ADD CONSTRAINT attachments_review_check
    CHECK (review IN ('pending', 'valid', 'refused'));

-- A complement is filled through the ordinary draft pages, on a draft that points back at the
-- dossier it completes.
ALTER TABLE dossier_drafts ADD COLUMN complement_of uuid;
ALTER TABLE dossier_drafts ADD CONSTRAINT dossier_drafts_complement_of_fkey
    FOREIGN KEY (complement_of) REFERENCES dossiers (id);
-- A draft an agent fills for a citizen at the counter or on the phone.
ALTER TABLE dossier_drafts
    ADD COLUMN channel text NOT NULL DEFAULT 'portal',
    ADD COLUMN for_email text;
ALTER TABLE dossier_drafts ADD CONSTRAINT dossier_drafts_channel_check
    CHECK (channel IN ('portal', 'guichet', 'telephone'));

-- Saved dossier-list filters, the agent's own or shared with a service.
CREATE TABLE saved_searches (
    id         uuid PRIMARY KEY,
    owner_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    service_id uuid REFERENCES services (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (length(trim(name)) > 0),
    query      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX saved_searches_owner_idx ON saved_searches (owner_id);

-- The daily digest is sent once per agent and day, whichever process gets there first.
CREATE TABLE agent_digests (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day     date NOT NULL,
    PRIMARY KEY (user_id, day)
);
