/* notify_config.c: how notifications are sent: defaults, `key = value` files, checks. */
#include "base/acc.h"
#include "base/log.h"
#include "notify/notify_int.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

enum kind { K_STR, K_INT, K_TLS, K_URL, K_ADDR, K_NAME };

/* Every key of a configuration file, the field it sets and, for numbers, its range. */
static const struct key {
    const char *name;
    enum kind kind;
    size_t off;
    int min, max;
} keys[] = {
    {"base_url", K_URL, offsetof(struct notify_config, base_url), 0, 0},
    {"smtp_host", K_STR, offsetof(struct notify_config, smtp_host), 0, 0},
    {"smtp_port", K_INT, offsetof(struct notify_config, smtp_port), 1, 65535},
    {"smtp_tls", K_TLS, offsetof(struct notify_config, smtp_tls), 0, 0},
    {"smtp_user", K_STR, offsetof(struct notify_config, smtp_user), 0, 0},
    {"smtp_password", K_STR, offsetof(struct notify_config, smtp_password), 0, 0},
    {"smtp_from", K_ADDR, offsetof(struct notify_config, smtp_from), 0, 0},
    {"smtp_from_name", K_NAME, offsetof(struct notify_config, smtp_from_name), 0, 0},
    {"smtp_ca_file", K_STR, offsetof(struct notify_config, smtp_ca_file), 0, 0},
    {"attempts", K_INT, offsetof(struct notify_config, attempts), 1, 100},
    {"retry_first_secs", K_INT, offsetof(struct notify_config, retry_first_secs), 1, 86400},
    {"retry_max_secs", K_INT, offsetof(struct notify_config, retry_max_secs), 1, 7 * 86400},
    {"timeout_secs", K_INT, offsetof(struct notify_config, timeout_secs), 1, 600},
    {"lease_secs", K_INT, offsetof(struct notify_config, lease_secs), 2, 3600},
    {"batch", K_INT, offsetof(struct notify_config, batch), 1, 1000},
    {"parallel", K_INT, offsetof(struct notify_config, parallel), 1, 64},
    {"poll_secs", K_INT, offsetof(struct notify_config, poll_secs), 1, 3600},
};

void notify_config_init(struct notify_config *c)
{
    memset(c, 0, sizeof(*c));
    c->base_url = xstrdup("http://127.0.0.1:8080");
    c->smtp_tls = NOTIFY_TLS_STARTTLS;
    c->smtp_from_name = xstrdup("accord");
    c->attempts = NOTIFY_ATTEMPTS_DEFAULT;
    c->retry_first_secs = NOTIFY_RETRY_FIRST_DEFAULT;
    c->retry_max_secs = NOTIFY_RETRY_MAX_DEFAULT;
    c->timeout_secs = 10;
    c->lease_secs = 60;
    c->batch = 32;
    c->parallel = 8;
    c->poll_secs = 2;
}

void notify_config_release(struct notify_config *c)
{
    for (size_t i = 0; i < ACC_ARRAY_LEN(keys); i++)
        if (keys[i].kind != K_INT && keys[i].kind != K_TLS) {
            char **p = (char **)((char *)c + keys[i].off);

            if (*p && keys[i].off == offsetof(struct notify_config, smtp_password))
                memset(*p, 0, strlen(*p));
            free(*p);
            *p = NULL;
        }
}

/* Messages name the key, never the value: a password must not reach a log or a terminal. */
static int set_one(struct notify_config *c, const struct key *k, const char *value,
                   struct acc_err *err)
{
    char **str = (char **)((char *)c + k->off);
    char field[40];
    int64_t n;

