/*
 * check_pyrand.c -- the ports of CPython's `random` and NumPy's legacy
 * RandomState (soc/pyrand.h) against values computed by the real libraries.
 *
 * Every expected value below was obtained with CPython 3.11.7 and NumPy
 * 2.4 (legacy RandomState) on x86-64 Linux, e.g.
 *     python3 -c "import random; random.seed(0); print([random.getrandbits(32) for _ in range(3)])"
 *     python3 -c "import numpy as np; rs = np.random.RandomState(1); \
 *                 print([int(rs.choice(range(6), 1, p=[0.2,0.2,0.2,0.1,0.1,0.2])[0]) for _ in range(20)])"
 * Doubles were printed with repr(), which round-trips exactly.
 */
#include <stdint.h>

#include "soc/pyrand.h"
#include "test_support.h"

START_TEST(test_py_seed_raw)
{
    /* random.seed(0); random.getrandbits(32) x3 (= genrand_uint32) */
    soc_mt19937_t r;
    soc_py_seed(&r, 0);
    ck_assert_uint_eq(soc_mt_next_u32(&r), 3626764237u);
    ck_assert_uint_eq(soc_mt_next_u32(&r), 1654615998u);
    ck_assert_uint_eq(soc_mt_next_u32(&r), 3255389356u);
}
END_TEST

START_TEST(test_py_random)
{
    soc_mt19937_t r;
    soc_py_seed(&r, 0);
    ck_assert_double_eq(soc_py_random(&r), 0.8444218515250481);
    ck_assert_double_eq(soc_py_random(&r), 0.7579544029403025);
    ck_assert_double_eq(soc_py_random(&r), 0.420571580830845);
    /* random.seed(-5) is random.seed(5) */
    soc_py_seed(&r, -5);
    ck_assert_double_eq(soc_py_random(&r), 0.6229016948897019);
    ck_assert_double_eq(soc_py_random(&r), 0.7417869892607294);
    /* seeds wider than 32 bits use a two-word key */
    soc_py_seed(&r, ((int64_t)1 << 40) + 3);
    ck_assert_double_eq(soc_py_random(&r), 0.21978710637116716);
    ck_assert_double_eq(soc_py_random(&r), 0.5494687768352203);
    soc_py_seed(&r, INT64_C(12345678901234));
    ck_assert_double_eq(soc_py_random(&r), 0.02504137575317178);
    ck_assert_double_eq(soc_py_random(&r), 0.14532691110186335);
}
END_TEST

START_TEST(test_py_expovariate)
{
    soc_mt19937_t r;
    soc_py_seed(&r, 0);
    /* random.seed(0); random.expovariate(1/500) */
    ck_assert_double_eq_tol(soc_py_expovariate(&r, 1.0 / 500), 930.3035555326117, 1e-9);
    ck_assert_double_eq_tol(soc_py_expovariate(&r, 1.0 / 500), 709.3145764858809, 1e-9);
    ck_assert_double_eq_tol(soc_py_expovariate(&r, 1.0 / 500), 272.8565727707964, 1e-9);
    /* DS3's inter-arrival times: int(random.expovariate(1/scale)) */
    static const int want0[] = {930, 709, 272, 149, 357, 259, 765, 180, 323, 437};
    soc_py_seed(&r, 0);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq((int)soc_py_expovariate(&r, 1.0 / 500), want0[i]);
    static const int want3[] = {27, 78, 46, 92, 98, 6, 1, 181, 30, 26};
    soc_py_seed(&r, 3);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq((int)soc_py_expovariate(&r, 1.0 / 100), want3[i]);
}
END_TEST

START_TEST(test_np_seed_sample)
{
    soc_mt19937_t r;
    /* np.random.RandomState(0).randint(0, 2**32, dtype=np.uint64): raw words */
    soc_np_seed(&r, 0);
    ck_assert_uint_eq(soc_mt_next_u32(&r), 2357136044u);
    ck_assert_uint_eq(soc_mt_next_u32(&r), 2546248239u);
    ck_assert_uint_eq(soc_mt_next_u32(&r), 3071714933u);
    soc_np_seed(&r, 0);
    ck_assert_double_eq(soc_np_random_sample(&r), 0.5488135039273248);
    ck_assert_double_eq(soc_np_random_sample(&r), 0.7151893663724195);
    ck_assert_double_eq(soc_np_random_sample(&r), 0.6027633760716439);
    soc_np_seed(&r, 4294967295u);
    ck_assert_double_eq(soc_np_random_sample(&r), 0.0976320289940138);
}
END_TEST

