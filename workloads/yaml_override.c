/*
 * yaml_override.c -- a plain YAML node tree (soc/yaml_tree.h) and config
 * loading with "dotted.path=value" overrides.
 *
 * Overrides work on the YAML level, before any conversion: the file is read
 * into a tree, each override replaces (or adds) one node, the tree is
 * written back as YAML text and handed to the ordinary loader.  So every
 * key of the schema can be overridden, and the loader alone decides what is
 * valid -- an override can never bypass its checks.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "soc/workload.h"
#include "soc/yaml_tree.h"
#include "soc_util.h"
#include "yaml_internal.h"

#define YT_MAX_NODES 1000000L
#define YT_MAX_DEPTH 256
#define YT_MAX_FILE_BYTES ((size_t)64 << 20)

/* ------------------------------------------------------------- nodes */

static soc_ynode_t *node_new(soc_ynode_kind_t kind, int line, int col)
{
    soc_ynode_t *n = calloc(1, sizeof *n);
    if (n != NULL) {
        n->kind = kind;
        n->line = line;
        n->col = col;
    }
    return n;
}

void soc_ytree_free(soc_ynode_t *n)
{
    if (n == NULL)
        return;
    for (int i = 0; i < n->n; i++) {
        if (n->keys != NULL)
            soc_ytree_free(n->keys[i]);
        soc_ytree_free(n->items[i]);
    }
    free(n->keys);
    free(n->items);
    free(n->value);
    free(n);
}

/* Append (key, item) to a collection; key is NULL for sequences.  On
 * failure the caller still owns both. */
static int node_push(soc_ynode_t *c, soc_ynode_t *key, soc_ynode_t *item)
{
    soc_ynode_t **ni = realloc(c->items, sizeof *ni * (size_t)(c->n + 1));
    if (ni == NULL)
        return SOC_ENOMEM;
    c->items = ni;
    if (c->kind == SOC_YNODE_MAPPING) {
        soc_ynode_t **nk = realloc(c->keys, sizeof *nk * (size_t)(c->n + 1));
        if (nk == NULL)
            return SOC_ENOMEM;
        c->keys = nk;
        c->keys[c->n] = key;
    }
    c->items[c->n++] = item;
    return SOC_OK;
}

/* Deep copy, charging every node to *budget. */
static soc_ynode_t *node_copy(const soc_ynode_t *s, long *budget)
{
    if (--*budget < 0)
        return NULL;
    soc_ynode_t *d = node_new(s->kind, s->line, s->col);
    if (d == NULL)
        return NULL;
    d->quoted = s->quoted;
    d->flow = s->flow;
    if (s->value != NULL && (d->value = soc__strdup(s->value)) == NULL)
        goto fail;
    for (int i = 0; i < s->n; i++) {
        soc_ynode_t *k = NULL, *v = node_copy(s->items[i], budget);
        if (v == NULL)
            goto fail;
        if (s->keys != NULL && (k = node_copy(s->keys[i], budget)) == NULL) {
            soc_ytree_free(v);
            goto fail;
        }
        if (node_push(d, k, v) != SOC_OK) {
            soc_ytree_free(k);
            soc_ytree_free(v);
            goto fail;
        }
    }
    return d;
fail:
    soc_ytree_free(d);
    return NULL;
}

const soc_ynode_t *soc_ytree_get(const soc_ynode_t *n, const char *key)
{
    if (n == NULL || n->kind != SOC_YNODE_MAPPING)
        return NULL;
    for (int i = 0; i < n->n; i++)
        if (n->keys[i]->kind == SOC_YNODE_SCALAR && strcmp(n->keys[i]->value, key) == 0)
            return n->items[i];
    return NULL;
}

