/* static.c: the web UI: embedded files with content-hash ETags, or --web-root while developing. */
#include "base/acc.h"
#include "base/embed.h"
#include "http/http_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define WEB_FILE_MAX (8 * 1024 * 1024)

static const char *content_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".woff2", "font/woff2"},
    };
    const char *dot = strrchr(name, '.');

    for (size_t i = 0; dot && i < ACC_ARRAY_LEN(types); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

void http_static_init(struct http_app *app)
{
    app->etags = xcalloc(acc_web_count + 1, sizeof(*app->etags));
    for (size_t i = 0; i < acc_web_count; i++) {
        unsigned char h[16];
        char hex[33];

        crypto_generichash(h, sizeof(h), acc_web_files[i].data, acc_web_files[i].len, NULL, 0);
        sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
        app->etags[i] = xmalloc(36);
        snprintf(app->etags[i], 36, "\"%s\"", hex);
    }
}

/* Maps a URL path to a file name below the web root, or NULL when it may not be served. */
static const char *file_for(struct http_ctx *ctx)
{
    const char *p = ctx->path + 1;

    if (!*p)
        return "index.html";
    if (strcmp(p, "signin") == 0)
        return "signin.html";
    if (strstr(p, "..") || strstr(p, "//"))
        return NULL;
    for (const char *c = p; *c; c++)
        if (!(((*c | 32) >= 'a' && (*c | 32) <= 'z') || (*c >= '0' && *c <= '9') ||
              strchr("._-/", *c)))
            return NULL;
    /* Paths without an extension are the app's own pages. */
    if (!strchr(strrchr(p, '/') ? strrchr(p, '/') : p, '.'))
        return "index.html";
    return p;
}

static int from_disk(struct http_ctx *ctx, const char *name)
{
    char *path = acc_arena_printf(ctx->arena, "%s/%s", ctx->app->cfg.web_root, name);
    struct stat sb;
    FILE *f;
    char *data;

    if (stat(path, &sb) || !S_ISREG(sb.st_mode) || sb.st_size > WEB_FILE_MAX)
        return http_reply_fail(ctx, ACC_ENOTFOUND, "", "no such file '%s'", ctx->path);
    f = fopen(path, "rb");
    if (!f)
        return http_reply_fail(ctx, ACC_ENOTFOUND, "", "no such file '%s'", ctx->path);
    data = xmalloc((size_t)sb.st_size + 1);
    ctx->resp_len = fread(data, 1, (size_t)sb.st_size, f);
    fclose(f);
    ctx->status = 200;
    ctx->resp = data;
    ctx->resp_static = false;
    ctx->resp_type = content_type(name);
    http_header_add(ctx, "Cache-Control", "no-store");
    return 0;
}

int http_static(struct http_ctx *ctx)
{
    const char *name = file_for(ctx);

    if (!name)
        return http_reply_fail(ctx, ACC_ENOTFOUND, "", "no such file '%s'", ctx->path);
    if (ctx->app->cfg.web_root)
        return from_disk(ctx, name);
    for (size_t i = 0; i < acc_web_count; i++) {
        if (strcmp(acc_web_files[i].name, name) != 0)
            continue;
        http_header_add(ctx, "ETag", ctx->app->etags[i]);
        http_header_add(ctx, "Cache-Control", "no-cache");
        if (ctx->if_none_match && strstr(ctx->if_none_match, ctx->app->etags[i]))
            return http_reply_empty(ctx, 304);
        return http_reply_static(ctx, 200, content_type(name), acc_web_files[i].data,
                                 acc_web_files[i].len);
    }
    return http_reply_fail(ctx, ACC_ENOTFOUND, "", "no such file '%s'", ctx->path);
}
