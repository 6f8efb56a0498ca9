/* base_test.c: arena, text buffer, RFC 3339 times, integer parsing, UTF-8, audit JSON writer. */
#include "base/acc.h"
#include "base/jw.h"
#include "base/log.h"
#include "t.h"

#include <jansson.h>
#include <stdlib.h>

static void test_arena_many_allocations(void)
{
    struct acc_arena *a = acc_arena_new();
    char *big;

    for (int i = 0; i < 5000; i++) {
        char *s = acc_arena_printf(a, "item-%d", i);

        T_OK(((uintptr_t)s & 15) == 0);
        if (i == 4999)
            T_EQ_STR(s, "item-4999");
    }
    big = acc_arena_alloc(a, 100000); /* larger than a chunk */
    big[99999] = 'x';
    T_OK(acc_arena_used(a) >= 100000);
    T_EQ_STR(acc_arena_strndup(a, "abcdef", 3), "abc");
    T_OK(acc_arena_strdup(a, NULL) == NULL);
    acc_arena_free(a);
    acc_arena_free(NULL);
}

static void test_buf_grows_and_detaches(void)
{
    struct acc_buf b;
    char *s;
    size_t n;

    acc_buf_init(&b);
    T_EQ_STR(b.buf, "");
    for (int i = 0; i < 1000; i++)
        acc_buf_addf(&b, "%d,", i % 10);
    T_EQ_INT(b.len, 2000);
    acc_buf_reset(&b);
    acc_buf_adds(&b, "hello");
    s = acc_buf_detach(&b, &n);
    T_EQ_STR(s, "hello");
    T_EQ_INT(n, 5);
    T_EQ_STR(b.buf, "");
    free(s);
    acc_buf_release(&b);
}

static void test_time_roundtrip(void)
{
    char out[21];
    int64_t t;

    T_EQ_INT(acc_time_parse("2024-12-24T16:30:00Z", &t), ACC_OK);
    T_EQ_INT(t, 1735057800);
    acc_time_format(t, out);
    T_EQ_STR(out, "2024-12-24T16:30:00Z");
    T_EQ_INT(acc_time_parse("2024-12-24T17:30:00+01:00", &t), ACC_OK);
    T_EQ_INT(t, 1735057800);
    T_EQ_INT(acc_time_parse("2024-12-24T11:30:00.250-05:00", &t), ACC_OK);
    T_EQ_INT(t, 1735057800);
}

static void test_time_rejects_malformed(void)
{
    static const char *bad[] = {"",
                                "2024-12-24",
                                "2024-12-24 16:30:00Z",
                                "2024-13-01T00:00:00Z",
                                "2025-02-29T00:00:00Z",
                                "2024-12-24T24:00:00Z",
                                "2024-12-24T16:30:00",
                                "2024-12-24T16:30:00+0100",
                                "2024-12-24T16:30:00Zjunk"};
    int64_t t = 42;

    for (size_t i = 0; i < ACC_ARRAY_LEN(bad); i++) {
        T_EQ_INT(acc_time_parse(bad[i], &t), ACC_EINVAL);
        T_EQ_INT(t, 42); /* out-parameters are written only on success */
    }
}

static void test_parse_i64(void)
{
    int64_t v = 0;

    T_OK(acc_parse_i64("123", &v) && v == 123);
    T_OK(acc_parse_i64("-7", &v) && v == -7);
    T_OK(!acc_parse_i64("", &v));
    T_OK(!acc_parse_i64(" 1", &v));
    T_OK(!acc_parse_i64("1x", &v));
    T_OK(!acc_parse_i64("99999999999999999999", &v));
}

static void test_utf8(void)
{
    T_OK(acc_utf8_valid("plain"));
    T_OK(acc_utf8_valid("Storage & Transportation — Zürich 日本"));
    T_OK(!acc_utf8_valid("\xc3"));         /* truncated */
    T_OK(!acc_utf8_valid("\xc0\xaf"));     /* overlong */
    T_OK(!acc_utf8_valid("\xed\xa0\x80")); /* surrogate */
    T_OK(!acc_utf8_valid("\xff"));
}

