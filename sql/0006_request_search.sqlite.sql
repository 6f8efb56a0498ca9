-- 0006_request_search (SQLite): full-text search over requests' titles and conversations.
-- This version has one file per backend (0006_request_search.pgsql.sql is PostgreSQL's): the
-- two engines index text differently. docs/operating.md, "Searching requests", says how.
--
-- One document per request, with its id as rowid: the title, the public comments and the
-- internal notes in three columns, so that a search may leave the notes out (a consumer must
-- never find a request by the words of a note). The index is FTS5 with external content: the
-- text stays in request and request_comment only, and request_search_text shows it as the
-- documents; the index holds the words. Tokens are Unicode letters and digits, case- and
-- diacritic-folded ("Muller" finds "Müller"), without stemming.
CREATE VIEW request_search_text (id, title, comments, notes) AS
SELECT r.id, r.title,
    (SELECT group_concat(c.body, char(10)) FROM
        (SELECT body FROM request_comment WHERE request_id = r.id AND internal = 0 ORDER BY id) c),
    (SELECT group_concat(c.body, char(10)) FROM
        (SELECT body FROM request_comment WHERE request_id = r.id AND internal <> 0 ORDER BY id) c)
FROM request r;

CREATE VIRTUAL TABLE request_search USING fts5 (
    title, comments, notes,
    content = 'request_search_text', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- The requests and comments that exist already.
INSERT INTO request_search (request_search) VALUES ('rebuild');

-- The triggers keep each document current, whatever writes (the API, imports, the demo,
-- sqlite3). A document changes by a delete, which FTS5 answers by reading the document's old
-- text from request_search_text (so BEFORE the change), and an insert of the new text.
CREATE TRIGGER request_search_insert AFTER INSERT ON request BEGIN
    INSERT INTO request_search (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER request_search_retitle_old BEFORE UPDATE OF title ON request BEGIN
    DELETE FROM request_search WHERE rowid = old.id;
END;
CREATE TRIGGER request_search_retitle_new AFTER UPDATE OF title ON request BEGIN
    INSERT INTO request_search (rowid, title, comments, notes)
        SELECT id, title, comments, notes FROM request_search_text WHERE id = new.id;
END;
CREATE TRIGGER request_search_delete BEFORE DELETE ON request BEGIN
    DELETE FROM request_search WHERE rowid = old.id;
END;
CREATE TRIGGER request_search_comment_old BEFORE INSERT ON request_comment BEGIN
    DELETE FROM request_search WHERE rowid = new.request_id;
END;
CREATE TRIGGER request_search_comment_new AFTER INSERT ON request_comment BEGIN
    INSERT INTO request_search (rowid, title, comments, notes)
        SELECT id, title, comments, notes FROM request_search_text WHERE id = new.request_id;
END;
CREATE TRIGGER request_search_recomment_old
    BEFORE UPDATE OF body, internal, request_id ON request_comment BEGIN
    DELETE FROM request_search WHERE rowid IN (old.request_id, new.request_id);
END;
CREATE TRIGGER request_search_recomment_new
    AFTER UPDATE OF body, internal, request_id ON request_comment BEGIN
    INSERT INTO request_search (rowid, title, comments, notes)
        SELECT id, title, comments, notes FROM request_search_text
        WHERE id IN (old.request_id, new.request_id);
END;
CREATE TRIGGER request_search_uncomment_old BEFORE DELETE ON request_comment BEGIN
    DELETE FROM request_search WHERE rowid = old.request_id;
END;
CREATE TRIGGER request_search_uncomment_new AFTER DELETE ON request_comment BEGIN
    INSERT INTO request_search (rowid, title, comments, notes)
        SELECT id, title, comments, notes FROM request_search_text WHERE id = old.request_id;
END;
