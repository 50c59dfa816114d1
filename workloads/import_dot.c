/*
 * import_dot.c -- a Graphviz DOT subset as an intermediate task graph.
 *
 * Read: [strict] digraph [ID] { stmt; ... } with node statements
 * (a [type=fft, cost=12]), edge statements and chains (a -> b -> c [volume=
 * 8]; a -> {b c}), attribute defaults (node [...], edge [...]; graph [...]
 * and ID = ID are accepted and ignored), subgraphs (their nodes join the
 * graph; a subgraph may be an edge end), ports (a:p, ignored), comments
 * (//, slash-star, lines starting with #), quoted strings (with "a" + "b"
 * concatenation) and HTML strings.  Undirected graphs are refused.
 * Attributes used: nodes `type` (the category; default "task") and `cost`
 * (alias `size`, as DAGGEN writes); edges `volume` (aliases `size`, and
 * `label` when it is a number).  Everything else is ignored.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dag_internal.h"
#include "soc_util.h"

#define DOT_MAX_DEPTH 64

typedef enum tk {
    T_EOF = 0,
    T_ID,     /* identifier, numeral, quoted or HTML string: text in buf */
    T_LBRACE,
    T_RBRACE,
    T_LBRACK,
    T_RBRACK,
    T_SEMI,
    T_COMMA,
    T_EQ,
    T_COLON,
    T_ARROW,  /* -> */
    T_DASHES  /* -- */
} tk_t;

typedef struct dtok {
    tk_t t;
    int quoted;   /* a quoted or HTML string: never a keyword */
    int line, col;
    char *text;   /* T_ID: malloc'ed */
} dtok_t;

typedef struct attrs {
    char *type;
    double cost;        /* NaN = not given */
    int cost_line, cost_col;
    double volume;      /* NaN = not given */
} attrs_t;

typedef struct dp {
    const char *s, *end;
    int line, col;
    soc__dag_t *d;
    soc_error_t *err;
    double scale;
    dtok_t tok;         /* current token */
    int depth;
    int *set;           /* scratch node sets */
    int n_set, cap_set;
} dp_t;

static int dfail(dp_t *P, int line, int col, int code, const char *fmt, ...) SOC_PRINTF(5, 6);
static int dfail(dp_t *P, int line, int col, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return soc_error_set(P->err, code, P->d->file, line, col, "%s", msg);
}

static int doom(dp_t *P) { return soc_error_set(P->err, SOC_ENOMEM, NULL, 0, 0, "out of memory"); }

static void adv(dp_t *P, int k)
{
    for (int i = 0; i < k && P->s < P->end; i++) {
        if (*P->s == '\n') {
            P->line++;
            P->col = 1;
        } else {
            P->col++;
        }
        P->s++;
    }
}

static int is_id_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int is_id_char(unsigned char c) { return is_id_start(c) || (c >= '0' && c <= '9'); }

/* Skip blanks and comments. */
static int skip_space(dp_t *P)
{
    int line_start = P->col == 1;
    while (P->s < P->end) {
        char c = *P->s;
        if (c == '\n') {
            adv(P, 1);
            line_start = 1;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            adv(P, 1);
        } else if (c == '#' && line_start) {
            while (P->s < P->end && *P->s != '\n')
                adv(P, 1);
        } else if (c == '/' && P->s + 1 < P->end && P->s[1] == '/') {
            while (P->s < P->end && *P->s != '\n')
                adv(P, 1);
        } else if (c == '/' && P->s + 1 < P->end && P->s[1] == '*') {
            int l = P->line, k = P->col;
            adv(P, 2);
            while (P->s < P->end && !(*P->s == '*' && P->s + 1 < P->end && P->s[1] == '/'))
                adv(P, 1);
            if (P->s >= P->end)
                return dfail(P, l, k, SOC_EPARSE, "malformed DOT: a /* comment is not closed");
            adv(P, 2);
        } else {
            break;
        }
    }
    return SOC_OK;
}

/* Read a quoted string at P->s (the opening quote) into b. */
static int read_quoted(dp_t *P, soc__buf_t *b)
{
    int l = P->line, k = P->col;
    adv(P, 1);
    while (P->s < P->end && *P->s != '"') {
        if (*P->s == '\\' && P->s + 1 < P->end) {
            if (P->s[1] == '"') {
                soc__buf_putc(b, '"');
                adv(P, 2);
                continue;
            }
            if (P->s[1] == '\n') { /* line continuation */
                adv(P, 2);
                continue;
            }
            if (P->s[1] == '\r' && P->s + 2 < P->end && P->s[2] == '\n') {
                adv(P, 3);
                continue;
            }
        }
        soc__buf_putc(b, *P->s);
        adv(P, 1);
    }
    if (P->s >= P->end)
        return dfail(P, l, k, SOC_EPARSE, "malformed DOT: a quoted string is not closed");
    adv(P, 1);
    return SOC_OK;
}