int soc_ytree_is_null(const soc_ynode_t *n)
{
    if (n == NULL || n->kind != SOC_YNODE_SCALAR || n->quoted)
        return 0;
    const char *s = n->value;
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* ------------------------------------------------------------ parsing */

typedef struct anchor {
    char *name;
    soc_ynode_t *node; /* borrowed from the tree */
} anchor_t;

typedef struct yparse {
    yaml_parser_t p;
    const char *name;
    soc_error_t *err;
    long budget, max_nodes;
    anchor_t *anchors;
    int n_anchors, cap_anchors;
} yparse_t;

static int parse_fail(yparse_t *P)
{
    const yaml_parser_t *p = &P->p;
    if (p->error == YAML_MEMORY_ERROR)
        return soc_error_set(P->err, SOC_ENOMEM, P->name, 0, 0, "out of memory");
    return soc_error_set(P->err, SOC_EPARSE, P->name, (int)p->problem_mark.line + 1,
                         (int)p->problem_mark.column + 1, "malformed YAML: %s%s%s",
                         p->problem ? p->problem : "syntax error", p->context ? " " : "",
                         p->context ? p->context : "");
}

static int remember_anchor(yparse_t *P, const yaml_char_t *name, soc_ynode_t *n)
{
    if (name == NULL)
        return SOC_OK;
    if (P->n_anchors == P->cap_anchors) {
        int nc = P->cap_anchors ? 2 * P->cap_anchors : 8;
        anchor_t *na = realloc(P->anchors, sizeof *na * (size_t)nc);
        if (na == NULL)
            return SOC_ENOMEM;
        P->anchors = na;
        P->cap_anchors = nc;
    }
    char *s = soc__strdup((const char *)name);
    if (s == NULL)
        return SOC_ENOMEM;
    P->anchors[P->n_anchors].name = s;
    P->anchors[P->n_anchors++].node = n;
    return SOC_OK;
}

static int parse_node(yparse_t *P, yaml_event_t *ev, int depth, soc_ynode_t **out);

static int yt_oom(yparse_t *P)
{
    return soc_error_set(P->err, SOC_ENOMEM, P->name, 0, 0, "out of memory");
}

/* An alias *a: a copy of the latest node anchored &a (the copy counts
 * against the node budget). */
static int parse_alias(yparse_t *P, const yaml_event_t *ev, int line, int col, soc_ynode_t **out)
{
    const char *a = (const char *)ev->data.alias.anchor;
    for (int i = P->n_anchors - 1; i >= 0; i--) {
        if (strcmp(P->anchors[i].name, a) != 0)
            continue;
        soc_ynode_t *n = node_copy(P->anchors[i].node, &P->budget);
        if (n == NULL)
            return P->budget < 0
                       ? soc_error_set(P->err, SOC_ELIMIT, P->name, line, col,
                                       "document too large after alias expansion")
                       : yt_oom(P);
        *out = n;
        return SOC_OK;
    }
    return soc_error_set(P->err, SOC_EPARSE, P->name, line, col, "unknown alias '*%s'", a);
}

/* A scalar (without NUL characters; quoted unless plain), and its anchor. */
static int parse_scalar(yparse_t *P, const yaml_event_t *ev, int line, int col, soc_ynode_t **out)
{
    soc_ynode_t *n = node_new(SOC_YNODE_SCALAR, line, col);
    if (n == NULL)
        goto oom;
    if (strlen((const char *)ev->data.scalar.value) != ev->data.scalar.length) {
        soc_ytree_free(n);
        return soc_error_set(P->err, SOC_EPARSE, P->name, line, col,
                             "a scalar contains a NUL character");
    }
    if ((n->value = soc__strdup((const char *)ev->data.scalar.value)) == NULL)
        goto oom;
    n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    if (remember_anchor(P, ev->data.scalar.anchor, n) != SOC_OK)
        goto oom;
    *out = n;
    return SOC_OK;
oom:
    soc_ytree_free(n);
    return yt_oom(P);
}

/* One entry of the collection n at depth, starting with event e (deleted
 * here): an item, or for a mapping a key (a plain value) and its value. */
static int parse_entry(yparse_t *P, yaml_event_t *e, int depth, int map, soc_ynode_t *n)
{
    soc_ynode_t *k = NULL, *v = NULL;
    int rc = parse_node(P, e, depth + 1, map ? &k : &v);
    yaml_event_delete(e);
    if (rc == SOC_OK && map) {
        if (k->kind != SOC_YNODE_SCALAR)
            rc = soc_error_set(P->err, SOC_ECONFIG, P->name, k->line, k->col,
                               "a mapping key must be a plain value, not a list or mapping");
        else if (!yaml_parser_parse(&P->p, e))
            rc = parse_fail(P);
        else {
            rc = parse_node(P, e, depth + 1, &v);
            yaml_event_delete(e);
        }
    }
    if (rc == SOC_OK && node_push(n, k, v) != SOC_OK)
        rc = yt_oom(P);
    if (rc != SOC_OK) {
        soc_ytree_free(k);
        soc_ytree_free(v);
    }
    return rc;
}

/* A sequence or mapping: its entries up to the matching end event, then
 * its anchor (remembered once complete). */
static int parse_collection(yparse_t *P, const yaml_event_t *ev, int depth, int line, int col,
                            soc_ynode_t **out)
{
    int map = ev->type == YAML_MAPPING_START_EVENT, rc;
    yaml_event_type_t end = map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
    soc_ynode_t *n = node_new(map ? SOC_YNODE_MAPPING : SOC_YNODE_SEQUENCE, line, col);
    if (n == NULL)
        return yt_oom(P);
    n->flow = map ? ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                  : ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
    const yaml_char_t *anchor = map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    char *anchor_copy = anchor ? soc__strdup((const char *)anchor) : NULL;
    if (anchor != NULL && anchor_copy == NULL) {
        soc_ytree_free(n);
        return yt_oom(P);
    }
    for (;;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&P->p, &e)) {
            free(anchor_copy);
            soc_ytree_free(n);
            return parse_fail(P);
        }
        if (e.type == end) {
            yaml_event_delete(&e);
            break;
        }
        if ((rc = parse_entry(P, &e, depth, map, n)) != SOC_OK) {
            free(anchor_copy);
            soc_ytree_free(n);
            return rc;
        }
    }
    rc = remember_anchor(P, (const yaml_char_t *)anchor_copy, n);
    free(anchor_copy);
    if (rc != SOC_OK) {
        soc_ytree_free(n);
        return yt_oom(P);
    }
    *out = n;
    return SOC_OK;
}

