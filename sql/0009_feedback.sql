-- 0009_feedback: the ratings one side of a request gives the other after it is resolved.
-- Portable subset: {serial_pk} is the backend's auto-increment key; times are BIGINT UTC
-- epoch seconds; booleans are INTEGER 0/1; ratings are INTEGER 1-5, NULL when not given.

-- side is the side RATED (measured): 'provider' rows are the consumer's feedback on the
-- provider (quality, responsiveness, courtesy, empathy, confidentiality, the "not right
-- first time" flag), 'consumer' rows the provider's feedback on the consumer (courtesy,
-- responsiveness, clarity). One row per request and side: the key says so.
-- contract_id, version_id and the two departments are copied from the request so that
-- lists and access checks read one row. given_at places the feedback in its period (SPEC
-- 6.1: feedback *given* in the period) and never changes; edits move updated_at only, and
-- are allowed until editable_until. rater_id is who gave it: no reply, export or log shows
-- it to anyone but the rater unless signed is 1 (SPEC 4).
CREATE TABLE feedback (
    id {serial_pk},
    request_id BIGINT NOT NULL REFERENCES request (id),
    contract_id BIGINT NOT NULL REFERENCES contract (id),
    version_id BIGINT NOT NULL REFERENCES contract_version (id),
    provider_department_id BIGINT NOT NULL REFERENCES department (id),
    consumer_department_id BIGINT NOT NULL REFERENCES department (id),
    side TEXT NOT NULL CHECK (side IN ('provider', 'consumer')),
    rater_id BIGINT NOT NULL REFERENCES person (id),
    quality INTEGER CHECK (quality BETWEEN 1 AND 5),
    responsiveness INTEGER CHECK (responsiveness BETWEEN 1 AND 5),
    courtesy INTEGER CHECK (courtesy BETWEEN 1 AND 5),
    empathy INTEGER CHECK (empathy BETWEEN 1 AND 5),
    confidentiality INTEGER CHECK (confidentiality BETWEEN 1 AND 5),
    clarity INTEGER CHECK (clarity BETWEEN 1 AND 5),
    not_right INTEGER NOT NULL DEFAULT 0 CHECK (not_right IN (0, 1)),
    comment TEXT NOT NULL DEFAULT '',
    signed INTEGER NOT NULL DEFAULT 0 CHECK (signed IN (0, 1)),
    given_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    editable_until BIGINT NOT NULL,
    -- What each side rates: the provider is never rated on clarity, the consumer never on
    -- quality, empathy or confidentiality, nor marked "not right first time".
    CHECK (side = 'provider' OR (quality IS NULL AND empathy IS NULL
                                 AND confidentiality IS NULL AND not_right = 0)),
    CHECK (side = 'consumer' OR clarity IS NULL),
    UNIQUE (request_id, side)
);
-- Lists: a contract's feedback by period, a department's as either side, and all by id.
CREATE INDEX feedback_contract ON feedback (contract_id, given_at, id);
CREATE INDEX feedback_provider ON feedback (provider_department_id, id);
CREATE INDEX feedback_consumer ON feedback (consumer_department_id, id);
CREATE INDEX feedback_given ON feedback (given_at, id);
