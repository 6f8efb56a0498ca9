/* calendar_int.h: what tz.c shares with calendar.c: the zone layout and its piece lookups. */
#ifndef ACCORD_CALENDAR_CALENDAR_INT_H
#define ACCORD_CALENDAR_CALENDAR_INT_H

#define TZ_BUCKET_SHIFT 24 /* zone lookups start from marks every 2^24 s (194 days) */
#define TZ_FAR_PAST     (INT64_MIN / 4)
#define TZ_FAR_FUTURE   (INT64_MAX / 4)

/*
 * One change of UTC offset. x is its local boundary, at + max(offset before, offset after):
 * local seconds below x (and at or above the previous change's x) are read with the offset
 * before, which puts gap times later by the gap and overlap times at their first occurrence.
 */
struct tz_trans {
    int64_t at;
    int64_t x;
    int32_t off; /* offset from at on */
};

/* A POSIX TZ rule date: 'J' Julian n (1..365, no Feb 29), 'D' zero-based n, 'M' m.w.d. */
struct tz_rule_date {
    char kind;
    int n, m, w, d;
    int32_t secs; /* local time of day of the change, may be negative or pass 24 h */
};

/* The TZif footer: what holds after the last transition of the file. */
struct tz_rule {
    bool has_dst;
    int32_t std_off, dst_off;
    struct tz_rule_date start, end; /* into DST (read in std time), out of it (in DST time) */
};

struct calendar_tz {
    char name[CALENDAR_TZ_NAME_MAX + 1];
    int32_t off0;        /* before the first transition */
    struct tz_trans *tr; /* the file's changes, then the footer rule's; no no-op changes */
    size_t n;
    /*
     * When the footer rule has DST, tr[cyc .. n) are its changes over 400 years: the
     * Gregorian calendar repeats with its weekdays every 146097 days, so they repeat
     * forever shifted by whole cycles, and lookups past them fold back into them.
     */
    bool cycle;
    size_t cyc;
    struct tz_rule rule;
    int32_t max_delta; /* largest offset change at one transition */
    /* bucket b: how many changes lie before bucket0 + b * 2^TZ_BUCKET_SHIFT (at, x) */
    int64_t bucket0;
    size_t nbuckets;
    uint32_t *bucket_at, *bucket_x;
};

/* A stretch [lo, hi) of UTC or of local seconds in which one offset holds. */
struct tz_piece {
    int64_t lo, hi;
    int32_t off;
    int64_t seg; /* index of the stretch in the table, -1 past its first cycle */
};

/* The piece of UTC instants holding at. */
void tz_piece_utc(const struct calendar_tz *tz, int64_t at, struct tz_piece *p);

/*
 * The piece of local seconds holding local_secs: every local time in [p->lo, p->hi) is the
 * instant local - p->off. The next piece starts at p->hi (TZ_FAR_FUTURE when none).
 */
void tz_piece_local(const struct calendar_tz *tz, int64_t local_secs, struct tz_piece *p);

/* The local piece after p (starting at p->hi); p->hi must be below TZ_FAR_FUTURE. */
void tz_piece_local_next(const struct calendar_tz *tz, const struct tz_piece *p,
                         struct tz_piece *next);

#endif
