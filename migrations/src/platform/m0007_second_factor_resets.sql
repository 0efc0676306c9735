-- An operator's lost second factor reset by another operator (see the tenant migration
-- m0018_sso_services_and_factor_resets).
CREATE TABLE platform.second_factor_resets (
    id         uuid PRIMARY KEY,
    account_id uuid REFERENCES platform.operators (id) ON DELETE SET NULL,
    reset_by   uuid REFERENCES platform.operators (id) ON DELETE SET NULL,
    reset_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX second_factor_resets_account_idx ON platform.second_factor_resets (account_id);
