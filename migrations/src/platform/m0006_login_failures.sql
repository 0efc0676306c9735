-- Failed sign-in attempts, counted in the database so that every server process sees the
-- same count (app/src/infra/rate_limit.rs): one row per (scope, key), a window that opens at
-- the first failure and lasts 15 minutes. `scope` is the tenant schema (or `platform`, or
-- `<schema>/second-factor`), so one commune's rows never count for another.
CREATE TABLE platform.login_failures (
    scope        text        NOT NULL,
    key          text        NOT NULL,
    failures     integer     NOT NULL,
    window_start timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE INDEX login_failures_window ON platform.login_failures (window_start);
