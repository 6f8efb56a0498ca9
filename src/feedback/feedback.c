/* feedback.c: giving, changing and reading feedback; who sees the rater; the audit rows. */
#include "base/acc.h"
#include "base/jw.h"
#include "audit/audit.h"
#include "feedback/feedback.h"
#include "store/store.h"

#include <stdio.h>

/* The columns of a feedback row, in the order read_row() reads them. */
#define FEEDBACK_SELECT                                                                            \
    "SELECT f.id, f.request_id, f.contract_id, v.number, f.provider_department_id, pd.name, "      \
    "f.consumer_department_id, cd.name, f.side, f.rater_id, rp.name, f.quality, "                  \
    "f.responsiveness, f.courtesy, f.empathy, f.confidentiality, f.clarity, f.not_right, "         \
    "f.comment, f.signed, f.given_at, f.updated_at, f.editable_until FROM feedback f "             \
    "JOIN contract_version v ON v.id = f.version_id "                                              \
    "JOIN department pd ON pd.id = f.provider_department_id "                                      \
    "JOIN department cd ON cd.id = f.consumer_department_id "                                      \
    "JOIN person rp ON rp.id = f.rater_id "

bool feedback_rates(enum measure_side side, enum score_rating r)
{
    if (side == MEASURE_PROVIDER)
        return r != SCORE_CLARITY && (unsigned)r < SCORE_RATINGS;
    return r == SCORE_RESPONSIVENESS || r == SCORE_COURTESY || r == SCORE_CLARITY;
}

static int read_row(struct store_stmt *stmt, void *item, struct acc_arena *arena,
                    struct acc_err *err)
{
    struct feedback *f = item;
    const char *side = store_col_text(stmt, 8);

    f->id = store_col_int(stmt, 0);
    f->request_id = store_col_int(stmt, 1);
    f->contract_id = store_col_int(stmt, 2);
    f->version = (int)store_col_int(stmt, 3);
    f->provider.id = store_col_int(stmt, 4);
    f->provider.name = store_col_dup(stmt, 5, arena);
    f->consumer.id = store_col_int(stmt, 6);
    f->consumer.name = store_col_dup(stmt, 7, arena);
    f->side = side && strcmp(side, "consumer") == 0 ? MEASURE_CONSUMER : MEASURE_PROVIDER;
    f->rater.id = store_col_int(stmt, 9);
    f->rater.name = store_col_dup(stmt, 10, arena);
    for (int r = 0; r < SCORE_RATINGS; r++)
        f->ratings[r] = store_col_null(stmt, 11 + r) ? 0 : (int)store_col_int(stmt, 11 + r);
    f->not_right = store_col_int(stmt, 17) != 0;
    f->comment = store_col_dup(stmt, 18, arena);
    f->is_signed = store_col_int(stmt, 19) != 0;
    f->given_at = store_col_int(stmt, 20);
    f->updated_at = store_col_int(stmt, 21);
    f->editable_until = store_col_int(stmt, 22);
    if (!f->comment)
        f->comment = "";
    return ACC_OK;
}

/*
 * What who may know of f, applied to every row before it leaves this file: the rater's
 * name only to the rater, or to everyone once signed (SPEC 4).
 */
static void redact(struct feedback *f, const struct org_actor *who, int64_t now)
{
    f->mine = who->person_id != 0 && who->person_id == f->rater.id;
    f->editable = f->mine && now <= f->editable_until;
    if (!f->mine && !f->is_signed) {
        f->rater.id = 0;
        f->rater.name = NULL;
    }
}

/* Whether who may see feedback between the two departments: either side, or an admin. */
static bool may_see(const struct feedback *f, const struct org_actor *who)
{
    return who->role == ORG_ROLE_ADMIN ||
           (who->person_id &&
            (who->department_id == f->provider.id || who->department_id == f->consumer.id));
}

/* Loads row id unredacted; ACC_ENOTFOUND when it does not exist. */
static int load(struct store *st, int64_t id, struct acc_arena *arena, struct feedback *out,
                struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(id)};
    struct store_stmt *stmt;
    struct feedback *items;
    void *rows;
    bool more;
    int rc, n;

    rc = store_exec(st, FEEDBACK_SELECT "WHERE f.id = ?", args, 1, &stmt, err);
    if (!rc)
        rc = store_collect(stmt, sizeof(*items), 1, read_row, arena, &rows, &n, &more, err);
    if (rc)
        return rc;
    items = rows;
    if (n == 0)
        return acc_fail(err, ACC_ENOTFOUND, "", "feedback %lld does not exist", (long long)id);
    *out = items[0];
    return ACC_OK;
}

