-- Identity federation (OpenID Connect: FranceConnect for citizens, single sign-on for agents)
-- and agent deactivation.

-- Attributes certified by an identity provider (FranceConnect): given_name, family_name,
-- birthdate, birthplace, birthcountry, gender, preferred_username, email, provider, acr,
-- certified_at (identity::model::CertifiedIdentity). The citizen cannot edit them.
ALTER TABLE users ADD COLUMN certified_identity jsonb;
-- A deactivated agent signs in neither with a password nor through single sign-on.
ALTER TABLE users ADD COLUMN deactivated_at timestamptz;

-- A session opened through a provider keeps its ID token: logging out ends the provider's
-- session too (RP-initiated logout needs it as id_token_hint).
ALTER TABLE sessions ADD COLUMN id_token text;
ALTER TABLE sessions ADD COLUMN issuer text;

-- This commune's own providers, one per audience; without one, the platform's default for that
-- audience applies (platform.identity_providers).
CREATE TABLE identity_providers (
    audience               text PRIMARY KEY CHECK (audience IN ('citizens', 'agents')),
    preset                 text NOT NULL DEFAULT 'custom' CHECK (preset IN ('custom', 'franceconnect', 'proconnect')),
    label                  text NOT NULL,
    issuer                 text NOT NULL,
    client_id              text NOT NULL,
    -- Encrypted (infra::secrets, bound to this schema and purpose); never shown again.
    client_secret          bytea NOT NULL,
    scopes                 text NOT NULL,
    acr_values             text NOT NULL DEFAULT '',
    -- Citizens: whether local accounts (email and password) stay allowed next to the provider.
    local_accounts_allowed boolean NOT NULL DEFAULT true,
    -- Agents: the claim carrying groups or roles, and what its values map to
    -- ({"value": {"role": "manager", "services": ["<uuid>", …]}, …}).
    role_claim             text,
    role_mapping           jsonb NOT NULL DEFAULT '{}',
    -- Agents unknown to the commune: created with the mapped role, or refused.
    provisioning           text NOT NULL DEFAULT 'refuse' CHECK (provisioning IN ('just_in_time', 'refuse')),
    enabled                boolean NOT NULL DEFAULT true,
    updated_at             timestamptz NOT NULL DEFAULT now()
);

-- (issuer, sub) → account. `sub` is pairwise at FranceConnect (each service gets its own): it is a
-- link, never the identity's key, and is sent to nobody.
CREATE TABLE identity_links (
    issuer       text NOT NULL,
    subject      text NOT NULL,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX identity_links_user_idx ON identity_links (user_id);

-- Sign-ins in progress: one row per authorization request, used up by its callback.
CREATE TABLE identity_flows (
    state_hash    bytea PRIMARY KEY,
    audience      text NOT NULL CHECK (audience IN ('citizens', 'agents')),
    issuer        text NOT NULL,
    nonce         text NOT NULL,
    pkce_verifier text,
    return_to     text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);

-- A first sign-in whose email matches a local account: held until the citizen proves that
-- account's password (never linked on the email alone).
CREATE TABLE identity_pending_links (
    token_hash  bytea PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    issuer      text NOT NULL,
    subject     text NOT NULL,
    identity    jsonb NOT NULL,
    id_token    text,
    return_to   text,
    expires_at  timestamptz NOT NULL
);
