/* request_rules.c: the pure rules of requests: statuses, sides, who may move a request where. */
#include "base/acc.h"
#include "request/request.h"

static const char *const status_names[REQUEST_STATUSES] = {
    "open", "in_progress", "waiting_on_consumer", "resolved", "reopened", "closed"};

const char *request_status_name(enum request_status s)
{
    return (unsigned)s < REQUEST_STATUSES ? status_names[s] : "open";
}

int request_status_parse(const char *s, enum request_status *out)
{
    for (int i = 0; s && i < REQUEST_STATUSES; i++) {
        if (strcmp(s, status_names[i]) == 0) {
            *out = (enum request_status)i;
            return ACC_OK;
        }
    }
    return ACC_EINVAL;
}

enum request_side request_side_of(const struct request *r, const struct org_actor *who)
{
    /* A contract inside one department names two people: the requester is the consumer. */
    if (r->provider.id == r->consumer.id && who->person_id && who->department_id == r->consumer.id)
        return who->person_id == r->requester.id ? REQUEST_CONSUMER : REQUEST_PROVIDER;
    if (who->person_id && who->department_id == r->consumer.id)
        return REQUEST_CONSUMER;
    if ((who->person_id && who->department_id == r->provider.id) || who->role == ORG_ROLE_ADMIN)
        return REQUEST_PROVIDER;
    return REQUEST_THIRD;
}

bool request_may_see(const struct request *r, const struct org_actor *who)
{
    return request_side_of(r, who) != REQUEST_THIRD;
}

/* The lifecycle: which side makes each move (0: no such move). */
static unsigned move_side(enum request_status from, enum request_status to)
{
    enum { P = 1u << REQUEST_PROVIDER, C = 1u << REQUEST_CONSUMER, S = 1u << REQUEST_SYSTEM };
    static const unsigned table[REQUEST_STATUSES][REQUEST_STATUSES] = {
        [REQUEST_OPEN] = {[REQUEST_IN_PROGRESS] = P, [REQUEST_WAITING] = P, [REQUEST_RESOLVED] = P},
        [REQUEST_IN_PROGRESS] = {[REQUEST_WAITING] = P, [REQUEST_RESOLVED] = P},
        [REQUEST_WAITING] = {[REQUEST_IN_PROGRESS] = P | C, [REQUEST_RESOLVED] = P},
        [REQUEST_RESOLVED] = {[REQUEST_CLOSED] = C | S, [REQUEST_REOPENED] = C},
        [REQUEST_REOPENED] =
            {[REQUEST_IN_PROGRESS] = P, [REQUEST_WAITING] = P, [REQUEST_RESOLVED] = P},
    };

    if ((unsigned)from >= REQUEST_STATUSES || (unsigned)to >= REQUEST_STATUSES)
        return 0;
    return table[from][to];
}

int request_move_check(enum request_status from, enum request_status to, enum request_side side,
                       struct acc_err *err)
{
    unsigned who = move_side(from, to);

    if (!who)
        return acc_fail(err, ACC_ECONFLICT, "/to", "a request that is %s cannot become %s",
                        request_status_name(from), request_status_name(to));
    if (!(who & (1u << side)))
        return acc_fail(err, ACC_EPERM, "/to", "only the %s side moves a request from %s to %s",
                        (who & (1u << REQUEST_PROVIDER)) ? "provider" : "consumer",
                        request_status_name(from), request_status_name(to));
    return ACC_OK;
}

void request_may_of(const struct request *r, const struct org_actor *who, struct request_may *out)
{
    enum request_side side = request_side_of(r, who);
    enum request_side mover = who->person_id ? side : REQUEST_SYSTEM;
    bool open = r->status != REQUEST_CLOSED;

    memset(out, 0, sizeof(*out));
    if (side == REQUEST_THIRD)
        return;
    for (int to = 0; to < REQUEST_STATUSES; to++) {
        struct acc_err e;

        if (!request_move_check(r->status, (enum request_status)to, mover, &e))
            out->moves |= 1u << to;
    }
    out->comment = open;
    out->internal_note = open && side == REQUEST_PROVIDER;
    out->escalate =
        side == REQUEST_CONSUMER && r->status != REQUEST_RESOLVED && r->status != REQUEST_CLOSED;
    out->reassign = open && (who->role == ORG_ROLE_ADMIN ||
                             (who->department_id == r->provider.id &&
                              (who->role == ORG_ROLE_HEAD || who->role == ORG_ROLE_POINT_PERSON)));
}
