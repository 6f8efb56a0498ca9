/* cmd_import.c: `accord import requests FILE.csv`: request history from another tool. */
#include "base/acc.h"
#include "calendar/calendar.h"
#include "cli/cli.h"
#include "request/request_import.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: accord [--db PATH] import requests FILE.csv [--skip-bad] [--dry-run]\n\n"
            "Imports request history from another tool: one CSV row per request (RFC 4180,\n"
            "UTF-8, a header row; FILE '-' reads standard input). Columns: contract,\n"
            "external_id, title, requester, created, and optionally first_response, waiting,\n"
            "resolved, reopened, closed, description, priority, comments; see docs/import.md.\n"
            "Each request's life is replayed at its instants, so clocks, met or missed and\n"
            "escalations come out as if it had been live; nobody is notified of the past.\n"
            "Rows whose contract and external_id exist already are skipped, so importing a\n"
            "file twice changes nothing. The whole file is one transaction: a bad row is\n"
            "reported as 'line N, column NAME: ...' and nothing is stored, unless\n"
            "  --skip-bad   store the good rows and report the bad ones\n"
            "  --dry-run    check and replay everything, then store nothing\n"
            "At most %d MiB and %d rows per file. A progress line goes to standard error\n"
            "every %d rows. Exit status: 0 all rows imported or existing, 1 a bad row (with\n"
            "--skip-bad the others are stored all the same) or a failure, 2 usage.\n",
            REQUEST_IMPORT_BYTES_MAX / (1024 * 1024), REQUEST_IMPORT_ROWS_MAX,
            REQUEST_IMPORT_PROGRESS_ROWS);
}

/* Reads all of path ("-": standard input) into a malloc'd buffer, at most the import limit. */
static int read_file(const char *path, char **out, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    struct acc_buf b;
    char chunk[65536];
    size_t n;

    if (!f)
        return cli_error(CLI_FAIL, "cannot open '%s': %s", path, strerror(errno));
    acc_buf_init(&b);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (b.len + n > REQUEST_IMPORT_BYTES_MAX) {
            acc_buf_release(&b);
            if (f != stdin)
                fclose(f);
            return cli_error(CLI_FAIL, "'%s' is larger than %d MiB: split it", path,
                             REQUEST_IMPORT_BYTES_MAX / (1024 * 1024));
        }
        acc_buf_add(&b, chunk, n);
    }
    if (ferror(f)) {
        int e = errno;

        acc_buf_release(&b);
        if (f != stdin)
            fclose(f);
        return cli_error(CLI_FAIL, "cannot read '%s': %s", path, strerror(e));
    }
    if (f != stdin)
        fclose(f);
    *out = acc_buf_detach(&b, len);
    return CLI_OK;
}

struct progress {
    bool tty;
    bool shown;
    int64_t t0_ns;
};

/* A progress line: rewritten in place on a terminal, one line per call otherwise. */
static void on_progress(void *arg, int64_t rows, size_t done, size_t total)
{
    struct progress *p = arg;
    double secs = (double)(acc_mono_ns() - p->t0_ns) / 1e9;

    fprintf(stderr, "%saccord: import: %lld rows read (%d%%), %.0f rows/s%s", p->tty ? "\r" : "",
            (long long)rows, total ? (int)(100.0 * (double)done / (double)total) : 100,
            secs > 0 ? (double)rows / secs : 0.0, p->tty ? "" : "\n");
    fflush(stderr);
    p->shown = true;
}

static int import_requests(struct cli_ctx *cli, const char *path, bool skip_bad, bool dry_run)
{
    struct org_actor sys = org_actor_system("cli: import requests");
    struct progress prog = {isatty(STDERR_FILENO) != 0, false, acc_mono_ns()};
    struct request_import_options opt = {skip_bad, dry_run, &sys, acc_now(), on_progress, &prog};
    struct request_import_result res = {0};
    struct calendar_zones *zones;
    struct acc_err err = {0};
    struct store *st;
    size_t len = 0;
    char *csv = NULL;
    int rc;

    rc = read_file(path, &csv, &len);
    if (rc)
        return rc;
    rc = cli_open_store(cli, false, &st);
    if (rc) {
        free(csv);
        return rc;
    }
    zones = calendar_zones_new();
    rc = store_begin(st, true, &err);
    if (!rc)
        rc = request_import(st, zones, csv, len, &opt, cli->arena, &res, &err);
    if (!rc)
        rc = store_commit(st, &err);
    else
        store_rollback(st);
    calendar_zones_free(zones);
    store_close(st);
    free(csv);
    if (prog.shown && prog.tty)
        fputc('\n', stderr);
    if (rc)
        return cli_error(CLI_FAIL, "%s", err.msg);
    for (int i = 0; i < res.n_bad_rows; i++)
        cli_error(CLI_FAIL, "%s", request_import_bad_text(&res.bad_rows[i], cli->arena));
    if (res.bad > res.n_bad_rows)
        cli_error(CLI_FAIL, "... and %lld more bad rows", (long long)(res.bad - res.n_bad_rows));
    if (res.refused)
        printf("nothing stored: %lld bad row%s of %lld%s\n", (long long)res.bad,
               res.bad == 1 ? "" : "s", (long long)res.rows,
               res.rows > res.bad && !skip_bad ? " (--skip-bad stores the others)" : "");
    else
        printf("%s%lld added, %lld existing, %lld bad, of %lld rows\n",
               dry_run ? "dry run, nothing stored: " : "", (long long)res.added,
               (long long)res.existing, (long long)res.bad, (long long)res.rows);
    return res.bad ? CLI_FAIL : CLI_OK;
}

int cmd_import(struct cli_ctx *cli, int argc, char **argv)
{
    bool want_help = false, skip_bad = false, dry_run = false;
    const struct cli_opt opts[] = {
        {"skip-bad", false, NULL, &skip_bad},
        {"dry-run", false, NULL, &dry_run},
        {"help", false, NULL, &want_help},
    };
    const char *pos[1];
    int npos, rc;

    if (argc < 2 || cli_is_help(argv[1])) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "requests") != 0)
        return cli_error(CLI_USAGE, "unknown import '%s' (requests)", argv[1]);
    rc = cli_parse(argc, argv, 2, opts, ACC_ARRAY_LEN(opts), pos, 1, &npos);
    if (rc)
        return rc;
    if (want_help) {
        help(stdout);
        return CLI_OK;
    }
    if (npos != 1)
        return cli_error(CLI_USAGE, "import requests needs a CSV file ('-' for standard input)");
    return import_requests(cli, pos[0], skip_bad, dry_run);
}
