/* t.h: the tiny test harness: checks inside test functions, a pass/fail count per function. */
#ifndef ACCORD_TESTS_T_H
#define ACCORD_TESTS_T_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_passed, t_failed, t_cur_failed;
static const char *t_cur_name;

static inline void t_report(const char *file, int line, const char *what)
{
    fprintf(stderr, "  FAIL %s (%s:%d): %s\n", t_cur_name, file, line, what);
    t_cur_failed++;
}

#define T_OK(c)                                                                                    \
    do {                                                                                           \
        if (!(c))                                                                                  \
            t_report(__FILE__, __LINE__, #c);                                                      \
    } while (0)

#define T_EQ_INT(a, b)                                                                             \
    do {                                                                                           \
        long long t_a_ = (long long)(a), t_b_ = (long long)(b);                                    \
        if (t_a_ != t_b_) {                                                                        \
            char t_m_[512];                                                                        \
            snprintf(t_m_, sizeof(t_m_), "%s == %s: got %lld, want %lld", #a, #b, t_a_, t_b_);     \
            t_report(__FILE__, __LINE__, t_m_);                                                    \
        }                                                                                          \
    } while (0)

#define T_EQ_STR(a, b)                                                                             \
    do {                                                                                           \
        const char *t_a_ = (a), *t_b_ = (b);                                                       \
        if (!t_a_ || !t_b_ || strcmp(t_a_, t_b_) != 0) {                                           \
            char t_m_[1024];                                                                       \
            snprintf(t_m_, sizeof(t_m_), "%s == %s: got \"%s\", want \"%s\"", #a, #b,              \
                     t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");                              \
            t_report(__FILE__, __LINE__, t_m_);                                                    \
        }                                                                                          \
    } while (0)

/* Runs one test function and counts it as passed when none of its checks failed. */
#define T_RUN(fn) t_run(#fn, fn)

static inline void t_run(const char *name, void (*fn)(void))
{
    t_cur_name = name;
    t_cur_failed = 0;
    fn();
    if (t_cur_failed) {
        t_failed++;
        fprintf(stderr, "not ok - %s\n", name);
    } else {
        t_passed++;
        if (getenv("T_VERBOSE"))
            fprintf(stderr, "ok - %s\n", name);
    }
}

/* Prints the summary line and returns the process exit status. */
static inline int t_done(void)
{
    printf("%d passed, %d failed\n", t_passed, t_failed);
    return t_failed ? 1 : 0;
}

#endif
