/* org.h: the organisation: departments, people, roles, and who may change them. */
#ifndef ACCORD_ORG_ORG_H
#define ACCORD_ORG_ORG_H

struct store;

/* Limits on input, stated once and enforced by org.c. */
#define ORG_NAME_MAX  120 /* bytes of a department's or person's name */
#define ORG_EMAIL_MAX 254

enum org_role { ORG_ROLE_MEMBER = 0, ORG_ROLE_POINT_PERSON, ORG_ROLE_HEAD, ORG_ROLE_ADMIN };

/* "member", "point_person", "head", "admin". */
const char *org_role_name(enum org_role role);
/* Parses a role name; ACC_EINVAL (field "/role") on anything else. */
int org_role_parse(const char *s, enum org_role *out, struct acc_err *err);

/* Who is acting: permission checks and the audit log use it. */
struct org_actor {
    int64_t person_id; /* 0: the system (CLI commands, the demo) */
    int64_t department_id;
    enum org_role role;
    const char *via; /* route or command, written to the audit log */
    bool replay;     /* replaying history (an import): record everything, notify nobody */
};

/* The system acting through a CLI command: all rights, no person. */
struct org_actor org_actor_system(const char *via);

/* A reference to a person or department: id 0 means none. */
struct org_ref {
    int64_t id;
    const char *name;
};

struct org_department {
    int64_t id;
    const char *name;
    bool active;
    struct org_ref head;
    struct org_ref point_person;
    struct org_ref deputy;
    int64_t member_count; /* active people */
    int64_t created_at;
    int64_t updated_at;
};

struct org_person {
    int64_t id;
    const char *name;
    const char *email;
    struct org_ref department;
    enum org_role role;
    bool active;
    int64_t created_at;
    int64_t updated_at;
};

/* Create or update input: only fields whose has_ flag is set are applied. */
struct org_department_input {
    bool has_name, has_head, has_point_person, has_deputy, has_active;
    const char *name;
    int64_t head_id; /* 0 clears */
    int64_t point_person_id;
    int64_t deputy_id;
    bool active;
};

struct org_person_input {
    bool has_name, has_email, has_department, has_role, has_active;
    const char *name;
    const char *email;
    int64_t department_id;
    enum org_role role;
    bool active;
    const char *password_hash; /* NULL: unchanged (or none on create) */
};

/*
 * Departments. Creating needs an administrator; updating needs an administrator, or the
 * department's head for point person and deputy. Head, point person and deputy must be
 * active people of the department, and the head must have role head.
 * Results live in the arena. Codes: ACC_OK, ACC_EINVAL (with field), ACC_EPERM,
 * ACC_ENOTFOUND, ACC_ECONFLICT (name taken), ACC_ESTORE.
 */
int org_department_create(struct store *st, const struct org_actor *who,
                          const struct org_department_input *in, struct acc_arena *arena,
                          struct org_department *out, struct acc_err *err);
int org_department_update(struct store *st, const struct org_actor *who, int64_t id,
                          const struct org_department_input *in, struct acc_arena *arena,
                          struct org_department *out, struct acc_err *err);
int org_department_get(struct store *st, int64_t id, struct acc_arena *arena,
                       struct org_department *out, struct acc_err *err);
/* Finds a department by id (digits) or by name, case-insensitively. */
int org_department_find(struct store *st, const char *id_or_name, struct acc_arena *arena,
                        struct org_department *out, struct acc_err *err);
/* Lists by id after after_id; *more says whether more rows follow. */
int org_department_list(struct store *st, int64_t after_id, int limit, struct acc_arena *arena,
                        struct org_department **items, int *n, bool *more, struct acc_err *err);

struct org_person_filter {
    int64_t department_id; /* 0: any */
    int active;            /* -1 any, 0 inactive, 1 active */
    const char *q;         /* substring of name or e-mail, case-insensitive; NULL: any */
    int64_t after_id;
    int limit;
};

/*
 * People. Administrators manage everyone; a head manages the members and point persons
 * of their own department (not heads or administrators, not moves out of it).
 * A person with history is deactivated, never deleted. Same codes as departments.
 */
int org_person_create(struct store *st, const struct org_actor *who,
                      const struct org_person_input *in, struct acc_arena *arena,
                      struct org_person *out, struct acc_err *err);
int org_person_update(struct store *st, const struct org_actor *who, int64_t id,
                      const struct org_person_input *in, struct acc_arena *arena,
                      struct org_person *out, struct acc_err *err);
int org_person_get(struct store *st, int64_t id, struct acc_arena *arena, struct org_person *out,
                   struct acc_err *err);
int org_person_get_by_email(struct store *st, const char *email, struct acc_arena *arena,
                            struct org_person *out, struct acc_err *err);
int org_person_list(struct store *st, const struct org_person_filter *f, struct acc_arena *arena,
                    struct org_person **items, int *n, bool *more, struct acc_err *err);

/* The demo organisation's administrator and the password every demo person has. */
#define ORG_DEMO_ADMIN_EMAIL "admin@example.org"
#define ORG_DEMO_PASSWORD    "accord-demo"

/*
 * Creates the demo organisation inside the caller's transaction: an administrator and
 * the eight departments of the seed articles, each with a head, a point person, a deputy
 * and three members, all with password_hash (an Argon2id string of ORG_DEMO_PASSWORD).
 */
int org_demo_populate(struct store *st, const struct org_actor *who, const char *password_hash,
                      struct acc_arena *arena, struct acc_err *err);

/*
 * The organisation's revision: a counter that every change to a department or person
 * increases in its transaction. Replies built from the organisation at revision N stay
 * valid while it reads N (the HTTP layer caches them on it).
 */
int org_revision(struct store *st, int64_t *out, struct acc_err *err);

/*
 * Normalises an e-mail address into the arena (trimmed, lower-case) after checking its
 * shape; ACC_EINVAL with field "/email" otherwise.
 */
int org_email_normalize(const char *email, struct acc_arena *arena, const char **out,
                        struct acc_err *err);

/* The key names are unique by: the name in lower case (ASCII), in the arena. */
char *org_name_key(const char *name, struct acc_arena *arena);

/* Checks a name: non-empty after trimming, at most ORG_NAME_MAX bytes, valid UTF-8. */
int org_name_check(const char *name, const char *field, struct acc_err *err);

#endif