/* A quoted string token at P->s into b, with "a" + "b" concatenation. */
static int lex_quoted(dp_t *P, soc__buf_t *b)
{
    int rc;
    for (;;) {
        if ((rc = read_quoted(P, b)) != SOC_OK)
            return rc;
        /* "a" + "b" */
        const char *save = P->s;
        int sl = P->line, sc = P->col;
        if ((rc = skip_space(P)) != SOC_OK)
            return rc;
        if (P->s < P->end && *P->s == '+') {
            adv(P, 1);
            if ((rc = skip_space(P)) != SOC_OK)
                return rc;
            if (P->s < P->end && *P->s == '"')
                continue;
            return dfail(P, P->line, P->col, SOC_EPARSE,
                         "malformed DOT: '+' must join two quoted strings");
        }
        P->s = save;
        P->line = sl;
        P->col = sc;
        return SOC_OK;
    }
}

/* An HTML string token <...> (nested angle brackets) at P->s into b. */
static int lex_html(dp_t *P, soc__buf_t *b)
{
    int depth = 0, l = P->line, k = P->col;
    do {
        if (P->s >= P->end)
            return dfail(P, l, k, SOC_EPARSE, "malformed DOT: an HTML string is not closed");
        if (*P->s == '<')
            depth++;
        else if (*P->s == '>')
            depth--;
        soc__buf_putc(b, *P->s);
        adv(P, 1);
    } while (depth > 0);
    return SOC_OK;
}

/* A numeral token ([-] digits [. digits], and an exponent) at P->s, whose
 * first character is c, into b. */
static int lex_numeral(dp_t *P, soc__buf_t *b, unsigned char c)
{
    if (c == '-') {
        soc__buf_putc(b, '-');
        adv(P, 1);
    }
    int digits = 0, dots = 0;
    while (P->s < P->end && ((*P->s >= '0' && *P->s <= '9') || (*P->s == '.' && !dots))) {
        if (*P->s == '.')
            dots++;
        else
            digits++;
        soc__buf_putc(b, *P->s);
        adv(P, 1);
    }
    if (digits == 0)
        return dfail(P, P->tok.line, P->tok.col, SOC_EPARSE,
                     "malformed DOT: unexpected '%c'", (char)c);
    /* exponents (DAGGEN writes 1e+09) are not DOT numerals, but accept them */
    if (P->s < P->end && (*P->s == 'e' || *P->s == 'E')) {
        const char *q = P->s + 1;
        if (q < P->end && (*q == '+' || *q == '-'))
            q++;
        if (q < P->end && *q >= '0' && *q <= '9')
            while (P->s < P->end && (P->s < q || (*P->s >= '0' && *P->s <= '9'))) {
                soc__buf_putc(b, *P->s);
                adv(P, 1);
            }
    }
    return SOC_OK;
}

/* The next token into P->tok (its text malloc'ed for T_ID). */
static int next(dp_t *P)
{
    free(P->tok.text);
    memset(&P->tok, 0, sizeof P->tok);
    int rc = skip_space(P);
    if (rc != SOC_OK)
        return rc;
    P->tok.line = P->line;
    P->tok.col = P->col;
    if (P->s >= P->end) {
        P->tok.t = T_EOF;
        return SOC_OK;
    }
    unsigned char c = (unsigned char)*P->s;
    static const char punct[] = "{}[];,=:";
    static const tk_t ptk[] = {T_LBRACE, T_RBRACE, T_LBRACK, T_RBRACK, T_SEMI, T_COMMA, T_EQ, T_COLON};
    const char *pp = c ? strchr(punct, c) : NULL;
    if (pp != NULL) {
        P->tok.t = ptk[pp - punct];
        adv(P, 1);
        return SOC_OK;
    }
    if (c == '-' && P->s + 1 < P->end && (P->s[1] == '>' || P->s[1] == '-')) {
        P->tok.t = P->s[1] == '>' ? T_ARROW : T_DASHES;
        adv(P, 2);
        return SOC_OK;
    }
    soc__buf_t b = {0};
    P->tok.t = T_ID;
    if (c == '"') {
        P->tok.quoted = 1;
        rc = lex_quoted(P, &b);
    } else if (c == '<') {
        P->tok.quoted = 1;
        rc = lex_html(P, &b);
    } else if (c == '-' || c == '.' || (c >= '0' && c <= '9')) {
        rc = lex_numeral(P, &b, c);
    } else if (is_id_start(c)) {
        while (P->s < P->end && is_id_char((unsigned char)*P->s)) {
            soc__buf_putc(&b, *P->s);
            adv(P, 1);
        }
    } else {
        return dfail(P, P->tok.line, P->tok.col, SOC_EPARSE, "malformed DOT: unexpected '%c'",
                     c >= 0x20 && c < 0x7f ? (char)c : '?');
    }
    if (rc != SOC_OK) {
        soc__buf_free(&b);
        return rc;
    }
    P->tok.text = soc__buf_take(&b);
    if (P->tok.text == NULL)
        return doom(P);
    return SOC_OK;
}

