/*
 * check_yaml_tree.c -- the plain YAML tree and config loading with
 * dotted-path overrides (workloads/yaml_override.c).
 */
#include <stdlib.h>
#include <string.h>

#include "soc/workload.h"
#include "soc/yaml_tree.h"
#include "test_support.h"

static soc_ynode_t *parse(const char *text)
{
    soc_ynode_t *t = NULL;
    soc_error_t err = {0};
    ck_assert_msg(soc_ytree_parse(&t, text, strlen(text), "t", &err) == SOC_OK, "%s", err.msg);
    return t;
}

START_TEST(parse_structure_and_positions)
{
    soc_ynode_t *t = parse("a: 1\nb:\n  - x\n  - \"007\"\nc: {d: [1, 2]}\n");
    ck_assert_int_eq(t->kind, SOC_YNODE_MAPPING);
    ck_assert_int_eq(t->n, 3);
    const soc_ynode_t *b = soc_ytree_get(t, "b");
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(b->kind, SOC_YNODE_SEQUENCE);
    ck_assert_int_eq(b->n, 2);
    ck_assert_str_eq(b->items[1]->value, "007");
    ck_assert_int_eq(b->items[1]->quoted, 1);
    ck_assert_int_eq(b->items[0]->quoted, 0);
    ck_assert_int_eq(b->items[1]->line, 4); /* 1-based */
    ck_assert_int_eq(b->items[1]->col, 5);
    ck_assert_ptr_null(soc_ytree_get(t, "zz"));
    char *flow = soc_ytree_to_flow(soc_ytree_get(t, "c"));
    ck_assert_str_eq(flow, "{d: [1, 2]}");
    free(flow);
    flow = soc_ytree_to_flow(b);
    ck_assert_str_eq(flow, "[x, \"007\"]"); /* quoting survives: still a string */
    free(flow);
    soc_ytree_free(t);
}
END_TEST

START_TEST(parse_aliases_and_errors)
{
    soc_ynode_t *t = parse("a: &x {k: 5}\nb: *x\n");
    const soc_ynode_t *b = soc_ytree_get(t, "b");
    ck_assert_int_eq(b->kind, SOC_YNODE_MAPPING);
    ck_assert_str_eq(soc_ytree_get(b, "k")->value, "5");
    soc_ytree_free(t);

    soc_error_t err = {0};
    t = NULL;
    ck_assert_int_eq(soc_ytree_parse(&t, "a: [1, 2\n", 9, "bad.yaml", &err), SOC_EPARSE);
    ck_assert_ptr_null(t);
    ck_assert_str_eq(err.file, "bad.yaml");
    ck_assert_int_gt(err.line, 0);
    soc_error_clear(&err);
    ck_assert_int_eq(soc_ytree_parse(&t, "a: 1\n---\nb: 2\n", 14, "two", &err), SOC_ECONFIG);
    soc_error_clear(&err);
    ck_assert_int_eq(soc_ytree_parse(&t, "", 0, "empty", &err), SOC_ECONFIG);
}
END_TEST

START_TEST(set_paths)
{
    soc_ynode_t *t = parse("inj: {mean: 10}\nlist:\n  - {name: big, n: 1}\n  - {name: small, n: 2}\n");
    soc_error_t err = {0};
    ck_assert_int_eq(soc_ytree_set(t, "inj.mean", "250", NULL, &err), SOC_OK);
    ck_assert_str_eq(soc_ytree_get(soc_ytree_get(t, "inj"), "mean")->value, "250");
    /* a new key is created (the loader judges it) */
    ck_assert_int_eq(soc_ytree_set(t, "inj.warmup", "5", NULL, &err), SOC_OK);
    ck_assert_str_eq(soc_ytree_get(soc_ytree_get(t, "inj"), "warmup")->value, "5");
    /* sequences by name and by index */
    ck_assert_int_eq(soc_ytree_set(t, "list.small.n", "7", NULL, &err), SOC_OK);
    ck_assert_int_eq(soc_ytree_set(t, "list.0.n", "[1, 2]", NULL, &err), SOC_OK);
    const soc_ynode_t *l = soc_ytree_get(t, "list");
    ck_assert_str_eq(soc_ytree_get(l->items[1], "n")->value, "7");
    ck_assert_int_eq(soc_ytree_get(l->items[0], "n")->kind, SOC_YNODE_SEQUENCE);
    /* errors */
    ck_assert_int_eq(soc_ytree_set(t, "list.medium.n", "1", NULL, &err), SOC_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "no item 'medium'"));
    soc_error_clear(&err);
    ck_assert_int_eq(soc_ytree_set(t, "inj.mean.x", "1", NULL, &err), SOC_ECONFIG);
    soc_error_clear(&err);
    ck_assert_int_eq(soc_ytree_set(t, "inj..mean", "1", NULL, &err), SOC_EINVAL);
    soc_error_clear(&err);
    ck_assert_int_eq(soc_ytree_set(t, "inj.mean", "[1, 2", NULL, &err), SOC_EPARSE);
    soc_ytree_free(t);
}
END_TEST

