/* test_correlate_run.c — the correlation stage as library calls, without the
 * command line: on an fcc sample with y = 3x exactly (r = 1 at every L,
 * y = a·x with a = 3, power k = 1, groups of x ordered in y), on two fields
 * sharing a smooth component (the optimum inside the range, r raised above
 * the raw value, every number equal to the kernels' own), the L range
 * lowered to fit the box, atoms left out, the files and figures, and
 * refused parameters. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "correlate_run.h"
#include "error.h"
#include "testutil.h"

/* A CSV table id,u_eV,w_eV with full precision; atoms with skip[i] set are
 * left out. */
static const char *write_table(const char *name, const bpel_system *s, const double *u, const double *w,
                               const int *skip)
{
    const char *path = test_tmp(name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "id,u_eV,w_eV\n");
    for (size_t i = 0; i < s->n; i++)
        if (!skip || !skip[i]) fprintf(fp, "%lld,%.17g,%.17g\n", (long long)s->id[i], u[i], w[i]);
    fclose(fp);
    return path;
}

/* sin(kx) sin(ky) sin(kz) with one period across the box. */
static double smooth(const bpel_system *s, size_t i)
{
    double k = 2 * M_PI / s->box.len[0];
    return sin(k * s->x[3 * i]) * sin(k * s->x[3 * i + 1]) * sin(k * s->x[3 * i + 2]);
}

typedef struct calls {
    int progress, last_done, last_total, notes;
    char note[512];
} calls;

static void on_progress(void *ctx, size_t done, size_t total)
{
    calls *c = ctx;
    if (c->progress == 0) assert_int_equal(done, 0);
    else assert_int_equal(done, c->last_done + 1);
    c->progress++;
    c->last_done = (int)done;
    c->last_total = (int)total;
}

static void on_note(void *ctx, const char *line)
{
    calls *c = ctx;
    if (c->notes++ == 0) snprintf(c->note, sizeof c->note, "%s", line); /* the first */
}

/* x = 1/raw = 2 + s + noise, y = 3x: every r(L) is 1, the binned law is
 * y = 3x, the top of the raw x (lowest 2 + s) has the lowest y. */
