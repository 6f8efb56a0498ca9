/* audit.h: the append-only audit log: who changed what, when, through which route or command. */
#ifndef ACCORD_AUDIT_AUDIT_H
#define ACCORD_AUDIT_AUDIT_H

struct store;

/* One audit row as read back; text fields live in the caller's arena. */
struct audit_entry {
    int64_t id;
    int64_t at;
    int64_t actor_id; /* 0: the system (CLI, demo) */
    const char *actor_name;
    const char *action; /* "POST /api/v1/departments" or "cli: user add" */
    const char *entity; /* "department", "person", "token", "session" */
    int64_t entity_id;
    const char *before_json; /* NULL on creation */
    const char *after_json;  /* NULL on deletion */
};

/*
 * Appends a row inside the caller's transaction, so the record commits or rolls back
 * with the change it describes. Returns ACC_OK or ACC_ESTORE.
 */
int audit_append(struct store *st, int64_t actor_id, const char *action, const char *entity,
                 int64_t entity_id, const char *before_json, const char *after_json,
                 struct acc_err *err);

struct audit_filter {
    const char *entity; /* NULL: any */
    int64_t entity_id;  /* 0: any */
    int64_t actor_id;   /* 0: any */
    int64_t before_id;  /* keyset cursor: rows with id < before_id; 0 = from the newest */
    int limit;
};

/*
 * Lists rows newest first. *items is an arena array of *n rows; *more tells whether
 * further rows exist past the last one. Returns ACC_OK or ACC_ESTORE.
 */
int audit_list(struct store *st, const struct audit_filter *f, struct acc_arena *arena,
               struct audit_entry **items, int *n, bool *more, struct acc_err *err);

#endif
