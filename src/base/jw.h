/*
 * jw.h: a minimal JSON writer: audit snapshots built below the HTTP layer, and the replies
 * that are built often enough (requests, their lists) to be written straight into text.
 */
#ifndef ACCORD_BASE_JW_H
#define ACCORD_BASE_JW_H

/*
 * Writes one object: begin, fields, then end (or detach) hands the text over. Objects and
 * arrays nest: acc_jw_obj()/acc_jw_arr() open one under key, acc_jw_close() ends it. Inside an
 * array, values are written with a NULL key.
 */
struct acc_jw {
    struct acc_buf b;
    bool first;
};

void acc_jw_begin(struct acc_jw *w);
/* A writer of one value of any kind (no object opened); acc_jw_take() hands it over. */
void acc_jw_start(struct acc_jw *w);
char *acc_jw_take(struct acc_jw *w, size_t *len);
void acc_jw_str(struct acc_jw *w, const char *key, const char *val); /* NULL writes null */
void acc_jw_int(struct acc_jw *w, const char *key, int64_t val);
void acc_jw_id(struct acc_jw *w, const char *key, int64_t id); /* 0 writes null */
void acc_jw_bool(struct acc_jw *w, const char *key, bool val);
/* A value that is JSON text already (an array of other snapshots); NULL writes null. */
void acc_jw_raw(struct acc_jw *w, const char *key, const char *json);
void acc_jw_null(struct acc_jw *w, const char *key);
/* An ISO 8601 UTC instant ("2026-11-25T09:00:00Z"); 0 writes null. */
void acc_jw_time(struct acc_jw *w, const char *key, int64_t at);
/* {"id": id, "name": name}, or null when id is 0. */
void acc_jw_ref(struct acc_jw *w, const char *key, int64_t id, const char *name);
void acc_jw_obj(struct acc_jw *w, const char *key);
void acc_jw_arr(struct acc_jw *w, const char *key);
/* Ends the innermost open object ('}') or array (']'), as c says. */
void acc_jw_close(struct acc_jw *w, char c);
/* Closes the object and returns its text copied into the arena; w is released. */
const char *acc_jw_end(struct acc_jw *w, struct acc_arena *arena);
/* Closes the object and hands over its text, malloc'd (*len its length); w is released. */
char *acc_jw_detach(struct acc_jw *w, size_t *len);

#endif
