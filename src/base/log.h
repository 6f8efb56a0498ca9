/* log.h: structured JSON-lines logging to stderr, one object per line. */
#ifndef ACCORD_BASE_LOG_H
#define ACCORD_BASE_LOG_H

enum acc_log_level { ACC_LOG_DEBUG, ACC_LOG_INFO, ACC_LOG_WARN, ACC_LOG_ERROR };

/* Messages below level are dropped; set once at start-up before threads start. */
void acc_log_set_level(enum acc_log_level level);
/* Turns logging off entirely (CLI commands other than serve, tests). */
void acc_log_set_quiet(bool quiet);

/*
 * Writes {"ts":…,"level":…,"msg":msg,key:value,…} as one line. The variadic part is
 * key/value string pairs ending with NULL. A value made by acc_log_int() is written as a
 * JSON number. Thread-safe: one write(2) per line.
 */
void acc_log(enum acc_log_level level, const char *msg, ...);

/* Marks an integer so acc_log writes it as a number; uses a thread-local ring of buffers. */
const char *acc_log_int(int64_t v);

/* Escapes s as the inside of a JSON string onto b. */
void acc_json_escape(struct acc_buf *b, const char *s);

#endif