START_TEST(test_np_choice_p)
{
    soc_mt19937_t r;
    static const double p6[] = {0.2, 0.2, 0.2, 0.1, 0.1, 0.2};
    static const int want1[] = {2, 4, 0, 1, 0, 0, 0, 1, 1, 2, 2, 3, 1, 5, 0, 3, 2, 2, 0, 0};
    ck_assert_int_eq(soc_np_check_p(p6, 6), SOC_OK);
    soc_np_seed(&r, 1);
    for (int i = 0; i < 20; i++)
        ck_assert_int_eq(soc_np_choice_p(&r, p6, 6), want1[i]);
    /* a zero-probability application is never drawn */
    static const double p3[] = {0.8, 0.2, 0};
    static const int want7[] = {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0};
    soc_np_seed(&r, 7);
    for (int i = 0; i < 20; i++)
        ck_assert_int_eq(soc_np_choice_p(&r, p3, 3), want7[i]);
}
END_TEST

START_TEST(test_np_check_p)
{
    static const double bad_sum[] = {0.5, 0.4};
    static const double neg[] = {1.5, -0.5};
    static const double close[] = {0.3333333333, 0.3333333333, 0.3333333334};
    ck_assert_int_eq(soc_np_check_p(bad_sum, 2), SOC_EINVAL);
    ck_assert_int_eq(soc_np_check_p(neg, 2), SOC_EINVAL);
    ck_assert_int_eq(soc_np_check_p(close, 3), SOC_OK);
    ck_assert_int_eq(soc_np_check_p(close, 0), SOC_EINVAL);
}
END_TEST

START_TEST(test_np_choice_uniform)
{
    soc_mt19937_t r;
    /* rs = RandomState(2): rs.choice([3,5,9,11,13]) uses randint(0, 5) */
    static const int idx[] = {0, 0, 3, 2, 3, 0, 2, 1, 3, 2, 4, 4, 4, 3, 4, 2, 3, 3, 2, 1};
    soc_np_seed(&r, 2);
    for (int i = 0; i < 20; i++)
        ck_assert_int_eq(soc_np_choice(&r, 5), idx[i]);
    static const int r7[] = {0, 5, 0, 6, 3, 2, 3, 0, 2, 1, 3, 5, 2, 4, 4, 4, 5, 3, 6, 4};
    soc_np_seed(&r, 2);
    for (int i = 0; i < 20; i++)
        ck_assert_int_eq((int)soc_np_randint(&r, 0, 7), r7[i]);
    /* a one-element choice draws nothing: RandomState(4).choice([42]) x3,
     * then random_sample() is still the first sample of seed 4 */
    soc_np_seed(&r, 4);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(soc_np_choice(&r, 1), 0);
    ck_assert_double_eq(soc_np_random_sample(&r), 0.9670298390136767);
    /* ranges of 2^32 values and more take 64-bit words */
    soc_np_seed(&r, 9);
    ck_assert_int_eq(soc_np_randint(&r, 0, (int64_t)1 << 40), INT64_C(542731227484));
    ck_assert_int_eq(soc_np_randint(&r, 0, (int64_t)1 << 40), INT64_C(543309627893));
    ck_assert_int_eq(soc_np_randint(&r, 0, (int64_t)1 << 40), INT64_C(781716445240));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("pyrand");
    TCase *tc = tcase_create("streams");
    tcase_add_test(tc, test_py_seed_raw);
    tcase_add_test(tc, test_py_random);
    tcase_add_test(tc, test_py_expovariate);
    tcase_add_test(tc, test_np_seed_sample);
    tcase_add_test(tc, test_np_choice_p);
    tcase_add_test(tc, test_np_check_p);
    tcase_add_test(tc, test_np_choice_uniform);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(suite());
}