static int kw(const dtok_t *t, const char *word)
{
    if (t->t != T_ID || t->quoted)
        return 0;
    const char *a = t->text, *b = word;
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        if (x != *b)
            return 0;
    }
    return *a == '\0' && *b == '\0';
}

static const char *tname(const dtok_t *t)
{
    switch (t->t) {
    case T_EOF:
        return "the end of the file";
    case T_ID:
        return t->text;
    case T_LBRACE:
        return "'{'";
    case T_RBRACE:
        return "'}'";
    case T_LBRACK:
        return "'['";
    case T_RBRACK:
        return "']'";
    case T_SEMI:
        return "';'";
    case T_COMMA:
        return "','";
    case T_EQ:
        return "'='";
    case T_COLON:
        return "':'";
    case T_ARROW:
        return "'->'";
    case T_DASHES:
        return "'--'";
    }
    return "?";
}

static int expected(dp_t *P, const char *what)
{
    return dfail(P, P->tok.line, P->tok.col, SOC_EPARSE, "malformed DOT: expected %s, got %s",
                 what, tname(&P->tok));
}

/* ------------------------------------------------------------ attributes */

static void attrs_free(attrs_t *a) { free(a->type); }

static int attrs_copy(attrs_t *dst, const attrs_t *src)
{
    *dst = *src;
    dst->type = NULL;
    if (src->type != NULL && (dst->type = soc__strdup(src->type)) == NULL)
        return -1;
    return 0;
}

static int num_value(dp_t *P, const dtok_t *v, const char *what, double *out, int strict)
{
    char *end;
    errno = 0;
    double x = strtod(v->text, &end);
    if (end == v->text || *end != '\0' || !isfinite(x) || errno == ERANGE) {
        if (!strict)
            return 1; /* not a number: ignored */
        return dfail(P, v->line, v->col, SOC_EPARSE, "%s: expected a number, got '%s'", what,
                     v->text);
    }
    if (x < 0)
        return dfail(P, v->line, v->col, SOC_ECONFIG, "%s must not be negative, got %s", what,
                     v->text);
    *out = x;
    return SOC_OK;
}

/* [a=b, c=d; ...] [ ... ] -- applied to *a (node or edge attributes). */
static int attr_lists(dp_t *P, attrs_t *a, int edge)
{
    int rc;
    while (P->tok.t == T_LBRACK) {
        if ((rc = next(P)) != SOC_OK)
            return rc;
        while (P->tok.t != T_RBRACK) {
            if (P->tok.t != T_ID)
                return expected(P, "an attribute name or ']'");
            char *key = P->tok.text;
            P->tok.text = NULL;
            if ((rc = next(P)) != SOC_OK) {
                free(key);
                return rc;
            }
            dtok_t val = {T_ID, 0, P->tok.line, P->tok.col, NULL};
            if (P->tok.t == T_EQ) {
                if ((rc = next(P)) != SOC_OK) {
                    free(key);
                    return rc;
                }
                if (P->tok.t != T_ID) {
                    free(key);
                    return expected(P, "an attribute value");
                }
                val = P->tok;
                P->tok.text = NULL;
                if ((rc = next(P)) != SOC_OK) {
                    free(key);
                    free(val.text);
                    return rc;
                }
            }
            rc = SOC_OK;
            if (val.text != NULL) {
                if (!edge && strcmp(key, "type") == 0) {
                    free(a->type);
                    a->type = val.text;
                    val.text = NULL;
                } else if (!edge && (strcmp(key, "cost") == 0 ||
                                     (strcmp(key, "size") == 0 && isnan(a->cost)))) {
                    rc = num_value(P, &val, key, &a->cost, 1);
                    a->cost_line = val.line;
                    a->cost_col = val.col;
                } else if (edge && (strcmp(key, "volume") == 0 || strcmp(key, "size") == 0)) {
                    rc = num_value(P, &val, key, &a->volume, 1);
                } else if (edge && strcmp(key, "label") == 0 && isnan(a->volume)) {
                    double x = 0;
                    int r = num_value(P, &val, key, &x, 0);
                    if (r == SOC_OK)
                        a->volume = x;
                    else if (r != 1)
                        rc = r;
                }
            }
            free(key);
            free(val.text);
            if (rc != SOC_OK)
                return rc;
            if (P->tok.t == T_COMMA || P->tok.t == T_SEMI)
                if ((rc = next(P)) != SOC_OK)
                    return rc;
        }
        if ((rc = next(P)) != SOC_OK)
            return rc;
    }
    return SOC_OK;
}