static void test_trim(void)
{
    char s[] = "  \t padded \n";

    T_EQ_STR(acc_trim(s), "padded");
}

static void test_fail_fills_err(void)
{
    struct acc_err err;

    acc_err_clear(&err);
    T_EQ_INT(acc_fail(&err, ACC_EINVAL, "/name", "name '%s' is bad", "x"), ACC_EINVAL);
    T_EQ_STR(err.field, "/name");
    T_EQ_STR(err.msg, "name 'x' is bad");
    T_EQ_INT(acc_fail(NULL, ACC_ENOTFOUND, NULL, "ignored"), ACC_ENOTFOUND);
    T_EQ_STR(acc_code_name(ACC_ECONFLICT), "conflict");
}

static void test_jw_escapes(void)
{
    struct acc_arena *a = acc_arena_new();
    struct acc_jw w;

    acc_jw_begin(&w);
    acc_jw_int(&w, "id", 7);
    acc_jw_str(&w, "name", "a \"quoted\"\\ line\n\x01");
    acc_jw_str(&w, "none", NULL);
    acc_jw_id(&w, "head_id", 0);
    acc_jw_bool(&w, "active", true);
    T_EQ_STR(acc_jw_end(&w, a),
             "{\"id\":7,\"name\":\"a \\\"quoted\\\"\\\\ line\\n\\u0001\",\"none\":null,"
             "\"head_id\":null,\"active\":true}");
    acc_arena_free(a);
}

/* Nested values, array items without keys, extreme integers, instants; checked by jansson. */
static void test_jw_nested(void)
{
    struct acc_jw w;
    json_t *v;
    char *text;
    size_t len;

    acc_jw_start(&w);
    acc_jw_arr(&w, NULL);
    acc_jw_obj(&w, NULL);
    acc_jw_int(&w, "min", INT64_MIN);
    acc_jw_int(&w, "max", INT64_MAX);
    acc_jw_int(&w, "zero", 0);
    acc_jw_time(&w, "at", 1764064800);
    acc_jw_time(&w, "never", 0);
    acc_jw_ref(&w, "who", 3, "Zoë");
    acc_jw_ref(&w, "nobody", 0, "x");
    acc_jw_arr(&w, "moves");
    acc_jw_str(&w, NULL, "open");
    acc_jw_str(&w, NULL, "closed");
    acc_jw_close(&w, ']');
    acc_jw_arr(&w, "empty");
    acc_jw_close(&w, ']');
    acc_jw_close(&w, '}');
    acc_jw_null(&w, NULL);
    acc_jw_close(&w, ']');
    text = acc_jw_take(&w, &len);
    T_EQ_INT(len, strlen(text));
    T_EQ_STR(text, "[{\"min\":-9223372036854775808,\"max\":9223372036854775807,\"zero\":0,"
                   "\"at\":\"2025-11-25T10:00:00Z\",\"never\":null,\"who\":{\"id\":3,"
                   "\"name\":\"Zoë\"},\"nobody\":null,\"moves\":[\"open\",\"closed\"],"
                   "\"empty\":[]},null]");
    v = json_loads(text, 0, NULL);
    T_OK(v && json_is_array(v) && json_array_size(v) == 2);
    json_decref(v);
    free(text);
}

int main(void)
{
    acc_log_set_quiet(true);
    T_RUN(test_jw_nested);
    T_RUN(test_arena_many_allocations);
    T_RUN(test_buf_grows_and_detaches);
    T_RUN(test_time_roundtrip);
    T_RUN(test_time_rejects_malformed);
    T_RUN(test_parse_i64);
    T_RUN(test_utf8);
    T_RUN(test_trim);
    T_RUN(test_fail_fills_err);
    T_RUN(test_jw_escapes);
    return t_done();
}
