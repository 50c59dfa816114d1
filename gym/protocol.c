/*
 * protocol.c -- JSON reader and writer, output buffer, frame headers of the
 * server protocol (protocol.h, gym/PROTOCOL.md).
 *
 * The reader is a strict RFC 8259 recursive-descent parser producing a flat
 * token array (jsmn-like, with the subtree end of each token), bounded in
 * nesting depth so hostile input cannot exhaust the stack.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

/* -------------------------------------------------------------- reader */

typedef struct jparser {
    soc__json_t *j;
    const char *s;
    size_t len, pos;
    char *msg;
    size_t msg_size;
    int rc;
} jparser_t;

static int jfail(jparser_t *p, const char *what)
{
    if (p->rc == SOC_OK) {
        p->rc = SOC_EPROTO;
        if (p->msg != NULL && p->msg_size > 0)
            snprintf(p->msg, p->msg_size, "bad JSON at byte %zu: %s", p->pos, what);
    }
    return -1;
}

static void skip_ws(jparser_t *p)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

static int new_tok(jparser_t *p, int type, size_t start)
{
    soc__json_t *j = p->j;
    if (j->max_tokens > 0 && j->n >= j->max_tokens)
        return jfail(p, "too many values");
    if (j->n == j->cap) {
        int nc = j->cap ? 2 * j->cap : 64;
        soc__jtok_t *nt = realloc(j->t, sizeof *nt * (size_t)nc);
        if (nt == NULL) {
            if (p->rc == SOC_OK) {
                p->rc = SOC_ENOMEM;
                if (p->msg != NULL && p->msg_size > 0)
                    snprintf(p->msg, p->msg_size, "out of memory");
            }
            return -1;
        }
        j->t = nt;
        j->cap = nc;
    }
    soc__jtok_t *t = &j->t[j->n];
    memset(t, 0, sizeof *t);
    t->type = type;
    t->start = start;
    return j->n++;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Validate a string starting after its opening quote; leaves pos after the
 * closing quote. */
static int parse_string(jparser_t *p)
{
    size_t start = p->pos;
    int t = new_tok(p, SOC__J_STR, start);
    if (t < 0)
        return -1;
    while (p->pos < p->len) {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') {
            p->j->t[t].len = p->pos - start;
            p->pos++;
            p->j->t[t].next = p->j->n;
            return t;
        }
        if (c < 0x20)
            return jfail(p, "control character in string");
        if (c == '\\') {
            p->pos++;
            if (p->pos >= p->len)
                break;
            char e = p->s[p->pos];
            if (e == 'u') {
                if (p->pos + 4 >= p->len)
                    return jfail(p, "short \\u escape");
                for (int k = 1; k <= 4; k++)
                    if (hexval(p->s[p->pos + k]) < 0)
                        return jfail(p, "bad \\u escape");
                p->pos += 4;
            } else if (strchr("\"\\/bfnrt", e) == NULL || e == '\0') {
                return jfail(p, "bad escape");
            }
        }
        p->pos++;
    }
    return jfail(p, "unterminated string");
}

/* Skip a run of decimal digits; returns how many there were. */
static size_t skip_digits(jparser_t *p)
{
    size_t d = p->pos;
    while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
        p->pos++;
    return p->pos - d;
}

static int parse_number(jparser_t *p)
{
    size_t start = p->pos;
    int t = new_tok(p, SOC__J_NUM, start);
    if (t < 0)
        return -1;
    int is_int = 1;
    const char *s = p->s;
    if (p->pos < p->len && s[p->pos] == '-')
        p->pos++;
    if (p->pos >= p->len)
        return jfail(p, "bad number");
    if (s[p->pos] == '0') {
        p->pos++;
    } else if (s[p->pos] >= '1' && s[p->pos] <= '9') {
        skip_digits(p);
    } else {
        return jfail(p, "bad number");
    }
    if (p->pos < p->len && s[p->pos] == '.') {
        is_int = 0;
        p->pos++;
        if (skip_digits(p) == 0)
            return jfail(p, "bad number");
    }
    if (p->pos < p->len && (s[p->pos] == 'e' || s[p->pos] == 'E')) {
        is_int = 0;
        p->pos++;
        if (p->pos < p->len && (s[p->pos] == '+' || s[p->pos] == '-'))
            p->pos++;
        if (skip_digits(p) == 0)
            return jfail(p, "bad number");
    }
    p->j->t[t].len = p->pos - start;
    p->j->t[t].is_int = is_int;
    p->j->t[t].next = p->j->n;
    return t;
}