static char *base_path(void) { return ts_path(SOC_SOURCE_DIR, "tests/sweep/base.yaml"); }

START_TEST(load_with_overrides)
{
    char *path = base_path();
    soc_config_t plain, cfg;
    soc_error_t err = {0};
    ck_assert_msg(soc_load_yaml(&plain, path, &err) == SOC_OK, "%s", err.msg);
    const char *const ov[] = {"injection.mean_interarrival_us=250", "stop.jobs=7", "seed=42",
                              "platform.clusters.little.count=3", NULL};
    ck_assert_msg(soc_load_yaml_with_overrides(&cfg, path, ov, &err) == SOC_OK, "%s", err.msg);
    ck_assert(plain.injection.mean_us != 250.0);
    ck_assert(cfg.injection.mean_us == 250.0);
    ck_assert_int_eq(cfg.injection.max_jobs, 7);
    ck_assert_uint_eq(cfg.seed, 42);
    ck_assert_int_eq(cfg.platform.n_pes, plain.platform.n_pes + 1);
    ck_assert_int_eq(cfg.n_apps, plain.n_apps);
    soc_config_free(&cfg);
    /* no overrides = plain load */
    ck_assert_int_eq(soc_load_yaml_with_overrides(&cfg, path, NULL, &err), SOC_OK);
    ck_assert_int_eq(cfg.injection.max_jobs, plain.injection.max_jobs);
    soc_config_free(&cfg);
    soc_config_free(&plain);
    free(path);
}
END_TEST

START_TEST(override_errors_are_clear)
{
    char *path = base_path();
    soc_config_t cfg;
    soc_error_t err = {0};
    const char *const unknown[] = {"injection.mean_interarival_us=5", NULL};
    ck_assert_int_eq(soc_load_yaml_with_overrides(&cfg, path, unknown, &err), SOC_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "injection.mean_interarival_us=5"));
    ck_assert_ptr_nonnull(strstr(err.msg, "mean_interarrival_us")); /* the suggestion */
    ck_assert_int_eq(cfg.n_apps, 0);                                /* left empty */
    soc_error_clear(&err);
    const char *const type[] = {"stop.jobs=many", NULL};
    ck_assert_int_ne(soc_load_yaml_with_overrides(&cfg, path, type, &err), SOC_OK);
    ck_assert_ptr_nonnull(strstr(err.msg, "stop.jobs=many"));
    soc_error_clear(&err);
    const char *const noeq[] = {"stop.jobs", NULL};
    ck_assert_int_eq(soc_load_yaml_with_overrides(&cfg, path, noeq, &err), SOC_EINVAL);
    free(path);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("yaml_tree");
    TCase *tc = tcase_create("tree");
    tcase_add_test(tc, parse_structure_and_positions);
    tcase_add_test(tc, parse_aliases_and_errors);
    tcase_add_test(tc, set_paths);
    suite_add_tcase(s, tc);
    tc = tcase_create("overrides");
    tcase_add_test(tc, load_with_overrides);
    tcase_add_test(tc, override_errors_are_clear);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ts_run_suite(suite()); }