/*
 * The audit snapshot: what was given, never who gave it. The actor column names the rater
 * only when the feedback is signed.
 */
static const char *snapshot(const struct feedback *f, struct acc_arena *arena)
{
    struct acc_jw w;

    acc_jw_begin(&w);
    acc_jw_int(&w, "id", f->id);
    acc_jw_int(&w, "request_id", f->request_id);
    acc_jw_str(&w, "side", measure_side_name(f->side));
    for (int r = 0; r < SCORE_RATINGS; r++) {
        if (!feedback_rates(f->side, r))
            continue;
        if (f->ratings[r])
            acc_jw_int(&w, score_rating_name(r), f->ratings[r]);
        else
            acc_jw_null(&w, score_rating_name(r));
    }
    if (f->side == MEASURE_PROVIDER)
        acc_jw_bool(&w, "not_right_first_time", f->not_right);
    acc_jw_str(&w, "comment", f->comment);
    acc_jw_bool(&w, "signed", f->is_signed);
    acc_jw_time(&w, "given_at", f->given_at);
    acc_jw_time(&w, "updated_at", f->updated_at);
    return acc_jw_end(&w, arena);
}

static int audit(struct store *st, const struct org_actor *who, const struct feedback *before,
                 const struct feedback *after, struct acc_arena *arena, struct acc_err *err)
{
    return audit_append(st, after->is_signed ? who->person_id : 0, who->via, "feedback", after->id,
                        before ? snapshot(before, arena) : NULL, snapshot(after, arena), err);
}

/* Applies in to f (the side is set), checking each field against the side. */
static int apply(struct feedback *f, const struct feedback_input *in, struct acc_err *err)
{
    const char *whose = f->side == MEASURE_PROVIDER ? "the consumer's feedback on the provider"
                                                    : "the provider's feedback on the consumer";
    bool any = false;
    int rc;

    for (int r = 0; r < SCORE_RATINGS; r++) {
        char field[32];

        if (!in->has_rating[r])
            continue;
        snprintf(field, sizeof(field), "/%s", score_rating_name(r));
        if (!feedback_rates(f->side, r) && in->ratings[r] == 0)
            continue; /* null for a rating the side does not receive: nothing to do */
        if (!feedback_rates(f->side, r))
            return acc_fail(err, ACC_EINVAL, field, "%s has no %s rating", whose,
                            score_rating_name(r));
        if (in->ratings[r] < 0 || in->ratings[r] > 5) /* 0 clears */
            return acc_fail(err, ACC_EINVAL, field, "%s must be an integer 1 to 5",
                            score_rating_name(r));
        f->ratings[r] = in->ratings[r];
    }
    if (in->has_not_right) {
        if (f->side != MEASURE_PROVIDER && in->not_right)
            return acc_fail(err, ACC_EINVAL, "/not_right_first_time",
                            "%s has no \"not right first time\" flag", whose);
        f->not_right = in->not_right && f->side == MEASURE_PROVIDER;
    }
    if (in->has_comment) {
        rc = acc_text_check(in->comment, FEEDBACK_COMMENT_MAX, "/comment", err);
        if (rc)
            return rc;
        f->comment = in->comment ? in->comment : "";
    }
    if (in->has_signed)
        f->is_signed = in->is_signed;
    for (int r = 0; r < SCORE_RATINGS; r++)
        any = any || f->ratings[r] != 0;
    if (!any && !f->not_right && !*f->comment)
        return acc_fail(err, ACC_EINVAL, "",
                        "feedback needs a rating, the \"not right first time\" flag or a comment");
    return ACC_OK;
}

/* The side who rates on r: the side rated, or ACC_EPERM for who is on neither side. */
static int rated_side(const struct request *r, const struct org_actor *who, enum measure_side *out,
                      struct acc_err *err)
{
    enum request_side s = request_side_of(r, who);

    /* Administrators count as the provider for work; feedback is for members of a side. */
    if (s == REQUEST_CONSUMER && who->department_id == r->consumer.id)
        *out = MEASURE_PROVIDER;
    else if (s == REQUEST_PROVIDER && who->person_id && who->department_id == r->provider.id)
        *out = MEASURE_CONSUMER;
    else
        return acc_fail(err, ACC_EPERM, "",
                        "only people of the consumer or provider department of request %lld "
                        "give feedback on it",
                        (long long)r->id);
    return ACC_OK;
}

int feedback_give(struct store *st, const struct org_actor *who, int64_t request_id,
                  const struct feedback_input *in, int64_t now, struct acc_arena *arena,
                  struct feedback *out, struct acc_err *err)
{
    struct feedback f = {0};
    struct request r;
    int64_t existing;
    int rc;

