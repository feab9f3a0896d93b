/* test_rdf.c — RDFs against the fcc crystal (shells at a/√2, a, a√(3/2),
 * a√2 with 12, 6, 24, 12 neighbours), against a brute-force histogram over
 * periodic images, g → 1 for an ideal gas; w(r) and the fits of its well
 * on a potential of known Taylor coefficients; the pmf stage (pmf.h) on a
 * perturbed two-species crystal: the chosen pair, its files, a convex well,
 * and the refusal of unknown species. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "pmf.h"
#include "rdf.h"
#include "testutil.h"
#include "units.h"

static size_t bin_of(const rdf_result *r, double x) { return (size_t)(x / r->dr); }

static void test_fcc_shells(void **state)
{
    (void)state;
    const double a = 3.6;
    bpel_system *s = test_fcc(5, a, 2, 0.4, 0.0, 3);
    rdf_result r;
    assert_int_equal(bpel_rdf_compute(s, 8.0, 0.01, &r), BPEL_OK);
    assert_int_equal(r.nbins, 800);
    /* Running coordination between the shells. */
    ASSERT_NEAR(r.n[bin_of(&r, 2.4)], 0, 1e-12);
    ASSERT_NEAR(r.n[bin_of(&r, 3.0)], 12, 1e-9);
    ASSERT_NEAR(r.n[bin_of(&r, 4.0)], 18, 1e-9);
    ASSERT_NEAR(r.n[bin_of(&r, 4.8)], 42, 1e-9);
    ASSERT_NEAR(r.n[bin_of(&r, 5.3)], 54, 1e-9);
    /* The first peak is the bin holding a/√2; partial coordinations of each
     * species add up to 12 there too. */
    long pk, mn;
    bpel_rdf_first_peak(r.nbins, r.r, r.g, 0, &pk, &mn);
    assert_int_equal(pk, (long)bin_of(&r, a / sqrt(2)));
    assert_true(r.g[mn] == 0);
    for (int t = 1; t <= 2; t++) {
        double sum = 0;
        for (int u = 1; u <= 2; u++) sum += bpel_rdf_partial_coord(&r, t, u)[bin_of(&r, 3.0)];
        ASSERT_NEAR(sum, 12, 1e-9);
    }
    /* g is non-zero only at the shells a/√2, a, a√(3/2), a√2 (±1 bin for
     * rounding at bin edges) below 5.3 Å. */
    const double shells[4] = {a / sqrt(2), a, a * sqrt(1.5), a * sqrt(2)};
    char *expect = calloc(r.nbins, 1);
    for (int sh = 0; sh < 4; sh++) {
        size_t kb = bin_of(&r, shells[sh]);
        assert_true(r.g[kb - 1] + r.g[kb] + r.g[kb + 1] > 0);
        expect[kb - 1] = expect[kb] = expect[kb + 1] = 1;
    }
    for (size_t kb = 0; kb < bin_of(&r, 5.3); kb++)
        if (!expect[kb] && r.g[kb] != 0) fail_msg("g(%g) = %g between the shells", r.r[kb], r.g[kb]);
    free(expect);
    /* Peak height of a delta shell: 12 / (ρ 4π r² dr) up to N/(N−1). */
    double rho = s->n / bpel_box_volume(&s->box), r1 = a / sqrt(2), k = (double)bin_of(&r, r1);
    double shell = 4 * M_PI / 3 * (pow((k + 1) * 0.01, 3) - pow(k * 0.01, 3));
    ASSERT_REL(r.g[pk], 12 / (rho * shell) * s->n / (s->n - 1.0), 1e-12, 0);
    bpel_rdf_free(&r);
    /* A range reaching the periodic images is refused. */
    assert_int_equal(bpel_rdf_compute(s, 18.5, 0.01, &r), BPEL_EINVAL);
    bpel_system_destroy(s);
}

