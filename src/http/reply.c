/* reply.c: the code-to-status table, problem+json replies, query and pagination helpers. */
#include "base/acc.h"
#include "http/http_int.h"
#include "jx/jx.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

static const struct {
    int status;
    const char *title;
} code_table[] = {
    [ACC_OK] = {200, "OK"},
    [ACC_EINVAL] = {400, "Invalid input"},
    [ACC_EAUTH] = {401, "Authentication required"},
    [ACC_EPERM] = {403, "Forbidden"},
    [ACC_ENOTFOUND] = {404, "Not found"},
    [ACC_ECONFLICT] = {409, "Conflict"},
    [ACC_ETOOBIG] = {413, "Content too large"},
    [ACC_EMEDIA] = {415, "Unsupported media type"},
    [ACC_ELIMIT] = {429, "Too many requests"},
    [ACC_ESTORE] = {500, "Storage error"},
    [ACC_EBUG] = {500, "Internal error"},
};

int http_status_of(enum acc_code code)
{
    return (unsigned)code < ACC_ARRAY_LEN(code_table) ? code_table[code].status : 500;
}

static void set_body(struct http_ctx *ctx, int status, char *body, const char *type)
{
    if (ctx->resp && !ctx->resp_static)
        free(ctx->resp);
    ctx->status = status;
    ctx->resp = body;
    ctx->resp_len = body ? strlen(body) : 0;
    ctx->resp_static = false;
    ctx->resp_type = type;
}

int http_reply_json(struct http_ctx *ctx, int status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(12));

    json_decref(body);
    if (!text)
        ACC_BUG("cannot serialise a reply");
    set_body(ctx, status, text, "application/json");
    return 0;
}

int http_reply_json_text(struct http_ctx *ctx, int status, char *text, size_t len)
{
    set_body(ctx, status, text, "application/json");
    ctx->resp_len = len;
    return 0;
}

int http_reply_err(struct http_ctx *ctx)
{
    return http_reply_err_status(ctx, http_status_of(ctx->err.code ? ctx->err.code : ACC_EBUG));
}

int http_reply_lost(struct http_ctx *ctx, const struct acc_err *cause)
{
    int nkept = 0;

    ctx->err = *cause;
    if (!ctx->err.code)
        acc_fail(&ctx->err, ACC_ESTORE, "", "the change could not be stored");
    /* The handler's headers (Location, ...) described what is now gone; the request id stays. */
    for (int i = 0; i < ctx->nheaders; i++)
        if (strcmp(ctx->headers[i].key, "X-Request-Id") == 0)
            ctx->headers[nkept++] = ctx->headers[i];
    ctx->nheaders = nkept;
    return http_reply_err(ctx);
}

int http_reply_err_status(struct http_ctx *ctx, int status)
{
    enum acc_code code = ctx->err.code ? ctx->err.code : ACC_EBUG;
    json_t *p;
    char *text;

    /* Storage and internal failures keep their detail in the log, not in the reply. */
    p = json_pack("{s:s,s:s,s:i,s:s,s:s}", "type",
                  acc_arena_printf(ctx->arena, "urn:accord:problem:%s",
                                   status == 405 ? "method-not-allowed" : acc_code_name(code)),
                  "title", status == 405 ? "Method not allowed" : code_table[code].title, "status",
                  status, "detail",
                  status >= 500 && code != ACC_ESTORE ? "internal error" : ctx->err.msg,
                  "request_id", ctx->request_id);
    if (ctx->err.field[0])
        json_object_set_new(p, "field", json_string(ctx->err.field));
    text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    set_body(ctx, status, text, "application/problem+json");
    if (code == ACC_ELIMIT && ctx->err.retry_after_secs > 0)
        http_header_add(ctx, "Retry-After",
                        acc_arena_printf(ctx->arena, "%d", ctx->err.retry_after_secs));
    if (code == ACC_EAUTH)
        http_header_add(ctx, "WWW-Authenticate", "Bearer realm=\"accord\"");
    return 0;
}

