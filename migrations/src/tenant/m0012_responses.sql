-- Responses to dossiers: a letter drafted from a template, sent through a visa/signature
-- circuit, frozen once signed, then dispatched (mail, portal, post).

-- Saved circuits: ordered steps, each for one agent or one service.
CREATE TABLE circuit_models (
    id         uuid PRIMARY KEY,
    name       text NOT NULL CHECK (length(trim(name)) > 0),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX circuit_models_name_idx ON circuit_models (lower(name));

CREATE TABLE circuit_model_steps (
    model_id   uuid NOT NULL REFERENCES circuit_models (id) ON DELETE CASCADE,
    position   integer NOT NULL CHECK (position >= 0),
    kind       text NOT NULL CHECK (kind IN ('visa', 'signature')),
    user_id    uuid REFERENCES users (id) ON DELETE CASCADE,
    service_id uuid REFERENCES services (id) ON DELETE CASCADE,
    PRIMARY KEY (model_id, position),
    CHECK ((user_id IS NULL) <> (service_id IS NULL))
);

CREATE TABLE dossier_responses (
    id            uuid PRIMARY KEY,
    dossier_id    uuid NOT NULL REFERENCES dossiers (id),
    -- No foreign key: a template may change or go, the response keeps its name.
    template_id   uuid NOT NULL,
    template_name text NOT NULL,
    free_text     text NOT NULL DEFAULT '',
    status        text NOT NULL DEFAULT 'draft'
                  CHECK (status IN ('draft', 'in_circuit', 'signed', 'dispatched')),
    -- The position of the step waiting for its action, while in circuit.
    current_step  integer CHECK (current_step >= 0),
    -- Why the circuit sent the letter back to its author, shown while it is a draft again.
    returned_comment text,
    by_email      boolean NOT NULL DEFAULT false,
    by_portal     boolean NOT NULL DEFAULT false,
    by_postal     boolean NOT NULL DEFAULT false,
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    pdf           bytea,
    pdf_sha256    text,
    signed_at     timestamptz,
    signed_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    on_behalf_of  uuid REFERENCES users (id) ON DELETE SET NULL,
    dispatched_at timestamptz,
    CHECK ((status = 'in_circuit') = (current_step IS NOT NULL)),
    -- Signed means a PDF whose recorded hash is its own.
    CHECK ((status IN ('signed', 'dispatched')) = (pdf IS NOT NULL AND signed_at IS NOT NULL)),
    CHECK (pdf IS NULL OR pdf_sha256 = encode(sha256(pdf), 'hex'))
);
CREATE INDEX dossier_responses_dossier_idx ON dossier_responses (dossier_id, created_at);

-- A signed letter is frozen: what was signed is what the citizen receives, forever. The
-- service refuses it first; this is the last line, for any other writer.
CREATE FUNCTION dossier_responses_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status IN ('signed', 'dispatched') THEN
            RAISE EXCEPTION 'dossier response % is signed and cannot be deleted', OLD.id;
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status IN ('signed', 'dispatched') AND (
           NEW.status NOT IN ('signed', 'dispatched')
        OR NEW.free_text IS DISTINCT FROM OLD.free_text
        OR NEW.pdf IS DISTINCT FROM OLD.pdf
        OR NEW.pdf_sha256 IS DISTINCT FROM OLD.pdf_sha256
        OR NEW.template_id IS DISTINCT FROM OLD.template_id
        OR NEW.dossier_id IS DISTINCT FROM OLD.dossier_id
        OR NEW.signed_at IS DISTINCT FROM OLD.signed_at
        OR NEW.signed_by IS DISTINCT FROM OLD.signed_by
        OR NEW.on_behalf_of IS DISTINCT FROM OLD.on_behalf_of) THEN
        RAISE EXCEPTION 'dossier response % is signed and cannot change', OLD.id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER dossier_responses_frozen BEFORE UPDATE OR DELETE ON dossier_responses
    FOR EACH ROW EXECUTE FUNCTION dossier_responses_frozen();

-- The circuit of one response, in order. A step names one agent or one service.
CREATE TABLE response_steps (
    response_id uuid NOT NULL REFERENCES dossier_responses (id) ON DELETE CASCADE,
    position    integer NOT NULL CHECK (position >= 0),
    kind        text NOT NULL CHECK (kind IN ('visa', 'signature')),
    user_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    service_id  uuid REFERENCES services (id) ON DELETE SET NULL,
    state       text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'signed', 'returned')),
    acted_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    acted_for   uuid REFERENCES users (id) ON DELETE SET NULL,
    acted_at    timestamptz,
    comment     text,
    PRIMARY KEY (response_id, position)
);
CREATE INDEX response_steps_user_idx ON response_steps (user_id) WHERE state <> 'signed';
CREATE INDEX response_steps_service_idx ON response_steps (service_id) WHERE state <> 'signed';

-- Each agent's handwritten signature, stamped on the letters they sign.
CREATE TABLE agent_signatures (
    user_id      uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/svg+xml')),
    bytes        bytea NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
