-- The platform operators' second factor: the tenant tables of m0017_second_factor, for
-- operators (see there), and the platform's "mandatory for operators" switch. Secrets are
-- bound to `platform/totp/<operator id>`.
CREATE TABLE platform.second_factors (
    account_id       uuid PRIMARY KEY REFERENCES platform.operators (id) ON DELETE CASCADE,
    secret           bytea NOT NULL,
    confirmed_at     timestamptz,
    last_step        bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    codes_to_show    bytea,
    codes_show_until timestamptz
);

CREATE TABLE platform.second_factor_recovery_codes (
    account_id uuid NOT NULL REFERENCES platform.operators (id) ON DELETE CASCADE,
    code_hash  bytea NOT NULL,
    used_at    timestamptz,
    PRIMARY KEY (account_id, code_hash)
);

CREATE TABLE platform.second_factor_challenges (
    token_hash bytea PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES platform.operators (id) ON DELETE CASCADE,
    return_to  text,
    failures   integer NOT NULL DEFAULT 0,
    expires_at timestamptz NOT NULL
);
CREATE INDEX second_factor_challenges_account_idx ON platform.second_factor_challenges (account_id);

CREATE TABLE platform.security_settings (
    singleton              boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    second_factor_required boolean NOT NULL DEFAULT false,
    updated_at             timestamptz NOT NULL DEFAULT now()
);
