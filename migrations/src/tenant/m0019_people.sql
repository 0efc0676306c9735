-- The citizen relationship layer: the people behind accounts (and without one), the
-- organisations they represent, their households. Dossiers and drafts record on whose behalf
-- they were filed (the beneficiary).

-- One row per person the commune knows: every citizen account has one (created with the
-- account), a person met at the counter has one without an account.
CREATE TABLE people (
    id            uuid PRIMARY KEY,
    account_id    uuid UNIQUE,
    civility      text CHECK (civility IN ('madame', 'monsieur')),
    given_names   text NOT NULL DEFAULT '',
    birth_name    text NOT NULL DEFAULT '',
    usage_name    text,
    birth_date    date,
    birth_place   text,
    birth_country text,
    email         text,
    phone         text,
    -- demarches::model::Address
    address       jsonb,
    -- Where each attribute came from and how certain it is, by attribute name
    -- (people::model::Provenance): what prefill may lock and what an agent may edit.
    provenance    jsonb NOT NULL DEFAULT '{}',
    -- Set when the record was merged into another (usagers: duplicates); a merged record is
    -- kept, hidden, so that the merge can be undone exactly.
    merged_into   uuid,
    created_by    uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT people_account_id_fkey FOREIGN KEY (account_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT people_merged_into_fkey FOREIGN KEY (merged_into) REFERENCES people (id),
    CONSTRAINT people_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX people_birth_name_idx ON people (lower(birth_name));

-- The record's history: every change, by whom, with the values before and after.
CREATE TABLE person_events (
    id        bigserial PRIMARY KEY,
    person_id uuid NOT NULL,
    at        timestamptz NOT NULL DEFAULT now(),
    by_user   uuid,
    kind      text NOT NULL,
    detail    jsonb NOT NULL DEFAULT '{}',
    CONSTRAINT person_events_person_id_fkey FOREIGN KEY (person_id) REFERENCES people (id),
    CONSTRAINT person_events_by_user_fkey FOREIGN KEY (by_user) REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX person_events_person_idx ON person_events (person_id, id);

-- A household (foyer): a person belongs to at most one.
CREATE TABLE households (
    id          uuid PRIMARY KEY,
    referent_id uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT households_referent_id_fkey FOREIGN KEY (referent_id) REFERENCES people (id)
);

CREATE TABLE household_members (
    household_id uuid NOT NULL,
    person_id    uuid NOT NULL UNIQUE,
    relation     text NOT NULL CHECK (relation IN ('referent', 'conjoint', 'enfant', 'autre')),
    added_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (household_id, person_id),
    CONSTRAINT household_members_household_id_fkey FOREIGN KEY (household_id) REFERENCES households (id) ON DELETE CASCADE,
    CONSTRAINT household_members_person_id_fkey FOREIGN KEY (person_id) REFERENCES people (id)
);

-- Companies (SIRET, and its SIREN) and associations (RNA), checked by people::model.
CREATE TABLE organisations (
    id         uuid PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('entreprise', 'association')),
    name       text NOT NULL,
    siret      text UNIQUE CHECK (siret ~ '^[0-9]{14}$'),
    siren      text CHECK (siren ~ '^[0-9]{9}$'),
    rna        text UNIQUE CHECK (rna ~ '^W[0-9]{9}$'),
    address    jsonb,
    email      text,
    phone      text,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'entreprise') = (siret IS NOT NULL)),
    CHECK (kind = 'entreprise' OR rna IS NOT NULL),
    CONSTRAINT organisations_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
);

-- Who may act for an organisation (its "casquettes" on the portal).
CREATE TABLE organisation_representatives (
    organisation_id uuid NOT NULL,
    person_id       uuid NOT NULL,
    role            text NOT NULL DEFAULT '',
    added_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organisation_id, person_id),
    CONSTRAINT organisation_representatives_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES organisations (id) ON DELETE CASCADE,
    CONSTRAINT organisation_representatives_person_id_fkey FOREIGN KEY (person_id) REFERENCES people (id)
);
CREATE INDEX organisation_representatives_person_idx ON organisation_representatives (person_id);

-- On whose behalf a draft / dossier is filed: a person (the citizen, a household member) or an
-- organisation; none on dossiers filed before this layer existed.
ALTER TABLE dossier_drafts ADD COLUMN beneficiary_person_id uuid;
ALTER TABLE dossier_drafts ADD CONSTRAINT dossier_drafts_beneficiary_person_id_fkey
    FOREIGN KEY (beneficiary_person_id) REFERENCES people (id);
ALTER TABLE dossier_drafts ADD COLUMN beneficiary_organisation_id uuid;
ALTER TABLE dossier_drafts ADD CONSTRAINT dossier_drafts_beneficiary_organisation_id_fkey
    FOREIGN KEY (beneficiary_organisation_id) REFERENCES organisations (id);
ALTER TABLE dossiers ADD COLUMN beneficiary_person_id uuid;
ALTER TABLE dossiers ADD CONSTRAINT dossiers_beneficiary_person_id_fkey
    FOREIGN KEY (beneficiary_person_id) REFERENCES people (id);
ALTER TABLE dossiers ADD COLUMN beneficiary_organisation_id uuid;
ALTER TABLE dossiers ADD CONSTRAINT dossiers_beneficiary_organisation_id_fkey
    FOREIGN KEY (beneficiary_organisation_id) REFERENCES organisations (id);
CREATE INDEX dossiers_beneficiary_person_idx ON dossiers (beneficiary_person_id);
CREATE INDEX dossiers_beneficiary_organisation_idx ON dossiers (beneficiary_organisation_id);

-- Every existing citizen account gets its person, its display name split as well as it can be
-- (the last word as the name): the citizen completes it from "Mon compte".
INSERT INTO people (id, account_id, given_names, birth_name, email, provenance)
SELECT gen_random_uuid(), u.id,
       coalesce(u.certified_identity->>'given_name',
                btrim(regexp_replace(btrim(u.display_name), '\s*\S+$', ''))),
       coalesce(u.certified_identity->>'family_name',
                coalesce(substring(btrim(u.display_name) from '(\S+)$'), u.display_name)),
       u.email,
       '{}'::jsonb
  FROM users u
 WHERE u.kind = 'citizen';