/* Build the node that starts with event ev (already parsed; consumed). */
static int parse_node(yparse_t *P, yaml_event_t *ev, int depth, soc_ynode_t **out)
{
    int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
    *out = NULL;
    if (depth > YT_MAX_DEPTH)
        return soc_error_set(P->err, SOC_ELIMIT, P->name, line, col,
                             "YAML nested deeper than %d levels", YT_MAX_DEPTH);
    if (--P->budget < 0)
        return soc_error_set(P->err, SOC_ELIMIT, P->name, line, col,
                             "document too large: more than %ld nodes", P->max_nodes);
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        return parse_alias(P, ev, line, col, out);
    case YAML_SCALAR_EVENT:
        return parse_scalar(P, ev, line, col, out);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        return parse_collection(P, ev, depth, line, col, out);
    default:
        return soc_error_set(P->err, SOC_EPARSE, P->name, line, col, "unexpected YAML event");
    }
}

/* Next event that is not a stream/document boundary of the expected kind. */
static int expect(yparse_t *P, yaml_event_type_t type)
{
    yaml_event_t e;
    if (!yaml_parser_parse(&P->p, &e))
        return parse_fail(P);
    int ok = e.type == type;
    yaml_event_delete(&e);
    return ok ? SOC_OK : soc_error_set(P->err, SOC_EPARSE, P->name, 0, 0, "unexpected YAML structure");
}

int soc_ytree_parse(soc_ynode_t **out, const char *text, size_t len, const char *name,
                    soc_error_t *err)
{
    return soc__ytree_parse_budget(out, text, len, name, YT_MAX_NODES, err);
}