static void test_brute_force(void **state)
{
    (void)state;
    /* A small random box with rmax beyond half the box: images matter. */
    bpel_system *s = test_random(120, 12.0, 2, 1.0, 4);
    const double rmax = 10.0, dr = 0.25;
    rdf_result r;
    assert_int_equal(bpel_rdf_compute(s, rmax, dr, &r), BPEL_OK);
    size_t nb = r.nbins;
    double *cnt = calloc(4 * nb, sizeof *cnt);
    for (size_t i = 0; i < s->n; i++)
        for (size_t j = 0; j < s->n; j++) {
            if (i == j) continue;
            for (int a = -1; a <= 1; a++)
                for (int b = -1; b <= 1; b++)
                    for (int c = -1; c <= 1; c++) {
                        double d[3] = {s->x[3 * j] - s->x[3 * i] + 12.0 * a, s->x[3 * j + 1] - s->x[3 * i + 1] + 12.0 * b,
                                       s->x[3 * j + 2] - s->x[3 * i + 2] + 12.0 * c};
                        double rr = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
                        if (rr >= rmax) continue;
                        cnt[((s->type[i] - 1) * 2 + s->type[j] - 1) * nb + (size_t)(rr / dr)] += 1;
                    }
        }
    double V = 12.0 * 12 * 12;
    for (int ta = 1; ta <= 2; ta++)
        for (int tb = 1; tb <= 2; tb++) {
            const double *g = bpel_rdf_partial(&r, ta, tb);
            double na = (double)r.natoms[ta], nbb = (double)r.natoms[tb] - (ta == tb);
            for (size_t k = 0; k < nb; k++) {
                double shell = 4 * M_PI / 3 * (pow((k + 1) * dr, 3) - pow(k * dr, 3));
                ASSERT_NEAR(g[k], cnt[((ta - 1) * 2 + tb - 1) * nb + k] / (na * nbb / V * shell), 1e-9);
            }
        }
    /* Total from the partial counts. */
    for (size_t k = 0; k < nb; k++) {
        double tot = 0;
        for (int ta = 1; ta <= 2; ta++)
            for (int tb = 1; tb <= 2; tb++)
                tot += bpel_rdf_partial(&r, ta, tb)[k] * r.natoms[ta] * (r.natoms[tb] - (double)(ta == tb));
        ASSERT_NEAR(r.g[k], tot / (120.0 * 119.0), 1e-9);
    }
    free(cnt);
    bpel_rdf_free(&r);
    bpel_system_destroy(s);
}

static void test_ideal_gas(void **state)
{
    (void)state;
    bpel_system *s = test_random(3000, 30.0, 2, 0.0, 8);
    rdf_result r;
    assert_int_equal(bpel_rdf_compute(s, 12.0, 0.5, &r), BPEL_OK);
    double m = 0, m12 = 0;
    int c = 0;
    for (size_t k = bin_of(&r, 3.0); k < r.nbins; k++) {
        m += r.g[k];
        m12 += bpel_rdf_partial(&r, 1, 2)[k];
        c++;
    }
    ASSERT_NEAR(m / c, 1.0, 0.01);
    ASSERT_NEAR(m12 / c, 1.0, 0.02);
    /* Far bins individually: Poisson noise ~ 1/sqrt(pairs in the shell). */
    for (size_t k = bin_of(&r, 6.0); k < r.nbins; k++) ASSERT_NEAR(r.g[k], 1.0, 0.05);
    bpel_rdf_free(&r);
    bpel_system_destroy(s);
}

