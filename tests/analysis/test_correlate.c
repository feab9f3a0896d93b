/* test_correlate.c — coarse-graining against a brute-force O(N²) sum over
 * periodic images, Pearson r and its bootstrap interval for fields with a
 * prescribed correlation, C(r) of a Gaussian-smoothed white-noise field
 * against its analytic form exp(−r²/4s²), fits and binning on hand-made
 * cases, groups, and errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "correlate.h"
#include "error.h"
#include "testutil.h"

/* Minimum-image distance by searching the 27 images around the rounded
 * fractional displacement: independent of the cell lists. */
static double brute_distance(const bpel_box *b, const double *xi, const double *xj)
{
    double d[3] = {xj[0] - xi[0], xj[1] - xi[1], xj[2] - xi[2]}, s[3], h[3][3];
    bpel_box b0 = *b;
    for (int k = 0; k < 3; k++) b0.lo[k] = 0;
    bpel_box_to_frac(&b0, d, s);
    for (int k = 0; k < 3; k++) s[k] -= round(s[k]);
    bpel_box_matrix(b, h);
    double best = INFINITY;
    for (int a = -1; a <= 1; a++)
        for (int c = -1; c <= 1; c++)
            for (int e = -1; e <= 1; e++) {
                double f[3] = {s[0] + a, s[1] + c, s[2] + e}, r2 = 0;
                for (int k = 0; k < 3; k++) {
                    double v = h[k][0] * f[0] + h[k][1] * f[1] + h[k][2] * f[2];
                    r2 += v * v;
                }
                if (r2 < best) best = r2;
            }
    return sqrt(best);
}

static void brute_cg(const bpel_system *s, const double *p, double L, int gaussian, double *out)
{
    double sigma = L / sqrt(5.0), R = gaussian ? 3 * sigma : L;
    for (size_t i = 0; i < s->n; i++) {
        double sw = 0, swp = 0;
        for (size_t j = 0; j < s->n; j++) {
            if (isnan(p[j])) continue;
            double r = i == j ? 0 : brute_distance(&s->box, s->x + 3 * i, s->x + 3 * j);
            if (r > R) continue;
            double w = gaussian ? exp(-r * r / (2 * sigma * sigma)) : 1;
            sw += w;
            swp += w * p[j];
        }
        out[i] = sw > 0 ? swp / sw : NAN;
    }
}

static void test_coarse_grain_brute_force(void **state)
{
    (void)state;
    bpel_system *s = test_random(400, 18.0, 2, 1.8, 7);
    /* Make it triclinic: tilt the box; atoms keep their Cartesian positions
     * and are wrapped by the pair builder. */
    s->box.xy = 2.5;
    s->box.xz = -1.5;
    s->box.yz = 1.0;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 3);
    double *p = malloc(s->n * sizeof *p), *a = malloc(s->n * sizeof *a), *b = malloc(s->n * sizeof *b);
    for (size_t i = 0; i < s->n; i++) p[i] = gsl_ran_gaussian(rng, 1.0) + s->x[3 * i] * 0.1;
    p[5] = NAN; /* a missing value is skipped */
    corr_pairs *pr;
    assert_int_equal(bpel_corr_pairs_create(s, 8.0, &pr), BPEL_OK);
    double Ls[] = {0.0, 2.5, 4.0, 5.9, 8.0};
    for (int g = 0; g <= 1; g++)
        for (size_t k = 0; k < sizeof Ls / sizeof *Ls; k++) {
            double L = Ls[k];
            if (L > bpel_corr_max_L(pr, g)) {
                assert_int_equal(bpel_corr_coarse_grain(pr, p, L, g, a), BPEL_EINVAL);
                continue;
            }
            assert_int_equal(bpel_corr_coarse_grain(pr, p, L, g, a), BPEL_OK);
            if (L == 0) {
                memcpy(b, p, s->n * sizeof *b);
            } else {
                brute_cg(s, p, L, g, b);
            }
            for (size_t i = 0; i < s->n; i++) {
                if (i == 5 && L == 0) {
                    assert_true(isnan(a[i]));
                    continue;
                }
                ASSERT_NEAR(a[i], b[i], g ? 1e-6 : 1e-12); /* distances are stored as floats */
            }
        }
    /* A large L averages towards the global mean: variance shrinks. */
    assert_int_equal(bpel_corr_coarse_grain(pr, p, 8.0, 0, a), BPEL_OK);
    double v0 = 0, v1 = 0, m0 = 0;
    size_t m = 0;
    for (size_t i = 0; i < s->n; i++)
        if (!isnan(p[i])) m0 += p[i], m++;
    m0 /= m;
    for (size_t i = 0; i < s->n; i++)
        if (!isnan(p[i])) v0 += (p[i] - m0) * (p[i] - m0), v1 += (a[i] - m0) * (a[i] - m0);
    assert_true(v1 < 0.5 * v0);
    bpel_corr_pairs_destroy(pr);
    /* Lengths beyond half the box are refused. */
    assert_int_equal(bpel_corr_pairs_create(s, 9.5, &pr), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "half the box"));
    gsl_rng_free(rng);
    free(p);
    free(a);
    free(b);
    bpel_system_destroy(s);
}

