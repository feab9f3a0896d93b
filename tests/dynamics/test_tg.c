/* test_tg.c — Tg from a synthetic V(T) with a kink at a known temperature
 * (plus Gaussian noise) must come back inside its 95 % interval, with the
 * automatic two-branch fit and with given ranges; curves that cannot
 * support a Tg (no kink, too short, too noisy, kink outside the data) must
 * be "not determined" with no number; unusable input is an error. The
 * stage (tg_run.h): a log's rows of one stage are fitted and its files
 * written; a short NPT cooling run logs both stages with its progress. */
#include "testutil.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eam.h"
#include "error.h"
#include "tg.h"
#include "tg_run.h"

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
        bpel_tg_defaults(&p);
        tg_result r;
        assert_int_equal(bpel_tg_fit(n, t, v, &p, &r), 0);
        print_message("seed %u: Tg = %.1f K (95 %%: %.1f-%.1f, %s %s)\n", seed, r.tg, r.tg_lo, r.tg_hi,
                      bpel_quality_name(r.quality), r.reason);
        ASSERT_NEAR(r.tg, 650, 20);
        assert_int_equal(r.quality, BPEL_Q_OK);
        assert_true(r.tg_lo <= 650 && 650 <= r.tg_hi);
        assert_true(r.tg_hi - r.tg_lo < 80);
        ASSERT_NEAR(r.glass_slope, 0.05, 0.01);
        ASSERT_NEAR(r.liquid_slope, 0.16, 0.01);
        bpel_tg_free(&r);
    }
    size_t n = synth(900, 0.5, t, v, 9);
    tg_params p;
    bpel_tg_defaults(&p);
    tg_result r;
    assert_int_equal(bpel_tg_fit(n, t, v, &p, &r), 0);
    ASSERT_NEAR(r.tg, 900, 15);
    bpel_tg_free(&r);
}

static void test_given_ranges(void **st)
{
    (void)st;
    double t[1000], v[1000];
    size_t n = synth(700, 1.0, t, v, 4);
    tg_params p;
    bpel_tg_defaults(&p);
    p.glass_lo = 100, p.glass_hi = 500, p.liquid_lo = 1000, p.liquid_hi = 1500;
    tg_result r;
    assert_int_equal(bpel_tg_fit(n, t, v, &p, &r), 0);
    ASSERT_NEAR(r.tg, 700, 15);
    assert_true(r.tg_lo <= 700 && 700 <= r.tg_hi);
    ASSERT_NEAR(r.glass_range[1], 500, 1e-12);
    bpel_tg_free(&r);
    /* given ranges whose lines cross outside the data: not determined */
    p.glass_lo = 100, p.glass_hi = 400, p.liquid_lo = 450, p.liquid_hi = 600;
    n = synth(1300, 0.3, t, v, 5);
    assert_int_equal(bpel_tg_fit(n, t, v, &p, &r), 0);
    assert_int_equal(r.quality, BPEL_Q_NOT_DETERMINED);
    assert_true(isnan(r.tg));
    bpel_tg_free(&r);
}

