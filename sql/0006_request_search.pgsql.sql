-- 0006_request_search (PostgreSQL): full-text search over requests' titles and conversations.
-- This version has one file per backend (0006_request_search.sqlite.sql is SQLite's): the
-- two engines index text differently. docs/operating.md, "Searching requests", says how.
--
-- One document per request: a tsvector of its title (weight A), public comments (B) and
-- internal notes (C), so that a search may leave the notes out by asking for weights A and B
-- only (a consumer must never find a request by the words of a note). Configuration 'simple':
-- words are lower-cased, not stemmed; unlike SQLite, diacritics count ("Muller" does not find
-- "Müller"). A GIN index serves the searches.
CREATE TABLE request_search (
    request_id BIGINT PRIMARY KEY REFERENCES request (id),
    doc tsvector NOT NULL
);
CREATE INDEX request_search_doc ON request_search USING gin (doc);

-- The document of request id, from the tables: for the backfill and for changes other than a
-- new comment.
CREATE FUNCTION request_search_doc(id BIGINT) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('simple', r.title), 'A')
        || setweight(to_tsvector('simple', COALESCE((SELECT string_agg(c.body, E'\n' ORDER BY c.id)
               FROM request_comment c WHERE c.request_id = r.id AND c.internal = 0), '')), 'B')
        || setweight(to_tsvector('simple', COALESCE((SELECT string_agg(c.body, E'\n' ORDER BY c.id)
               FROM request_comment c WHERE c.request_id = r.id AND c.internal <> 0), '')), 'C')
    FROM request r WHERE r.id = $1
$$;

-- The requests and comments that exist already.
INSERT INTO request_search (request_id, doc) SELECT id, request_search_doc(id) FROM request;

-- The triggers keep each document current, whatever writes (the API, imports, the demo, psql).
-- A new comment appends its words; anything else computes the document again.
CREATE FUNCTION request_search_request() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO request_search (request_id, doc)
            VALUES (NEW.id, setweight(to_tsvector('simple', NEW.title), 'A'));
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE request_search SET doc = request_search_doc(NEW.id) WHERE request_id = NEW.id;
    ELSE
        DELETE FROM request_search WHERE request_id = OLD.id;
        RETURN OLD;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER request_search_request AFTER INSERT OR UPDATE OF title ON request
    FOR EACH ROW EXECUTE FUNCTION request_search_request();
CREATE TRIGGER request_search_request_delete BEFORE DELETE ON request
    FOR EACH ROW EXECUTE FUNCTION request_search_request();

CREATE FUNCTION request_search_comment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE request_search SET doc = doc || setweight(to_tsvector('simple', NEW.body),
                CASE WHEN NEW.internal <> 0 THEN 'C' ELSE 'B' END::"char")
            WHERE request_id = NEW.request_id;
    ELSE
        UPDATE request_search SET doc = request_search_doc(request_id)
            WHERE request_id = OLD.request_id
               OR request_id = CASE WHEN TG_OP = 'UPDATE' THEN NEW.request_id END;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER request_search_comment AFTER INSERT OR UPDATE OF body, internal, request_id
    OR DELETE ON request_comment FOR EACH ROW EXECUTE FUNCTION request_search_comment();
