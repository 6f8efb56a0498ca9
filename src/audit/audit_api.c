/* audit_api.c: GET /api/v1/audit, newest first, filtered by entity, entity id and actor. */
#include "base/acc.h"
#include "audit/audit.h"
#include "audit/audit_api.h"
#include "jx/jx.h"

#define ENTITY_MAX 32

int audit_api_list(struct http_ctx *ctx)
{
    struct audit_filter f = {0};
    struct audit_entry *items;
    struct http_page page;
    json_t *arr;
    bool more;
    int n;

    if (http_page_read(ctx, &page) || http_query_id(ctx, "entity_id", &f.entity_id) ||
        http_query_id(ctx, "actor", &f.actor_id))
        return http_reply_err(ctx);
    f.entity = http_query(ctx, "entity");
    if (f.entity && (!*f.entity || strlen(f.entity) > ENTITY_MAX))
        return http_reply_fail(ctx, ACC_EINVAL, "/query/entity", "entity must be 1 to %d bytes",
                               ENTITY_MAX);
    f.before_id = page.after_id; /* the cursor carries the last id seen; the list runs down */
    f.limit = page.limit;
    if (audit_list(ctx->store, &f, ctx->arena, &items, &n, &more, &ctx->err))
        return http_reply_err(ctx);
    arr = json_array();
    for (int i = 0; i < n; i++) {
        struct audit_entry *e = &items[i];

        json_array_append_new(
            arr, json_pack("{s:I,s:o,s:o,s:s,s:s,s:o,s:o,s:o}", "id", (json_int_t)e->id, "at",
                           jx_time(e->at), "actor", jx_ref(e->actor_id, e->actor_name), "action",
                           e->action, "entity", e->entity, "entity_id",
                           e->entity_id ? json_integer(e->entity_id) : json_null(), "before",
                           jx_from_text(e->before_json), "after", jx_from_text(e->after_json)));
    }
    return http_reply_json(ctx, 200, http_page_json(arr, more, n ? items[n - 1].id : 0));
}
