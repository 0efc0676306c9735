-- The citizen's document wallet (porte-documents): pieces kept once and attached to any
-- démarche as copies. Pieces belong to a person (not an account), so that merging two person
-- records moves them with the rest.

-- The kinds of piece a commune accepts in wallets, each with how long a piece stays valid
-- from the date of the document (none: it does not expire).
CREATE TABLE wallet_piece_types (
    id              uuid PRIMARY KEY,
    label           text NOT NULL CHECK (length(label) BETWEEN 1 AND 120),
    validity_months integer CHECK (validity_months IS NULL OR validity_months BETWEEN 1 AND 1200),
    active          boolean NOT NULL DEFAULT true,
    position        integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX wallet_piece_types_label_idx ON wallet_piece_types (lower(label));

INSERT INTO wallet_piece_types (id, label, validity_months, position) VALUES
    (gen_random_uuid(), 'Justificatif de domicile', 3, 1),
    (gen_random_uuid(), 'Attestation CAF / quotient familial', 12, 2),
    (gen_random_uuid(), 'Pièce d''identité', 120, 3),
    (gen_random_uuid(), 'RIB', NULL, 4),
    (gen_random_uuid(), 'Livret de famille', NULL, 5);

-- One piece: its bytes are in the tenant's file store under the piece's id. A copy attached
-- to a draft or a dossier is a new attachment with its own id and bytes: deleting one never
-- touches the other.
CREATE TABLE wallet_pieces (
    id                uuid PRIMARY KEY,
    person_id         uuid NOT NULL,
    type_id           uuid NOT NULL,
    name              text NOT NULL,
    content_type      text NOT NULL,
    size              bigint NOT NULL CHECK (size >= 0),
    sha256            text NOT NULL,
    -- The date on the document (issue date): the expiry counts from it.
    document_date     date NOT NULL,
    expires_on        date,
    -- 'citizen': déposé par l'usager; 'agent': validé par la mairie on a dossier.
    origin            text NOT NULL CHECK (origin IN ('citizen', 'agent')),
    source_attachment uuid,
    validated_by      uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT wallet_pieces_person_id_fkey FOREIGN KEY (person_id) REFERENCES people (id),
    CONSTRAINT wallet_pieces_type_id_fkey FOREIGN KEY (type_id) REFERENCES wallet_piece_types (id),
    CONSTRAINT wallet_pieces_source_attachment_fkey FOREIGN KEY (source_attachment)
        REFERENCES attachments (id) ON DELETE SET NULL,
    CONSTRAINT wallet_pieces_validated_by_fkey FOREIGN KEY (validated_by)
        REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX wallet_pieces_person_idx ON wallet_pieces (person_id);
