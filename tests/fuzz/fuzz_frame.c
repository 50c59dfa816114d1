/*
 * fuzz_frame.c -- the server's frame and JSON reader (gym/protocol.c): the
 * input is a byte stream of frames as a client would send them; each frame
 * header is checked as the server checks it and each JSON header is parsed
 * and walked with every accessor the request handlers use.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>

#include "fuzz_common.h"
#include "../../gym/protocol.h"

static void walk(soc__json_t *j, int t, int depth)
{
    if (t < 0 || t >= j->n || depth > SOC__JSON_MAX_DEPTH + 1)
        abort();
    int64_t i;
    uint64_t u;
    char *s = NULL;
    (void)soc__json_i64(j, t, &i);
    (void)soc__json_u64(j, t, &u);
    (void)soc__json_i64_sat(j, t, &i);
    if (soc__json_str_dup(j, t, &s) == SOC_OK)
        free(s);
    if (j->t[t].type == SOC__J_ARR) {
        for (int k = 0; k < j->t[t].n && k < 64; k++)
            walk(j, soc__json_at(j, t, k), depth + 1);
    } else if (j->t[t].type == SOC__J_OBJ) {
        static const char *const keys[] = {"cmd", "seq", "env_id", "env_ids", "action",
                                           "actions", "options", "config", "config_path",
                                           "seed", "version", "autoreset", NULL};
        for (int k = 0; keys[k] != NULL; k++) {
            int v = soc__json_get(j, t, keys[k]);
            if (v >= 0)
                walk(j, v, depth + 1);
        }
        (void)soc__json_str_eq(j, soc__json_get(j, t, "cmd"), "make");
    }
    if (j->t[t].next <= t || j->t[t].next > j->n)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static soc__json_t j = {0};
    j.max_tokens = 200000;
    size_t off = 0;
    while (size - off >= 8) {
        uint32_t L = soc__be32(data + off), J = soc__be32(data + off + 4);
        if (L < 4 || J > L - 4 || L > ((uint32_t)1 << 20))
            break; /* the server closes the connection here */
        if (size - off < 4 + (size_t)L)
            break; /* incomplete: the server waits */
        char msg[160];
        int rc = soc__json_parse(&j, (const char *)data + off + 8, J, msg, sizeof msg);
        if (rc == SOC_OK && j.n > 0)
            walk(&j, 0, 0);
        else if (rc == SOC_OK || msg[0] == '\0')
            abort();
        off += 4 + (size_t)L;
    }
    /* and the whole input as one JSON text */
    char msg[160];
    if (soc__json_parse(&j, (const char *)data, size, msg, sizeof msg) == SOC_OK && j.n > 0)
        walk(&j, 0, 0);
    return 0;
}