int soc__ytree_parse_budget(soc_ynode_t **out, const char *text, size_t len, const char *name,
                            long max_nodes, soc_error_t *err)
{
    if (out == NULL || text == NULL)
        return soc_error_set(err, SOC_EINVAL, name, 0, 0, "no text given");
    *out = NULL;
    yparse_t P;
    memset(&P, 0, sizeof P);
    P.name = name ? name : "<string>";
    P.err = err;
    P.budget = P.max_nodes = max_nodes;
    if (!yaml_parser_initialize(&P.p))
        return soc_error_set(err, SOC_ENOMEM, P.name, 0, 0, "out of memory");
    yaml_parser_set_input_string(&P.p, (const unsigned char *)text, len);
    soc_ynode_t *root = NULL;
    yaml_event_t e;
    int rc = expect(&P, YAML_STREAM_START_EVENT);
    if (rc != SOC_OK)
        goto out;
    if (!yaml_parser_parse(&P.p, &e)) {
        rc = parse_fail(&P);
        goto out;
    }
    if (e.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&e);
        rc = soc_error_set(err, SOC_ECONFIG, P.name, 0, 0, "the file holds no YAML document (it is empty)");
        goto out;
    }
    yaml_event_delete(&e);
    if (!yaml_parser_parse(&P.p, &e)) {
        rc = parse_fail(&P);
        goto out;
    }
    rc = parse_node(&P, &e, 0, &root);
    yaml_event_delete(&e);
    if (rc != SOC_OK)
        goto out;
    if ((rc = expect(&P, YAML_DOCUMENT_END_EVENT)) != SOC_OK)
        goto out;
    if (!yaml_parser_parse(&P.p, &e)) {
        rc = parse_fail(&P);
        goto out;
    }
    if (e.type != YAML_STREAM_END_EVENT)
        rc = soc_error_set(err, SOC_ECONFIG, P.name, (int)e.start_mark.line + 1,
                           (int)e.start_mark.column + 1,
                           "the file holds one YAML document; a second one starts here");
    yaml_event_delete(&e);
out:
    for (int i = 0; i < P.n_anchors; i++)
        free(P.anchors[i].name);
    free(P.anchors);
    yaml_parser_delete(&P.p);
    if (rc != SOC_OK) {
        soc_ytree_free(root);
        return rc;
    }
    *out = root;
    return SOC_OK;
}