    rc = request_get(st, who, request_id, arena, &r, err);
    if (!rc)
        rc = rated_side(&r, who, &f.side, err);
    f.comment = "";
    if (!rc)
        rc = apply(&f, in, err);
    if (rc)
        return rc;
    if (r.status != REQUEST_RESOLVED && r.status != REQUEST_CLOSED)
        return acc_fail(err, ACC_ECONFLICT, "",
                        "request %lld is %s: feedback is given once it is resolved",
                        (long long)request_id, request_status_name(r.status));
    {
        struct store_arg args[] = {SA_INT(request_id), SA_TEXT(measure_side_name(f.side))};

        rc = store_query_int(st, "SELECT id FROM feedback WHERE request_id = ? AND side = ?", args,
                             2, &existing, err);
        if (!rc)
            return acc_fail(err, ACC_ECONFLICT, "",
                            "the %s side of request %lld has feedback %lld already: change it "
                            "with PATCH",
                            f.side == MEASURE_PROVIDER ? "consumer" : "provider",
                            (long long)request_id, (long long)existing);
        if (rc != ACC_ENOTFOUND)
            return rc;
    }
    {
        struct store_arg args[] = {SA_INT(request_id),
                                   SA_INT(r.contract_id),
                                   SA_INT(r.version_id),
                                   SA_INT(r.provider.id),
                                   SA_INT(r.consumer.id),
                                   SA_TEXT(measure_side_name(f.side)),
                                   SA_INT(who->person_id),
                                   SA_ID(f.ratings[SCORE_QUALITY]),
                                   SA_ID(f.ratings[SCORE_RESPONSIVENESS]),
                                   SA_ID(f.ratings[SCORE_COURTESY]),
                                   SA_ID(f.ratings[SCORE_EMPATHY]),
                                   SA_ID(f.ratings[SCORE_CONFIDENTIALITY]),
                                   SA_ID(f.ratings[SCORE_CLARITY]),
                                   SA_INT(f.not_right),
                                   SA_TEXT(f.comment),
                                   SA_INT(f.is_signed),
                                   SA_INT(now),
                                   SA_INT(now),
                                   SA_INT(now + FEEDBACK_EDIT_SECS)};

        rc = store_query_int(
            st,
            "INSERT INTO feedback (request_id, contract_id, version_id, provider_department_id, "
            "consumer_department_id, side, rater_id, quality, responsiveness, courtesy, empathy, "
            "confidentiality, clarity, not_right, comment, signed, given_at, updated_at, "
            "editable_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING id",
            args, ACC_ARRAY_LEN(args), &f.id, err);
        if (rc == ACC_ECONFLICT) /* a concurrent give won the unique key */
            return acc_fail(err, ACC_ECONFLICT, "",
                            "this side of request %lld has feedback already",
                            (long long)request_id);
        if (rc)
            return rc;
    }
    rc = load(st, f.id, arena, &f, err);
    if (!rc)
        rc = audit(st, who, NULL, &f, arena, err);
    if (rc)
        return rc;
    redact(&f, who, now);
    *out = f;
    return ACC_OK;
}

int feedback_update(struct store *st, const struct org_actor *who, int64_t id,
                    const struct feedback_input *in, int64_t now, struct acc_arena *arena,
                    struct feedback *out, struct acc_err *err)
{
    struct feedback before, f;
    int rc;

    rc = load(st, id, arena, &before, err);
    if (!rc && !may_see(&before, who))
        rc = acc_fail(err, ACC_ENOTFOUND, "", "feedback %lld does not exist", (long long)id);
    if (rc)
        return rc;
    if (!who->person_id || who->person_id != before.rater.id)
        return acc_fail(err, ACC_EPERM, "", "only the person who gave feedback %lld changes it",
                        (long long)id);
    f = before;
    rc = apply(&f, in, err);
    if (rc)
        return rc;
    if (now > before.editable_until) {
        char until[21];

        acc_time_format(before.editable_until, until);
        return acc_fail(err, ACC_ECONFLICT, "",
                        "feedback %lld could be changed until %s (%d days after it was given)",
                        (long long)id, until, FEEDBACK_EDIT_DAYS);
    }
    if (before.is_signed && !f.is_signed)
        return acc_fail(err, ACC_ECONFLICT, "/signed",
                        "a signature cannot be withdrawn: the rated side may have seen the name");
    f.updated_at = now;
    {
        struct store_arg args[] = {SA_ID(f.ratings[SCORE_QUALITY]),
                                   SA_ID(f.ratings[SCORE_RESPONSIVENESS]),
                                   SA_ID(f.ratings[SCORE_COURTESY]),
                                   SA_ID(f.ratings[SCORE_EMPATHY]),
                                   SA_ID(f.ratings[SCORE_CONFIDENTIALITY]),
                                   SA_ID(f.ratings[SCORE_CLARITY]),
                                   SA_INT(f.not_right),
                                   SA_TEXT(f.comment),
                                   SA_INT(f.is_signed),
                                   SA_INT(now),
                                   SA_INT(id)};

        rc =
            store_exec(st,
                       "UPDATE feedback SET quality = ?, responsiveness = ?, courtesy = ?, "
                       "empathy = ?, confidentiality = ?, clarity = ?, not_right = ?, comment = ?, "
                       "signed = ?, updated_at = ? WHERE id = ?",
                       args, ACC_ARRAY_LEN(args), NULL, err);
    }
    if (!rc)
        rc = audit(st, who, &before, &f, arena, err);
    if (rc)
        return rc;
    redact(&f, who, now);
    *out = f;
    return ACC_OK;
}