static void test_exact_proportional(void **state)
{
    (void)state;
    bpel_system *s = test_fcc(6, 3.6, 2, 0.5, 0.1, 11);
    size_t n = s->n;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 5);
    double *u = malloc(n * sizeof *u), *w = malloc(n * sizeof *w);
    for (size_t i = 0; i < n; i++) {
        double v = 2 + smooth(s, i) + 0.3 * gsl_ran_gaussian(rng, 1.0);
        if (v < 0.5) v = 0.5;
        u[i] = 1 / v;
        w[i] = 3 * v;
    }
    const char *tab = write_table("exact.csv", s, u, w, NULL);
    corr_run_params p;
    bpel_corr_run_defaults(&p);
    char xs[600], ys[600];
    snprintf(xs, sizeof xs, "%s:u_eV:inv", tab);
    snprintf(ys, sizeof ys, "w_eV");
    p.x_spec = xs;
    p.y_spec = ys;
    p.table = tab;
    p.data = "fcc";
    p.lmax = 4;
    p.lmax_fixed = 1;
    p.nboot = 0;
    p.bin_size = 50;
    calls c = {0};
    p.progress = on_progress;
    p.note = on_note;
    p.ctx = &c;
    corr_run_result r;
    assert_int_equal(bpel_corr_run(s, &p, &r), BPEL_OK);
    assert_int_equal(c.notes, 0);
    assert_int_equal(r.n, n);
    assert_int_equal(r.x.inv, 1);
    assert_int_equal(r.y.inv, 0);
    assert_string_equal(r.x.name, "inv_u_eV");
    assert_string_equal(r.y.name, "w_eV");
    assert_string_equal(r.y.path, tab);
    for (size_t i = 0; i < n; i++) {
        assert_true(r.x.v[i] == 1 / r.x.raw[i]);
        ASSERT_REL(r.y.v[i], 3 * r.x.v[i], 1e-14, 0);
    }
    /* the grid 0, 0.5, ..., 4 and r = 1 on every length */
    assert_int_equal(r.nL, 9);
    assert_int_equal(c.progress, 10);
    assert_int_equal(c.last_done, 9);
    assert_int_equal(c.last_total, 9);
    for (size_t k = 0; k < r.nL; k++) {
        ASSERT_NEAR(r.L[k], 0.5 * k, 1e-12);
        ASSERT_NEAR(r.stat[k].r, 1.0, 1e-10);
        assert_true(isnan(r.stat[k].lo) && isnan(r.stat[k].hi));
        assert_int_equal(r.stat[k].n, n);
    }
    assert_true(r.kopt < r.nL);
    assert_true(r.L_opt == r.L[r.kopt]);
    assert_int_equal(r.nblocks, 0);
    /* y_CG = 3 x_CG, so the bins lie on y = 3x */
    assert_int_equal(r.bin_size, 50);
    assert_true(r.bins.nbins >= 15);
    ASSERT_REL(r.fit_a, 3.0, 1e-9, 0);
    ASSERT_REL(r.fit_A, 3.0, 1e-8, 0);
    ASSERT_NEAR(r.fit_k, 1.0, 1e-8);
    /* C(0) = 1 and one correlation length for both (y is x scaled) */
    for (int k = 0; k < 2; k++) {
        assert_true(r.acf[k].nbins > 2);
        ASSERT_NEAR(r.acf[k].c[0], 1.0, 1e-12);
    }
    ASSERT_REL(r.xi[0], r.xi[1], 1e-6, 0);
    /* groups: 10 % of each species at either end of the raw x */
    assert_int_equal(r.ngroup_stats, 4);
    for (int t = 1; t <= 2; t++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) m += s->type[i] == t;
        const corr_group_stat *top = &r.group_stats[2 * (t - 1)], *bot = &r.group_stats[2 * (t - 1) + 1];
        assert_int_equal(top->type, t);
        assert_int_equal(top->group, 1);
        assert_int_equal(bot->group, -1);
        assert_int_equal(top->n, (size_t)floor(0.1 * m + 0.5));
        assert_int_equal(bot->n, top->n);
        double sum = 0;
        size_t cnt = 0;
        for (size_t i = 0; i < n; i++)
            if (s->type[i] == t && r.group[i] == 1) sum += r.y.raw[i], cnt++;
        assert_int_equal(cnt, top->n);
        ASSERT_REL(top->y_mean, sum / cnt, 1e-12, 0);
        assert_true(top->y_mean < bot->y_mean);
        assert_true(top->y_sd > 0 && bot->y_sd > 0);
    }
    /* quality: no interval without the bootstrap; the raw r is clearly not 0 */
    assert_int_equal(r.quality.r_opt.q, BPEL_Q_WEAK);
    assert_non_null(strstr(r.quality.r_opt.reason, "no bootstrap interval"));
    assert_int_equal(r.quality.r_raw.q, BPEL_Q_OK);
    bpel_corr_run_free(&r);
    gsl_rng_free(rng);
    free(u);
    free(w);
    bpel_system_destroy(s);
}

/* x = s + e1, y = s + e2 with a smooth s: coarse-graining averages the
 * noise out, so r rises from its raw value to an optimum inside the range;
 * the scan, the fields at the optimum and C(r) equal the kernels' own. */