int soc__read_text(const char *path, char **buf, size_t *len, soc_error_t *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return soc_error_set(err, SOC_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    int rc = SOC_OK;
    while (b != NULL) {
        if (n == cap) {
            if (cap >= YT_MAX_FILE_BYTES) {
                rc = soc_error_set(err, SOC_ELIMIT, path, 0, 0, "file too large (over %zu MiB)",
                                   YT_MAX_FILE_BYTES >> 20);
                break;
            }
            char *nb = realloc(b, cap * 2);
            if (nb == NULL) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (b == NULL)
        rc = soc_error_set(err, SOC_ENOMEM, path, 0, 0, "out of memory");
    else if (rc == SOC_OK && ferror(f))
        rc = soc_error_set(err, SOC_EIO, path, 0, 0, "read error");
    fclose(f);
    if (rc != SOC_OK) {
        free(b);
        return rc;
    }
    *buf = b;
    *len = n;
    return SOC_OK;
}

int soc_ytree_load(soc_ynode_t **out, const char *path, soc_error_t *err)
{
    if (out == NULL || path == NULL)
        return soc_error_set(err, SOC_EINVAL, path, 0, 0, "no path given");
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc = soc__read_text(path, &text, &len, err);
    if (rc != SOC_OK)
        return rc;
    rc = soc_ytree_parse(out, text, len, path, err);
    free(text);
    return rc;
}

/* ------------------------------------------------------------ writing */

/* A scalar that reads back as the same plain text in flow context. */
static int plain_safe(const char *s)
{
    if (s[0] == '\0' || strchr("-?:,[]{}#&*!|>'\"%@` ", s[0]) != NULL)
        return s[0] == '-' && s[1] != '\0' && s[1] != ' ';
    size_t n = strlen(s);
    if (s[n - 1] == ' ')
        return 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == ',' || c == '[' || c == ']' || c == '{' || c == '}' ||
            (c == ':' && (p[1] == ' ' || p[1] == '\0')) || (c == '#' && p[-1] == ' '))
            return 0;
    }
    return 1;
}

static void flow_scalar(soc__buf_t *b, const soc_ynode_t *n)
{
    if (!n->quoted && plain_safe(n->value)) {
        soc__buf_puts(b, n->value);
        return;
    }
    if (!n->quoted && soc_ytree_is_null(n)) {
        soc__buf_puts(b, "null");
        return;
    }
    soc__buf_puts(b, "\"");
    for (const char *p = n->value; *p; p++) {
        unsigned char c = (unsigned char)*p;
        char e[8];
        if (c == '"' || c == '\\') {
            e[0] = '\\';
            e[1] = (char)c;
            soc__buf_put(b, e, 2);
        } else if (c < 0x20) {
            snprintf(e, sizeof e, "\\x%02x", c);
            soc__buf_puts(b, e);
        } else {
            soc__buf_put(b, p, 1);
        }
    }
    soc__buf_puts(b, "\"");
}

static void flow_node(soc__buf_t *b, const soc_ynode_t *n)
{
    switch (n->kind) {
    case SOC_YNODE_SCALAR:
        flow_scalar(b, n);
        return;
    case SOC_YNODE_SEQUENCE:
        soc__buf_puts(b, "[");
        for (int i = 0; i < n->n; i++) {
            if (i)
                soc__buf_puts(b, ", ");
            flow_node(b, n->items[i]);
        }
        soc__buf_puts(b, "]");
        return;
    case SOC_YNODE_MAPPING:
        soc__buf_puts(b, "{");
        for (int i = 0; i < n->n; i++) {
            if (i)
                soc__buf_puts(b, ", ");
            flow_scalar(b, n->keys[i]);
            soc__buf_puts(b, ": ");
            flow_node(b, n->items[i]);
        }
        soc__buf_puts(b, "}");
        return;
    }
}

char *soc_ytree_to_flow(const soc_ynode_t *n)
{
    soc__buf_t b = {0};
    if (n != NULL)
        flow_node(&b, n);
    else
        soc__buf_puts(&b, "null");
    return soc__buf_take(&b);
}

static int emit_write(void *data, unsigned char *buffer, size_t size)
{
    soc__buf_t *b = data;
    soc__buf_put(b, (const char *)buffer, size);
    return !b->oom;
}

static int emit_node(yaml_emitter_t *em, const soc_ynode_t *n)
{
    yaml_event_t e;
    int ok;
    switch (n->kind) {
    case SOC_YNODE_SCALAR:
        ok = yaml_scalar_event_initialize(
            &e, NULL, NULL, (yaml_char_t *)n->value, (int)strlen(n->value), !n->quoted,
            n->quoted, n->quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE);
        return ok && yaml_emitter_emit(em, &e);
    case SOC_YNODE_SEQUENCE:
        if (!yaml_sequence_start_event_initialize(&e, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE) ||
            !yaml_emitter_emit(em, &e))
            return 0;
        for (int i = 0; i < n->n; i++)
            if (!emit_node(em, n->items[i]))
                return 0;
        return yaml_sequence_end_event_initialize(&e) && yaml_emitter_emit(em, &e);
    case SOC_YNODE_MAPPING:
        if (!yaml_mapping_start_event_initialize(&e, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) ||
            !yaml_emitter_emit(em, &e))
            return 0;
        for (int i = 0; i < n->n; i++)
            if (!emit_node(em, n->keys[i]) || !emit_node(em, n->items[i]))
                return 0;
        return yaml_mapping_end_event_initialize(&e) && yaml_emitter_emit(em, &e);
    }
    return 0;
}

/* The tree as block YAML text (malloc'ed), NULL on failure. */
static char *tree_to_yaml(const soc_ynode_t *root)
{
    yaml_emitter_t em;
    yaml_event_t e;
    soc__buf_t b = {0};
    if (!yaml_emitter_initialize(&em))
        return NULL;
    yaml_emitter_set_output(&em, emit_write, &b);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, -1);
    int ok = yaml_stream_start_event_initialize(&e, YAML_UTF8_ENCODING) &&
             yaml_emitter_emit(&em, &e) &&
             yaml_document_start_event_initialize(&e, NULL, NULL, NULL, 1) &&
             yaml_emitter_emit(&em, &e) && emit_node(&em, root) &&
             yaml_document_end_event_initialize(&e, 1) && yaml_emitter_emit(&em, &e) &&
             yaml_stream_end_event_initialize(&e) && yaml_emitter_emit(&em, &e) &&
             yaml_emitter_flush(&em);
    yaml_emitter_delete(&em);
    if (!ok) {
        soc__buf_free(&b);
        return NULL;
    }
    return soc__buf_take(&b);
}

/* ---------------------------------------------------------- overrides */

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int is_file_ref(const soc_ynode_t *n)
{
    return n->kind == SOC_YNODE_SCALAR && (ends_with(n->value, ".yaml") || ends_with(n->value, ".yml"));
}

static char *join_dir(const char *dir, const char *rel)
{
    if (rel[0] == '/' || dir == NULL || dir[0] == '\0')
        return soc__strdup(rel);
    size_t a = strlen(dir), b = strlen(rel);
    char *p = malloc(a + b + 2);
    if (p != NULL)
        snprintf(p, a + b + 2, "%s%s%s", dir, dir[a - 1] == '/' ? "" : "/", rel);
    return p;
}

