-- The syndicate's default identity providers, inherited by communes that have none of their own
-- for the audience (same columns as a tenant's identity_providers; the secret is bound to the
-- platform schema).
CREATE TABLE platform.identity_providers (
    audience               text PRIMARY KEY CHECK (audience IN ('citizens', 'agents')),
    preset                 text NOT NULL DEFAULT 'custom' CHECK (preset IN ('custom', 'franceconnect', 'proconnect')),
    label                  text NOT NULL,
    issuer                 text NOT NULL,
    client_id              text NOT NULL,
    client_secret          bytea NOT NULL,
    scopes                 text NOT NULL,
    acr_values             text NOT NULL DEFAULT '',
    local_accounts_allowed boolean NOT NULL DEFAULT true,
    role_claim             text,
    role_mapping           jsonb NOT NULL DEFAULT '{}',
    provisioning           text NOT NULL DEFAULT 'refuse' CHECK (provisioning IN ('just_in_time', 'refuse')),
    enabled                boolean NOT NULL DEFAULT true,
    updated_at             timestamptz NOT NULL DEFAULT now()
);