/* V(T) of a liquid only: a smooth, slightly curved line, no kink. */
static void test_not_determined(void **st)
{
    (void)st;
    double t[1000], v[1000];
    tg_params p;
    bpel_tg_defaults(&p);
    tg_result r;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    for (unsigned seed = 1; seed <= 3; seed++) {
        gsl_rng_set(g, seed);
        size_t n = 0;
        for (double T = 2000; T >= 1300; T -= 1.0, n++) {
            t[n] = T;
            v[n] = 9000 + 0.16 * T + 1.5e-5 * (T - 1300) * (T - 1300) + gsl_ran_gaussian(g, 1.0);
        }
        assert_int_equal(bpel_tg_fit(n, t, v, &p, &r), 0);
        print_message("liquid only %u: %s (%s)\n", seed, bpel_quality_name(r.quality), r.reason);
        assert_int_equal(r.quality, BPEL_Q_NOT_DETERMINED);
        assert_true(isnan(r.tg) && isnan(r.tg_lo) && isnan(r.tg_hi));
        assert_true(r.reason[0] != 0);
        bpel_tg_free(&r);
    }
    /* glass only */
    size_t n = 0;
    for (double T = 600; T >= 100; T -= 1.0, n++) t[n] = T, v[n] = 9000 + 0.05 * T + gsl_ran_gaussian(g, 0.5);
    assert_int_equal(bpel_tg_fit(n, t, v, &p, &r), 0);
    assert_int_equal(r.quality, BPEL_Q_NOT_DETERMINED);
    bpel_tg_free(&r);
    gsl_rng_free(g);
    /* too short: 5 bins */
    n = synth(650, 0.5, t, v, 3);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (t[i] > 550 && t[i] < 670) t[m] = t[i], v[m] = v[i], m++;
    assert_int_equal(bpel_tg_fit(m, t, v, &p, &r), 0);
    print_message("short: %s (%s)\n", bpel_quality_name(r.quality), r.reason);
    assert_int_equal(r.quality, BPEL_Q_NOT_DETERMINED);
    bpel_tg_free(&r);
    /* too noisy: noise far above the change of slope */
    n = synth(650, 300.0, t, v, 6);
    assert_int_equal(bpel_tg_fit(n, t, v, &p, &r), 0);
    print_message("noisy: %s (%s)\n", bpel_quality_name(r.quality), r.reason);
    assert_int_equal(r.quality, BPEL_Q_NOT_DETERMINED);
    assert_true(isnan(r.tg));
    bpel_tg_free(&r);
    /* a moderately noisy curve still gives a number, flagged weak or ok, and
     * the interval widens with the noise */
    n = synth(650, 2.0, t, v, 7);
    assert_int_equal(bpel_tg_fit(n, t, v, &p, &r), 0);
    double w1 = r.tg_hi - r.tg_lo;
    bpel_tg_free(&r);
    n = synth(650, 12.0, t, v, 7);
    assert_int_equal(bpel_tg_fit(n, t, v, &p, &r), 0);
    print_message("noise 12: Tg %.0f (%.0f-%.0f) %s (%s)\n", r.tg, r.tg_lo, r.tg_hi, bpel_quality_name(r.quality),
                  r.reason);
    assert_true(r.quality != BPEL_Q_NOT_DETERMINED);
    assert_true(r.tg_hi - r.tg_lo > w1);
    assert_true(r.tg_lo <= 650 && 650 <= r.tg_hi);
    bpel_tg_free(&r);
}

static void test_errors(void **st)
{
    (void)st;
    double t[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, v[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    tg_params p;
    bpel_tg_defaults(&p);
    tg_result r;
    assert_int_equal(bpel_tg_fit(0, t, v, &p, &r), BPEL_EINVAL);
    assert_int_equal(bpel_tg_fit(3, t, v, &p, &r), 0); /* one bin: no number */
    assert_int_equal(r.quality, BPEL_Q_NOT_DETERMINED);
    bpel_tg_free(&r);
    p.bin = 1.0;
    assert_int_equal(bpel_tg_fit(10, t, v, &p, &r), 0); /* one straight line: no kink */
    assert_int_equal(r.quality, BPEL_Q_NOT_DETERMINED);
    bpel_tg_free(&r);
    v[4] = NAN;
    assert_int_equal(bpel_tg_fit(10, t, v, &p, &r), BPEL_EINVAL);
    v[4] = 5;
    p.bin = 0;
    assert_int_equal(bpel_tg_fit(10, t, v, &p, &r), BPEL_EINVAL);
}

static int count_lines(const char *path, int stage)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return -1;
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, fp)) {
        if (stage < 0) { n++; continue; }
        int k = 0, field = 0;
        for (char *c = line; *c && field < 2; c++) if (*c == ',') field++, k = (int)(c - line);
        n += field == 2 && atoi(line + k + 1) == stage;
    }
    fclose(fp);
    return n;
}

