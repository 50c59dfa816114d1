/*
 * suggest.c -- "did you mean": the candidate closest to a misspelt name
 * (case-insensitive Levenshtein distance), shared by the loaders, the
 * scheduler registry and the command-line tool.
 */
#include <limits.h>
#include <string.h>

#include "soc_util.h"

static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }

int soc__edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return INT_MAX / 2;
    int row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int cost = lower((unsigned char)a[i - 1]) != lower((unsigned char)b[j - 1]);
            int best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            if (prev + cost < best)
                best = prev + cost;
            row[j] = best;
            prev = cur;
        }
    }
    return row[lb];
}

const char *soc__closest(const char *s, const char *const *list, size_t n)
{
    const char *best = NULL;
    int bd = INT_MAX;
    size_t ls = strlen(s);
    for (size_t i = 0; i < n; i++) {
        if (list[i] == NULL)
            continue;
        size_t li = strlen(list[i]);
        /* "exec" for "exec_us": a clipped name is a typo too */
        if (ls >= 3 && li > ls && strncmp(list[i], s, ls) == 0)
            return list[i];
        int d = soc__edit_distance(s, list[i]);
        if (d < bd) {
            bd = d;
            best = list[i];
        }
    }
    if (best != NULL && (size_t)bd < ls && (bd <= 2 || (size_t)bd * 3 <= ls))
        return best;
    return NULL;
}