    snprintf(field, sizeof(field), "/%s", k->name);
    for (const char *p = value; *p; p++)
        if (*p == '\r' || *p == '\n')
            return acc_fail(err, ACC_EINVAL, field, "%s must be one line", k->name);
    switch (k->kind) {
    case K_INT:
        if (!acc_parse_i64(value, &n) || n < k->min || n > k->max)
            return acc_fail(err, ACC_EINVAL, field, "%s must be a whole number from %d to %d",
                            k->name, k->min, k->max);
        *(int *)((char *)c + k->off) = (int)n;
        return ACC_OK;
    case K_TLS:
        if (strcmp(value, "starttls") == 0)
            c->smtp_tls = NOTIFY_TLS_STARTTLS;
        else if (strcmp(value, "tls") == 0)
            c->smtp_tls = NOTIFY_TLS_IMPLICIT;
        else if (strcmp(value, "none") == 0)
            c->smtp_tls = NOTIFY_TLS_NONE;
        else
            return acc_fail(err, ACC_EINVAL, field, "smtp_tls must be starttls, tls or none");
        return ACC_OK;
    case K_URL: {
        int rc = notify_url_check(value, field, err);
        size_t len = strlen(value);

        if (rc)
            return rc;
        if (strchr(value, '?'))
            return acc_fail(err, ACC_EINVAL, field, "%s must not have a query", k->name);
        while (len && value[len - 1] == '/')
            len--;
        free(*str);
        *str = xstrndup(value, len);
        return ACC_OK;
    }
    case K_ADDR: {
        const char *at = strchr(value, '@');

        if (!at || at == value || !at[1] || strchr(at + 1, '@') ||
            strpbrk(value, " \t<>,;:\"()[]\\") || strlen(value) > 254 || !acc_utf8_valid(value))
            return acc_fail(err, ACC_EINVAL, field,
                            "%s must be a bare address such as accord@example.org (the name "
                            "goes in smtp_from_name)",
                            k->name);
        break;
    }
    case K_NAME:
        if (strlen(value) > ORG_NAME_MAX || !acc_utf8_valid(value))
            return acc_fail(err, ACC_EINVAL, field, "%s must be UTF-8 of at most %d bytes", k->name,
                            ORG_NAME_MAX);
        break;
    case K_STR:
        if (!*value)
            return acc_fail(err, ACC_EINVAL, field, "%s must not be empty", k->name);
        if (k->off == offsetof(struct notify_config, smtp_host) && strpbrk(value, " \t/@"))
            return acc_fail(err, ACC_EINVAL, field, "smtp_host must be a host name or address");
        break;
    }
    if (*str && k->off == offsetof(struct notify_config, smtp_password))
        memset(*str, 0, strlen(*str));
    free(*str);
    *str = xstrdup(value);
    return ACC_OK;
}

int notify_config_set(struct notify_config *c, const char *key, const char *value,
                      struct acc_err *err)
{
    for (size_t i = 0; i < ACC_ARRAY_LEN(keys); i++)
        if (strcmp(keys[i].name, key) == 0)
            return set_one(c, &keys[i], value, err);
    return acc_fail(err, ACC_EINVAL, "", "unknown key '%.40s'", key);
}

int notify_config_load(struct notify_config *c, const char *path, struct acc_err *err)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, rc = ACC_OK;
    bool password = false;
    struct stat sb;

    if (!f)
        return acc_fail(err, ACC_ENOTFOUND, "", "cannot read '%s': %s", path, strerror(errno));
    while (!rc && (len = getline(&line, &cap, f)) >= 0) {
        char *key, *value, *eq;
        struct acc_err e = {0};

        lineno++;
        (void)len;
        key = acc_trim(line);
        if (!*key || *key == '#')
            continue;
        eq = strchr(key, '=');
        if (!eq) {
            rc = acc_fail(err, ACC_EINVAL, "", "%s:%d: want key = value", path, lineno);
            break;
        }
        *eq = '\0';
        key = acc_trim(key);
        value = acc_trim(eq + 1);
        /* "…" keeps white space at the ends (and allows a # inside). */
        if (value[0] == '"' && strlen(value) >= 2 && value[strlen(value) - 1] == '"') {
            value[strlen(value) - 1] = '\0';
            value++;
        }
        if (notify_config_set(c, key, value, &e))
            rc = acc_fail(err, ACC_EINVAL, e.field, "%s:%d: %s", path, lineno, e.msg);
        password = password || strcmp(key, "smtp_password") == 0;
    }
    if (line) {
        memset(line, 0, cap);
        free(line);
    }
    if (!rc && password && fstat(fileno(f), &sb) == 0 && (sb.st_mode & 0077))
        acc_log(ACC_LOG_WARN,
                "the notification config holds the SMTP password and others may "
                "read it: chmod 600 it",
                "file", path, NULL);
    fclose(f);
    return rc;
}

int notify_config_check(const struct notify_config *c, struct acc_err *err)
{
    if (c->smtp_host && !c->smtp_from)
        return acc_fail(err, ACC_EINVAL, "/smtp_from",
                        "smtp_from is needed to send e-mail (smtp_host is set)");
    if (!c->smtp_user != !c->smtp_password)
        return acc_fail(err, ACC_EINVAL, "/smtp_password",
                        "smtp_user and smtp_password go together");
    if (c->retry_first_secs > c->retry_max_secs)
        return acc_fail(err, ACC_EINVAL, "/retry_max_secs",
                        "retry_max_secs must not be less than retry_first_secs");
    if (c->lease_secs < c->timeout_secs + 2)
        return acc_fail(err, ACC_EINVAL, "/lease_secs",
                        "lease_secs must be at least timeout_secs + 2: a delivery must end "
                        "before another worker may take it over");
    return ACC_OK;
}