static void test_stage_of_log(void **st)
{
    static double t[1000], v[1000];
    size_t n = synth(700, 0.3, t, v, 11);
    const char *log = test_tmp("tg_stage.log.csv");
    FILE *fp = fopen(log, "w");
    assert_non_null(fp);
    fprintf(fp, "step,time_ps,stage,temp_K,press_bar,volume_A3\n");
    for (int k = 0; k < 30; k++) fprintf(fp, "%d,0,0,2000,0,%g\n", k, 99999.0 + k); /* melt rows: left out */
    for (size_t k = 0; k < n; k++) fprintf(fp, "%zu,0,1,%.6f,0,%.6f\n", k + 30, t[k], v[k]);
    fclose(fp);
    tg_params p;
    bpel_tg_defaults(&p);
    tg_result r;
    size_t used;
    assert_int_equal(bpel_tg_run_fit(log, 1, &p, &r, &used), 0);
    assert_int_equal(used, n);
    tg_result direct; /* the stage-1 rows alone, as written */
    for (size_t k = 0; k < n; k++) {
        char b[64];
        snprintf(b, sizeof b, "%.6f %.6f", t[k], v[k]);
        sscanf(b, "%lf %lf", &t[k], &v[k]);
    }
    assert_int_equal(bpel_tg_fit(n, t, v, &p, &direct), 0);
    ASSERT_NEAR(r.tg, direct.tg, 0);
    ASSERT_NEAR(r.tg_hi, direct.tg_hi, 0);
    assert_true(fabs(r.tg - 700) < 50);
    bpel_tg_free(&direct);
    const char *dir = test_tmp("");
    assert_int_equal(bpel_tg_run_write(dir, log, NULL, &p, &r, used), 0);
    char path[1200];
    snprintf(path, sizeof path, "%s/tg_vt.csv", dir);
    assert_int_equal(count_lines(path, -1), (int)r.nbins + 1);
    snprintf(path, sizeof path, "%s/tg.json", dir);
    assert_true(count_lines(path, -1) > 5);
    bpel_tg_free(&r);
    assert_int_equal(bpel_tg_run_fit(log, -1, &p, &r, &used), 0);
    assert_int_equal(used, n + 30);
    bpel_tg_free(&r);
    assert_int_equal(bpel_tg_run_fit(test_write_file("tg_empty.csv", "temp_K,volume_A3\n"), 1, &p, &r, &used), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "tg_empty.csv"));
}

typedef struct { int begin, steps, end; double total, last; } cool_tally;

static void cool_progress(void *ctx, int event, double done, double total)
{
    cool_tally *c = ctx;
    if (event == TG_RUN_BEGIN) c->begin++, c->total = total;
    else if (event == TG_RUN_STEP) c->steps++, c->last = done;
    else c->end++;
}

static void test_cooling(void **st)
{
    bpel_eam *pot;
    bpel_model *model = NULL;
    bpel_system *s = test_cuzr_glass(&pot, &model);
    tg_cooling c;
    bpel_tg_cooling_defaults(&c);
    c.t_from = 1000, c.t_to = 900, c.rate = 1e15; /* 0.1 ps: 50 steps */
    c.equilibrate = 0.02;
    c.log_every = 10;
    cool_tally tl = {0, 0, 0, 0, 0};
    c.progress = cool_progress;
    c.ctx = &tl;
    const char *log = test_tmp("tg_cooling.log.csv");
    int rc = bpel_tg_cooling_run(model, s, &c, log);
    if (rc) print_error("%s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    assert_int_equal(tl.begin, 1);
    assert_int_equal(tl.end, 1);
    ASSERT_NEAR(tl.total, 60, 0);
    assert_int_equal(tl.steps, 60);
    ASSERT_NEAR(tl.last, 60, 0);
    assert_true(count_lines(log, 0) >= 1);
    assert_int_equal(count_lines(log, 1), 5);
    c.t_to = 1100;
    assert_int_equal(bpel_tg_cooling_run(model, s, &c, log), BPEL_EINVAL);
    bpel_system_destroy(s);
    bpel_model_destroy(model);
    bpel_eam_destroy(pot);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_automatic),
        cmocka_unit_test(test_given_ranges),
        cmocka_unit_test(test_not_determined),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_stage_of_log),
        cmocka_unit_test(test_cooling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