static void test_shared_smooth_field(void **state)
{
    (void)state;
    bpel_system *s = test_fcc(7, 3.6, 2, 0.5, 0.1, 3);
    size_t n = s->n;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 9);
    double *u = malloc(n * sizeof *u), *w = malloc(n * sizeof *w);
    for (size_t i = 0; i < n; i++) {
        double sm = smooth(s, i);
        u[i] = sm + 0.6 * gsl_ran_gaussian(rng, 1.0);
        w[i] = sm + 0.6 * gsl_ran_gaussian(rng, 1.0);
    }
    const char *tab = write_table("smooth.csv", s, u, w, NULL);
    corr_run_params p;
    bpel_corr_run_defaults(&p);
    p.x_spec = "u_eV";
    p.y_spec = "w_eV";
    p.table = tab;
    p.data = "fcc";
    p.lmax = 10;
    p.lmax_fixed = 1;
    p.dl = 1;
    p.nboot = 50;
    p.seed = 4;
    corr_run_result r;
    assert_int_equal(bpel_corr_run(s, &p, &r), BPEL_OK);
    assert_int_equal(r.nL, 11);
    size_t best = 0;
    for (size_t k = 1; k < r.nL; k++)
        if (fabs(r.stat[k].r) > fabs(r.stat[best].r)) best = k;
    assert_int_equal(r.kopt, best);
    assert_true(r.kopt > 0 && r.kopt < r.nL - 1);
    assert_true(r.stat[r.kopt].r > r.stat[0].r + 0.3);
    assert_true(r.stat[0].r > 0.1 && r.stat[0].r < 0.5);
    assert_int_equal(r.quality.optimal_L.q, BPEL_Q_OK);
    assert_int_equal(r.quality.r_opt.q, BPEL_Q_OK);
    assert_true(r.stat[r.kopt].lo < r.stat[r.kopt].r && r.stat[r.kopt].r < r.stat[r.kopt].hi);

    /* the same numbers from the kernels */
    corr_pairs *pr;
    assert_int_equal(bpel_corr_pairs_create(s, r.acf_rmax, &pr), BPEL_OK);
    ASSERT_NEAR(r.acf_rmax, 12.0, 0); /* the default: below half of the 25.2 Å box */
    for (size_t k = 0; k < r.nL; k++) {
        corr_stat st;
        assert_int_equal(bpel_corr_vs_L(pr, r.x.v, r.y.v, 1, &r.L[k], 0, NULL, 0, 50, 4 + k, 0.95, &st), BPEL_OK);
        assert_true(st.r == r.stat[k].r && st.lo == r.stat[k].lo && st.hi == r.stat[k].hi);
    }
    double *cg = malloc(n * sizeof *cg);
    assert_int_equal(bpel_corr_coarse_grain(pr, r.y.v, r.L_opt, 0, cg), BPEL_OK);
    for (size_t i = 0; i < n; i++) assert_true(cg[i] == r.cgy[i]);
    corr_acf a;
    assert_int_equal(bpel_corr_autocorrelation(pr, r.x.v, p.acf_dr, r.acf_rmax, &a), BPEL_OK);
    assert_int_equal(a.nbins, r.acf[0].nbins);
    for (size_t b = 0; b < a.nbins; b++) /* bins without pairs hold NaN */
        assert_true(a.c[b] == r.acf[0].c[b] || (isnan(a.c[b]) && isnan(r.acf[0].c[b])));
    bpel_corr_acf_free(&a);
    bpel_corr_pairs_destroy(pr);
    free(cg);

    /* the files and figures, the summary holding the result's numbers */
    const char *dir = test_tmp("corr_run_out");
    assert_int_equal(bpel_corr_run_figures(dir, s, &p, &r), BPEL_OK);
    assert_int_equal(bpel_corr_run_write(dir, s, &p, &r), BPEL_OK);
    const char *files[] = {"correlation_vs_L.csv", "binned.csv", "autocorrelation.csv", "groups.csv",
                           "coarse_grained.csv", "correlate.xyz", "fig3_pearson_vs_L.png", "fig5a-d_maps.svg"};
    char path[1200];
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[k]);
        FILE *fp = fopen(path, "r");
        assert_non_null(fp);
        fclose(fp);
    }
    snprintf(path, sizeof path, "%s/summary.json", dir);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    static char text[1 << 16];
    size_t len = fread(text, 1, sizeof text - 1, fp);
    text[len] = '\0';
    fclose(fp);
    cJSON *js = cJSON_Parse(text);
    assert_non_null(js);
    assert_true(cJSON_GetObjectItem(js, "optimal_L")->valuedouble == r.L_opt);
    ASSERT_NEAR(cJSON_GetObjectItem(js, "pearson_r_at_optimum")->valuedouble, r.stat[r.kopt].r, 1e-12);
    assert_string_equal(cJSON_GetObjectItem(js, "data")->valuestring, "fcc");
    assert_null(cJSON_GetObjectItem(js, "provenance"));
    cJSON *q = cJSON_GetObjectItem(cJSON_GetObjectItem(js, "quality"), "optimal_L");
    assert_non_null(q);
    assert_string_equal(cJSON_GetObjectItem(q, "verdict")->valuestring, "ok");
    assert_string_equal(cJSON_GetObjectItem(q, "reason")->valuestring, r.quality.optimal_L.reason);
    cJSON_Delete(js);
    bpel_corr_run_free(&r);
    gsl_rng_free(rng);
    free(u);
    free(w);
    bpel_system_destroy(s);
}

/* Gaussian weights reach 3σ = 1.34 L: L up to 10 Å does not fit a 21.6 Å
 * box (pairs below 10.8 Å), so the grid stops at the largest multiple of
 * 0.5 Å with 1.34 L below 0.98 of half the box, 7.5 Å, and a note says so;
 * with lmax_fixed it is an error. */
