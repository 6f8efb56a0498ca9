-- 0004_request: requests under contracts, their clocks, conversation, timeline, escalations,
-- and the outbox that notifications are sent from.
-- Portable subset: {serial_pk} is the backend's auto-increment key; times are BIGINT UTC
-- epoch seconds; booleans are INTEGER 0/1; business time is in seconds.

-- One hand-off under a contract. version_id binds the terms in force when it was raised.
-- Provider and consumer departments are copied from the contract so that access checks and
-- queue lists read one row.
--
-- Clocks (SPEC 3): the response clock runs from created_at until responded_at; the
-- resolution clock runs from created_at until resolved_at, paused while waiting on the
-- consumer and between a resolution and a reopening. paused_secs is the business time of
-- the pauses that ended; paused_since is when the current one began (NULL: running).
-- *_due_at are the due instants as of now (a pause moves resolution_due_at when it ends);
-- *_met is NULL until the clock stops, then 1 or 0. next_fire_at is the earliest instant
-- at which an escalation level or the automatic close is due (NULL: none), for the sweeper.
CREATE TABLE request (
    id {serial_pk},
    contract_id BIGINT NOT NULL REFERENCES contract (id),
    version_id BIGINT NOT NULL REFERENCES contract_version (id),
    service_id BIGINT NOT NULL REFERENCES service (id),
    provider_department_id BIGINT NOT NULL REFERENCES department (id),
    consumer_department_id BIGINT NOT NULL REFERENCES department (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    priority TEXT,
    priority_factor BIGINT NOT NULL,
    external_ref TEXT,
    requester_id BIGINT NOT NULL REFERENCES person (id),
    assignee_id BIGINT REFERENCES person (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'waiting_on_consumer',
                                           'resolved', 'reopened', 'closed')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    response_target_secs BIGINT NOT NULL,
    response_due_at BIGINT NOT NULL,
    responded_at BIGINT,
    response_met INTEGER,
    resolution_target_secs BIGINT NOT NULL,
    resolution_due_at BIGINT NOT NULL,
    paused_secs BIGINT NOT NULL DEFAULT 0,
    paused_since BIGINT,
    resolved_at BIGINT,
    resolution_secs BIGINT,
    resolution_met INTEGER,
    closed_at BIGINT,
    reopen_count INTEGER NOT NULL DEFAULT 0,
    missing_info_count INTEGER NOT NULL DEFAULT 0,
    next_fire_at BIGINT,
    imported INTEGER NOT NULL DEFAULT 0,
    UNIQUE (contract_id, external_ref)
);
CREATE INDEX request_fire ON request (next_fire_at) WHERE next_fire_at IS NOT NULL;
CREATE INDEX request_provider ON request (provider_department_id, status, resolution_due_at);
CREATE INDEX request_consumer ON request (consumer_department_id, id);
CREATE INDEX request_contract ON request (contract_id, id);
CREATE INDEX request_assignee ON request (assignee_id, status);
CREATE INDEX request_version ON request (version_id, status);

-- The conversation: public comments, and internal notes the provider side alone reads.
CREATE TABLE request_comment (
    id {serial_pk},
    request_id BIGINT NOT NULL REFERENCES request (id),
    author_id BIGINT REFERENCES person (id),
    internal INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX request_comment_request ON request_comment (request_id, id);

-- The timeline: every event with its actor (NULL: the system) and instant. detail is a
-- flat JSON object whose keys depend on kind.
CREATE TABLE request_event (
    id {serial_pk},
    request_id BIGINT NOT NULL REFERENCES request (id),
    at BIGINT NOT NULL,
    actor_id BIGINT REFERENCES person (id),
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX request_event_request ON request_event (request_id, id);

-- A level fires at most once per request, clock and level: the key says so.
-- due_at is when it should have fired; fired_at when it did (later after a restart).
CREATE TABLE request_escalation (
    request_id BIGINT NOT NULL REFERENCES request (id),
    clock TEXT NOT NULL CHECK (clock IN ('response', 'resolution')),
    level INTEGER NOT NULL,
    due_at BIGINT NOT NULL,
    fired_at BIGINT NOT NULL,
    manual INTEGER NOT NULL,
    PRIMARY KEY (request_id, clock, level)
);

-- Notifications waiting to be sent, written in the transaction of the change that caused
-- them. recipients is a JSON array of person ids; payload the event as JSON.
CREATE TABLE outbox (
    id {serial_pk},
    event_type TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    recipients TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    available_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_until BIGINT,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox (state, available_at);
