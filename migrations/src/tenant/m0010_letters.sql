-- Letter templates, written in typst with merge fields (app/src/letters/). A save never leaves
-- a broken template: the application renders it before writing it. `version` guards against
-- silent overwrites between two editors.
CREATE TABLE letter_templates (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 120),
    kind        text NOT NULL CHECK (kind IN ('accuse_reception', 'demande_complement', 'reponse_favorable',
                    'reponse_defavorable', 'attestation', 'convocation', 'autre')),
    source      text NOT NULL CHECK (length(source) BETWEEN 1 AND 100000),
    version     integer NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  uuid REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX letter_templates_kind_idx ON letter_templates (kind, name);

-- Mail merges (publipostage): a template × a selection, run by the background job, which
-- writes its result to the tenant's file store and reports its progress here.
CREATE TABLE mail_merges (
    id           uuid PRIMARY KEY,
    template_id  uuid NOT NULL REFERENCES letter_templates (id),
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    -- The dossier ids chosen when the merge was asked for (a saved search is resolved then,
    -- with the agent's rights): what the agent saw is what is merged.
    dossier_ids  uuid[] NOT NULL,
    output       text NOT NULL CHECK (output IN ('pdf', 'zip')),
    send_emails  boolean NOT NULL DEFAULT false,
    free_text    text NOT NULL DEFAULT '',
    status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'cancelled', 'failed')),
    total        integer NOT NULL CHECK (total >= 0),
    done         integer NOT NULL DEFAULT 0,
    emails       integer NOT NULL DEFAULT 0,
    error        text,
    result_size  bigint,
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE INDEX mail_merges_created_idx ON mail_merges (created_at DESC);

INSERT INTO letter_templates (id, name, kind, source) VALUES
(gen_random_uuid(), 'Accusé de réception', 'accuse_reception', $typ$#align(right)[#collectivite.nom, le #date.aujourdhui]

#v(1em)
*#citoyen.nom* \
#citoyen.courriel

#v(1.5em)
*Objet : accusé de réception de votre demande « #demarche.titre »*

Madame, Monsieur,

Nous avons bien reçu le #dossier.depot votre demande « #demarche.titre », enregistrée sous la référence *#dossier.reference*.

Elle sera instruite par nos services ; vous pouvez en suivre l'avancement à tout moment depuis votre espace : #dossier.lien

En l'absence de réponse dans les délais prévus par les textes applicables à cette démarche, la règle applicable vous sera indiquée lors de son instruction.

Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.

#align(right)[Les services de #collectivite.nom]
$typ$),
(gen_random_uuid(), 'Demande de complément', 'demande_complement', $typ$#align(right)[#collectivite.nom, le #date.aujourdhui]

*#citoyen.nom*

#v(1.5em)
*Objet : demande de pièces complémentaires — dossier #dossier.reference*

Madame, Monsieur,

Votre demande « #demarche.titre » déposée le #dossier.depot ne peut être instruite en l'état.

#texte-libre()

Vous pouvez compléter votre dossier depuis votre espace : #dossier.lien

Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.

#signature()
$typ$),
(gen_random_uuid(), 'Réponse favorable', 'reponse_favorable', $typ$#align(right)[#collectivite.nom, le #date.aujourdhui]

*#citoyen.nom*

#v(1.5em)
*Objet : #demarche.titre — dossier #dossier.reference*

Madame, Monsieur,

J'ai le plaisir de vous informer que votre demande « #demarche.titre », déposée le #dossier.depot, a reçu un avis favorable.

#texte-libre()

Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.

#signature()
$typ$),
(gen_random_uuid(), 'Réponse défavorable', 'reponse_defavorable', $typ$#align(right)[#collectivite.nom, le #date.aujourdhui]

*#citoyen.nom*

#v(1.5em)
*Objet : #demarche.titre — dossier #dossier.reference*

Madame, Monsieur,

J'ai le regret de vous informer que votre demande « #demarche.titre », déposée le #dossier.depot, ne peut recevoir une suite favorable.

#texte-libre()

Cette décision peut faire l'objet d'un recours gracieux auprès de #collectivite.nom ou d'un recours contentieux devant le tribunal administratif dans un délai de deux mois à compter de sa notification.

Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.

#signature()
$typ$),
(gen_random_uuid(), 'Attestation', 'attestation', $typ$#v(2em)
#align(center)[#text(size: 18pt, weight: "bold")[Attestation]]
#v(2em)

#collectivite.nom atteste que la demande « #demarche.titre » présentée par *#citoyen.nom*, enregistrée le #dossier.depot sous la référence *#dossier.reference*, se trouve au statut « #dossier.statut » depuis le #dossier.date-statut.

#texte-libre()

Attestation délivrée pour servir et valoir ce que de droit.

#align(right)[Fait à #collectivite.nom, le #date.aujourdhui]

#signature()
$typ$),
(gen_random_uuid(), 'Convocation', 'convocation', $typ$#align(right)[#collectivite.nom, le #date.aujourdhui]

*#citoyen.nom*

#v(1.5em)
*Objet : convocation — dossier #dossier.reference*

Madame, Monsieur,

Dans le cadre de l'instruction de votre demande « #demarche.titre », vous êtes invité(e) à vous présenter :

#texte-libre()

Merci de vous munir d'une pièce d'identité et de la présente convocation.

#signature()
$typ$);
