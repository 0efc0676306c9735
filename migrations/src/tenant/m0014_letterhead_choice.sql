-- What a letter template prints at the top of its pages (app/src/letters/): the commune's
-- letterhead, none (pre-printed paper), or its own, written in the template with #en-tete[…].
ALTER TABLE letter_templates ADD COLUMN letterhead text NOT NULL DEFAULT 'commune';
-- Named, in a statement of its own: Citus wants every constraint named.
ALTER TABLE letter_templates ADD CONSTRAINT letter_templates_letterhead_check
    CHECK (letterhead IN ('commune', 'aucun', 'propre'));
