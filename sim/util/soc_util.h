/*
 * soc_util.h -- the util layer: small helpers below every other layer
 * (engine, schedulers, workloads, study, gym, CLI).  Internal: never
 * installed, names are soc__*.
 *
 *  - strings: soc__strdup, soc__strndup, soc__path_join; soc__closest
 *    ("did you mean");
 *  - soc__buf_t: one growable byte/string buffer with text, CSV and JSON
 *    writers (sticky out-of-memory flag: check once at the end);
 *  - soc__plugin_open: the one dlopen loader behind scheduler and governor
 *    plug-ins;
 *  - SOC__HEAP_DEFINE: one binary-heap implementation, instantiated per
 *    element type (no function-pointer compare in the hot path).
 */
#ifndef SOC_UTIL_H
#define SOC_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "soc/status.h"

/* ------------------------------------------------------------ strings */

/* malloc'ed copy of s (NULL stays NULL; NULL when out of memory). */
char *soc__strdup(const char *s);
/* malloc'ed copy of the first n bytes of s, NUL-terminated. */
char *soc__strndup(const char *s, size_t n);
/* malloc'ed "dir/name" ("name" alone when dir is NULL or empty). */
char *soc__path_join(const char *dir, const char *name);

/* Levenshtein distance of a and b, ignoring ASCII case (strings over 64
 * bytes are "far": INT_MAX / 2). */
int soc__edit_distance(const char *a, const char *b);
/* "Did you mean": the item of list[0..n) (NULL items skipped) closest to s,
 * or NULL when none is close enough to be a plausible typo (so that a
 * suggestion never looks random); a clipped name ("exec" for "exec_us") is
 * a typo too.  Borrowed from list. */
const char *soc__closest(const char *s, const char *const *list, size_t n);

/* --------------------------------------------------------------- files */

/* Read the whole file at path into *text (malloc'ed, NUL-terminated, owned
 * by the caller; *len bytes without the NUL, len may be NULL).  Refuses a
 * directory ("is a directory"), more than max_bytes (SOC_ELIMIT), and with
 * regular_only anything but a regular file (devices, FIFOs, sockets); opening
 * never blocks.  Errors carry path in err->file; on failure *text is NULL. */
int soc__read_file(const char *path, size_t max_bytes, int regular_only, char **text,
                   size_t *len, soc_error_t *err);

/* ------------------------------------------------------------- buffer */

typedef struct soc__buf {
    char *d;
    size_t n, cap;
    int oom;      /* sticky: an append failed */
} soc__buf_t;

void soc__buf_free(soc__buf_t *b);
/* Forget the contents, keep the storage (and clear oom). */
void soc__buf_clear(soc__buf_t *b);
/* Make room for `more` bytes; 0 or -1 (oom set). */
int soc__buf_reserve(soc__buf_t *b, size_t more);
void soc__buf_put(soc__buf_t *b, const void *p, size_t n);
void soc__buf_puts(soc__buf_t *b, const char *s);
void soc__buf_putc(soc__buf_t *b, char c);
void soc__buf_printf(soc__buf_t *b, const char *fmt, ...) SOC_PRINTF(2, 3);
/* The contents as a NUL-terminated string (the NUL is not counted in n);
 * "" for an empty buffer, NULL after an allocation failure. */
const char *soc__buf_cstr(soc__buf_t *b);
/* Hand the NUL-terminated contents over to the caller (malloc'ed; NULL after
 * an allocation failure) and leave the buffer empty. */
char *soc__buf_take(soc__buf_t *b);
/* One CSV cell: quoted (RFC 4180) when it holds a comma, quote or line
 * break or starts with a space; line breaks inside become spaces. */
void soc__buf_csv(soc__buf_t *b, const char *cell);
/* JSON string literal of NUL-terminated s (control characters escaped,
 * invalid UTF-8 bytes replaced by U+FFFD); NULL is written as "". */
void soc__buf_json_str(soc__buf_t *b, const char *s);
/* Shortest-exact double ("%.17g", always with a '.' or an exponent);
 * never non-finite (written as 0.0). */
void soc__buf_f64(soc__buf_t *b, double x);
/* Decimal integers (no printf). */
void soc__buf_i64(soc__buf_t *b, int64_t v);
void soc__buf_u64(soc__buf_t *b, uint64_t v);
/* A time in µs that is a whole number of nanoseconds (x = ns / 1000.0):
 * written as the exact decimal "ns/1000" (which reads back to the same
 * double, both being correctly rounded from one real), else as
 * soc__buf_f64. */
void soc__buf_us(soc__buf_t *b, double x);

/* Shortest decimal text of x that reads back to the same double (%.15g,
 * %.16g or %.17g; "0" for zero), "null" for non-finite values (JSON). */
const char *soc__num(char buf[32], double x);

/* ------------------------------------------------------- string map */

/* FNV-1a of a NUL-terminated string. */
size_t soc__hash_str(const char *s);

/* A string -> int hash map (open addressing).  Zero-initialise; set
 * borrow = 1 before the first insertion to keep the callers' key pointers
 * (they must outlive the map) instead of copies. */
typedef struct soc__smap {
    char **keys;
    int *vals;
    size_t cap, n; /* cap is a power of two (0 = empty) */
    int borrow;
} soc__smap_t;

