/* request_clock.c: the two clocks of a request (SPEC 3) on the engine's business calendar. */
#include "base/acc.h"
#include "request/request.h"

int request_clocks_start(const struct calendar *cal, int64_t created_at, int64_t response_secs,
                         int64_t resolution_secs, struct request_clocks *out, struct acc_err *err)
{
    struct request_clocks c = {0};
    int rc;

    c.created_at = created_at;
    c.response_target_secs = response_secs;
    c.resolution_target_secs = resolution_secs;
    c.response_met = -1;
    c.resolution_met = -1;
    rc = calendar_due(cal, created_at, response_secs, &c.response_due_at, err);
    if (!rc)
        rc = calendar_due(cal, created_at, resolution_secs, &c.resolution_due_at, err);
    if (!rc)
        *out = c;
    return rc;
}

void request_clocks_respond(struct request_clocks *c, int64_t now)
{
    if (c->responded_at)
        return;
    c->responded_at = now;
    c->response_met = now <= c->response_due_at;
}

void request_clocks_pause(struct request_clocks *c, int64_t now)
{
    if (!c->paused_since)
        c->paused_since = now;
}

int request_clocks_resume(const struct calendar *cal, struct request_clocks *c, int64_t now,
                          struct acc_err *err)
{
    int64_t pause = 0;
    int rc;

    if (!c->paused_since)
        return ACC_OK;
    rc = calendar_business_secs(cal, c->paused_since, now, &pause, err);
    if (!rc)
        rc = calendar_due_paused(cal, c->created_at, c->resolution_target_secs,
                                 c->paused_secs + pause, &c->resolution_due_at, err);
    if (!rc) {
        c->paused_secs += pause;
        c->paused_since = 0;
        c->resolved_at = 0;
        c->resolution_met = -1;
    }
    return rc;
}

int request_clocks_resolve(const struct calendar *cal, struct request_clocks *c, int64_t now,
                           struct acc_err *err)
{
    int64_t elapsed = 0, pause = 0;
    int rc = calendar_business_secs(cal, c->created_at, now, &elapsed, err);

    /* A request resolved straight from waiting on its consumer ends that pause now. */
    if (!rc && c->paused_since)
        rc = calendar_business_secs(cal, c->paused_since, now, &pause, err);
    if (!rc)
        rc = calendar_due_paused(cal, c->created_at, c->resolution_target_secs,
                                 c->paused_secs + pause, &c->resolution_due_at, err);
    if (rc)
        return rc;
    c->paused_secs += pause;
    c->resolution_secs = elapsed - c->paused_secs;
    c->resolved_at = now;
    c->resolution_met = now <= c->resolution_due_at;
    c->paused_since = now; /* stopped: a reopening resumes the clock from here */
    return ACC_OK;
}

int request_clocks_recompute(const struct calendar *cal, struct request_clocks *c,
                             struct acc_err *err)
{
    int rc = ACC_OK;

    if (!c->responded_at)
        rc = calendar_due(cal, c->created_at, c->response_target_secs, &c->response_due_at, err);
    if (!rc && !c->resolved_at)
        rc = calendar_due_paused(cal, c->created_at, c->resolution_target_secs, c->paused_secs,
                                 &c->resolution_due_at, err);
    return rc;
}

int request_autoclose_at(const struct calendar *cal, int64_t resolved_at, int64_t *out_at,
                         struct acc_err *err)
{
    int open_days = 0;

    /* Days on which an interval starts: a night shift's Saturday morning is Friday's night. */
    for (int d = 0; d < 7; d++)
        open_days += cal->week.day[d].n > 0;
    if (!open_days)
        return acc_fail(err, ACC_ENOTFOUND, "", "the calendar has no opening hours");
    return calendar_due(cal, resolved_at, REQUEST_AUTOCLOSE_DAYS * (cal->week_secs / open_days),
                        out_at, err);
}

int request_level_due(const struct calendar *cal, const struct request_clocks *c,
                      enum contract_clock clock, int percent, int64_t *out_at, struct acc_err *err)
{
    *out_at = 0;
    if (clock == CONTRACT_RESPONSE) {
        if (c->responded_at)
            return ACC_OK;
        return calendar_at_percent(cal, c->created_at, c->response_target_secs, percent, 0, out_at,
                                   err);
    }
    if (c->resolved_at || c->paused_since)
        return ACC_OK;
    return calendar_at_percent(cal, c->created_at, c->resolution_target_secs, percent,
                               c->paused_secs, out_at, err);
}

int64_t request_breach_at(const struct request_clocks *c)
{
    int64_t at = 0;

    if (c->response_met == 0 || !c->responded_at)
        at = c->response_due_at;
    if ((c->resolution_met == 0 || (!c->resolved_at && !c->paused_since)) &&
        (!at || c->resolution_due_at < at))
        at = c->resolution_due_at;
    return at;
}
