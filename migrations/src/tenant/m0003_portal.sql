-- One row: the commune's look on its portal.
CREATE TABLE branding (
    singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    primary_color   text NOT NULL DEFAULT '#000091' CHECK (primary_color ~ '^#[0-9a-f]{6}$'),
    secondary_color text NOT NULL DEFAULT '#e1000f' CHECK (secondary_color ~ '^#[0-9a-f]{6}$'),
    welcome_text    text NOT NULL DEFAULT '',
    updated_at      timestamptz NOT NULL DEFAULT now()
);
INSERT INTO branding DEFAULT VALUES;

-- The commune's news ("actualités") shown on the portal home page.
CREATE TABLE news (
    id           uuid PRIMARY KEY,
    title        text NOT NULL,
    body         text NOT NULL,
    author_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    published_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX news_published_idx ON news (published_at DESC);
