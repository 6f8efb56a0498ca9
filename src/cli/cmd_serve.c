/* cmd_serve.c: `accord serve`: migrate, pool, serve HTTP and sweep escalations until a signal. */
#include "base/acc.h"
#include "base/log.h"
#include "auth/auth.h"
#include "cli/cli.h"
#include "http/http.h"
#include "request/request_sweeper.h"
#include "store/store.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define POOL_DEFAULT 4
#define POOL_MAX     64

static void help(void)
{
    printf("usage: accord [--db PATH] serve [--listen HOST:PORT] [--web-root DIR] [--pool N]\n"
           "                            [--log-level debug|info|warn|error] [--cookie-secure]\n\n"
           "Serves the web UI and the API (default http://127.0.0.1:8080). Applies pending\n"
           "migrations first, fires the escalation levels that came due while it was down,\n"
           "then each one when it is due. Logs JSON lines to standard error. Stops on SIGINT\n"
           "or SIGTERM.\n\n"
           "  --listen HOST:PORT  address to listen on (default 127.0.0.1:8080; [::1]:8080)\n"
           "  --web-root DIR      serve the UI from DIR instead of the copy built in\n"
           "  --pool N            database connections (default %d)\n"
           "  --log-level LEVEL   least severe level logged (default info)\n"
           "  --cookie-secure     mark the session cookie Secure (when behind HTTPS)\n",
           POOL_DEFAULT);
}

struct banner {
    const char *db, *listen;
    struct request_sweeper *sweeper;
    struct calendar_zones *zones;
    struct acc_err err; /* why the sweeper did not start */
    bool failed;
};

/*
 * The sweeper starts once the server listens, so a server that cannot bind its address
 * fires nothing. Without it the server would serve requests whose escalations never fire:
 * it stops instead, through the signal it waits for.
 */
static void announce(void *arg)
{
    struct banner *b = arg;

    if (request_sweeper_start(b->sweeper, b->zones, &b->err)) {
        b->failed = true;
        raise(SIGTERM);
        return;
    }
    printf("accord %s serving %s on http://%s/\n", ACC_VERSION, b->db, b->listen);
    fflush(stdout);
}

int cmd_serve(struct cli_ctx *cli, int argc, char **argv)
{
    const char *listen = "127.0.0.1:8080", *web_root = NULL, *pool_s = NULL, *level = NULL;
    bool want_help = false, secure = false;
    const struct cli_opt opts[] = {
        {"listen", true, &listen, NULL},         {"web-root", true, &web_root, NULL},
        {"pool", true, &pool_s, NULL},           {"log-level", true, &level, NULL},
        {"cookie-secure", false, NULL, &secure}, {"help", false, NULL, &want_help},
    };
    struct http_app_config cfg = {0};
    struct acc_err err = {0};
    struct store *st;
    struct http_app *app;
    struct request_sweeper *sweeper;
    int64_t pool_n = POOL_DEFAULT;
    int npos, rc;
    struct stat sb;
    struct banner banner = {0};

    rc = cli_parse(argc, argv, 1, opts, ACC_ARRAY_LEN(opts), NULL, 0, &npos);
    if (rc)
        return rc;
    if (want_help) {
        help();
        return CLI_OK;
    }
    if (pool_s && (!acc_parse_i64(pool_s, &pool_n) || pool_n < 1 || pool_n > POOL_MAX))
        return cli_error(CLI_USAGE, "--pool must be from 1 to %d", POOL_MAX);
    if (web_root && (stat(web_root, &sb) || !S_ISDIR(sb.st_mode)))
        return cli_error(CLI_USAGE, "--web-root '%s' is not a directory", web_root);
    if (level) {
        static const char *names[] = {"debug", "info", "warn", "error"};
        size_t k;

        for (k = 0; k < ACC_ARRAY_LEN(names) && strcmp(level, names[k]) != 0; k++)
            ;
        if (k == ACC_ARRAY_LEN(names))
            return cli_error(CLI_USAGE, "--log-level must be debug, info, warn or error");
        acc_log_set_level((enum acc_log_level)k);
    }
    rc = cli_open_store(cli, false, &st);
    if (rc)
        return rc;
    store_close(st);
    rc = store_pool_new(cli->db_path, (int)pool_n, &cfg.pool, &err);
    if (rc)
        return cli_error(CLI_FAIL, "%s", err.msg);
    cfg.limiter = auth_limiter_new();
    cfg.web_root = web_root;
    cfg.cookie_secure = secure;
    cfg.sweeper = sweeper = request_sweeper_new(cfg.pool);
    app = http_app_new(&cfg);
    banner.db = cli->db_label;
    banner.listen = listen;
    banner.sweeper = sweeper;
    banner.zones = http_app_zones(app);
    rc = http_serve(app, listen, announce, &banner, &err);
    /* The HTTP threads are gone (no more pokes); the sweeper goes before the zones and pool. */
    request_sweeper_free(sweeper);
    http_app_free(app);
    auth_limiter_free(cfg.limiter);
    store_pool_free(cfg.pool);
    if (rc)
        return cli_error(CLI_FAIL, "%s", err.msg);
    if (banner.failed)
        return cli_error(CLI_FAIL, "%s", banner.err.msg);
    return CLI_OK;
}