/* w(r) = w0 + k d²/2 + c3 d³ + c4 d⁴ (d = r − r0), g = exp(−w/kT). */
static void test_pmf_well(void **state)
{
    (void)state;
    const double T = 300, kT = BPEL_BOLTZ * T, w0 = -0.03, k = 2.0, c3 = -1.0, c4 = 0.8, r0 = 2.75;
    const size_t n = 300;
    double r[300], g[300], w[300];
    for (size_t i = 0; i < n; i++) {
        r[i] = 2.0 + 0.01 * (i + 0.5);
        double d = r[i] - r0;
        double wt = w0 + 0.5 * k * d * d + c3 * d * d * d + c4 * d * d * d * d;
        g[i] = i < 20 ? 0 : exp(-wt / kT); /* an empty core */
    }
    assert_int_equal(bpel_rdf_pmf(n, g, T, w), BPEL_OK);
    assert_true(isnan(w[0]));
    double d = r[100] - r0;
    ASSERT_NEAR(w[100], w0 + 0.5 * k * d * d + c3 * d * d * d + c4 * d * d * d * d, 1e-12);
    rdf_well wl;
    assert_int_equal(bpel_rdf_fit_well(n, r, w, 0.05, 0, &wl), BPEL_OK);
    assert_int_equal(wl.npoints, 11);
    ASSERT_NEAR(wl.r0, r0, 0.002);
    ASSERT_NEAR(wl.w0, w0, 1e-5);
    /* The window is centred on the lowest bin, so the parabola measures
     * w'' there: k + 6 c3 δ + 12 c4 δ², δ = r(imin) − r0. */
    double del = r[wl.imin] - r0;
    ASSERT_REL(wl.k, k + 6 * c3 * del + 12 * c4 * del * del, 0.005, 0);
    /* The quartic over the whole well returns the Taylor coefficients. */
    ASSERT_NEAR(wl.taylor[2], k, 0.02);
    ASSERT_NEAR(wl.taylor[3], 6 * c3, 0.05);
    ASSERT_NEAR(wl.taylor[4], 24 * c4, 0.2);
    assert_true(wl.r_left < r0 && wl.r_right > r0);
    /* The cubic term shows as a deviation from the parabola away from r0. */
    double dev = w[(size_t)((r0 + 0.3 - 2.0) / 0.01)] - bpel_rdf_well_parabola(&wl, r0 + 0.3);
    ASSERT_NEAR(dev, c3 * 0.027 + c4 * 0.0081, 0.005);
    assert_int_equal(bpel_rdf_pmf(n, g, 0, w), BPEL_EINVAL);
    assert_int_equal(bpel_rdf_fit_well(n, r, w, 0.001, 0, &wl), BPEL_EINVAL);
}

static void test_pmf_stage(void **state)
{
    (void)state;
    bpel_system *s = test_fcc(6, 3.8, 2, 0.75, 0.1, 3);
    snprintf(s->element[1], sizeof s->element[1], "Cu");
    pmf_options o;
    bpel_pmf_defaults(&o);
    o.temperature = 300;
    o.rmax = 8;
    o.dr = 0.01;
    o.halfwidth = 0.15;
    o.pair = "Cu-2";
    pmf_result r;
    const char *dir = test_tmp("pmf_stage");
    int rc = bpel_pmf_run(s, &o, dir, &r);
    if (rc) print_error("%s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    assert_int_equal(r.ta, 1);
    assert_int_equal(r.tb, 2);
    assert_string_equal(r.pair, "Cu-type_2");
    assert_ptr_equal(r.g, bpel_rdf_partial(&r.rdf, 1, 2));
    assert_true(r.well.k > 0);
    ASSERT_NEAR(r.well.r0, 3.8 / sqrt(2), 0.1);
    for (size_t k = 0; k < r.nbins; k++)
        if (isfinite(r.w[k])) ASSERT_NEAR(r.deviation[k], r.w[k] - r.parabola[k], 1e-12);
    const char *names[3] = {"pmf.csv", "pmf.json", "fig10_pmf.svg"};
    for (int k = 0; k < 3; k++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        FILE *fp = fopen(path, "r");
        if (!fp) print_error("%s missing\n", path);
        assert_non_null(fp);
        fclose(fp);
    }
    bpel_pmf_free(&r);
    o.pair = "Cu-Ni";
    assert_int_equal(bpel_pmf_run(s, &o, dir, &r), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "'Ni' is not a species or type"));
    bpel_pmf_free(&r);
    bpel_system_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fcc_shells),
        cmocka_unit_test(test_brute_force),
        cmocka_unit_test(test_ideal_gas),
        cmocka_unit_test(test_pmf_well),
        cmocka_unit_test(test_pmf_stage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