int feedback_get(struct store *st, const struct org_actor *who, int64_t id, int64_t now,
                 struct acc_arena *arena, struct feedback *out, struct acc_err *err)
{
    struct feedback f;
    int rc = load(st, id, arena, &f, err);

    if (!rc && !may_see(&f, who))
        rc = acc_fail(err, ACC_ENOTFOUND, "", "feedback %lld does not exist", (long long)id);
    if (rc)
        return rc;
    redact(&f, who, now);
    *out = f;
    return ACC_OK;
}

int feedback_of_request(struct store *st, const struct org_actor *who, int64_t request_id,
                        int64_t now, struct acc_arena *arena, struct feedback **items, int *n,
                        struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(request_id)};
    struct store_stmt *stmt;
    struct request r;
    void *rows;
    bool more;
    int rc, got;

    rc = request_get(st, who, request_id, arena, &r, err);
    if (!rc)
        rc = store_exec(st, FEEDBACK_SELECT "WHERE f.request_id = ? ORDER BY f.side DESC", args, 1,
                        &stmt, err);
    if (!rc) /* 'provider' sorts after 'consumer': DESC puts the provider rated first */
        rc = store_collect(stmt, sizeof(**items), 2, read_row, arena, &rows, &got, &more, err);
    if (rc)
        return rc;
    for (int i = 0; i < got; i++)
        redact(&((struct feedback *)rows)[i], who, now);
    *items = rows;
    *n = got;
    return ACC_OK;
}

int feedback_list(struct store *st, const struct org_actor *who, const struct feedback_filter *f,
                  int64_t now, struct acc_arena *arena, struct feedback **items, int *n, bool *more,
                  struct acc_err *err)
{
    bool all = who->role == ORG_ROLE_ADMIN;
    int64_t dept = who->person_id ? who->department_id : 0;
    const char *side = f->side == MEASURE_PROVIDER   ? "provider"
                       : f->side == MEASURE_CONSUMER ? "consumer"
                                                     : NULL;
    struct store_arg args[] = {SA_INT(all),
                               SA_INT(dept),
                               SA_INT(dept),
                               SA_INT(f->contract_id),
                               SA_INT(f->contract_id),
                               SA_TEXT(side),
                               SA_INT(f->from),
                               SA_INT(f->to),
                               SA_INT(f->to),
                               SA_INT(f->after_id),
                               SA_INT(f->limit + 1)};
    struct store_stmt *stmt;
    void *rows;
    int rc, got;

    if (!all && !dept) {
        *items = NULL;
        *n = 0;
        *more = false;
        return ACC_OK;
    }
    rc = store_exec(st,
                    FEEDBACK_SELECT
                    "WHERE (? = 1 OR f.provider_department_id = ? OR f.consumer_department_id = ?) "
                    "AND (? = 0 OR f.contract_id = ?) AND f.side = COALESCE(?, f.side) "
                    "AND f.given_at >= ? AND (? = 0 OR f.given_at < ?) AND f.id > ? "
                    "ORDER BY f.id LIMIT ?",
                    args, ACC_ARRAY_LEN(args), &stmt, err);
    if (!rc)
        rc =
            store_collect(stmt, sizeof(**items), f->limit, read_row, arena, &rows, &got, more, err);
    if (rc)
        return rc;
    for (int i = 0; i < got; i++)
        redact(&((struct feedback *)rows)[i], who, now);
    *items = rows;
    *n = got;
    return ACC_OK;
}

int feedback_request_due(struct store *st, const struct request *r, int64_t now,
                         struct acc_err *err)
{
    (void)st;
    (void)r;
    (void)now;
    (void)err;
    return ACC_OK;
}
