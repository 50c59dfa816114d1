/*
 * status.c -- status codes and error reports (util layer: below every other
 * layer, so every layer can report errors the same way).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "soc/status.h"

const char *soc_strerror(int code)
{
    switch (code) {
    case SOC_OK:
        return "success";
#define SOC__XX(name, msg)                                                     \
    case SOC_##name:                                                           \
        return msg;
        SOC_STATUS_MAP(SOC__XX)
#undef SOC__XX
    default:
        return "unknown error";
    }
}

const char *soc_status_name(int code)
{
    switch (code) {
    case SOC_OK:
        return "SOC_OK";
#define SOC__XX(name, msg)                                                     \
    case SOC_##name:                                                           \
        return "SOC_" #name;
        SOC_STATUS_MAP(SOC__XX)
#undef SOC__XX
    default:
        return "SOC_UNKNOWN";
    }
}

int soc_error_set(soc_error_t *err, int code, const char *file, int line,
                  int col, const char *fmt, ...)
{
    if (err == NULL || err->code != 0)
        return code;
    err->code = code;
    err->line = line;
    err->col = col;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    } else {
        snprintf(err->msg, sizeof err->msg, "%s", soc_strerror(code));
    }
    return code;
}

void soc_warn(const soc_warn_sink_t *sink, const char *file, int line, int col,
              const char *fmt, ...)
{
    if (sink == NULL || sink->fn == NULL)
        return;
    soc_error_t w;
    memset(&w, 0, sizeof w);
    w.line = line;
    w.col = col;
    snprintf(w.file, sizeof w.file, "%s", file ? file : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w.msg, sizeof w.msg, fmt, ap);
    va_end(ap);
    sink->fn(sink->user, &w);
}

void soc_error_clear(soc_error_t *err)
{
    if (err != NULL)
        memset(err, 0, sizeof *err);
}

const char *soc_error_format(const soc_error_t *err, char *buf, size_t size)
{
    if (buf == NULL || size == 0)
        return "";
    if (err == NULL || (err->code == 0 && err->msg[0] == '\0')) { /* a warning has code 0 */
        snprintf(buf, size, "no error");
        return buf;
    }
    const char *msg = err->msg[0] ? err->msg : soc_strerror(err->code);
    if (err->file[0] && err->line > 0 && err->col > 0)
        snprintf(buf, size, "%s:%d:%d: %s", err->file, err->line, err->col, msg);
    else if (err->file[0] && err->line > 0)
        snprintf(buf, size, "%s:%d: %s", err->file, err->line, msg);
    else if (err->file[0])
        snprintf(buf, size, "%s: %s", err->file, msg);
    else
        snprintf(buf, size, "%s", msg);
    return buf;
}
