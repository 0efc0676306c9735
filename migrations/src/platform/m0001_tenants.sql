CREATE TABLE platform.tenants (
    id          uuid PRIMARY KEY,
    slug        text NOT NULL UNIQUE,
    name        text NOT NULL,
    schema_name text NOT NULL UNIQUE,
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Custom domains; `<slug>.<base domain>` is derived from the slug and not stored.
CREATE TABLE platform.tenant_hosts (
    host       text PRIMARY KEY,
    tenant_id  uuid NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tenant_hosts_tenant_idx ON platform.tenant_hosts (tenant_id);

CREATE TABLE platform.operators (
    id            uuid PRIMARY KEY,
    email         text NOT NULL UNIQUE,
    display_name  text NOT NULL,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE platform.operator_sessions (
    token_hash  bytea PRIMARY KEY,
    operator_id uuid NOT NULL REFERENCES platform.operators (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
