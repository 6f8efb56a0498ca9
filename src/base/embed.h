/* embed.h: files compiled into the binary by tools/embed (web assets, SQL migrations). */
#ifndef ACCORD_BASE_EMBED_H
#define ACCORD_BASE_EMBED_H

struct acc_embed {
    const char *name; /* path below the embedded root, e.g. "index.html" or "0001_org.sql" */
    const unsigned char *data;
    size_t len;
};

/* The web UI, web/dist/, sorted by name. */
extern const struct acc_embed acc_web_files[];
extern const size_t acc_web_count;

/* The migrations, sql/NNNN_name.sql, sorted by name (so by version). */
extern const struct acc_embed acc_sql_files[];
extern const size_t acc_sql_count;

/* The OpenAPI document, src/http/openapi.json. */
extern const struct acc_embed acc_api_files[];
extern const size_t acc_api_count;

#endif
