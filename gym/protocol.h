/*
 * protocol.h -- pieces of the wire protocol (gym/PROTOCOL.md) shared by the
 * server and the tests: a small strict JSON reader (tokens over the source
 * text, nothing allocated per value), a growable output buffer with JSON and
 * little-endian array writers, and the frame header.  Internal to gym/.
 */
#ifndef SOC_GYM_PROTOCOL_H
#define SOC_GYM_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include "soc/status.h"
#include "soc_util.h"

#define SOC__PROTOCOL_VERSION 1
#define SOC__JSON_MAX_DEPTH 16

/* ------------------------------------------------------------- reading */

typedef enum soc__jtype {
    SOC__J_NULL = 0,
    SOC__J_FALSE,
    SOC__J_TRUE,
    SOC__J_NUM,
    SOC__J_STR,   /* start/len cover the text between the quotes */
    SOC__J_ARR,
    SOC__J_OBJ    /* children: key, value, key, value... */
} soc__jtype_t;

typedef struct soc__jtok {
    int type;
    int is_int;   /* SOC__J_NUM without fraction or exponent */
    size_t start, len;
    int n;        /* ARR: elements, OBJ: members */
    int next;     /* index of the first token after this subtree */
} soc__jtok_t;

typedef struct soc__json {
    const char *src;
    soc__jtok_t *t;
    int n, cap;
    int max_tokens;   /* 0 = unlimited */
} soc__json_t;

/* Parse src[0..len) (one JSON value, surrounded by optional blanks).
 * Returns SOC_OK, SOC_EPROTO (msg says where) or SOC_ENOMEM.  Tokens are
 * kept in j for reuse by the next parse; soc__json_free releases them. */
int soc__json_parse(soc__json_t *j, const char *src, size_t len, char *msg,
                    size_t msg_size);
void soc__json_free(soc__json_t *j);

/* Value of member `key` of object token obj, -1 if absent (or obj is not
 * an object). */
int soc__json_get(const soc__json_t *j, int obj, const char *key);
/* 1 if token tok is a string equal to s. */
int soc__json_str_eq(const soc__json_t *j, int tok, const char *s);
/* Decode string token tok into a new NUL-terminated buffer (malloc).
 * Returns SOC_OK, SOC_EPROTO (not a string or has an embedded NUL),
 * SOC_ENOMEM. */
int soc__json_str_dup(const soc__json_t *j, int tok, char **out);
/* Integer value of tok (an integral number).  SOC_OK or SOC_EPROTO (not
 * an integer or out of range). */
int soc__json_i64(const soc__json_t *j, int tok, int64_t *out);
int soc__json_u64(const soc__json_t *j, int tok, uint64_t *out);
/* Integer token tok clamped to int64 (any JSON integer, however long, is
 * accepted: what a step's "action" needs, PROTOCOL.md 3.5).  SOC_EPROTO
 * only when tok is not an integer. */
int soc__json_i64_sat(const soc__json_t *j, int tok, int64_t *out);
/* Element k of array token arr (linear walk), -1 if out of range. */
int soc__json_at(const soc__json_t *j, int arr, int k);

/* ------------------------------------------------------------- writing */

/* soc__buf_t and its text/JSON writers come from the util layer
 * (soc_util.h). */
/* Arrays as little-endian float32 / raw bytes. */
void soc__buf_f32le(soc__buf_t *b, const float *x, size_t n);

/* ------------------------------------------------------------- frames
 * u32 BE L (bytes after this field) | u32 BE J | JSON | tail */

/* Start a frame: writes the 8-byte header placeholder, returns its offset. */
size_t soc__frame_begin(soc__buf_t *b);
/* The JSON header ends here (sets J). */
void soc__frame_json_done(soc__buf_t *b, size_t frame);
/* The tail ends here (sets L). */
void soc__frame_done(soc__buf_t *b, size_t frame);

static inline uint32_t soc__be32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

#endif
