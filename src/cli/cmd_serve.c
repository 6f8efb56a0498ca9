/*
 * cmd_serve.c: `accord serve`: migrate, pool, serve HTTP, sweep escalations and send
 * notifications until a signal.
 */
#include "base/acc.h"
#include "base/log.h"
#include "auth/auth.h"
#include "cli/cli.h"
#include "http/http.h"
#include "notify/notify.h"
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
           "                            [--log-level debug|info|warn|error] [--cookie-secure]\n"
           "                            [--notify-config FILE] [--base-url URL]\n\n"
           "Serves the web UI and the API (default http://127.0.0.1:8080). Applies pending\n"
           "migrations first, fires the escalation levels that came due while it was down,\n"
           "then each one when it is due, and sends the notifications of the outbox (e-mail\n"
           "over SMTP, signed webhooks), those left from before first. Logs JSON lines to\n"
           "standard error. Stops on SIGINT or SIGTERM.\n\n"
           "  --listen HOST:PORT    address to listen on (default 127.0.0.1:8080; [::1]:8080)\n"
           "  --web-root DIR        serve the UI from DIR instead of the copy built in\n"
           "  --pool N              database connections (default %d)\n"
           "  --log-level LEVEL     least severe level logged (default info)\n"
           "  --cookie-secure       mark the session cookie Secure (when behind HTTPS)\n"
           "  --notify-config FILE  how notifications are sent: `key = value` lines such as\n"
           "                        smtp_host, smtp_port, smtp_tls (starttls, tls or none),\n"
           "                        smtp_user, smtp_password, smtp_from, base_url, attempts\n"
           "                        (docs/notifications.md lists them all). Without smtp_host\n"
           "                        no e-mail is sent; webhooks always are. The environment's\n"
           "                        ACCORD_SMTP_PASSWORD, when set, is the SMTP password.\n"
           "  --base-url URL        the web UI's address for links in notifications (default\n"
           "                        http://HOST:PORT of --listen)\n",
           POOL_DEFAULT);
}

struct banner {
    const char *db, *listen;
    struct request_sweeper *sweeper;
    struct notify_worker *notifier;
    struct calendar_zones *zones;
    struct acc_err err; /* why the sweeper or the notification worker did not start */
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

    if (request_sweeper_start(b->sweeper, b->zones, &b->err) ||
        notify_worker_start(b->notifier, &b->err)) {
        b->failed = true;
        raise(SIGTERM);
        return;
    }
    printf("accord %s serving %s on http://%s/\n", ACC_VERSION, b->db, b->listen);
    fflush(stdout);
}

/*
 * Reads the notification settings: the file, then ACCORD_SMTP_PASSWORD, then --base-url (by
 * default the --listen address). Messages never hold a value: one may be the password.
 */
static int notify_setup(const char *path, const char *base_url, const char *listen,
                        struct notify_config *c)
{
    const char *password = getenv("ACCORD_SMTP_PASSWORD");
    struct acc_err err = {0};
    const char *prefix = "";
    char dflt[300];
    int rc = ACC_OK;

    notify_config_init(c);
    /* A --listen that is no URL's host is refused by the server itself, more clearly. */
    snprintf(dflt, sizeof(dflt), "http://%s", listen);
    notify_config_set(c, "base_url", dflt, &err);
    if (path)
        rc = notify_config_load(c, path, &err);
    if (!rc && base_url && notify_config_set(c, "base_url", base_url, &err))
        rc = ACC_EINVAL, prefix = "--base-url: ";
    if (!rc && password && *password)
        rc = notify_config_set(c, "smtp_password", password, &err);
    if (!rc && notify_config_check(c, &err))
        rc = ACC_EINVAL, prefix = "notification settings: ";
    if (rc) {
        notify_config_release(c);
        return cli_error(CLI_USAGE, "%s%s", prefix, err.msg);
    }
    return CLI_OK;
}

int cmd_serve(struct cli_ctx *cli, int argc, char **argv)
{
    const char *listen = "127.0.0.1:8080", *web_root = NULL, *pool_s = NULL, *level = NULL;
    const char *notify_path = NULL, *base_url = NULL;
    bool want_help = false, secure = false;
    const struct cli_opt opts[] = {
        {"listen", true, &listen, NULL},         {"web-root", true, &web_root, NULL},
        {"pool", true, &pool_s, NULL},           {"log-level", true, &level, NULL},
        {"cookie-secure", false, NULL, &secure}, {"notify-config", true, &notify_path, NULL},
        {"base-url", true, &base_url, NULL},     {"help", false, NULL, &want_help},
    };
    struct notify_config ncfg;
    struct notify_worker *notifier;
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
    rc = notify_setup(notify_path, base_url, listen, &ncfg);
    if (rc)
        return rc;
    rc = cli_open_store(cli, false, &st);
    if (rc) {
        notify_config_release(&ncfg);
        return rc;
    }
    store_close(st);
    rc = store_pool_new(cli->db_path, (int)pool_n, &cfg.pool, &err);
    if (rc) {
        notify_config_release(&ncfg);
        return cli_error(CLI_FAIL, "%s", err.msg);
    }
    notifier = notify_worker_new(cli->db_path, &ncfg);
    notify_config_release(&ncfg);
    cfg.limiter = auth_limiter_new();
    cfg.web_root = web_root;
    cfg.cookie_secure = secure;
    cfg.sweeper = sweeper = request_sweeper_new(cfg.pool);
    app = http_app_new(&cfg);
    banner.db = cli->db_label;
    banner.listen = listen;
    banner.sweeper = sweeper;
    banner.notifier = notifier;
    banner.zones = http_app_zones(app);
    rc = http_serve(app, listen, announce, &banner, &err);
    /* The HTTP threads are gone (no more pokes); the sweeper goes before the zones and pool. */
    request_sweeper_free(sweeper);
    /* Nothing writes the outbox any more; deliveries in flight are released for the next start. */
    notify_worker_free(notifier);
    http_app_free(app);
    auth_limiter_free(cfg.limiter);
    store_pool_free(cfg.pool);
    if (rc)
        return cli_error(CLI_FAIL, "%s", err.msg);
    if (banner.failed)
        return cli_error(CLI_FAIL, "%s", banner.err.msg);
    return CLI_OK;
}