int http_reply_fail(struct http_ctx *ctx, enum acc_code code, const char *field, const char *fmt,
                    ...)
{
    va_list ap;

    ctx->err.code = code;
    snprintf(ctx->err.field, sizeof(ctx->err.field), "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(ctx->err.msg, sizeof(ctx->err.msg), fmt, ap);
    va_end(ap);
    return http_reply_err(ctx);
}

int http_reply_empty(struct http_ctx *ctx, int status)
{
    set_body(ctx, status, NULL, NULL);
    return 0;
}

int http_reply_static(struct http_ctx *ctx, int status, const char *type, const void *data,
                      size_t len)
{
    set_body(ctx, status, NULL, type);
    ctx->resp = (char *)data;
    ctx->resp_len = len;
    ctx->resp_static = true;
    return 0;
}

void http_header_add(struct http_ctx *ctx, const char *key, const char *value)
{
    if (ctx->nheaders == HTTP_HEADERS_MAX)
        ACC_BUG("too many response headers");
    ctx->headers[ctx->nheaders].key = key;
    ctx->headers[ctx->nheaders].value = value;
    ctx->nheaders++;
}

const char *http_query(const struct http_ctx *ctx, const char *name)
{
    for (int i = 0; i < ctx->nquery; i++)
        if (strcmp(ctx->query[i].key, name) == 0)
            return ctx->query[i].value ? ctx->query[i].value : "";
    return NULL;
}

int http_param_id(struct http_ctx *ctx, int i, int64_t *out)
{
    int64_t v;

    if (!acc_parse_i64(ctx->params[i], &v) || v <= 0)
        return acc_fail(&ctx->err, ACC_ENOTFOUND, "", "'%s' is not an id", ctx->params[i]);
    *out = v;
    return ACC_OK;
}

int http_query_id(struct http_ctx *ctx, const char *name, int64_t *out)
{
    const char *s = http_query(ctx, name);
    int64_t v;

    if (!s) {
        *out = 0;
        return ACC_OK;
    }
    if (!acc_parse_i64(s, &v) || v <= 0)
        return acc_fail(&ctx->err, ACC_EINVAL, acc_arena_printf(ctx->arena, "/query/%s", name),
                        "%s must be a positive integer id", name);
    *out = v;
    return ACC_OK;
}

/*
 * Cursors are opaque to clients: base64url of "k" + the last id seen, or of "d" + the last
 * sort key + "." + the last id for keyed lists.
 */
static int page_read(struct http_ctx *ctx, bool keyed_ok, struct http_page *out)
{
    const char *limit = http_query(ctx, "limit"), *cursor = http_query(ctx, "cursor");
    int64_t v = HTTP_LIMIT_DEFAULT;

    if (limit && (!acc_parse_i64(limit, &v) || v < 1 || v > HTTP_LIMIT_MAX))
        return acc_fail(&ctx->err, ACC_EINVAL, "/query/limit",
                        "limit must be an integer from 1 to %d", HTTP_LIMIT_MAX);
    out->limit = (int)v;
    out->after_id = 0;
    out->after_key = 0;
    out->keyed = false;
    if (cursor) {
        unsigned char raw[48];
        size_t n = 0;
        char text[48], *dot = NULL;

        if (strlen(cursor) > 64 ||
            sodium_base642bin(raw, sizeof(raw) - 1, cursor, strlen(cursor), NULL, &n, NULL,
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
            n < 2 || (raw[0] != 'k' && !(raw[0] == 'd' && keyed_ok)))
            return acc_fail(&ctx->err, ACC_EINVAL, "/query/cursor", "cursor is not valid");
        memcpy(text, raw + 1, n - 1);
        text[n - 1] = '\0';
        if (raw[0] == 'd') {
            dot = strchr(text, '.');
            if (!dot)
                return acc_fail(&ctx->err, ACC_EINVAL, "/query/cursor", "cursor is not valid");
            *dot++ = '\0';
            if (!acc_parse_i64(text, &out->after_key))
                return acc_fail(&ctx->err, ACC_EINVAL, "/query/cursor", "cursor is not valid");
            out->keyed = true;
        }
        if (!acc_parse_i64(dot ? dot : text, &out->after_id) || out->after_id < 0)
            return acc_fail(&ctx->err, ACC_EINVAL, "/query/cursor", "cursor is not valid");
    }
    return ACC_OK;
}

int http_page_read(struct http_ctx *ctx, struct http_page *out)
{
    return page_read(ctx, false, out);
}

int http_page_read_keyed(struct http_ctx *ctx, struct http_page *out)
{
    return page_read(ctx, true, out);
}

const char *http_page_cursor(char out[HTTP_CURSOR_MAX], bool more, bool keyed, int64_t last_key,
                             int64_t last_id)
{
    char raw[48];
    int n;

    if (!more)
        return NULL;
    n = keyed ? snprintf(raw, sizeof(raw), "d%lld.%lld", (long long)last_key, (long long)last_id)
              : snprintf(raw, sizeof(raw), "k%lld", (long long)last_id);
    sodium_bin2base64(out, HTTP_CURSOR_MAX, (const unsigned char *)raw, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

static json_t *page_json(json_t *items, bool more, bool keyed, int64_t last_key, int64_t last_id)
{
    char buf[HTTP_CURSOR_MAX];
    const char *cursor = http_page_cursor(buf, more, keyed, last_key, last_id);

    return json_pack("{s:o,s:o}", "items", items, "next_cursor",
                     cursor ? json_string(cursor) : json_null());
}

json_t *http_page_json(json_t *items, bool more, int64_t last_id)
{
    return page_json(items, more, false, 0, last_id);
}

json_t *http_page_json_keyed(json_t *items, bool more, int64_t last_key, int64_t last_id)
{
    return page_json(items, more, true, last_key, last_id);
}

int http_body_object(struct http_ctx *ctx, json_t **out)
{
    const char *ct = ctx->content_type;

    if (!ct || (strncmp(ct, "application/json", 16) != 0 || (ct[16] && ct[16] != ';'))) {
        return acc_fail(&ctx->err, ACC_EMEDIA, "", "send the body as application/json");
    }
    return jx_parse_object(ctx->body, ctx->body_len, out, &ctx->err);
}

int http_body_fields(struct http_ctx *ctx, const struct jx_field *fields, size_t n)
{
    json_t *obj;
    int rc = http_body_object(ctx, &obj);

    if (rc)
        return rc;
    rc = jx_read(obj, fields, n, ctx->arena, &ctx->err);
    json_decref(obj);
    return rc;
}