/* x = g1, y = ρ g1 + √(1−ρ²) g2: Pearson ρ; the bootstrap interval holds ρ
 * and has the width of the normal-theory interval, 2·1.96·(1−ρ²)/√n. */
static void test_pearson_prescribed(void **state)
{
    (void)state;
    const size_t n = 4000;
    const double rho = 0.6;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 11);
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        double g1 = gsl_ran_gaussian(rng, 1), g2 = gsl_ran_gaussian(rng, 1);
        x[i] = 3 + 2 * g1;
        y[i] = -1 + 0.5 * (rho * g1 + sqrt(1 - rho * rho) * g2);
    }
    corr_stat st;
    assert_int_equal(bpel_corr_pearson(n, x, y, 1000, 42, 0.95, &st), BPEL_OK);
    assert_int_equal(st.n, n);
    ASSERT_NEAR(st.r, gsl_stats_correlation(x, 1, y, 1, n), 1e-12);
    double se = (1 - rho * rho) / sqrt((double)n);
    ASSERT_NEAR(st.r, rho, 4 * se);
    assert_true(st.lo < st.r && st.r < st.hi);
    assert_true(st.lo < rho && rho < st.hi);
    ASSERT_REL(st.hi - st.lo, 2 * 1.96 * se, 0.2, 0);
    /* Same seed, same interval; another seed, a slightly different one. */
    corr_stat s2;
    assert_int_equal(bpel_corr_pearson(n, x, y, 1000, 42, 0.95, &s2), BPEL_OK);
    ASSERT_NEAR(s2.lo, st.lo, 0);
    assert_int_equal(bpel_corr_pearson(n, x, y, 1000, 43, 0.95, &s2), BPEL_OK);
    assert_true(s2.lo != st.lo);
    /* NaN pairs are left out. */
    x[0] = NAN;
    assert_int_equal(bpel_corr_pearson(n, x, y, 0, 1, 0.95, &s2), BPEL_OK);
    assert_int_equal(s2.n, n - 1);
    assert_true(isnan(s2.lo));
    ASSERT_NEAR(s2.r, gsl_stats_correlation(x + 1, 1, y + 1, 1, n - 1), 1e-12);
    assert_int_equal(bpel_corr_pearson(2, x + 1, y + 1, 0, 1, 0.95, &s2), BPEL_EINVAL);
    free(x);
    free(y);
    gsl_rng_free(rng);
}

/* x = a + b, y = a + c with independent unit white noises a, b, c: every
 * coarse-grained pair has cov/var = 1/2, so r(L) = 1/2 at every L. */
