-- Agents' single sign-on gives org chart rights too, and an admin can reset a lost second factor.

-- A membership the agents' provider's mapping gave (re-applied at each sign-on: removed when
-- the mapping no longer gives it); false for one an admin set, which sign-ons never touch.
ALTER TABLE service_members ADD COLUMN from_provider boolean NOT NULL DEFAULT false;

-- Who reset whose second factor, and when (the agent enrols again at their next sign-in when
-- the commune requires one). `reset_by` is the admin; kept when either account goes.
CREATE TABLE second_factor_resets (
    id         uuid PRIMARY KEY,
    account_id uuid REFERENCES users (id) ON DELETE SET NULL,
    reset_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    reset_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX second_factor_resets_account_idx ON second_factor_resets (account_id);
