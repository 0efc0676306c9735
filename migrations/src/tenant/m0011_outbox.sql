-- Every mail gets its Message-ID when it is queued, so each retry (and the one duplicate SMTP
-- cannot rule out: a crash after the server's final 250 but before the row is marked sent)
-- carries the same identity and a recipient's mail system can recognise it.
ALTER TABLE mail_outbox ADD COLUMN message_id text;
UPDATE mail_outbox SET message_id = '<' || id::text || '@queued.guichet>';
-- Constraints in statements of their own: Citus refuses ADD CONSTRAINT with other subcommands.
ALTER TABLE mail_outbox ALTER COLUMN message_id SET NOT NULL;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_message_id_key UNIQUE (message_id);
ALTER TABLE mail_outbox
    -- The dossier a mail is about, if any: agents see a dossier's mails on its page.
    ADD COLUMN dossier_id uuid,
    -- An explicit HTML body; without one the transport wraps the text in the tenant's branding.
    ADD COLUMN html_body text;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_dossier_id_fkey
    FOREIGN KEY (dossier_id) REFERENCES dossiers (id) ON DELETE SET NULL;
CREATE INDEX mail_outbox_dossier_idx ON mail_outbox (dossier_id, created_at) WHERE dossier_id IS NOT NULL;
CREATE INDEX mail_outbox_status_idx ON mail_outbox (status, created_at);

CREATE TABLE mail_attachments (
    mail_id      uuid NOT NULL REFERENCES mail_outbox (id) ON DELETE CASCADE,
    position     integer NOT NULL,
    filename     text NOT NULL,
    content_type text NOT NULL,
    bytes        bytea NOT NULL,
    PRIMARY KEY (mail_id, position)
);

-- The commune's sender identity: the name shown in From and the address replies go to.
-- One row at most (the key is always true); no row means the defaults (branding's name, no
-- Reply-To).
CREATE TABLE mail_settings (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    sender_name text,
    reply_to    text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