static void test_r_of_L_white_noise(void **state)
{
    (void)state;
    bpel_system *s = test_random(3000, 34.0, 2, 1.9, 5);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 17);
    double *x = malloc(s->n * sizeof *x), *y = malloc(s->n * sizeof *y);
    for (size_t i = 0; i < s->n; i++) {
        double a = gsl_ran_gaussian(rng, 1);
        x[i] = a + gsl_ran_gaussian(rng, 1);
        y[i] = a + gsl_ran_gaussian(rng, 1);
    }
    corr_pairs *pr;
    assert_int_equal(bpel_corr_pairs_create(s, 4.0, &pr), BPEL_OK);
    double L[] = {0, 1, 2, 3, 4};
    corr_stat st[5];
    assert_int_equal(bpel_corr_vs_L(pr, x, y, 5, L, 0, NULL, 0, 200, 1, 0.95, st), BPEL_OK);
    for (int k = 0; k < 5; k++) {
        /* Mean neighbours inside L: ~0.077 Å⁻³ · 4πL³/3; n_eff ~ N/(that+1). */
        double nin = 1 + 3000 / (34.0 * 34 * 34) * 4 * M_PI / 3 * L[k] * L[k] * L[k];
        double se = 0.75 / sqrt(3000 / nin);
        ASSERT_NEAR(st[k].r, 0.5, 4 * se);
    }
    bpel_corr_pairs_destroy(pr);
    free(x);
    free(y);
    gsl_rng_free(rng);
    bpel_system_destroy(s);
}

/* Block bootstrap: for independent atoms it agrees with the atom bootstrap;
 * for coarse-grained (spatially correlated) fields its interval is wider,
 * as it must be with fewer independent regions. */
static void test_block_bootstrap(void **state)
{
    (void)state;
    bpel_system *s = test_random(3000, 34.0, 2, 1.9, 21);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 23);
    size_t n = s->n;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *gx = malloc(n * sizeof *gx),
           *gy = malloc(n * sizeof *gy);
    int *block = malloc(n * sizeof *block), nblocks;
    for (size_t i = 0; i < n; i++) {
        double a = gsl_ran_gaussian(rng, 1);
        x[i] = a + gsl_ran_gaussian(rng, 1);
        y[i] = a + gsl_ran_gaussian(rng, 1);
    }
    assert_int_equal(bpel_corr_blocks(s, 8.0, block, &nblocks), BPEL_OK);
    assert_int_equal(nblocks, 64);
    for (size_t i = 0; i < n; i++) assert_true(block[i] >= 0 && block[i] < 64);
    corr_stat sa, sb;
    assert_int_equal(bpel_corr_pearson(n, x, y, 1000, 3, 0.95, &sa), BPEL_OK);
    assert_int_equal(bpel_corr_pearson_blocked(n, x, y, block, nblocks, 1000, 3, 0.95, &sb), BPEL_OK);
    ASSERT_NEAR(sb.r, sa.r, 1e-12);
    double ratio = (sb.hi - sb.lo) / (sa.hi - sa.lo);
    print_message("independent atoms: block/atom interval width %.2f\n", ratio);
    assert_true(ratio > 0.65 && ratio < 1.5);
    corr_pairs *pr;
    assert_int_equal(bpel_corr_pairs_create(s, 4.0, &pr), BPEL_OK);
    assert_int_equal(bpel_corr_coarse_grain(pr, x, 4.0, 0, gx), BPEL_OK);
    assert_int_equal(bpel_corr_coarse_grain(pr, y, 4.0, 0, gy), BPEL_OK);
    assert_int_equal(bpel_corr_pearson(n, gx, gy, 1000, 3, 0.95, &sa), BPEL_OK);
    assert_int_equal(bpel_corr_pearson_blocked(n, gx, gy, block, nblocks, 1000, 3, 0.95, &sb), BPEL_OK);
    ratio = (sb.hi - sb.lo) / (sa.hi - sa.lo);
    print_message("coarse-grained over 4 A: block/atom interval width %.2f\n", ratio);
    assert_true(ratio > 1.5);
    assert_true(sb.lo < 0.5 && 0.5 < sb.hi);
    assert_int_equal(bpel_corr_pearson_blocked(n, gx, gy, block, 2, 100, 3, 0.95, &sb), BPEL_EINVAL);
    bpel_corr_pairs_destroy(pr);
    free(x), free(y), free(gx), free(gy), free(block);
    gsl_rng_free(rng);
    bpel_system_destroy(s);
}

