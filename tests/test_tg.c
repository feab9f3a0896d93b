/* test_tg.c — Tg from two line fits: a synthetic V(T) with a kink at a known
 * temperature (plus Gaussian noise) must give it back, with the automatic
 * split and with given ranges; degenerate inputs are errors. */
#include "testutil.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

#include "error.h"
#include "tg.h"

/* V = V0 + a_g T below tk, continuous with slope a_l above. */
static size_t synth(double tk, double noise, double *t, double *v, unsigned seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    size_t n = 0;
    for (double T = 1500; T >= 100; T -= 2.0, n++) {
        double ag = 0.05, al = 0.16, v0 = 9000;
        t[n] = T + gsl_ran_gaussian(r, 3.0);
        v[n] = v0 + ag * T + (T > tk ? (al - ag) * (T - tk) : 0) + gsl_ran_gaussian(r, noise);
    }
    gsl_rng_free(r);
    return n;
}

static void test_automatic(void **st)
{
    (void)st;
    double t[1000], v[1000];
    for (unsigned seed = 1; seed <= 3; seed++) {
        size_t n = synth(650, 2.0, t, v, seed);
        tg_params p;
        tg_defaults(&p);
        tg_result r;
        assert_int_equal(tg_fit(n, t, v, &p, &r), 0);
        print_message("seed %u: Tg = %.1f K (split %.0f K)\n", seed, r.tg, r.glass_range[1]);
        ASSERT_NEAR(r.tg, 650, 20);
        ASSERT_NEAR(r.glass_slope, 0.05, 0.01);
        ASSERT_NEAR(r.liquid_slope, 0.16, 0.01);
        tg_free(&r);
    }
    size_t n = synth(900, 0.5, t, v, 9);
    tg_params p;
    tg_defaults(&p);
    tg_result r;
    assert_int_equal(tg_fit(n, t, v, &p, &r), 0);
    ASSERT_NEAR(r.tg, 900, 15);
    tg_free(&r);
}

static void test_given_ranges(void **st)
{
    (void)st;
    double t[1000], v[1000];
    size_t n = synth(700, 1.0, t, v, 4);
    tg_params p;
    tg_defaults(&p);
    p.glass_lo = 100, p.glass_hi = 500, p.liquid_lo = 1000, p.liquid_hi = 1500;
    tg_result r;
    assert_int_equal(tg_fit(n, t, v, &p, &r), 0);
    ASSERT_NEAR(r.tg, 700, 15);
    ASSERT_NEAR(r.glass_range[1], 500, 1e-12);
    tg_free(&r);
}

static void test_errors(void **st)
{
    (void)st;
    double t[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, v[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    tg_params p;
    tg_defaults(&p);
    tg_result r;
    assert_int_equal(tg_fit(3, t, v, &p, &r), BPEL_EINVAL);
    p.bin = 1.0;
    assert_int_equal(tg_fit(10, t, v, &p, &r), BPEL_EINVAL); /* one straight line: parallel fits */
    p.bin = 0;
    assert_int_equal(tg_fit(10, t, v, &p, &r), BPEL_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_automatic),
        cmocka_unit_test(test_given_ranges),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