/* --------------------------------------------------------------- nodes */

/* The node named `name` (created with the defaults when new). */
static int node(dp_t *P, const char *name, const attrs_t *def, int line, int col, int *out)
{
    soc__dag_t *d = P->d;
    int i = soc__smap_get(&d->index, name);
    if (i < 0) {
        i = soc__dag_add_task(d, name, def->type, isnan(def->cost) ? NAN : def->cost * P->scale,
                              def->cost, line, col, NULL);
        if (i < 0)
            return doom(P);
    }
    *out = i;
    return SOC_OK;
}

static int set_push(dp_t *P, int v)
{
    if (P->n_set == P->cap_set) {
        int nc = P->cap_set ? 2 * P->cap_set : 64;
        int *ns = realloc(P->set, sizeof *ns * (size_t)nc);
        if (ns == NULL)
            return doom(P);
        P->set = ns;
        P->cap_set = nc;
    }
    P->set[P->n_set++] = v;
    return SOC_OK;
}

static int stmt_list(dp_t *P, attrs_t *ndef, attrs_t *edef);

/* A node id with an optional port; P->tok is its ID. */
static int node_id(dp_t *P, const attrs_t *ndef, int *out)
{
    int rc = node(P, P->tok.text, ndef, P->tok.line, P->tok.col, out);
    if (rc != SOC_OK)
        return rc;
    if ((rc = next(P)) != SOC_OK)
        return rc;
    for (int k = 0; k < 2 && P->tok.t == T_COLON; k++) { /* :port[:compass] */
        if ((rc = next(P)) != SOC_OK)
            return rc;
        if (P->tok.t != T_ID)
            return expected(P, "a port name");
        if ((rc = next(P)) != SOC_OK)
            return rc;
    }
    return SOC_OK;
}

/* Drop repeated nodes from P->set[from ..] (first mention kept). */
static int set_dedupe(dp_t *P, int from)
{
    int n = P->d->n;
    char *seen = calloc((size_t)n + 1, 1);
    if (seen == NULL)
        return doom(P);
    int w = from;
    for (int k = from; k < P->n_set; k++) {
        int v = P->set[k];
        if (seen[v])
            continue;
        seen[v] = 1;
        P->set[w++] = v;
    }
    P->n_set = w;
    free(seen);
    return SOC_OK;
}

/* [subgraph [ID]] { stmt_list }: its nodes are pushed on P->set. */
static int subgraph(dp_t *P, const attrs_t *ndef, const attrs_t *edef)
{
    int rc, from = P->n_set;
    if (kw(&P->tok, "subgraph")) {
        if ((rc = next(P)) != SOC_OK)
            return rc;
        if (P->tok.t == T_ID && (rc = next(P)) != SOC_OK)
            return rc;
    }
    if (P->tok.t != T_LBRACE)
        return expected(P, "'{'");
    if (++P->depth > DOT_MAX_DEPTH)
        return dfail(P, P->tok.line, P->tok.col, SOC_ELIMIT,
                     "subgraphs nested deeper than %d levels", DOT_MAX_DEPTH);
    if ((rc = next(P)) != SOC_OK)
        return rc;
    attrs_t n2, e2;
    if (attrs_copy(&n2, ndef) != 0)
        return doom(P);
    if (attrs_copy(&e2, edef) != 0) {
        attrs_free(&n2);
        return doom(P);
    }
    rc = stmt_list(P, &n2, &e2);
    attrs_free(&n2);
    attrs_free(&e2);
    if (rc != SOC_OK)
        return rc;
    if (P->tok.t != T_RBRACE)
        return expected(P, "'}'");
    P->depth--;
    if ((rc = set_dedupe(P, from)) != SOC_OK)
        return rc;
    return next(P);
}