/* P(r) = Σ_k η_k exp(−|r − c_k|²/2s²) over white noise η on a fine grid of
 * sources c_k: its correlation is exp(−r²/4s²), sampled at the atoms. */
static void test_autocorrelation_gaussian_field(void **state)
{
    (void)state;
    const double Lb = 30.0, s = 1.5, h = 1.0;
    bpel_system *sys = test_random(2500, Lb, 2, 1.9, 9);
    const int ng = (int)(Lb / h);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double *eta = malloc((size_t)ng * ng * ng * sizeof *eta), *p = malloc(sys->n * sizeof *p);
    double rmax = 7.0, dr = 0.5;
    size_t nb = 0;
    double *csum = NULL, *rsum = NULL;
    const int nreal = 3; /* average a few independent fields */
    for (int rep = 0; rep < nreal; rep++) {
        gsl_rng_set(rng, 100 + rep);
        for (int k = 0; k < ng * ng * ng; k++) eta[k] = gsl_ran_gaussian(rng, 1);
        int reach = (int)ceil(4 * s / h);
        for (size_t i = 0; i < sys->n; i++) {
            const double *xi = sys->x + 3 * i;
            int c0[3];
            for (int d = 0; d < 3; d++) c0[d] = (int)floor(xi[d] / h);
            double v = 0;
            for (int a = -reach; a <= reach + 1; a++)
                for (int b = -reach; b <= reach + 1; b++)
                    for (int c = -reach; c <= reach + 1; c++) {
                        int g[3] = {c0[0] + a, c0[1] + b, c0[2] + c};
                        double d2 = 0;
                        for (int d = 0; d < 3; d++) {
                            double dd = g[d] * h - xi[d];
                            d2 += dd * dd;
                        }
                        int w[3];
                        for (int d = 0; d < 3; d++) w[d] = ((g[d] % ng) + ng) % ng;
                        v += eta[(w[0] * ng + w[1]) * ng + w[2]] * exp(-d2 / (2 * s * s));
                    }
            p[i] = 5 + v;
        }
        corr_pairs *pr;
        assert_int_equal(bpel_corr_pairs_create(sys, rmax, &pr), BPEL_OK);
        corr_acf acf;
        assert_int_equal(bpel_corr_autocorrelation(pr, p, dr, rmax, &acf), BPEL_OK);
        if (!csum) {
            nb = acf.nbins;
            csum = calloc(nb, sizeof *csum);
            rsum = calloc(nb, sizeof *rsum);
        }
        assert_int_equal(acf.nbins, nb);
        ASSERT_NEAR(acf.c[0], 1, 0);
        for (size_t b = 0; b < nb; b++) {
            csum[b] += acf.npairs[b] ? acf.c[b] : 0;
            rsum[b] += acf.r[b];
        }
        bpel_corr_acf_free(&acf);
        bpel_corr_pairs_destroy(pr);
    }
    int checked = 0;
    double worst = 0;
    for (size_t b = 1; b < nb; b++) {
        double r = rsum[b] / nreal, c = csum[b] / nreal;
        if (r < 2.0) continue; /* no pairs inside the hard core */
        double expect = exp(-r * r / (4 * s * s));
        if (fabs(c - expect) > worst) worst = fabs(c - expect);
        ASSERT_NEAR(c, expect, 0.06);
        checked++;
    }
    print_message("C(r) of the Gaussian field: worst deviation %.3f over %d bins\n", worst, checked);
    assert_true(checked >= 8);
    free(csum);
    free(rsum);
    free(eta);
    free(p);
    gsl_rng_free(rng);
    bpel_system_destroy(sys);
}

