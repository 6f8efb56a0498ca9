-- 0001_org: the organisation, sign-in, API tokens and the audit log.
-- Portable subset: {serial_pk} is the backend's auto-increment key; times are BIGINT UTC
-- epoch seconds; booleans are INTEGER 0/1.

CREATE TABLE department (
    id {serial_pk},
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE person (
    id {serial_pk},
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    department_id BIGINT REFERENCES department (id),
    role TEXT NOT NULL CHECK (role IN ('admin', 'head', 'point_person', 'member')),
    active INTEGER NOT NULL DEFAULT 1,
    password_hash TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX person_department ON person (department_id, id);

-- Added after person exists, so both backends accept the circular reference.
ALTER TABLE department ADD COLUMN head_id BIGINT REFERENCES person (id);
ALTER TABLE department ADD COLUMN point_person_id BIGINT REFERENCES person (id);
ALTER TABLE department ADD COLUMN deputy_id BIGINT REFERENCES person (id);

CREATE TABLE session (
    id {serial_pk},
    person_id BIGINT NOT NULL REFERENCES person (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX session_person ON session (person_id);

CREATE TABLE api_token (
    id {serial_pk},
    person_id BIGINT NOT NULL REFERENCES person (id),
    label TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_token_person ON api_token (person_id, id);

-- Revision counters: each change to what they name adds one in the same transaction, so
-- a reply computed at revision N is still right while the counter reads N.
CREATE TABLE revision (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO revision (name, value) VALUES ('org', 0);

-- Append-only: accord has no code path that updates or deletes an audit row.
CREATE TABLE audit (
    id {serial_pk},
    at BIGINT NOT NULL,
    actor_id BIGINT REFERENCES person (id),
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_entity ON audit (entity, entity_id, id);
CREATE INDEX audit_actor ON audit (actor_id, id);
