/* cache.c: replies of organisation reads, kept against the organisation's revision. */
#include "base/acc.h"
#include "http/http_int.h"

#include <stdlib.h>

void http_cache_init(struct reply_cache *c)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->mu, NULL);
}

void http_cache_release(struct reply_cache *c)
{
    for (int i = 0; i < CACHE_SLOTS; i++) {
        free(c->slots[i].key);
        free(c->slots[i].body);
    }
    pthread_mutex_destroy(&c->mu);
}

/* The key: path, then the query parameters in the order given. */
const char *http_cache_key(struct http_ctx *ctx)
{
    struct acc_buf b;
    char *key;

    acc_buf_init(&b);
    acc_buf_adds(&b, ctx->path);
    for (int i = 0; i < ctx->nquery; i++)
        acc_buf_addf(&b, "%c%s=%s", i ? '&' : '?', ctx->query[i].key,
                     ctx->query[i].value ? ctx->query[i].value : "");
    key = acc_arena_strdup(ctx->arena, b.buf);
    acc_buf_release(&b);
    return key;
}

bool http_cache_get(struct reply_cache *c, const char *key, int64_t revision, char **body,
                    size_t *len)
{
    bool hit = false;

    pthread_mutex_lock(&c->mu);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        struct reply_cache_slot *s = &c->slots[i];

        if (s->key && s->revision == revision && strcmp(s->key, key) == 0) {
            *body = xstrndup(s->body, s->len);
            *len = s->len;
            hit = true;
            break;
        }
    }
    if (hit)
        c->hits++;
    else
        c->misses++;
    pthread_mutex_unlock(&c->mu);
    return hit;
}

void http_cache_put(struct reply_cache *c, const char *key, int64_t revision, const char *body,
                    size_t len)
{
    struct reply_cache_slot *slot = NULL;

    if (len > CACHE_BODY_MAX)
        return;
    pthread_mutex_lock(&c->mu);
    /* Reuse the key's own slot, else take the next one round the ring. */
    for (int i = 0; i < CACHE_SLOTS && !slot; i++)
        if (c->slots[i].key && strcmp(c->slots[i].key, key) == 0)
            slot = &c->slots[i];
    if (!slot) {
        slot = &c->slots[c->next];
        c->next = (c->next + 1) % CACHE_SLOTS;
        free(slot->key);
        free(slot->body);
        slot->key = xstrdup(key);
        slot->body = NULL;
    }
    /* A reply made at an older revision than the one kept is stale: keep the newer. */
    if (!slot->body || revision >= slot->revision) {
        free(slot->body);
        slot->body = xstrndup(body, len);
        slot->len = len;
        slot->revision = revision;
    }
    pthread_mutex_unlock(&c->mu);
}

void http_cache_stats(struct reply_cache *c, uint64_t *hits, uint64_t *misses)
{
    pthread_mutex_lock(&c->mu);
    *hits = c->hits;
    *misses = c->misses;
    pthread_mutex_unlock(&c->mu);
}