/* Exact exponential C(r): the fit returns ξ and the e^-3 crossing is 3ξ. */
static void test_exp_fit_and_crossing(void **state)
{
    (void)state;
    const double xi = 1.97;
    corr_acf a = {0};
    a.nbins = 81;
    a.dr = 0.1;
    a.r = malloc(a.nbins * sizeof *a.r);
    a.c = malloc(a.nbins * sizeof *a.c);
    a.npairs = malloc(a.nbins * sizeof *a.npairs);
    for (size_t b = 0; b < a.nbins; b++) {
        a.r[b] = b * a.dr;
        a.c[b] = exp(-a.r[b] / xi);
        a.npairs[b] = b < 10 ? 0 : 100; /* an empty core like a real glass */
    }
    a.npairs[0] = 1;
    double fit, err;
    assert_int_equal(bpel_corr_fit_exp(&a, 0, &fit, &err), BPEL_OK);
    ASSERT_REL(fit, xi, 1e-7, 0);
    assert_true(err < 1e-6);
    double rc = bpel_corr_acf_crossing(&a, exp(-3.0));
    ASSERT_NEAR(rc, 3 * xi, 0.01); /* linear interpolation between 0.1 Å bins */
    assert_true(isnan(bpel_corr_acf_crossing(&a, exp(-5.0))));
    /* Noisy data: the fit within its error. */
    for (size_t b = 10; b < a.nbins; b++) a.c[b] *= 1 + 0.02 * sin(7.0 * b);
    assert_int_equal(bpel_corr_fit_exp(&a, 5.0, &fit, &err), BPEL_OK);
    ASSERT_NEAR(fit, xi, 0.05);
    assert_true(err > 0 && err < 0.05);
    /* C above 1 that does not decay: no exponential fits, and the fit says so. */
    for (size_t b = 10; b < a.nbins; b++) a.c[b] = 1.2;
    assert_int_equal(bpel_corr_fit_exp(&a, 3.0, &fit, &err), BPEL_ECONV);
    assert_true(isnan(fit));
    bpel_corr_acf_free(&a);
}

