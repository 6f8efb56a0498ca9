/* arena.c: bump allocator freed at once; one per HTTP exchange or CLI command. */
#include "base/acc.h"

#include <stdio.h>
#include <stdlib.h>

#define CHUNK_SIZE 8192

struct chunk {
    struct chunk *next;
    size_t size;
    size_t used;
    _Alignas(16) unsigned char data[];
};

struct acc_arena {
    struct chunk *head;
    size_t total;
};

struct acc_arena *acc_arena_new(void)
{
    return xcalloc(1, sizeof(struct acc_arena));
}

void acc_arena_free(struct acc_arena *a)
{
    struct chunk *c, *next;

    if (!a)
        return;
    for (c = a->head; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

void *acc_arena_alloc(struct acc_arena *a, size_t n)
{
    struct chunk *c = a->head;
    size_t need = (n + 15) & ~(size_t)15;
    void *p;

    if (!c || c->size - c->used < need) {
        size_t size = need > CHUNK_SIZE ? need : CHUNK_SIZE;

        c = xmalloc(sizeof(*c) + size);
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    p = c->data + c->used;
    c->used += need;
    a->total += need;
    memset(p, 0, n);
    return p;
}

char *acc_arena_strndup(struct acc_arena *a, const char *s, size_t n)
{
    char *p = acc_arena_alloc(a, n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *acc_arena_strdup(struct acc_arena *a, const char *s)
{
    return s ? acc_arena_strndup(a, s, strlen(s)) : NULL;
}

char *acc_arena_printf(struct acc_arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    p = acc_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

size_t acc_arena_used(const struct acc_arena *a)
{
    return a->total;
}