/* One edge end: a node id or a subgraph; its nodes are pushed on P->set
 * (the range [*from, P->n_set)). */
static int edge_end(dp_t *P, const attrs_t *ndef, const attrs_t *edef, int *from)
{
    *from = P->n_set;
    if (P->tok.t == T_LBRACE || kw(&P->tok, "subgraph"))
        return subgraph(P, ndef, edef);
    if (P->tok.t != T_ID || kw(&P->tok, "node") || kw(&P->tok, "edge") || kw(&P->tok, "graph"))
        return expected(P, "a node name or a subgraph after '->'");
    int v, rc = node_id(P, ndef, &v);
    if (rc != SOC_OK)
        return rc;
    return set_push(P, v);
}

/* An edge chain whose first end is P->set[first ..]: "-> end -> end ... [attrs]". */
static int edge_chain(dp_t *P, const attrs_t *ndef, const attrs_t *edef, int first)
{
    int rc;
    int ends[1 + 256], n_ends = 0;
    int lines[256], cols[256];
    ends[n_ends++] = first;
    while (P->tok.t == T_ARROW || P->tok.t == T_DASHES) {
        if (P->tok.t == T_DASHES)
            return dfail(P, P->tok.line, P->tok.col, SOC_EPARSE,
                         "'--' is an undirected edge; a task graph needs '->' (digraph)");
        if (n_ends > 255)
            return dfail(P, P->tok.line, P->tok.col, SOC_ELIMIT, "an edge chain longer than 255");
        lines[n_ends - 1] = P->tok.line;
        cols[n_ends - 1] = P->tok.col;
        if ((rc = next(P)) != SOC_OK)
            return rc;
        int from;
        if ((rc = edge_end(P, ndef, edef, &from)) != SOC_OK)
            return rc;
        ends[n_ends++] = from;
    }
    ends[n_ends] = P->n_set;
    attrs_t ea;
    if (attrs_copy(&ea, edef) != 0)
        return doom(P);
    rc = attr_lists(P, &ea, 1);
    double vol = isnan(ea.volume) ? 0 : ea.volume;
    attrs_free(&ea);
    if (rc != SOC_OK)
        return rc;
    for (int k = 0; k + 1 < n_ends; k++)
        for (int a = ends[k]; a < ends[k + 1]; a++)
            for (int b = ends[k + 1]; b < ends[k + 2]; b++)
                if (soc__dag_add_edge(P->d, P->set[a], P->set[b], vol, lines[k], cols[k]) != 0)
                    return doom(P);
    return SOC_OK;
}