/* File stem of a reference: "apps/wifi_tx.yaml" -> "wifi_tx" (in buf). */
static const char *ref_stem(const char *ref, char *buf, size_t size)
{
    const char *b = strrchr(ref, '/');
    b = b ? b + 1 : ref;
    const char *dot = strrchr(b, '.');
    size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
    if (n >= size)
        n = size - 1;
    memcpy(buf, b, n);
    buf[n] = '\0';
    return buf;
}

/* Index of a sequence item by position or by name (the `name` key of a
 * mapping item, else the file stem of a reference item). */
static int seq_find(const soc_ynode_t *seq, const char *seg)
{
    char *end;
    errno = 0;
    long idx = strtol(seg, &end, 10);
    if (*seg != '\0' && *end == '\0' && errno == 0)
        return idx >= 0 && idx < seq->n ? (int)idx : -1;
    for (int i = 0; i < seq->n; i++) {
        const soc_ynode_t *it = seq->items[i], *nm = soc_ytree_get(it, "name");
        char stem[256];
        if (nm != NULL && nm->kind == SOC_YNODE_SCALAR && strcmp(nm->value, seg) == 0)
            return i;
        if (nm != NULL)
            continue;
        const soc_ynode_t *ref = it->kind == SOC_YNODE_SCALAR ? it : soc_ytree_get(it, "file");
        if (ref != NULL && is_file_ref(ref) && strcmp(ref_stem(ref->value, stem, sizeof stem), seg) == 0)
            return i;
    }
    return -1;
}

/* Make *slot a collection one can descend into: a file reference in a
 * mapping is replaced by the file's tree; a reference item of a sequence
 * becomes {file: REF} (the loader lets the referencing entry carry the
 * item's own keys). */
