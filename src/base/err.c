/* err.c: filling struct acc_err, code names, and the abort for impossible states. */
#include "base/acc.h"
#include "base/log.h"

#include <stdio.h>
#include <stdlib.h>

int acc_fail(struct acc_err *err, enum acc_code code, const char *field, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return code;
    err->code = code;
    snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

void acc_err_clear(struct acc_err *err)
{
    memset(err, 0, sizeof(*err));
}

const char *acc_code_name(enum acc_code code)
{
    switch (code) {
    case ACC_OK:
        return "ok";
    case ACC_EINVAL:
        return "invalid-input";
    case ACC_EAUTH:
        return "unauthenticated";
    case ACC_EPERM:
        return "forbidden";
    case ACC_ENOTFOUND:
        return "not-found";
    case ACC_ECONFLICT:
        return "conflict";
    case ACC_ETOOBIG:
        return "too-large";
    case ACC_EMEDIA:
        return "unsupported-media-type";
    case ACC_ELIMIT:
        return "rate-limited";
    case ACC_ESTORE:
        return "storage-error";
    case ACC_EBUG:
        return "internal-error";
    }
    return "internal-error";
}

void acc_bug(const char *file, int line, const char *msg)
{
    acc_log(ACC_LOG_ERROR, "bug", "file", file, "line", acc_log_int(line), "detail", msg, NULL);
    abort();
}