static void test_binning_and_fits(void **state)
{
    (void)state;
    const size_t n = 1040;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    /* Shuffled order: binning must sort. */
    for (size_t i = 0; i < n; i++) {
        size_t k = (i * 7919) % n;
        x[i] = (double)k;
        y[i] = 3.0 * k;
    }
    corr_bins b;
    assert_int_equal(bpel_corr_bin(n, x, y, 0, 100, &b), BPEL_OK);
    assert_int_equal(b.nbins, 10); /* 40 left over join the last bin */
    assert_int_equal(b.count[9], 140);
    double sd100 = sqrt(100.0 * 101 / 12); /* sample sd of 100 consecutive integers */
    for (size_t k = 0; k < 9; k++) {
        ASSERT_NEAR(b.xm[k], 100.0 * k + 49.5, 1e-9);
        ASSERT_NEAR(b.ym[k], 3 * b.xm[k], 1e-9);
        ASSERT_NEAR(b.xsem[k], sd100 / 10, 1e-9);
        ASSERT_NEAR(b.ysem[k], 3 * sd100 / 10, 1e-9);
    }
    ASSERT_NEAR(b.xm[9], 969.5, 1e-9);
    double a, ae;
    assert_int_equal(bpel_corr_fit_proportional(b.nbins, b.xm, b.ym, b.ysem, &a, &ae), BPEL_OK);
    ASSERT_NEAR(a, 3, 1e-12);
    bpel_corr_bins_free(&b);
    /* Sorting by y gives the same bins here; a remainder of 60 makes an 11th bin. */
    assert_int_equal(bpel_corr_bin(1060 > n ? n : 1060, x, y, 1, 104, &b), BPEL_OK);
    assert_int_equal(b.nbins, 10);
    bpel_corr_bins_free(&b);
    assert_int_equal(bpel_corr_bin(n, x, y, 0, 80, &b), BPEL_OK);
    assert_int_equal(b.nbins, 13);
    bpel_corr_bins_free(&b);
    assert_int_equal(bpel_corr_bin(n, x, y, 0, 96, &b), BPEL_OK); /* 1040 = 10·96 + 80: own bin */
    assert_int_equal(b.nbins, 11);
    assert_int_equal(b.count[10], 80);
    bpel_corr_bins_free(&b);

    /* Exact power law y = 2 x^-1 recovers exponent −1 and prefactor 2. */
    for (size_t i = 0; i < 50; i++) {
        x[i] = 0.1 * (i + 1);
        y[i] = 2 / x[i];
    }
    double A, k, lae, ke;
    assert_int_equal(bpel_corr_fit_power(50, x, y, NULL, &A, &k, &lae, &ke), BPEL_OK);
    ASSERT_NEAR(k, -1, 1e-12);
    ASSERT_NEAR(A, 2, 1e-12);
    /* Noisy power law with error bars: exponent within its standard error scale. */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 5);
    double sy[50];
    for (size_t i = 0; i < 50; i++) {
        y[i] = 2 * pow(x[i], -1.3);
        sy[i] = 0.03 * y[i];
        y[i] += gsl_ran_gaussian(rng, sy[i]);
    }
    assert_int_equal(bpel_corr_fit_power(50, x, y, sy, &A, &k, &lae, &ke), BPEL_OK);
    assert_true(ke > 0.001 && ke < 0.05);
    ASSERT_NEAR(k, -1.3, 4 * ke);
    gsl_rng_free(rng);
    assert_int_equal(bpel_corr_bin(50, x, y, 0, 100, &b), BPEL_EINVAL);
    free(x);
    free(y);
}

static void test_groups(void **state)
{
    (void)state;
    /* Type 1: values 0..19, type 2: values 100..109; 10 % per type. */
    int type[30];
    double v[30];
    for (int i = 0; i < 30; i++) {
        type[i] = i < 20 ? 1 : 2;
        v[i] = i < 20 ? (double)((i * 7) % 20) : 100 + (i - 20);
    }
    int g[30];
    assert_int_equal(bpel_corr_groups(30, type, v, 0.1, g), BPEL_OK);
    int ntop1 = 0, nbot1 = 0, ntop2 = 0, nbot2 = 0;
    for (int i = 0; i < 30; i++) {
        if (type[i] == 1 && g[i] == 1) assert_true(v[i] >= 18), ntop1++;
        if (type[i] == 1 && g[i] == -1) assert_true(v[i] <= 1), nbot1++;
        if (type[i] == 2 && g[i] == 1) assert_true(v[i] == 109), ntop2++;
        if (type[i] == 2 && g[i] == -1) assert_true(v[i] == 100), nbot2++;
    }
    assert_int_equal(ntop1, 2);
    assert_int_equal(nbot1, 2);
    assert_int_equal(ntop2, 1);
    assert_int_equal(nbot2, 1);
    assert_int_equal(bpel_corr_groups(30, type, v, 0.7, g), BPEL_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coarse_grain_brute_force),
        cmocka_unit_test(test_pearson_prescribed),
        cmocka_unit_test(test_r_of_L_white_noise),
        cmocka_unit_test(test_block_bootstrap),
        cmocka_unit_test(test_autocorrelation_gaussian_field),
        cmocka_unit_test(test_exp_fit_and_crossing),
        cmocka_unit_test(test_binning_and_fits),
        cmocka_unit_test(test_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