static int descend_ref(soc_ynode_t **slot, int in_seq, const char *basedir, const char *path,
                       soc_error_t *err)
{
    soc_ynode_t *ref = *slot;
    if (in_seq) {
        soc_ynode_t *m = node_new(SOC_YNODE_MAPPING, ref->line, ref->col);
        soc_ynode_t *k = node_new(SOC_YNODE_SCALAR, ref->line, ref->col);
        if (m == NULL || k == NULL || (k->value = soc__strdup("file")) == NULL ||
            node_push(m, k, ref) != SOC_OK) {
            soc_ytree_free(m);
            soc_ytree_free(k);
            return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        }
        *slot = m;
        return SOC_OK;
    }
    char *file = join_dir(basedir, ref->value);
    if (file == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    soc_ynode_t *t = NULL;
    soc_error_t e = {0};
    int rc = soc_ytree_load(&t, file, &e);
    if (rc != SOC_OK) {
        char buf[1024];
        rc = soc_error_set(err, rc, NULL, 0, 0, "override %s: following the reference '%s': %s",
                           path, ref->value, soc_error_format(&e, buf, sizeof buf));
    } else {
        soc_ytree_free(ref);
        *slot = t;
    }
    free(file);
    return rc;
}

/* The override's value text as a YAML tree (*val); an empty text is
 * YAML's null. */
static int parse_value(const char *path, const char *value, soc_ynode_t **val, soc_error_t *err)
{
    soc_error_t ve = {0};
    int rc = soc_ytree_parse(val, value, strlen(value), "<value>", &ve);
    if (rc == SOC_ECONFIG && *val == NULL) { /* an empty text is YAML's null */
        *val = node_new(SOC_YNODE_SCALAR, 1, 1);
        if (*val == NULL || ((*val)->value = soc__strdup("")) == NULL) {
            soc_ytree_free(*val);
            *val = NULL;
            return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        }
        rc = SOC_OK;
    }
    if (rc != SOC_OK)
        return soc_error_set(err, SOC_EPARSE, NULL, 0, 0, "override %s: value '%s' is not valid YAML: %s",
                             path, value, ve.msg);
    return SOC_OK;
}

/* *slotp = the slot of the path segment seg in cur: a mapping's value (a
 * new entry when the key is missing: a mapping, or an empty value for the
 * last segment), or a sequence's item by index or name.  p: the path up
 * to seg (messages). */
static int find_slot(soc_ynode_t *cur, const char *seg, int last, const char *path,
                     const char *p, soc_ynode_t ***slotp, soc_error_t *err)
{
    soc_ynode_t **slot = NULL;
    if (cur->kind == SOC_YNODE_MAPPING) {
        for (int i = 0; i < cur->n && slot == NULL; i++)
            if (strcmp(cur->keys[i]->value, seg) == 0)
                slot = &cur->items[i];
        if (slot == NULL) {
            soc_ynode_t *k = node_new(SOC_YNODE_SCALAR, 0, 0);
            soc_ynode_t *v = node_new(last ? SOC_YNODE_SCALAR : SOC_YNODE_MAPPING, 0, 0);
            if (k == NULL || v == NULL || (k->value = soc__strdup(seg)) == NULL ||
                (last && (v->value = soc__strdup("")) == NULL) || node_push(cur, k, v) != SOC_OK) {
                soc_ytree_free(k);
                soc_ytree_free(v);
                return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
            }
            slot = &cur->items[cur->n - 1];
        }
    } else if (cur->kind == SOC_YNODE_SEQUENCE) {
        int i = seq_find(cur, seg);
        if (i < 0)
            return soc_error_set(err, SOC_ECONFIG, NULL, 0, 0,
                                 "override %s: no item '%s' in the list (it has %d items; give "
                                 "an index 0..%d or the name of an item)",
                                 path, seg, cur->n, cur->n - 1);
        slot = &cur->items[i];
    } else {
        return soc_error_set(err, SOC_ECONFIG, NULL, 0, 0,
                             "override %s: '%s' is a plain value, it has no key '%s'", path,
                             seg == p ? "(document)" : p, seg);
    }
    *slotp = slot;
    return SOC_OK;
}

int soc_ytree_set(soc_ynode_t *root, const char *path, const char *value, const char *basedir,
                  soc_error_t *err)
{
    if (root == NULL || path == NULL || value == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "override: no path or value");
    if (path[0] == '\0' || path[0] == '.' || path[strlen(path) - 1] == '.' || strstr(path, ".."))
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "override: malformed key path '%s' (expected a.b.c)", path);
    if (root->kind != SOC_YNODE_MAPPING)
        return soc_error_set(err, SOC_ECONFIG, NULL, 0, 0,
                             "override %s: the document is not a mapping", path);
    soc_ynode_t *val = NULL;
    int rc = parse_value(path, value, &val, err);
    if (rc != SOC_OK)
        return rc;
    char *p = soc__strdup(path);
    if (p == NULL) {
        soc_ytree_free(val);
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    /* walk down segment by segment (the dot after seg cut while it is looked up) */
    soc_ynode_t *cur = root;
    char *seg = p;
    for (;;) {
        char *dot = strchr(seg, '.');
        if (dot != NULL)
            *dot = '\0';
        int last = dot == NULL;
        soc_ynode_t **slot = NULL;
        if ((rc = find_slot(cur, seg, last, path, p, &slot, err)) != SOC_OK)
            break;
        if (last) {
            soc_ytree_free(*slot);
            *slot = val;
            val = NULL;
            break;
        }
        if ((*slot)->kind == SOC_YNODE_SCALAR && is_file_ref(*slot) &&
            (rc = descend_ref(slot, cur->kind == SOC_YNODE_SEQUENCE, basedir, path, err)) != SOC_OK)
            break;
        if ((*slot)->kind == SOC_YNODE_SCALAR && soc_ytree_is_null(*slot)) {
            (*slot)->kind = SOC_YNODE_MAPPING; /* "key:" with nothing: now a mapping */
            free((*slot)->value);
            (*slot)->value = NULL;
        }
        if ((*slot)->kind == SOC_YNODE_SCALAR) {
            rc = soc_error_set(err, SOC_ECONFIG, NULL, 0, 0,
                               "override %s: '%s' is a plain value ('%s'), it has no key '%s'",
                               path, seg, (*slot)->value, dot + 1);
            break;
        }
        *dot = '.';
        cur = *slot;
        seg = dot + 1;
    }
    free(p);
    soc_ytree_free(val);
    return rc;
}

static char *dir_part(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL ? 0 : (slash == path ? 1 : (size_t)(slash - path));
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, path, n);
        d[n] = '\0';
    }
    return d;
}

