-- A second factor for agents who sign in with a password: TOTP (RFC 6238), recovery codes,
-- sign-ins waiting for their code, and the commune's "mandatory for agents" switch.
-- The same four tables exist in the platform schema for operators (m0005_second_factor):
-- `account_id` is a user here, an operator there.

-- One authenticator per account. `secret` is the base32 key sealed with infra::secrets (bound
-- to `<schema>/totp/<account id>`); until `confirmed_at` is set the enrolment is pending (the
-- key was shown, no code confirmed it yet). `last_step` is the last accepted time step: a
-- code of that step or an earlier one is refused as replayed.
CREATE TABLE second_factors (
    account_id       uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret           bytea NOT NULL,
    confirmed_at     timestamptz,
    last_step        bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- Recovery codes just generated, sealed, until the page shows them once (then NULL).
    codes_to_show    bytea,
    codes_show_until timestamptz
);

-- Ten single-use recovery codes per account, only their SHA-256 (salted with the account id).
CREATE TABLE second_factor_recovery_codes (
    account_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  bytea NOT NULL,
    used_at    timestamptz,
    PRIMARY KEY (account_id, code_hash)
);

-- A correct password of an account with a second factor: no session yet, this challenge
-- (its token hashed, in a short-lived cookie) until the code is given.
CREATE TABLE second_factor_challenges (
    token_hash bytea PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    return_to  text,
    failures   integer NOT NULL DEFAULT 0,
    expires_at timestamptz NOT NULL
);
CREATE INDEX second_factor_challenges_account_idx ON second_factor_challenges (account_id);

-- One row at most: whether the commune's agents must have a second factor.
CREATE TABLE security_settings (
    singleton              boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    second_factor_required boolean NOT NULL DEFAULT false,
    updated_at             timestamptz NOT NULL DEFAULT now()
);
