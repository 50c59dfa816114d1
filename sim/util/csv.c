/*
 * csv.c -- reading CSV (RFC 4180 quoting) for the util layer (soc_util.h).
 */
#define _GNU_SOURCE /* getline */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soc_util.h"

int soc__csv_split(const char *line, char ***cells, char **store)
{
    size_t len = strlen(line);
    char *st = malloc(len + 1);
    int cap = 16, n = 0;
    char **c = malloc(sizeof *c * (size_t)cap);
    if (st == NULL || c == NULL)
        goto fail;
    const char *p = line;
    char *o = st;
    for (;;) {
        if (n == cap) {
            char **nc = realloc(c, sizeof *nc * (size_t)(cap *= 2));
            if (nc == NULL)
                goto fail;
            c = nc;
        }
        c[n++] = o;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0')
                    goto fail; /* unterminated quote */
                if (*p == '"' && p[1] == '"') {
                    *o++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *o++ = *p++;
                }
            }
            if (*p != ',' && *p != '\0')
                goto fail;
        } else {
            while (*p != ',' && *p != '\0')
                *o++ = *p++;
        }
        *o++ = '\0';
        if (*p == '\0')
            break;
        p++; /* the comma */
    }
    *cells = c;
    *store = st;
    return n;
fail:
    free(st);
    free(c);
    *cells = NULL;
    *store = NULL;
    return -1;
}

int soc__csv_next(FILE *f, char **line, size_t *cap, int *lineno, char ***cells, char **store)
{
    ssize_t len;
    while ((len = getline(line, cap, f)) > 0) {
        if (lineno != NULL)
            (*lineno)++;
        char *l = *line;
        while (len > 0 && (l[len - 1] == '\n' || l[len - 1] == '\r'))
            l[--len] = '\0';
        if (len > 0)
            return soc__csv_split(l, cells, store);
    }
    return -2;
}
