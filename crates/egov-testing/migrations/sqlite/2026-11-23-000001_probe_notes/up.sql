CREATE TABLE probe_notes (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