static int parse_value(jparser_t *p, int depth);

static int parse_container(jparser_t *p, int depth, int is_obj)
{
    int t = new_tok(p, is_obj ? SOC__J_OBJ : SOC__J_ARR, p->pos - 1);
    if (t < 0)
        return -1;
    if (depth >= SOC__JSON_MAX_DEPTH)
        return jfail(p, "nested too deeply");
    char close = is_obj ? '}' : ']';
    int n = 0;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
    } else {
        for (;;) {
            skip_ws(p);
            if (is_obj) {
                if (p->pos >= p->len || p->s[p->pos] != '"')
                    return jfail(p, "expected a member name");
                p->pos++;
                if (parse_string(p) < 0)
                    return -1;
                skip_ws(p);
                if (p->pos >= p->len || p->s[p->pos] != ':')
                    return jfail(p, "expected ':'");
                p->pos++;
            }
            if (parse_value(p, depth + 1) < 0)
                return -1;
            n++;
            skip_ws(p);
            if (p->pos < p->len && p->s[p->pos] == ',') {
                p->pos++;
                continue;
            }
            if (p->pos < p->len && p->s[p->pos] == close) {
                p->pos++;
                break;
            }
            return jfail(p, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
        }
    }
    p->j->t[t].n = n;
    p->j->t[t].len = p->pos - p->j->t[t].start;
    p->j->t[t].next = p->j->n;
    return t;
}

static int parse_literal(jparser_t *p, const char *word, int type)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return jfail(p, "unexpected character");
    int t = new_tok(p, type, p->pos);
    if (t < 0)
        return -1;
    p->pos += n;
    p->j->t[t].len = n;
    p->j->t[t].next = p->j->n;
    return t;
}

static int parse_value(jparser_t *p, int depth)
{
    skip_ws(p);
    if (p->pos >= p->len)
        return jfail(p, "unexpected end");
    char c = p->s[p->pos];
    switch (c) {
    case '{':
        p->pos++;
        return parse_container(p, depth, 1);
    case '[':
        p->pos++;
        return parse_container(p, depth, 0);
    case '"':
        p->pos++;
        return parse_string(p);
    case 't':
        return parse_literal(p, "true", SOC__J_TRUE);
    case 'f':
        return parse_literal(p, "false", SOC__J_FALSE);
    case 'n':
        return parse_literal(p, "null", SOC__J_NULL);
    default:
        if (c == '-' || (c >= '0' && c <= '9'))
            return parse_number(p);
        return jfail(p, "unexpected character");
    }
}

typedef struct jkey {
    const char *p;
    size_t len;
} jkey_t;

static int jkey_cmp(const void *a, const void *b)
{
    const jkey_t *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->p, y->p, n);
    return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

/* RFC 8259 leaves repeated member names to the reader: this one refuses
 * them (in every object), so {"cmd":"make","cmd":"bye"} cannot mean either.
 * Names compare by their raw text.  O(n log n) over all members. */
