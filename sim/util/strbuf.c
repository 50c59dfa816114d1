/*
 * strbuf.c -- strings and the growable buffer of the util layer
 * (soc_util.h).
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soc_util.h"

char *soc__strdup(const char *s)
{
    if (s == NULL)
        return NULL;
    return soc__strndup(s, strlen(s));
}

char *soc__strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *soc__path_join(const char *dir, const char *name)
{
    if (dir == NULL || dir[0] == '\0')
        return soc__strdup(name);
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

const char *soc__num(char buf[32], double x)
{
    if (isnan(x) || isinf(x)) {
        snprintf(buf, 32, "null");
        return buf;
    }
    if (x == 0) {
        snprintf(buf, 32, "0");
        return buf;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    return buf;
}

void soc__buf_clear(soc__buf_t *b)
{
    b->n = 0;
    b->oom = 0;
}

void soc__buf_putc(soc__buf_t *b, char c)
{
    soc__buf_put(b, &c, 1);
}

const char *soc__buf_cstr(soc__buf_t *b)
{
    if (soc__buf_reserve(b, 1) != 0)
        return NULL;
    b->d[b->n] = '\0';
    return b->d;
}

char *soc__buf_take(soc__buf_t *b)
{
    if (soc__buf_cstr(b) == NULL) {
        soc__buf_free(b);
        return NULL;
    }
    char *s = b->d;
    b->d = NULL;
    b->n = b->cap = 0;
    return s;
}

void soc__buf_csv(soc__buf_t *b, const char *cell)
{
    if (cell == NULL)
        cell = "";
    if (strpbrk(cell, ",\"\r\n") == NULL && cell[0] != ' ') {
        soc__buf_puts(b, cell);
        return;
    }
    soc__buf_putc(b, '"');
    for (const char *p = cell; *p; p++) {
        if (*p == '"')
            soc__buf_put(b, "\"\"", 2);
        else if (*p == '\n' || *p == '\r')
            soc__buf_putc(b, ' ');
        else
            soc__buf_putc(b, *p);
    }
    soc__buf_putc(b, '"');
}


void soc__buf_free(soc__buf_t *b)
{
    free(b->d);
    b->d = NULL;
    b->n = b->cap = 0;
    b->oom = 0;
}

int soc__buf_reserve(soc__buf_t *b, size_t more)
{
    if (b->oom)
        return -1;
    if (b->cap - b->n >= more)
        return 0;
    size_t nc = b->cap ? b->cap : 256;
    while (nc - b->n < more) {
        if (nc > SIZE_MAX / 2) {
            b->oom = 1;
            return -1;
        }
        nc *= 2;
    }
    char *nd = realloc(b->d, nc);
    if (nd == NULL) {
        b->oom = 1;
        return -1;
    }
    b->d = nd;
    b->cap = nc;
    return 0;
}

void soc__buf_put(soc__buf_t *b, const void *p, size_t n)
{
    if (n == 0 || soc__buf_reserve(b, n) != 0)
        return;
    memcpy(b->d + b->n, p, n);
    b->n += n;
}

void soc__buf_puts(soc__buf_t *b, const char *s)
{
    soc__buf_put(b, s, strlen(s));
}

void soc__buf_printf(soc__buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        soc__buf_put(b, small, (size_t)n);
        return;
    }
    if (soc__buf_reserve(b, (size_t)n + 1) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->d + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

/* Length of a valid UTF-8 sequence at s (1..4), 0 if invalid. */
static int utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    int n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
        n = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (int k = 1; k < n; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

void soc__buf_json_str(soc__buf_t *b, const char *s)
{
    soc__buf_put(b, "\"", 1);
    const unsigned char *u = (const unsigned char *)(s != NULL ? s : "");
    while (*u) {
        unsigned c = *u;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            soc__buf_put(b, e, 2);
            u++;
        } else if (c < 0x20) {
            soc__buf_printf(b, "\\u%04x", c);
            u++;
        } else if (c < 0x80) {
            soc__buf_put(b, u, 1);
            u++;
        } else {
            int n = utf8_len(u);
            if (n == 0) {
                soc__buf_puts(b, "\\ufffd");
                u++;
            } else {
                soc__buf_put(b, u, (size_t)n);
                u += n;
            }
        }
    }
    soc__buf_put(b, "\"", 1);
}

void soc__buf_f64(soc__buf_t *b, double x)
{
    if (!isfinite(x))
        x = 0;
    if (x == 0) {
        soc__buf_puts(b, signbit(x) ? "-0.0" : "0.0");
        return;
    }
    char t[40];
    int n = snprintf(t, sizeof t, "%.17g", x);
    /* keep it a JSON float for clients that distinguish int and float */
    if (n > 0 && (size_t)n < sizeof t - 2 && strpbrk(t, ".e") == NULL) {
        t[n++] = '.';
        t[n++] = '0';
        t[n] = '\0';
    }
    soc__buf_puts(b, t);
}

void soc__buf_u64(soc__buf_t *b, uint64_t v)
{
    char t[24];
    int n = 0;
    do {
        t[sizeof t - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    soc__buf_put(b, t + sizeof t - n, (size_t)n);
}

void soc__buf_i64(soc__buf_t *b, int64_t v)
{
    if (v < 0) {
        soc__buf_put(b, "-", 1);
        soc__buf_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        soc__buf_u64(b, (uint64_t)v);
    }
}

void soc__buf_us(soc__buf_t *b, double x)
{
    /* 2^53 ns: beyond that ns / 1000.0 no longer identifies ns */
    if (!(fabs(x) < 9.0e12)) {
        soc__buf_f64(b, x);
        return;
    }
    long long ns = llround(x * 1000.0);
    if ((double)ns / 1000.0 != x) {
        soc__buf_f64(b, x);
        return;
    }
    uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    if (ns < 0)
        soc__buf_put(b, "-", 1);
    soc__buf_u64(b, a / 1000);
    unsigned frac = (unsigned)(a % 1000);
    char t[5] = {'.', (char)('0' + frac / 100), (char)('0' + frac / 10 % 10),
                 (char)('0' + frac % 10), 0};
    size_t n = 4;
    while (n > 2 && t[n - 1] == '0')
        n--;
    soc__buf_put(b, t, n);
}

