-- 0007_notify: notifications: e-mails and webhook deliveries fanned out from outbox events,
-- the webhook endpoints administrators register, and each person's choice of e-mails.
-- Portable subset: {serial_pk} is the backend's auto-increment key; times are BIGINT UTC
-- epoch seconds; booleans are INTEGER 0/1.

-- The outbox holds two kinds of row, told apart by channel:
--   'event'    what a module wrote in the transaction of the change (request_outbox_add(),
--              notify_enqueue()): event_type, the entity, recipients (person ids), payload (a
--              JSON object: the entity's fields), who acted (actor_id, NULL: accord itself)
--              and detail (a JSON object: what happened, e.g. a comment's id and body).
--   'email'    one e-mail to one person (target_id), fanned out from an event row (event_id);
--   'webhook'  one POST to one endpoint (target_id = webhook.id).
-- The worker turns each pending event row into its deliveries and marks it done, in one
-- transaction. A delivery is claimed with a lease: leased_by names the claim and available_at
-- moves to lease_until, so a claimed row leaves the due range until its lease runs out; a
-- worker killed mid-delivery leaves it to be claimed again then (at-least-once, event_uid
-- lets a receiver drop the repeat). address is the e-mail address or the URL when fanned out;
-- payload is then the whole message (RFC 5322 text, or the JSON body). sent_at: when done.
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'event';
ALTER TABLE outbox ADD COLUMN actor_id BIGINT;
ALTER TABLE outbox ADD COLUMN detail TEXT;
ALTER TABLE outbox ADD COLUMN event_id BIGINT;
ALTER TABLE outbox ADD COLUMN event_uid TEXT;
ALTER TABLE outbox ADD COLUMN target_id BIGINT;
ALTER TABLE outbox ADD COLUMN address TEXT;
ALTER TABLE outbox ADD COLUMN leased_by TEXT;
ALTER TABLE outbox ADD COLUMN sent_at BIGINT;
-- The worker's reads: due rows of one channel in the order they came due. A backlog of
-- deliveries never slows finding the events, nor the other way round.
CREATE INDEX outbox_channel_due ON outbox (channel, state, available_at);
-- Administrators' lists by state (the failed ones), by id.
CREATE INDEX outbox_state_id ON outbox (state, id);

-- A webhook endpoint. The secret signs every delivery (HMAC-SHA256); it is shown once, when
-- the endpoint is created, and never again by any API. An inactive endpoint gets no new
-- deliveries.
CREATE TABLE webhook (
    id {serial_pk},
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    created_by BIGINT REFERENCES person (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The event types an endpoint wants; '*' is every type, those added later included.
CREATE TABLE webhook_event (
    webhook_id BIGINT NOT NULL REFERENCES webhook (id),
    event_type TEXT NOT NULL,
    PRIMARY KEY (webhook_id, event_type)
);
CREATE INDEX webhook_event_type ON webhook_event (event_type, webhook_id);

-- A destination that did not answer at all, until when its deliveries wait, and how many
-- rounds in a row it failed: 'email' (the SMTP server) or 'webhook:ID'. Deliveries fanned out
-- to it meanwhile are due then too, so that a receiver that is down is tried once per round,
-- the rounds growing apart like one delivery's retries, not once per delivery. An answer
-- removes the row.
CREATE TABLE notify_hold (
    destination TEXT PRIMARY KEY,
    until_at BIGINT NOT NULL,
    rounds INTEGER NOT NULL
);

-- A person's choice of e-mail for one event type; no row means the default, which is on.
-- Only optional types may be off (escalations always reach their recipients).
CREATE TABLE notify_pref (
    person_id BIGINT NOT NULL REFERENCES person (id),
    event_type TEXT NOT NULL,
    email INTEGER NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (person_id, event_type)
);
