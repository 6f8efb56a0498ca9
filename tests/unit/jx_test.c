/* jx_test.c: strict reading of request objects: unknown fields, types, lengths, ids. */
#include "base/acc.h"
#include "jx/jx.h"
#include "t.h"

struct input {
    const char *name;
    int64_t count, ref;
    bool flag, has_name, has_ref;
};

static int read(const char *text, struct input *in, struct acc_arena *a, struct acc_err *err)
{
    const struct jx_field fields[] = {
        {"name", JX_STR, true, 5, &in->name, &in->has_name},
        {"count", JX_INT, false, 0, &in->count, NULL},
        {"flag", JX_BOOL, false, 0, &in->flag, NULL},
        {"ref", JX_ID, false, 0, &in->ref, &in->has_ref},
    };
    json_t *obj = NULL;
    int rc = jx_parse_object(text, strlen(text), &obj, err);

    if (!rc)
        rc = jx_read(obj, fields, ACC_ARRAY_LEN(fields), a, err);
    json_decref(obj);
    return rc;
}

static void test_reads_fields(void)
{
    struct acc_arena *a = acc_arena_new();
    struct input in = {0};
    struct acc_err err;

    T_EQ_INT(read("{\"name\":\"abc\",\"count\":-3,\"flag\":true,\"ref\":null}", &in, a, &err),
             ACC_OK);
    T_EQ_STR(in.name, "abc");
    T_EQ_INT(in.count, -3);
    T_OK(in.flag && in.has_name && in.has_ref);
    T_EQ_INT(in.ref, 0);
    acc_arena_free(a);
}

static void test_rejects_with_pointer(void)
{
    static const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"name\":\"abc\",\"bogus\":1}", "/bogus"},
        {"{\"count\":1}", "/name"},
        {"{\"name\":7}", "/name"},
        {"{\"name\":\"toolong\"}", "/name"},
        {"{\"name\":\"a\",\"count\":1.5}", "/count"},
        {"{\"name\":\"a\",\"flag\":\"yes\"}", "/flag"},
        {"{\"name\":\"a\",\"ref\":0}", "/ref"},
        {"{\"name\":\"a\",\"ref\":\"3\"}", "/ref"},
        {"{\"name\":\"a\\u0000b\"}", ""}, /* jansson refuses NUL in strings */
    };
    struct acc_arena *a = acc_arena_new();
    struct acc_err err;

    for (size_t i = 0; i < ACC_ARRAY_LEN(cases); i++) {
        struct input in = {0};

        T_EQ_INT(read(cases[i].body, &in, a, &err), ACC_EINVAL);
        T_EQ_STR(err.field, cases[i].field);
    }
    acc_arena_free(a);
}

static void test_rejects_non_objects(void)
{
    static const char *bad[] = {"", "[]", "\"x\"", "{", "{\"name\":\"a\",\"name\":\"b\"}", "nul"};
    struct acc_arena *a = acc_arena_new();
    struct acc_err err;

    for (size_t i = 0; i < ACC_ARRAY_LEN(bad); i++) {
        struct input in = {0};

        T_EQ_INT(read(bad[i], &in, a, &err), ACC_EINVAL);
        T_EQ_STR(err.field, "");
    }
    acc_arena_free(a);
}

static void test_reply_builders(void)
{
    json_t *t = jx_time(1735057800), *n = jx_time(0), *r = jx_ref(3, "IT");
    json_t *z = jx_ref(0, "x"), *j = jx_from_text("{\"a\":1}"), *bad = jx_from_text("{");

    T_EQ_STR(json_string_value(t), "2024-12-24T16:30:00Z");
    T_OK(json_is_null(n) && json_is_null(z) && json_is_null(bad));
    T_EQ_INT(json_integer_value(json_object_get(r, "id")), 3);
    T_EQ_INT(json_integer_value(json_object_get(j, "a")), 1);
    json_decref(t);
    json_decref(n);
    json_decref(r);
    json_decref(z);
    json_decref(j);
    json_decref(bad);
}

int main(void)
{
    T_RUN(test_reads_fields);
    T_RUN(test_rejects_with_pointer);
    T_RUN(test_rejects_non_objects);
    T_RUN(test_reply_builders);
    return t_done();
}
