/* request_import.h: importing request history from another tool (CSV), and the demo's history. */
#ifndef ACCORD_REQUEST_REQUEST_IMPORT_H
#define ACCORD_REQUEST_REQUEST_IMPORT_H

#include "request/request.h"

struct store;
struct calendar_zones;

/* Limits of one import, stated once (docs/import.md repeats them). */
#define REQUEST_IMPORT_BYTES_MAX     (64 * 1024 * 1024) /* bytes of one file */
#define REQUEST_IMPORT_ROWS_MAX      100000             /* data rows of one file */
#define REQUEST_IMPORT_FIELD_MAX     (256 * 1024)       /* bytes of one field */
#define REQUEST_IMPORT_COLUMNS_MAX   16                 /* fields of one record */
#define REQUEST_IMPORT_LIST_MAX      100  /* waiting intervals, resolutions, reopenings, comments */
#define REQUEST_IMPORT_BAD_MAX       1000 /* bad rows described in a result; more are counted */
#define REQUEST_IMPORT_PROGRESS_ROWS 1000 /* rows between two progress calls */

/* One bad row: its line in the file (of the record's first line), column and what is wrong. */
struct request_import_bad {
    int line;
    const char *column; /* "" when the row as a whole is at fault */
    const char *detail;
};

/* Called every REQUEST_IMPORT_PROGRESS_ROWS rows: rows read so far, bytes read of total. */
typedef void request_import_progress_fn(void *arg, int64_t rows, size_t done, size_t total);

struct request_import_options {
    bool skip_bad; /* store the good rows even when some are bad */
    bool dry_run;  /* do everything, then roll it back: the result says what would happen */
    /* Who imports: the actor of each "imported" event (0: accord itself), and via for audit. */
    const struct org_actor *importer;
    int64_t now; /* the import's instant: instants after it are refused; clocks catch up to it */
    request_import_progress_fn *progress; /* may be NULL */
    void *progress_arg;
};

struct request_import_result {
    int64_t rows;     /* data rows read */
    int64_t added;    /* requests created (or that would be, on a dry run) */
    int64_t existing; /* rows whose contract and external id are in the database already */
    int64_t bad;      /* rows at fault (skipped with skip_bad) */
    struct request_import_bad *bad_rows; /* the first REQUEST_IMPORT_BAD_MAX, in file order */
    int n_bad_rows;
    bool stored;  /* whether anything of the file was kept */
    bool refused; /* nothing was kept: a row was bad (without skip_bad), or the file is not CSV
                     with the columns of docs/import.md */
};

/*
 * Imports the request history of csv (len bytes, RFC 4180 with a header row; columns in
 * docs/import.md) inside the caller's write transaction. Rows whose (contract, external id)
 * exists are skipped; every other row's life is replayed in time order under the contract
 * version in force at its creation, with the replay flag set (no notifications): clocks,
 * met/missed and escalation levels come out as if the request had been live, each level
 * fired at the instant it was due, and the clocks then catch up with opt->now.
 * The file is one unit (a savepoint): when a row is bad without skip_bad, or the file cannot
 * be read as CSV (header, quoting, limits), nothing of it is kept and out->refused is set;
 * out->bad_rows says why, in file order. Returns ACC_OK whenever the file was read to a
 * verdict, bad rows or not; ACC_ESTORE (or ACC_EBUG) when the store failed, and then the
 * caller rolls its transaction back. *out and its bad rows live in arena.
 */
int request_import(struct store *st, struct calendar_zones *zones, const char *csv, size_t len,
                   const struct request_import_options *opt, struct acc_arena *arena,
                   struct request_import_result *out, struct acc_err *err);

/* "line 12, column requester: ..." (or "line 12: ..." without a column), in the arena. */
const char *request_import_bad_text(const struct request_import_bad *b, struct acc_arena *arena);

/*
 * The demo's history, inside the caller's transaction after contract_demo_populate(): a few
 * hundred requests of the six weeks before now on the demo contracts, made as CSV text with
 * a fixed seed and imported with request_import(). The demo contracts' versions are first
 * moved back in time so that they were in force then (contract_demo_backdate()). *added gets
 * the number of requests.
 */
int request_demo_populate(struct store *st, struct calendar_zones *zones, int64_t now,
                          struct acc_arena *arena, int64_t *added, struct acc_err *err);

/* The demo history as CSV text (malloc'd, the caller frees it), for request_demo_populate(). */
int request_demo_csv(struct store *st, struct calendar_zones *zones, int64_t now,
                     struct acc_arena *arena, char **out, size_t *len, struct acc_err *err);

#endif
