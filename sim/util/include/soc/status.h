/*
 * soc/status.h -- status codes and error reports of the socsim library.
 *
 * Every fallible function returns an int: SOC_OK (0) on success, a negative
 * soc_status_t on failure.  Functions that can fail on user input also take a
 * soc_error_t * (may be NULL) that receives a human-readable message and,
 * for file input, the file name and 1-based line and column.
 */
#ifndef SOC_STATUS_H
#define SOC_STATUS_H

#include <stddef.h>

#if defined(_WIN32)
#define SOC_API __declspec(dllexport)
#else
#define SOC_API __attribute__((visibility("default")))
#endif

#if defined(__GNUC__)
#define SOC_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define SOC_PRINTF(fmt, args)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* XX(name, message).  Codes are negated positions: append only, never reorder. */
#define SOC_STATUS_MAP(XX)                                                     \
    XX(EINVAL, "invalid argument")                                             \
    XX(ENOMEM, "out of memory")                                                \
    XX(EIO, "input/output error")                                              \
    XX(EPARSE, "malformed input")                                              \
    XX(ECONFIG, "invalid configuration")                                       \
    XX(ECYCLE, "task graph has a cycle")                                       \
    XX(EGRAPH, "graph library error")                                          \
    XX(EMATH, "numerical library error")                                       \
    XX(ENOSCHED, "unknown scheduler")                                          \
    XX(ESCHED, "scheduler returned an invalid decision")                       \
    XX(ESTALL, "simulation cannot make progress")                              \
    XX(ESTATE, "call out of order")                                            \
    XX(ELIMIT, "instance too large")                                           \
    XX(EPLUGIN_OPEN, "cannot open plug-in")                                    \
    XX(EPLUGIN_SYMBOL, "plug-in entry symbol missing")                         \
    XX(EPLUGIN_ABI, "plug-in ABI mismatch")                                    \
    XX(EUNSUPPORTED, "operation not supported")                                \
    XX(EPROTO, "protocol error")

enum soc__status_index {
    SOC__IDX_OK = 0,
#define SOC__XX(name, msg) SOC__IDX_##name,
    SOC_STATUS_MAP(SOC__XX)
#undef SOC__XX
    SOC__IDX_COUNT
};

typedef enum soc_status {
    SOC_OK = 0,
#define SOC__XX(name, msg) SOC_##name = -SOC__IDX_##name,
    SOC_STATUS_MAP(SOC__XX)
#undef SOC__XX
} soc_status_t;

/* Message for a status code ("success" for 0, "unknown error" otherwise). */
SOC_API const char *soc_strerror(int code);
/* Symbolic name, e.g. "SOC_EPARSE". */
SOC_API const char *soc_status_name(int code);

/* A detailed error.  line/col are 1-based, 0 when unknown; file may be "". */
typedef struct soc_error {
    int code;
    int line;
    int col;
    char file[256];
    char msg[512];
} soc_error_t;

/* Fill *err (NULL is allowed) and return code.  The first error wins:
 * an already set err (code != 0) is left alone, so callers up the stack can
 * report a generic failure without hiding the precise one. */
SOC_API int soc_error_set(soc_error_t *err, int code, const char *file,
                          int line, int col, const char *fmt, ...)
    SOC_PRINTF(6, 7);
/* Warnings: input a loader accepts and reads as documented (often as the
 * reference tool does) but that is probably not what its author meant, e.g.
 * a DS3 resource capacity below 1, read as 1.  Functions that can warn take
 * a soc_warn_sink_t (in their options; NULL = warnings dropped) and call
 * fn(user, w) once per warning, in input order, with w->code == 0 and
 * file:line:col where known.  w is only valid during the call. */
typedef void (*soc_warn_fn)(void *user, const soc_error_t *w);
typedef struct soc_warn_sink {
    soc_warn_fn fn;
    void *user;
} soc_warn_sink_t;
/* Format one warning and hand it to sink (NULL sink or fn: nothing). */
SOC_API void soc_warn(const soc_warn_sink_t *sink, const char *file, int line, int col,
                      const char *fmt, ...) SOC_PRINTF(5, 6);

/* Clear *err. */
SOC_API void soc_error_clear(soc_error_t *err);
/* "file:line:col: message" (parts that are unknown are left out). */
SOC_API const char *soc_error_format(const soc_error_t *err, char *buf,
                                     size_t size);

/* One-time process setup: turns off igraph's and GSL's aborting error
 * handlers.  Idempotent; every soc_*_create calls it, so it is optional. */
SOC_API void soc_library_init(void);

/* Library version string, e.g. "0.1.0". */
SOC_API const char *soc_version(void);

#ifdef __cplusplus
}
#endif
#endif
