-- The agents' 360° view of a person (usagers): internal notes on the person, and what the
-- search index's catch-up reads.

-- Notes agents keep on a person: internal, never shown to the citizen.
CREATE TABLE person_notes (
    id         uuid PRIMARY KEY,
    person_id  uuid NOT NULL,
    author_id  uuid,
    body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT person_notes_person_id_fkey FOREIGN KEY (person_id) REFERENCES people (id),
    CONSTRAINT person_notes_author_id_fkey FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX person_notes_person_idx ON person_notes (person_id, created_at);

-- The people search index catches up with records changed since its watermark.
CREATE INDEX people_updated_idx ON people (updated_at);
-- A person's dossiers as owner (people.account_id = dossiers.user_id: dossiers_user_idx) and
-- as beneficiary (dossiers_beneficiary_person_idx) are already indexed.
