-- 0002_calendar: stored business calendars and their holidays.
-- Portable subset: {serial_pk} is the backend's auto-increment key; times are BIGINT UTC
-- epoch seconds.

-- hours is the week in the HOURS syntax of `accord calendar due` (calendar_week_format):
-- seven comma-separated entries, Monday first, "-" or intervals "HH:MM-HH:MM" joined by '+'.
CREATE TABLE calendar (
    id {serial_pk},
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    zone TEXT NOT NULL,
    hours TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One row per closed local day; day is 'YYYY-MM-DD', so text order is date order.
-- uid is the iCalendar UID of the event an imported holiday came from.
CREATE TABLE calendar_holiday (
    id {serial_pk},
    calendar_id BIGINT NOT NULL REFERENCES calendar (id),
    day TEXT NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('manual', 'ics')),
    uid TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (calendar_id, day)
);

-- Every change to a calendar or its holidays adds one, in its transaction: engine
-- calendars built at revision N stay valid while it reads N.
INSERT INTO revision (name, value) VALUES ('calendar', 0);
