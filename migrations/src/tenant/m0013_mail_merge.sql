-- Mail merges as the job runs them: where the result is in the tenant's file store, what the
-- selection was (shown in the list), and how many dossiers had no address to mail to.
ALTER TABLE mail_merges
    ADD COLUMN result_key uuid,
    ADD COLUMN selection text NOT NULL DEFAULT '',
    ADD COLUMN no_email integer NOT NULL DEFAULT 0,
    -- Moved by the job after each batch: a running merge whose heartbeat stopped was left by a
    -- process that died.
    ADD COLUMN heartbeat_at timestamptz;
-- The job's sweep looks for queued and interrupted merges.
CREATE INDEX mail_merges_status_idx ON mail_merges (status) WHERE status IN ('queued', 'running');
