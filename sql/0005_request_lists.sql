-- 0005_request_lists: what lists and counts of requests need to run on an index at any size.
-- Portable subset: times are BIGINT UTC epoch seconds. Every index here is plain or partial
-- with a constant WHERE, which both SQLite and PostgreSQL accept; request_list() builds its
-- queries so that one of them (or one of 0004's) drives each, see docs/operating.md.

-- breach_at: the instant from which the request counts as breached (SPEC 3), NULL when it
-- does not as things stand. A clock that missed counts from its due instant; a running
-- response clock, and a running resolution clock that is not paused, from their due
-- instants; the earlier of the two wins. "Breached at now" is then breach_at < now, a range.
-- It is derived from the clocks and written with them by request_save() and request_create():
-- anything else that changes the clock columns must write it too.
ALTER TABLE request ADD COLUMN breach_at BIGINT;
UPDATE request SET breach_at = CASE
    WHEN (response_met = 0 OR responded_at IS NULL)
         AND (resolution_met = 0 OR (resolved_at IS NULL AND paused_since IS NULL))
        THEN CASE WHEN resolution_due_at < response_due_at THEN resolution_due_at
                  ELSE response_due_at END
    WHEN response_met = 0 OR responded_at IS NULL THEN response_due_at
    WHEN resolution_met = 0 OR (resolved_at IS NULL AND paused_since IS NULL)
        THEN resolution_due_at
    END;

-- A department's requests by id: the provider half of a member's list, and provider lists.
CREATE INDEX request_provider_id ON request (provider_department_id, id);
-- The queues: a department's requests not closed, by resolution due instant (then id), as
-- provider and as consumer, and all departments' for administrators. Partial: closed
-- requests, the bulk of the table, are not in them, and a request leaves them as it closes.
-- Queries name the condition word for word (status <> 'closed') so SQLite can use them.
CREATE INDEX request_provider_open ON request (provider_department_id, resolution_due_at, id)
    WHERE status <> 'closed';
CREATE INDEX request_consumer_open ON request (consumer_department_id, resolution_due_at, id)
    WHERE status <> 'closed';
CREATE INDEX request_open ON request (resolution_due_at, id) WHERE status <> 'closed';
-- A person's requests: by id, and those not closed. They replace (assignee_id, status),
-- which could give neither order.
DROP INDEX request_assignee;
CREATE INDEX request_assignee_id ON request (assignee_id, id);
CREATE INDEX request_assignee_open ON request (assignee_id, resolution_due_at, id)
    WHERE status <> 'closed';
-- One filter alone, for administrators (everyone else's lists start at their department).
CREATE INDEX request_service ON request (service_id, id);
CREATE INDEX request_status ON request (status, id);
CREATE INDEX request_created ON request (created_at, id);
-- The requests breached or bound to be, by id: a list of those breached at now walks it in
-- order and skips only the running clocks not yet due (breach_at >= now), which the work at
-- hand bounds; a count reads it whole without the table.
CREATE INDEX request_breach ON request (id, breach_at) WHERE breach_at IS NOT NULL;
