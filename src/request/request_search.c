/* request_search.c: full-text search: each backend's SQL for its index, and safe queries. */
#include "base/acc.h"
#include "request/request_int.h"

#include <ctype.h>

/*
 * FTS5 (sql/0006_request_search.sqlite.sql): the document's rowid is the request's id. A check is
 * an IN, which SQLite reads once per statement into a temporary index: a lookup per row (EXISTS
 * with rowid = r.id) costs FTS5 the whole search again for a prefix, milliseconds each.
 */
static const struct request_search_sql sqlite_sql = {
    .join = " JOIN request_search rs ON rs.rowid = r.id",
    .key = "rs.rowid",
    .match = "rs.request_search MATCH ?",
    .check = "+r.id IN (SELECT x.rowid FROM request_search x WHERE x.request_search MATCH ?)",
};

/* tsvector and GIN (sql/0006_request_search.pgsql.sql). */
static const struct request_search_sql pgsql_sql = {
    .join = " JOIN request_search rs ON rs.request_id = r.id",
    .key = "rs.request_id",
    .match = "rs.doc @@ to_tsquery('simple', ?)",
    .check = "r.id IN (SELECT x.request_id FROM request_search x WHERE x.doc @@ "
             "to_tsquery('simple', ?))",
};

const struct request_search_sql *request_search_sql(const char *backend)
{
    if (strcmp(backend, "sqlite") == 0)
        return &sqlite_sql;
    if (strcmp(backend, "pgsql") == 0)
        return &pgsql_sql;
    return NULL;
}

#define SPACE " \t\n\r\f\v"

/* Characters (UTF-8 code points) of the n bytes at s. */
static size_t chars(const char *s, size_t n)
{
    size_t c = 0;

    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* Whether c may be part of a word: a letter or digit, ASCII or not (what is not ASCII is left to
 * the engine's tokenizer). */
static bool word_byte(char c)
{
    return isalnum((unsigned char)c) || (unsigned char)c >= 0x80;
}

/* Whether the n bytes at s may hold a word (punctuation alone is none). */
static bool has_word(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (word_byte(s[i]))
            return true;
    return false;
}

/*
 * Appends the n bytes at s as a string of the query language: quoted with quote, which is
 * doubled inside (and a backslash escaped, for PostgreSQL's tsquery), so that nothing in it is
 * an operator. The engine's tokenizer splits it further: "e-mail" becomes the phrase "e mail".
 */
static void quoted(struct acc_buf *out, char quote, const char *s, size_t n)
{
    acc_buf_add(out, &quote, 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == quote)
            acc_buf_add(out, &quote, 1);
        else if (quote == '\'' && s[i] == '\\')
            acc_buf_add(out, "\\", 1);
        acc_buf_add(out, &s[i], 1);
    }
    acc_buf_add(out, &quote, 1);
}

/* A tsquery operand: the quoted text, then its prefix mark and weights (A, B: no notes). */
static void pg_operand(struct acc_buf *out, const char *s, size_t n, bool prefix, bool notes)
{
    quoted(out, '\'', s, n);
    if (prefix || !notes)
        acc_buf_addf(out, ":%s%s", prefix ? "*" : "", notes ? "" : "AB");
}

/*
 * A word as a tsquery. PostgreSQL's parser keeps some words with punctuation whole ("a@b.org",
 * "1.2.3") and reads others as the whole and its parts ("e-mail": "e-mail", "e", "mail"), while
 * text that only looks alike ("e mail") has the parts alone. So a word with punctuation inside is
 * the whole as the parser reads it, or its runs of letters and digits in a row (which is how
 * FTS5 reads any word).
 */
static void pg_word(struct acc_buf *out, const char *w, size_t n, bool prefix, bool notes)
{
    const char *end = w + n, *p;
    int runs = 0, i = 0;

    for (p = w; p < end; runs++) {
        while (p < end && !word_byte(*p))
            p++;
        if (p == end)
            break;
        while (p < end && word_byte(*p))
            p++;
    }
    if (runs < 2) {
        pg_operand(out, w, n, prefix, notes);
        return;
    }
    acc_buf_adds(out, "(");
    pg_operand(out, w, n, prefix, notes);
    acc_buf_adds(out, " | ");
    for (p = w; p < end;) {
        const char *run;

        while (p < end && !word_byte(*p))
            p++;
        if (p == end)
            break;
        for (run = p; p < end && word_byte(*p);)
            p++;
        if (i++)
            acc_buf_adds(out, " <-> ");
        pg_operand(out, run, (size_t)(p - run), prefix && i == runs, notes);
    }
    acc_buf_adds(out, ")");
}

int request_search_query(const char *backend, const char *q, bool notes, struct acc_buf *out,
                         struct acc_err *err)
{
    bool pg = strcmp(backend, "pgsql") == 0;
    const char *p = q;
    int words = 0;

    if (strlen(q) > REQUEST_SEARCH_MAX)
        return acc_fail(err, ACC_EINVAL, "/query/q", "q is longer than %d bytes",
                        REQUEST_SEARCH_MAX);
    if (!acc_utf8_valid(q))
        return acc_fail(err, ACC_EINVAL, "/query/q", "q is not valid UTF-8");
    /* FTS5 leaves the notes out by naming the other columns; tsquery by weights (A, B). */
    if (!pg && !notes)
        acc_buf_adds(out, "{title comments} : (");
    while (*(p += strspn(p, SPACE))) {
        const char *w = p;
        size_t n = strcspn(p, SPACE);
        bool prefix;

        p += n;
        if (!has_word(w, n))
            continue;
        if (++words > REQUEST_SEARCH_WORDS)
            return acc_fail(err, ACC_EINVAL, "/query/q", "q has more than %d words",
                            REQUEST_SEARCH_WORDS);
        /* As one types: the word at the very end may be unfinished. Shorter prefixes would
         * match too many words to be worth reading. */
        prefix = !*p && chars(w, n) >= 3;
        if (words > 1)
            acc_buf_adds(out, pg ? " & " : " ");
        if (pg) {
            pg_word(out, w, n, prefix, notes);
        } else {
            quoted(out, '"', w, n);
            if (prefix)
                acc_buf_adds(out, "*");
        }
    }
    if (!words)
        return acc_fail(err, ACC_EINVAL, "/query/q",
                        "q has no word to search for (letters or digits)");
    if (!pg && !notes)
        acc_buf_adds(out, ")");
    return ACC_OK;
}