/* Warnings about the rewritten text: its positions mean nothing to the
 * user, so they name the file only. */
typedef struct unplaced {
    const soc_warn_sink_t *to;
    const char *path;
} unplaced_t;

static void unplaced_warning(void *user, const soc_error_t *w)
{
    const unplaced_t *u = user;
    soc_warn(u->to, u->path, 0, 0, "%s", w->msg);
}

static int load_with_overrides(soc_config_t *cfg, const char *path,
                               const char *const *overrides, const soc_warn_sink_t *warn,
                               soc_error_t *err)
{
    if (cfg == NULL || path == NULL)
        return soc_error_set(err, SOC_EINVAL, path, 0, 0, "no configuration or no path given");
    if (overrides == NULL || overrides[0] == NULL)
        return soc__load_yaml_warn(cfg, path, warn, err);
    soc_config_init(cfg);
    soc_ynode_t *root = NULL;
    char *dir = dir_part(path), *text = NULL, *key = NULL;
    soc_error_t e = {0};
    int rc;
    if (dir == NULL) {
        rc = soc_error_set(err, SOC_ENOMEM, path, 0, 0, "out of memory");
        goto out;
    }
    if ((rc = soc_ytree_load(&root, path, err)) != SOC_OK)
        goto out;
    for (const char *const *o = overrides; *o != NULL; o++) {
        const char *eq = strchr(*o, '=');
        if (eq == NULL || eq == *o) {
            rc = soc_error_set(err, SOC_EINVAL, path, 0, 0,
                               "override '%s': expected KEY=VALUE (e.g. stop.jobs=500)", *o);
            goto out;
        }
        free(key);
        if ((key = malloc((size_t)(eq - *o) + 1)) == NULL) {
            rc = soc_error_set(err, SOC_ENOMEM, path, 0, 0, "out of memory");
            goto out;
        }
        memcpy(key, *o, (size_t)(eq - *o));
        key[eq - *o] = '\0';
        soc_error_clear(&e);
        if ((rc = soc_ytree_set(root, key, eq + 1, dir, &e)) != SOC_OK) {
            soc_error_set(err, rc, path, 0, 0, "%s", e.msg);
            goto out;
        }
    }
    if ((text = tree_to_yaml(root)) == NULL) {
        rc = soc_error_set(err, SOC_ENOMEM, path, 0, 0, "out of memory");
        goto out;
    }
    soc_error_clear(&e);
    unplaced_t up = {warn, path};
    soc_warn_sink_t ws = {unplaced_warning, &up};
    rc = soc__load_yaml_string_warn(cfg, text, path, dir, warn != NULL ? &ws : NULL, &e);
    if (rc != SOC_OK) {
        /* Positions in the rewritten text mean nothing to the user: if the
         * file alone is fine, blame the overrides; else report the file's
         * own error with its real position. */
        soc_config_t plain;
        soc_error_t pe = {0};
        if (soc_load_yaml(&plain, path, &pe) != SOC_OK) {
            if (err != NULL && err->code == 0)
                *err = pe;
        } else {
            char list[400] = "";
            size_t used = 0;
            for (const char *const *o = overrides; *o != NULL && used < sizeof list; o++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                         o == overrides ? "" : ", ", *o);
            int same = strcmp(e.file, path) == 0;
            soc_error_set(err, rc, same ? path : e.file, same ? 0 : e.line, same ? 0 : e.col,
                          "with %s: %s", list, e.msg);
        }
        soc_config_free(&plain);
    }
out:
    free(key);
    free(text);
    free(dir);
    soc_ytree_free(root);
    if (rc != SOC_OK) {
        soc_config_free(cfg);
        soc_config_init(cfg);
    }
    return rc;
}

int soc_load_yaml_with_overrides(soc_config_t *cfg, const char *path,
                                 const char *const *overrides, soc_error_t *err)
{
    return load_with_overrides(cfg, path, overrides, NULL, err);
}

int soc_load_yaml_opts(soc_config_t *cfg, const char *path, const soc_load_options_t *opts,
                       soc_error_t *err)
{
    soc_load_options_t o = {0};
    if (opts != NULL)
        memcpy(&o, opts, opts->struct_size < sizeof o ? opts->struct_size : sizeof o);
    return load_with_overrides(cfg, path, o.overrides, &o.warnings, err);
}