static int stmt(dp_t *P, attrs_t *ndef, attrs_t *edef)
{
    int rc;
    if (kw(&P->tok, "node") || kw(&P->tok, "edge") || kw(&P->tok, "graph")) {
        int which = kw(&P->tok, "node") ? 0 : kw(&P->tok, "edge") ? 1 : 2;
        if ((rc = next(P)) != SOC_OK)
            return rc;
        if (P->tok.t != T_LBRACK)
            return expected(P, "'[' (attributes)");
        if (which == 2) {
            attrs_t junk = {NULL, NAN, 0, 0, NAN};
            rc = attr_lists(P, &junk, 1);
            attrs_free(&junk);
            return rc;
        }
        return attr_lists(P, which == 0 ? ndef : edef, which == 1);
    }
    if (P->tok.t == T_LBRACE || kw(&P->tok, "subgraph")) {
        int first = P->n_set;
        if ((rc = subgraph(P, ndef, edef)) != SOC_OK)
            return rc;
        if (P->tok.t == T_ARROW || P->tok.t == T_DASHES)
            return edge_chain(P, ndef, edef, first);
        return SOC_OK;
    }
    if (P->tok.t != T_ID)
        return expected(P, "a statement");
    /* ID = ID (a graph attribute) */
    const char *save = P->s;
    int sl = P->line, sc = P->col;
    dtok_t id = P->tok;
    P->tok.text = NULL;
    if ((rc = skip_space(P)) != SOC_OK) {
        free(id.text);
        return rc;
    }
    int is_assign = P->s < P->end && *P->s == '=';
    P->s = save;
    P->line = sl;
    P->col = sc;
    P->tok = id;
    if (is_assign) {
        if ((rc = next(P)) != SOC_OK || (rc = next(P)) != SOC_OK)
            return rc;
        if (P->tok.t != T_ID)
            return expected(P, "a value after '='");
        return next(P);
    }
    int v, first = P->n_set;
    int line = P->tok.line, col = P->tok.col;
    if ((rc = node_id(P, ndef, &v)) != SOC_OK)
        return rc;
    if ((rc = set_push(P, v)) != SOC_OK)
        return rc;
    if (P->tok.t == T_ARROW || P->tok.t == T_DASHES)
        return edge_chain(P, ndef, edef, first);
    /* a node statement: its attributes override */
    attrs_t na = {NULL, NAN, 0, 0, NAN};
    if ((rc = attr_lists(P, &na, 0)) != SOC_OK) {
        attrs_free(&na);
        return rc;
    }
    soc__dag_t *d = P->d;
    if (na.type != NULL) {
        free(d->cats[v]);
        d->cats[v] = na.type;
        na.type = NULL;
    }
    if (!isnan(na.cost)) {
        d->cost[v] = na.cost * P->scale;
        d->raw[v] = na.cost;
    }
    if (d->line[v] == 0 || !isnan(na.cost)) {
        d->line[v] = line;
        d->col[v] = col;
    }
    attrs_free(&na);
    return SOC_OK;
}

static int stmt_list(dp_t *P, attrs_t *ndef, attrs_t *edef)
{
    int rc;
    while (P->tok.t != T_RBRACE && P->tok.t != T_EOF) {
        if ((rc = stmt(P, ndef, edef)) != SOC_OK)
            return rc;
        if (P->tok.t == T_SEMI && (rc = next(P)) != SOC_OK)
            return rc;
    }
    return SOC_OK;
}

int soc__read_dot(soc__dag_t *d, const char *text, size_t len, const soc_import_options_t *o,
                  soc_error_t *err)
{
    dp_t P;
    memset(&P, 0, sizeof P);
    P.s = text;
    P.end = text + len;
    P.line = P.col = 1;
    P.d = d;
    P.err = err;
    P.scale = o->time_scale > 0 ? o->time_scale : 1;
    d->time_default = 1;
    d->bw_default = 1;
    d->cost_word = "cost attribute";
    attrs_t ndef = {NULL, NAN, 0, 0, NAN}, edef = {NULL, NAN, 0, 0, NAN};
    int rc = next(&P);
    if (rc != SOC_OK)
        goto out;
    if (P.tok.t == T_EOF) {
        rc = expected(&P, "'digraph'");
        goto out;
    }
    if (kw(&P.tok, "strict")) {
        d->merge_dups = 1;
        if ((rc = next(&P)) != SOC_OK)
            goto out;
    }
    if (kw(&P.tok, "graph")) {
        rc = dfail(&P, P.tok.line, P.tok.col, SOC_EPARSE,
                   "an undirected graph: a task graph must be a 'digraph'");
        goto out;
    }
    if (!kw(&P.tok, "digraph")) {
        rc = expected(&P, "'digraph'");
        goto out;
    }
    if ((rc = next(&P)) != SOC_OK)
        goto out;
    if (P.tok.t == T_ID) {
        if ((d->name = soc__strdup(P.tok.text)) == NULL) {
            rc = doom(&P);
            goto out;
        }
        if ((rc = next(&P)) != SOC_OK)
            goto out;
    }
    if (P.tok.t != T_LBRACE) {
        rc = expected(&P, "'{'");
        goto out;
    }
    if ((rc = next(&P)) != SOC_OK)
        goto out;
    if ((rc = stmt_list(&P, &ndef, &edef)) != SOC_OK)
        goto out;
    if (P.tok.t != T_RBRACE) {
        rc = expected(&P, "'}' (the graph is not closed)");
        goto out;
    }
    if ((rc = next(&P)) != SOC_OK)
        goto out;
    if (P.tok.t != T_EOF) {
        rc = dfail(&P, P.tok.line, P.tok.col, SOC_EPARSE,
                   "malformed DOT: %s after the graph (one graph per file)", tname(&P.tok));
        goto out;
    }
out:
    free(P.tok.text);
    free(P.set);
    attrs_free(&ndef);
    attrs_free(&edef);
    return rc;
}