static int check_duplicate_keys(jparser_t *p)
{
    soc__json_t *j = p->j;
    jkey_t *keys = NULL;
    for (int t = 0; t < j->n; t++) {
        if (j->t[t].type != SOC__J_OBJ || j->t[t].n < 2)
            continue;
        if (keys == NULL && (keys = malloc(sizeof *keys * (size_t)j->n)) == NULL) {
            p->rc = SOC_ENOMEM;
            if (p->msg != NULL && p->msg_size > 0)
                snprintf(p->msg, p->msg_size, "out of memory");
            return -1;
        }
        int k = t + 1, m = j->t[t].n;
        for (int i = 0; i < m; i++) {
            keys[i].p = j->src + j->t[k].start;
            keys[i].len = j->t[k].len;
            k = j->t[j->t[k].next].next;
        }
        qsort(keys, (size_t)m, sizeof *keys, jkey_cmp);
        for (int i = 1; i < m; i++)
            if (jkey_cmp(&keys[i - 1], &keys[i]) == 0) {
                if (p->msg != NULL && p->msg_size > 0)
                    snprintf(p->msg, p->msg_size, "JSON: duplicate key \"%.*s\"",
                             (int)(keys[i].len > 40 ? 40 : keys[i].len), keys[i].p);
                p->rc = SOC_EPROTO;
                free(keys);
                return -1;
            }
    }
    free(keys);
    return 0;
}

int soc__json_parse(soc__json_t *j, const char *src, size_t len, char *msg,
                    size_t msg_size)
{
    jparser_t p = {j, src, len, 0, msg, msg_size, SOC_OK};
    j->src = src;
    j->n = 0;
    if (msg != NULL && msg_size > 0)
        msg[0] = '\0';
    if (parse_value(&p, 0) >= 0) {
        skip_ws(&p);
        if (p.pos != len)
            jfail(&p, "trailing characters");
        else
            check_duplicate_keys(&p);
    }
    if (p.rc != SOC_OK)
        j->n = 0;
    return p.rc;
}

void soc__json_free(soc__json_t *j)
{
    if (j == NULL)
        return;
    free(j->t);
    j->t = NULL;
    j->n = j->cap = 0;
}

/* Compare the raw text of a string token with s (escapes in the token make
 * it compare unequal, which is fine for our ASCII keys). */
static int raw_eq(const soc__json_t *j, int tok, const char *s)
{
    size_t n = strlen(s);
    return j->t[tok].len == n && memcmp(j->src + j->t[tok].start, s, n) == 0;
}

int soc__json_get(const soc__json_t *j, int obj, const char *key)
{
    if (obj < 0 || obj >= j->n || j->t[obj].type != SOC__J_OBJ)
        return -1;
    int k = obj + 1;
    for (int m = 0; m < j->t[obj].n; m++) {
        int v = j->t[k].next;
        if (raw_eq(j, k, key))
            return v;
        k = j->t[v].next;
    }
    return -1;
}

int soc__json_at(const soc__json_t *j, int arr, int idx)
{
    if (arr < 0 || arr >= j->n || j->t[arr].type != SOC__J_ARR || idx < 0 ||
        idx >= j->t[arr].n)
        return -1;
    int k = arr + 1;
    for (int m = 0; m < idx; m++)
        k = j->t[k].next;
    return k;
}

int soc__json_str_eq(const soc__json_t *j, int tok, const char *s)
{
    return tok >= 0 && tok < j->n && j->t[tok].type == SOC__J_STR && raw_eq(j, tok, s);
}

static void put_utf8(char **w, uint32_t cp)
{
    unsigned char *o = (unsigned char *)*w;
    if (cp < 0x80) {
        *o++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *o++ = (unsigned char)(0xC0 | (cp >> 6));
        *o++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (unsigned char)(0xE0 | (cp >> 12));
        *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (unsigned char)(0xF0 | (cp >> 18));
        *o++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    *w = (char *)o;
}

static uint32_t hex4(const char *s)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++)
        v = v * 16 + (uint32_t)hexval(s[k]);
    return v;
}

int soc__json_str_dup(const soc__json_t *j, int tok, char **out)
{
    *out = NULL;
    if (tok < 0 || tok >= j->n || j->t[tok].type != SOC__J_STR)
        return SOC_EPROTO;
    const char *s = j->src + j->t[tok].start;
    size_t n = j->t[tok].len;
    /* decoded text is never longer than the escaped text */
    char *d = malloc(n + 1);
    if (d == NULL)
        return SOC_ENOMEM;
    char *w = d;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            *w++ = s[i];
            continue;
        }
        char e = s[++i];
        switch (e) {
        case 'b': *w++ = '\b'; break;
        case 'f': *w++ = '\f'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 't': *w++ = '\t'; break;
        case 'u': {
            uint32_t cp = hex4(s + i + 1);
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < n &&
                s[i + 1] == '\\' && s[i + 2] == 'u') {
                uint32_t lo = hex4(s + i + 3);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            if (cp == 0) {
                free(d);
                return SOC_EPROTO;
            }
            put_utf8(&w, cp);
            break;
        }
        default:
            *w++ = e; /* " \ / */
            break;
        }
    }
    *w = '\0';
    *out = d;
    return SOC_OK;
}