static void test_range_lowered(void **state)
{
    (void)state;
    bpel_system *s = test_fcc(6, 3.6, 2, 0.5, 0.1, 2);
    size_t n = s->n;
    double *u = malloc(n * sizeof *u), *w = malloc(n * sizeof *w);
    for (size_t i = 0; i < n; i++) u[i] = smooth(s, i) + 0.01 * (i % 7), w[i] = smooth(s, i) - 0.02 * (i % 5);
    const char *tab = write_table("lowered.csv", s, u, w, NULL);
    corr_run_params p;
    bpel_corr_run_defaults(&p);
    p.x_spec = "u_eV";
    p.y_spec = "w_eV";
    p.table = tab;
    p.gaussian = 1;
    p.nboot = 0;
    calls c = {0};
    p.note = on_note;
    p.ctx = &c;
    corr_run_result r;
    assert_int_equal(bpel_corr_run(s, &p, &r), BPEL_OK);
    assert_int_equal(r.lmax_lowered, 1);
    ASSERT_NEAR(r.lmax, 7.5, 1e-12);
    assert_int_equal(r.nL, 16);
    assert_true(c.notes >= 1);
    assert_non_null(strstr(c.note, "using L <= 7.5 Å"));
    bpel_corr_run_free(&r);
    p.lmax_fixed = 1;
    assert_int_equal(bpel_corr_run(s, &p, &r), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "lower --lmax"));
    assert_null(r.L);
    free(u);
    free(w);
    bpel_system_destroy(s);
}

/* Atoms absent from a table: an error naming the way out, or with
 * allow_missing left out of every statistic and counted. */
static void test_missing_atoms(void **state)
{
    (void)state;
    bpel_system *s = test_fcc(5, 3.6, 2, 0.5, 0.1, 8);
    size_t n = s->n;
    double *u = malloc(n * sizeof *u), *w = malloc(n * sizeof *w);
    int *skip = calloc(n, sizeof *skip);
    size_t nskip = 0;
    for (size_t i = 0; i < n; i++) {
        u[i] = 1 + 0.5 * smooth(s, i) + 0.001 * (i % 11);
        w[i] = 2 * u[i];
        if (i % 4 == 1) skip[i] = 1, nskip++;
    }
    const char *tab = write_table("partial.csv", s, u, w, skip);
    corr_run_params p;
    bpel_corr_run_defaults(&p);
    p.x_spec = "u_eV";
    p.y_spec = "w_eV";
    p.table = tab;
    p.lmax = 3;
    p.nboot = 0;
    calls c = {0};
    p.note = on_note;
    p.ctx = &c;
    corr_run_result r;
    assert_int_equal(bpel_corr_run(s, &p, &r), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "--allow-missing"));
    p.allow_missing = 1;
    assert_int_equal(bpel_corr_run(s, &p, &r), BPEL_OK);
    assert_int_equal(r.x.n_missing, nskip);
    assert_int_equal(r.y.n_missing, nskip);
    assert_true(c.notes >= 2);
    assert_non_null(strstr(c.note, "atoms without a value (left out)"));
    for (size_t i = 0; i < n; i++) assert_int_equal(isnan(r.x.raw[i]) != 0, skip[i]);
    assert_int_equal(r.stat[0].n, n - nskip);
    ASSERT_NEAR(r.stat[0].r, 1.0, 1e-12);
    /* 375 atoms with both values: bins of 93 instead of 100 */
    assert_int_equal(r.bin_size, (long)((n - nskip) / 4));
    for (int k = 0; k < r.ngroup_stats; k++) assert_true(r.group_stats[k].n > 0);
    bpel_corr_run_free(&r);
    free(u);
    free(w);
    free(skip);
    bpel_system_destroy(s);
}

static void test_refused_parameters(void **state)
{
    (void)state;
    corr_run_params p;
    bpel_corr_run_defaults(&p);
    assert_int_equal(bpel_corr_run_check(&p), BPEL_OK);
    for (int k = 0; k < 7; k++) {
        bpel_corr_run_defaults(&p);
        switch (k) {
        case 0: p.lmin = 3, p.lmax = 2; break;
        case 1: p.conf = 1; break;
        case 2: p.acf_rmax = 0.1; break;
        case 3: p.slab_width = 0; break;
        case 4: p.block_edge = -1; break;
        case 5: p.bin_size = 1; break;
        case 6: p.seed = -1; break;
        }
        assert_int_equal(bpel_corr_run_check(&p), BPEL_EINVAL);
    }
    /* no quantities */
    bpel_system *s = test_fcc(3, 3.6, 1, 1, 0, 1);
    bpel_corr_run_defaults(&p);
    corr_run_result r;
    assert_int_equal(bpel_corr_run(s, &p, &r), BPEL_EINVAL);
    p.x_spec = "a";
    p.y_spec = "b";
    assert_int_equal(bpel_corr_run(s, &p, &r), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "names no file"));
    bpel_system_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_proportional),
        cmocka_unit_test(test_shared_smooth_field),
        cmocka_unit_test(test_range_lowered),
        cmocka_unit_test(test_missing_atoms),
        cmocka_unit_test(test_refused_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
