/* jw.h: a minimal flat JSON object writer for audit snapshots built below the HTTP layer. */
#ifndef ACCORD_BASE_JW_H
#define ACCORD_BASE_JW_H

/* Writes one flat object: begin, fields, then end hands the text over. */
struct acc_jw {
    struct acc_buf b;
    bool first;
};

void acc_jw_begin(struct acc_jw *w);
void acc_jw_str(struct acc_jw *w, const char *key, const char *val); /* NULL writes null */
void acc_jw_int(struct acc_jw *w, const char *key, int64_t val);
void acc_jw_id(struct acc_jw *w, const char *key, int64_t id); /* 0 writes null */
void acc_jw_bool(struct acc_jw *w, const char *key, bool val);
/* A value that is JSON text already (an array of other snapshots); NULL writes null. */
void acc_jw_raw(struct acc_jw *w, const char *key, const char *json);
/* Closes the object and returns its text copied into the arena; w is released. */
const char *acc_jw_end(struct acc_jw *w, struct acc_arena *arena);

#endif