/* Sign and magnitude of integer token tok; SOC_EPROTO when tok is not an
 * integer or its magnitude does not fit 64 bits. */
static int json_int_parts(const soc__json_t *j, int tok, int *neg, uint64_t *mag)
{
    if (tok < 0 || tok >= j->n || j->t[tok].type != SOC__J_NUM || !j->t[tok].is_int)
        return SOC_EPROTO;
    const char *s = j->src + j->t[tok].start;
    size_t n = j->t[tok].len;
    if (n == 0)
        return SOC_EPROTO;
    *neg = s[0] == '-';
    uint64_t v = 0;
    for (size_t i = (size_t)*neg; i < n; i++) {
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return SOC_EPROTO;
        v = v * 10 + d;
    }
    *mag = v;
    return SOC_OK;
}

int soc__json_u64(const soc__json_t *j, int tok, uint64_t *out)
{
    int neg;
    uint64_t v;
    /* "-0" is still zero */
    if (json_int_parts(j, tok, &neg, &v) != SOC_OK || (neg && v != 0))
        return SOC_EPROTO;
    *out = v;
    return SOC_OK;
}

int soc__json_i64(const soc__json_t *j, int tok, int64_t *out)
{
    int neg;
    uint64_t v;
    if (json_int_parts(j, tok, &neg, &v) != SOC_OK)
        return SOC_EPROTO;
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            return SOC_EPROTO;
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX)
            return SOC_EPROTO;
        *out = (int64_t)v;
    }
    return SOC_OK;
}

int soc__json_i64_sat(const soc__json_t *j, int tok, int64_t *out)
{
    if (tok < 0 || tok >= j->n || j->t[tok].type != SOC__J_NUM || !j->t[tok].is_int)
        return SOC_EPROTO;
    if (soc__json_i64(j, tok, out) == SOC_OK)
        return SOC_OK;
    /* beyond int64: only the sign matters */
    *out = j->src[j->t[tok].start] == '-' ? INT64_MIN : INT64_MAX;
    return SOC_OK;
}

void soc__buf_f32le(soc__buf_t *b, const float *x, size_t n)
{
    if (n == 0 || soc__buf_reserve(b, 4 * n) != 0)
        return;
    unsigned char *o = (unsigned char *)b->d + b->n;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &x[i], 4);
        o[4 * i + 0] = (unsigned char)(u & 0xFF);
        o[4 * i + 1] = (unsigned char)((u >> 8) & 0xFF);
        o[4 * i + 2] = (unsigned char)((u >> 16) & 0xFF);
        o[4 * i + 3] = (unsigned char)(u >> 24);
    }
    b->n += 4 * n;
}

/* -------------------------------------------------------------- frames */

static void put_be32(char *p, uint32_t v)
{
    p[0] = (char)(v >> 24);
    p[1] = (char)(v >> 16);
    p[2] = (char)(v >> 8);
    p[3] = (char)v;
}

size_t soc__frame_begin(soc__buf_t *b)
{
    size_t at = b->n;
    soc__buf_put(b, "\0\0\0\0\0\0\0\0", 8);
    return at;
}

void soc__frame_json_done(soc__buf_t *b, size_t frame)
{
    if (b->oom)
        return;
    put_be32(b->d + frame + 4, (uint32_t)(b->n - frame - 8));
}

void soc__frame_done(soc__buf_t *b, size_t frame)
{
    if (b->oom)
        return;
    put_be32(b->d + frame, (uint32_t)(b->n - frame - 4));
}