/* Value of key, -1 when absent. */
int soc__smap_get(const soc__smap_t *m, const char *key);
/* The value slot of key, inserted with value -1 (*created = 1) when
 * absent; NULL when out of memory. */
int *soc__smap_slot(soc__smap_t *m, const char *key, int *created);
/* Insert key -> val unless present; returns the value now stored (the old
 * one when present: compare with val to detect duplicates), -2 when out of
 * memory. */
int soc__smap_put(soc__smap_t *m, const char *key, int val);
/* Free the map (and the keys unless borrowed); keeps `borrow`. */
void soc__smap_free(soc__smap_t *m);

/* ----------------------------------------------------------------- CSV */

/* Split one CSV line (no newline) into cells; returns the count, -1 on a
 * malformed line.  *cells is malloc'ed (cells point into the returned
 * storage *store); free both. */
int soc__csv_split(const char *line, char ***cells, char **store);
/* Read the next non-empty line of f (getline buffer *line of *cap bytes,
 * line ending stripped) and split it like soc__csv_split.  *lineno (may be
 * NULL) counts every line read, empty ones included.  Returns the cell
 * count, -1 on a malformed line (*cells and *store NULL), -2 at the end of
 * the file. */
int soc__csv_next(FILE *f, char **line, size_t *cap, int *lineno, char ***cells, char **store);

/* ---------------------------------------------------------------- I/O */

/* write(2) all n bytes of s to fd, retrying after EINTR and short writes.
 * 0, or -1 with errno set. */
int soc__write_all(int fd, const void *s, size_t n);

/* ------------------------------------------------------------ plug-ins */

/* dlopen(path, RTLD_NOW | RTLD_LOCAL) (a path without '/' is taken
 * relative to the current directory, never searched on the library path)
 * and look up `symbol`.  `what` names the kind of plug-in in messages
 * ("scheduler", "governor").  On success *dl is the open object and *sym
 * the symbol's address.  Errors (path in err->file): SOC_EINVAL (no path,
 * path too long), SOC_EPLUGIN_OPEN, SOC_EPLUGIN_SYMBOL, SOC_EUNSUPPORTED
 * (built without dlopen).  On failure nothing stays open. */
int soc__plugin_open(const char *path, const char *symbol, const char *what, void **dl,
                     void **sym, soc_error_t *err);
/* dlclose (NULL is fine). */
void soc__plugin_close(void *dl);

/* --------------------------------------------------------------- heap
 * SOC__HEAP_DEFINE(pfx, T, LESS) defines a binary min-heap of T values:
 *   typedef struct { T *a; size_t n, cap; } pfx_t;
 *   int  pfx_push(pfx_t *h, T v);     0, or -1 when out of memory
 *   T    pfx_pop(pfx_t *h);           the least element (h->n > 0)
 *   T   *pfx_top(pfx_t *h);           the least element, NULL when empty
 *   void pfx_free(pfx_t *h);
 * LESS(x, y) compares two const T * and must be a strict total order for
 * runs to be deterministic (break ties with a sequence number). */
#if defined(__GNUC__)
#define SOC__UNUSED __attribute__((unused))
#else
#define SOC__UNUSED
#endif
#define SOC__HEAP_DEFINE(pfx, T, LESS)                                           \
    typedef struct pfx {                                                         \
        T *a;                                                                    \
        size_t n, cap;                                                           \
    } pfx##_t;                                                                   \
    SOC__UNUSED static inline int pfx##_push(pfx##_t *h, T v)                                \
    {                                                                            \
        if (h->n == h->cap) {                                                    \
            size_t nc = h->cap ? 2 * h->cap : 64;                                \
            T *na = (T *)realloc(h->a, nc * sizeof *na);                         \
            if (na == NULL)                                                      \
                return -1;                                                       \
            h->a = na;                                                           \
            h->cap = nc;                                                         \
        }                                                                        \
        size_t i = h->n++;                                                       \
        while (i > 0) {                                                          \
            size_t p = (i - 1) / 2;                                              \
            if (!LESS(&v, &h->a[p]))                                             \
                break;                                                           \
            h->a[i] = h->a[p];                                                   \
            i = p;                                                               \
        }                                                                        \
        h->a[i] = v;                                                             \
        return 0;                                                                \
    }                                                                            \
    SOC__UNUSED static inline T pfx##_pop(pfx##_t *h)                                        \
    {                                                                            \
        T top = h->a[0];                                                         \
        T last = h->a[--h->n];                                                   \
        size_t i = 0, n = h->n;                                                  \
        for (;;) {                                                               \
            size_t c = 2 * i + 1;                                                \
            if (c >= n)                                                          \
                break;                                                           \
            if (c + 1 < n && LESS(&h->a[c + 1], &h->a[c]))                       \
                c++;                                                             \
            if (!LESS(&h->a[c], &last))                                          \
                break;                                                           \
            h->a[i] = h->a[c];                                                   \
            i = c;                                                               \
        }                                                                        \
        if (n > 0)                                                               \
            h->a[i] = last;                                                      \
        return top;                                                              \
    }                                                                            \
    SOC__UNUSED static inline T *pfx##_top(pfx##_t *h) { return h->n > 0 ? &h->a[0] : NULL; } \
    SOC__UNUSED static inline void pfx##_free(pfx##_t *h)                                    \
    {                                                                            \
        free(h->a);                                                              \
        h->a = NULL;                                                             \
        h->n = h->cap = 0;                                                       \
    }

#endif
