/*
 * smap.c -- the string -> int hash map of the util layer (soc_util.h):
 * open addressing with linear probing, FNV-1a, capacity a power of two kept
 * at most half full.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "soc_util.h"

size_t soc__hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return (size_t)h;
}

int soc__smap_get(const soc__smap_t *m, const char *key)
{
    if (m->cap == 0)
        return -1;
    size_t mask = m->cap - 1;
    for (size_t i = soc__hash_str(key) & mask;; i = (i + 1) & mask) {
        if (m->keys[i] == NULL)
            return -1;
        if (strcmp(m->keys[i], key) == 0)
            return m->vals[i];
    }
}

static int smap_grow(soc__smap_t *m)
{
    size_t nc = m->cap ? m->cap * 2 : 64;
    char **nk = calloc(nc, sizeof *nk);
    int *nv = malloc(nc * sizeof *nv);
    if (nk == NULL || nv == NULL) {
        free(nk);
        free(nv);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] == NULL)
            continue;
        size_t j = soc__hash_str(m->keys[i]) & (nc - 1);
        while (nk[j] != NULL)
            j = (j + 1) & (nc - 1);
        nk[j] = m->keys[i];
        nv[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = nk;
    m->vals = nv;
    m->cap = nc;
    return 0;
}

int *soc__smap_slot(soc__smap_t *m, const char *key, int *created)
{
    *created = 0;
    if ((m->n + 1) * 2 > m->cap && smap_grow(m) != 0)
        return NULL;
    size_t mask = m->cap - 1;
    size_t i = soc__hash_str(key) & mask;
    for (; m->keys[i] != NULL; i = (i + 1) & mask)
        if (strcmp(m->keys[i], key) == 0)
            return &m->vals[i];
    char *k = m->borrow ? (char *)(uintptr_t)key : soc__strdup(key);
    if (k == NULL)
        return NULL;
    m->keys[i] = k;
    m->vals[i] = -1;
    m->n++;
    *created = 1;
    return &m->vals[i];
}

int soc__smap_put(soc__smap_t *m, const char *key, int val)
{
    int created;
    int *slot = soc__smap_slot(m, key, &created);
    if (slot == NULL)
        return -2;
    if (created)
        *slot = val;
    return *slot;
}

void soc__smap_free(soc__smap_t *m)
{
    for (size_t i = 0; !m->borrow && i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    int borrow = m->borrow;
    memset(m, 0, sizeof *m);
    m->borrow = borrow;
}
