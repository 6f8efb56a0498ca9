-- The database's own write counter: every committed write transaction adds one in that
-- transaction (store_commit), whoever writes (the server, the sweeper, a CLI command). A
-- reply computed at data revision N, at one second, for one person, is the same reply while
-- the counter reads N in that second: the server keeps request replies against it.
INSERT INTO revision (name, value) VALUES ('data', 0);
