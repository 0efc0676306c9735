-- Duplicate people (usagers: doublons): the commune's detection rules in the form of Lutece's
-- identity store, the suspected pairs awaiting an agent, the merges (kept whole so that they can
-- be undone), the blocking keys SQL cannot compute, and the runs of the nightly detection.

-- A rule: attribute codes (duplicates::model::attribute_code) in JSON arrays.
CREATE TABLE duplicate_rules (
    id              uuid PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    priority        integer NOT NULL CHECK (priority BETWEEN 1 AND 99),
    active          boolean NOT NULL DEFAULT true,
    filled          jsonb NOT NULL DEFAULT '[]',
    equal           jsonb NOT NULL DEFAULT '[]',
    missing_allowed jsonb NOT NULL DEFAULT '[]',
    approximate     jsonb NOT NULL DEFAULT '[]',
    different       jsonb NOT NULL DEFAULT '[]',
    updated_at      timestamptz NOT NULL DEFAULT now()
);

INSERT INTO duplicate_rules (id, name, priority, equal, missing_allowed, approximate) VALUES
    (gen_random_uuid(), 'Même nom, prénom et date de naissance', 1,
     '["birth_date"]', '[]', '["given_names", "birth_name"]'),
    (gen_random_uuid(), 'Même courriel et nom approchant', 2,
     '["email"]', '["birth_date"]', '["given_names", "birth_name", "birth_date"]'),
    (gen_random_uuid(), 'Même téléphone et nom approchant', 3,
     '["phone"]', '["birth_date"]', '["given_names", "birth_name", "birth_date"]'),
    (gen_random_uuid(), 'Même lieu de naissance, nom et date de naissance approchants', 4,
     '["birth_place"]', '[]', '["given_names", "birth_name", "birth_date"]');

-- A pair of records that may be one person, ordered by id; one row per pair for ever, so that
-- a pair declared distinct is never proposed again.
CREATE TABLE duplicate_suspicions (
    id         uuid PRIMARY KEY,
    person_a   uuid NOT NULL,
    person_b   uuid NOT NULL,
    rule_id    uuid,
    -- Kept if the rule is deleted.
    rule_name  text NOT NULL,
    score      integer NOT NULL,
    status     text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'merged', 'distinct')),
    found_by   text NOT NULL CHECK (found_by IN ('creation', 'job')),
    found_at   timestamptz NOT NULL DEFAULT now(),
    decided_by uuid,
    decided_at timestamptz,
    CHECK (person_a < person_b),
    CONSTRAINT duplicate_suspicions_pair_key UNIQUE (person_a, person_b),
    CONSTRAINT duplicate_suspicions_person_a_fkey FOREIGN KEY (person_a) REFERENCES people (id),
    CONSTRAINT duplicate_suspicions_person_b_fkey FOREIGN KEY (person_b) REFERENCES people (id),
    CONSTRAINT duplicate_suspicions_rule_id_fkey FOREIGN KEY (rule_id) REFERENCES duplicate_rules (id) ON DELETE SET NULL,
    CONSTRAINT duplicate_suspicions_decided_by_fkey FOREIGN KEY (decided_by) REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX duplicate_suspicions_open_idx ON duplicate_suspicions (found_at) WHERE status = 'open';
CREATE INDEX duplicate_suspicions_person_b_idx ON duplicate_suspicions (person_b);

-- A merge: both records as they were (full rows), the link rows that moved to the survivor
-- ([{table, column, key}] — key: the row's primary key after the move) and those dropped
-- because the survivor already had the same ([{table, row}]), what was chosen, by whom.
CREATE TABLE person_merges (
    id          uuid PRIMARY KEY,
    survivor_id uuid NOT NULL,
    merged_id   uuid NOT NULL,
    before      jsonb NOT NULL,
    moved       jsonb NOT NULL DEFAULT '[]',
    removed     jsonb NOT NULL DEFAULT '[]',
    choices     jsonb NOT NULL DEFAULT '{}',
    merged_by   uuid,
    merged_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    undone_by   uuid,
    undone_at   timestamptz,
    CONSTRAINT person_merges_survivor_id_fkey FOREIGN KEY (survivor_id) REFERENCES people (id),
    CONSTRAINT person_merges_merged_id_fkey FOREIGN KEY (merged_id) REFERENCES people (id),
    CONSTRAINT person_merges_merged_by_fkey FOREIGN KEY (merged_by) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT person_merges_undone_by_fkey FOREIGN KEY (undone_by) REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX person_merges_survivor_idx ON person_merges (survivor_id);
CREATE INDEX person_merges_merged_idx ON person_merges (merged_id);

-- Blocking keys of a person that SQL cannot compute (phonetic name keys, normalised phone):
-- how a new record finds its candidates without reading everyone. Rewritten by the detection.
CREATE TABLE person_match_keys (
    person_id uuid NOT NULL,
    key       text NOT NULL,
    PRIMARY KEY (person_id, key),
    CONSTRAINT person_match_keys_person_id_fkey FOREIGN KEY (person_id) REFERENCES people (id) ON DELETE CASCADE
);
CREATE INDEX person_match_keys_key_idx ON person_match_keys (key);
CREATE INDEX people_birth_date_idx ON people (birth_date);
CREATE INDEX people_email_idx ON people (lower(email));

-- Runs of the full detection; `day` is set for the nightly one, which runs once a day whichever
-- process claims it first.
CREATE TABLE duplicate_runs (
    id          bigserial PRIMARY KEY,
    day         date UNIQUE,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    people      integer NOT NULL DEFAULT 0,
    compared    bigint NOT NULL DEFAULT 0,
    found       integer NOT NULL DEFAULT 0
);
