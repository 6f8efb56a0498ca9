-- 0003_contract: the service catalogue, escalation policies and two-sided, versioned contracts.
-- Portable subset: {serial_pk} is the backend's auto-increment key; times are BIGINT UTC
-- epoch seconds; booleans are INTEGER 0/1. Targets, weights and factors are fixed-point
-- thousandths ("milli"): a target of 4.5 is stored as 4500, a weight of 0.5 as 500.

-- A service a provider department offers at an interface in a business process.
-- outcome_series_id is the seam for the external outcome series of SPEC 6.6 (no table yet).
CREATE TABLE service (
    id {serial_pk},
    provider_id BIGINT NOT NULL REFERENCES department (id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT NOT NULL,
    process TEXT NOT NULL,
    outcome TEXT NOT NULL,
    outcome_series_id BIGINT,
    point_person_id BIGINT NOT NULL REFERENCES person (id),
    deputy_id BIGINT REFERENCES person (id),
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (provider_id, name_key)
);

-- A named escalation policy; department_id is the department that owns it (NULL: the
-- organisation's, managed by administrators).
CREATE TABLE escalation_policy (
    id {serial_pk},
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    department_id BIGINT REFERENCES department (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The policy a department's contracts use unless they name their own.
CREATE TABLE department_escalation (
    department_id BIGINT PRIMARY KEY REFERENCES department (id),
    policy_id BIGINT NOT NULL REFERENCES escalation_policy (id)
);

-- The two sides of a contract are fixed for its life. A side is a department, or a named
-- person (person_id set) of that department. parties_key ("d3" or "p12:p40" and so on)
-- makes one contract per service and pair of sides.
CREATE TABLE contract (
    id {serial_pk},
    service_id BIGINT NOT NULL REFERENCES service (id),
    provider_department_id BIGINT NOT NULL REFERENCES department (id),
    provider_person_id BIGINT REFERENCES person (id),
    consumer_department_id BIGINT NOT NULL REFERENCES department (id),
    consumer_person_id BIGINT REFERENCES person (id),
    parties_key TEXT NOT NULL,
    formal INTEGER NOT NULL,
    created_by BIGINT REFERENCES person (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (service_id, parties_key)
);
CREATE INDEX contract_provider ON contract (provider_department_id, id);
CREATE INDEX contract_consumer ON contract (consumer_department_id, id);

-- One version of a contract's terms. Once proposed (or activated, for an informal
-- contract) no column of the terms changes again; only the state and its stamps do.
-- escalation_policy_id NULL means the provider department's default policy; the levels in
-- force are copied into escalation_level (version_id) when the terms freeze, which sets
-- escalation_frozen and frozen_policy_id (the policy they came from, NULL when none).
CREATE TABLE contract_version (
    id {serial_pk},
    contract_id BIGINT NOT NULL REFERENCES contract (id),
    number INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'proposed', 'agreed', 'active', 'superseded',
                                         'retired')),
    based_on INTEGER,
    summary TEXT NOT NULL,
    calendar_id BIGINT NOT NULL REFERENCES calendar (id),
    escalation_policy_id BIGINT REFERENCES escalation_policy (id),
    escalation_frozen INTEGER NOT NULL DEFAULT 0,
    frozen_policy_id BIGINT REFERENCES escalation_policy (id),
    response_minutes BIGINT NOT NULL,
    resolution_minutes BIGINT NOT NULL,
    weight_task BIGINT NOT NULL,
    weight_relationship BIGINT NOT NULL,
    weight_learning BIGINT NOT NULL,
    min_n INTEGER NOT NULL,
    review_cadence TEXT NOT NULL CHECK (review_cadence IN ('monthly', 'quarterly',
                                                           'semiannual', 'annual')),
    measure_period TEXT NOT NULL CHECK (measure_period IN ('month', 'quarter')),
    created_by BIGINT REFERENCES person (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    proposed_by BIGINT REFERENCES person (id),
    proposed_at BIGINT,
    agreed_at BIGINT,
    activated_by BIGINT REFERENCES person (id),
    activated_at BIGINT,
    superseded_at BIGINT,
    retired_by BIGINT REFERENCES person (id),
    retired_at BIGINT,
    UNIQUE (contract_id, number)
);
CREATE INDEX contract_version_state ON contract_version (state, contract_id);
CREATE INDEX contract_version_calendar ON contract_version (calendar_id);
-- At most one version of a contract is active: a partial unique index, in both backends.
CREATE UNIQUE INDEX contract_version_one_active ON contract_version (contract_id)
    WHERE state = 'active';

-- One expectation of one side: a measure of SPEC 6.1, its target and weight (milli).
CREATE TABLE contract_expectation (
    version_id BIGINT NOT NULL REFERENCES contract_version (id),
    side TEXT NOT NULL CHECK (side IN ('provider', 'consumer')),
    position INTEGER NOT NULL,
    measure TEXT NOT NULL,
    target BIGINT NOT NULL,
    weight BIGINT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (version_id, side, position),
    UNIQUE (version_id, side, measure)
);

-- Priorities scale both clock targets by factor (milli); exactly one is the default.
CREATE TABLE contract_priority (
    version_id BIGINT NOT NULL REFERENCES contract_version (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    factor BIGINT NOT NULL,
    is_default INTEGER NOT NULL,
    PRIMARY KEY (version_id, position),
    UNIQUE (version_id, name)
);

-- One signature per side of a proposed version; the key refuses a second one.
CREATE TABLE contract_signature (
    version_id BIGINT NOT NULL REFERENCES contract_version (id),
    side TEXT NOT NULL CHECK (side IN ('provider', 'consumer')),
    person_id BIGINT NOT NULL REFERENCES person (id),
    signed_at BIGINT NOT NULL,
    PRIMARY KEY (version_id, side)
);

-- Escalation levels belong to a policy, or (copied when its terms freeze) to a contract
-- version. notify is a bit set: 1 point person, 2 deputy, 4 provider head, 8 consumer head.
-- reassign is NULL, 'deputy' or 'provider_head'.
CREATE TABLE escalation_level (
    id {serial_pk},
    policy_id BIGINT REFERENCES escalation_policy (id),
    version_id BIGINT REFERENCES contract_version (id),
    position INTEGER NOT NULL,
    clock TEXT NOT NULL CHECK (clock IN ('response', 'resolution')),
    percent INTEGER NOT NULL,
    notify INTEGER NOT NULL,
    raise_priority INTEGER NOT NULL,
    reassign TEXT CHECK (reassign IN ('deputy', 'provider_head')),
    CHECK ((policy_id IS NULL) <> (version_id IS NULL))
);
CREATE UNIQUE INDEX escalation_level_policy ON escalation_level (policy_id, position);
CREATE UNIQUE INDEX escalation_level_version ON escalation_level (version_id, position);

-- Named people a level notifies besides the roles of notify.
CREATE TABLE escalation_level_person (
    level_id BIGINT NOT NULL REFERENCES escalation_level (id),
    person_id BIGINT NOT NULL REFERENCES person (id),
    PRIMARY KEY (level_id, person_id)
);

