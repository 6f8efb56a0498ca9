/* jx.h: jansson helpers: strict reading of request objects into plain fields, building replies. */
#ifndef ACCORD_JX_JX_H
#define ACCORD_JX_JX_H

#include <jansson.h>

enum jx_type {
    JX_STR,   /* out: const char ** (copied into the arena) */
    JX_INT,   /* out: int64_t * */
    JX_BOOL,  /* out: bool * */
    JX_ID,    /* out: int64_t *; a positive integer, or null which reads as 0 */
    JX_MILLI, /* out: int64_t *; a number with at most three decimals, in thousandths */
    JX_ANY,   /* out: json_t **; borrowed from the object, for nested values read apart */
};

struct jx_field {
    const char *name;
    enum jx_type type;
    bool required;
    size_t max_len; /* JX_STR: at most this many bytes; 0 means JX_STR_MAX */
    void *out;
    bool *has; /* may be NULL; set true when the field was present */
};

#define JX_STR_MAX 4096

/*
 * Reads obj into the fields. Rejects anything but an object, unknown fields, wrong
 * types, missing required fields and over-long strings with ACC_EINVAL and the field's
 * JSON pointer in err->field. Outputs are written only for present fields.
 */
int jx_read(json_t *obj, const struct jx_field *fields, size_t n, struct acc_arena *arena,
            struct acc_err *err);

/* jx_read for an object nested at JSON pointer at ("/levels/0"): fields report under it. */
int jx_read_at(json_t *obj, const char *at, const struct jx_field *fields, size_t n,
               struct acc_arena *arena, struct acc_err *err);

/*
 * A JSON number as fixed-point thousandths: 4.25 -> 4250; more than three decimals, or
 * beyond +-1e12, is ACC_EINVAL at field.
 */
int jx_milli(json_t *v, const char *field, int64_t *out, struct acc_err *err);
/* Thousandths as a JSON number: an integer when whole (4000 -> 4), else a real (4.25). */
json_t *jx_milli_json(int64_t milli);

/* Parses a request body that must be one JSON object; ACC_EINVAL with the position otherwise. */
int jx_parse_object(const char *body, size_t len, json_t **out, struct acc_err *err);

/* A JSON string, or null for NULL. New reference. */
json_t *jx_str_or_null(const char *s);
/* An RFC 3339 UTC string, or null for 0. New reference. */
json_t *jx_time(int64_t t);
/* {"id":…,"name":…} or null when id is 0. New reference. */
json_t *jx_ref(int64_t id, const char *name);
/* Parses stored JSON text into a value, or null. New reference. */
json_t *jx_from_text(const char *text);

#endif
