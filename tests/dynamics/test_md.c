/* test_md.c — molecular dynamics against LAMMPS run here on the same start
 * (tests/data/cuzr_glass_256.data: a 256-atom Cu50Zr50 glass at 300 K):
 *  - step-by-step parity over 200 steps for NVE, NVT and NPT (same equations,
 *    so T, PE, P, V and the conserved quantity agree until chaos amplifies
 *    round-off);
 *  - statistics over equal-length runs: NVT mean temperature, NPT mean volume
 *    and pressure agree within their block-averaged errors;
 *  - NVE energy drift at dt = 2 fs no worse than LAMMPS';
 * plus velocity creation (exact T, zero momentum, seeded) and parameter checks. */
#include "testutil.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eam.h"
#include "error.h"
#include "forces.h"
#include "md.h"
#include "units.h"

#define MAXROWS 20000

typedef struct {
    long n;
    double step[MAXROWS], temp[MAXROWS], pe[MAXROWS], press[MAXROWS], vol[MAXROWS], cons[MAXROWS];
} series;

static const char *start_data(void)
{
    return test_data("cuzr_glass_256.data");
}

static double t_stop = 300; /* thermostat target at the end of a run (ramp) */

static const char *fix_line(md_ensemble e)
{
    static char buf[128];
    if (e == MD_NVT) snprintf(buf, sizeof buf, "fix 1 all nvt temp 300 %g 0.1", t_stop);
    else if (e == MD_NPT) snprintf(buf, sizeof buf, "fix 1 all npt temp 300 %g 0.1 iso 0 0 1", t_stop);
    else snprintf(buf, sizeof buf, "fix 1 all nve");
    return buf;
}

static void run_lammps(md_ensemble e, long steps, long every, series *out)
{
    char script[4096];
    const char *log = test_tmp("md_lmp.log");
    snprintf(script, sizeof script,
             "units metal\natom_style atomic\nread_data %s\npair_style eam/fs\npair_coeff * * %s Cu Zr\n"
             "neighbor 1.0 bin\nneigh_modify every 1 delay 0 check yes\ntimestep 0.002\n%s\n"
             "variable ec equal econserve\nthermo %ld\nthermo_style custom step temp pe press vol v_ec\n"
             "thermo_modify format float %%.16g\nlog %s\nrun %ld\n",
             start_data(), test_potential("CuZr_mm.eam.fs"), fix_line(e), every, log, steps);
    assert_int_equal(test_run_lammps("in.md", script), 0);
    FILE *fp = fopen(log, "r");
    assert_non_null(fp);
    char line[1024];
    int on = 0;
    out->n = 0;
    while (fgets(line, sizeof line, fp)) {
        if (!strncmp(line, "   Step", 7) || !strncmp(line, "Step", 4)) { on = 1; continue; }
        if (!strncmp(line, "Loop time", 9)) on = 0;
        if (!on || out->n >= MAXROWS) continue;
        long k = out->n;
        if (sscanf(line, "%lf %lf %lf %lf %lf %lf", &out->step[k], &out->temp[k], &out->pe[k], &out->press[k],
                   &out->vol[k], &out->cons[k]) == 6)
            out->n++;
    }
    fclose(fp);
    assert_true(out->n == steps / every + 1);
}

static void run_bpel(md_ensemble e, long steps, long every, int threads, series *out)
{
    bpel_system *s;
    bpel_eam *pot;
    bpel_model *model = NULL;
    bpel_forces *ff;
    md_integrator *m;
    assert_int_equal(bpel_data_read(start_data(), &s), 0);
    assert_int_equal(bpel_eam_read(test_potential("CuZr_mm.eam.fs"), NULL, &pot), 0);
    assert_int_equal(bpel_model_create(pot, s, "Cu,Zr", &model), 0);
    omp_set_num_threads(threads);
    assert_int_equal(bpel_forces_create(model, s, 1.0, &ff), 0);
    md_params p;
    bpel_md_defaults(&p);
    p.ensemble = e;
    p.t_start = 300;
    p.t_stop = t_stop;
    assert_int_equal(bpel_md_create(ff, s, &p, &m), 0);
    assert_int_equal(bpel_md_setup(m, steps), 0);
    out->n = 0;
    for (long k = 0; k <= steps; k++) {
        if (k > 0) assert_int_equal(bpel_md_step(m, k % every == 0), 0);
        if (k % every == 0) {
            md_thermo t;
            bpel_md_get_thermo(m, &t);
            long i = out->n++;
            out->step[i] = k;
            out->temp[i] = t.temp;
            out->pe[i] = t.pe;
            out->press[i] = t.press;
            out->vol[i] = t.volume;
            out->cons[i] = t.conserved;
        }
    }
    bpel_md_destroy(m);
    bpel_forces_destroy(ff);
    bpel_model_destroy(model);
    bpel_eam_destroy(pot);
    bpel_system_destroy(s);
}

static void parity(md_ensemble e)
{
    if (!test_have_lammps()) skip();
    series *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    run_lammps(e, 200, 20, a);
    run_bpel(e, 200, 20, 1, b);
    assert_int_equal(a->n, b->n);
    for (long k = 0; k < a->n; k++) {
        ASSERT_REL(b->temp[k], a->temp[k], 1e-7, 1.0);
        ASSERT_REL(b->pe[k], a->pe[k], 1e-9, 1.0);
        ASSERT_NEAR(b->press[k], a->press[k], 1e-2);
        ASSERT_REL(b->vol[k], a->vol[k], 1e-10, 1.0);
        ASSERT_NEAR(b->cons[k], a->cons[k], 1e-6);
    }
    free(a);
    free(b);
}

static void test_parity_nve(void **st) { (void)st; parity(MD_NVE); }
static void test_parity_nvt(void **st) { (void)st; parity(MD_NVT); }
static void test_parity_npt(void **st) { (void)st; parity(MD_NPT); }
/* a heating ramp 300 -> 900 K over the run, as in a quench */
static void test_parity_npt_ramp(void **st)
{
    (void)st;
    t_stop = 900;
    parity(MD_NPT);
    t_stop = 300;
}

/* Mean and block-averaged standard error (10 blocks) from row `from`. */
static void block_stats(const double *x, long from, long n, double *mean, double *sem)
{
    long len = n - from, nb = 10, bl = len / nb;
    double m = 0, bm[10];
    for (long b = 0; b < nb; b++) {
        double s = 0;
        for (long i = 0; i < bl; i++) s += x[from + b * bl + i];
        bm[b] = s / bl;
        m += bm[b] / nb;
    }
    double v = 0;
    for (long b = 0; b < nb; b++) v += (bm[b] - m) * (bm[b] - m);
    *mean = m;
    *sem = sqrt(v / (nb - 1) / nb);
}

static void compare_means(const char *what, const double *x, const double *y, long n, double floor)
{
    double mx, sx, my, sy;
    block_stats(x, n / 10, n, &mx, &sx);
    block_stats(y, n / 10, n, &my, &sy);
    double tol = 4.0 * sqrt(sx * sx + sy * sy) + floor;
    print_message("%s: LAMMPS %.6g +- %.2g, bpel %.6g +- %.2g\n", what, mx, sx, my, sy);
    ASSERT_NEAR(my, mx, tol);
}

static void test_nvt_statistics(void **st)
{
    (void)st;
    if (!test_have_lammps()) skip();
    series *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    run_lammps(MD_NVT, 2000, 5, a);
    run_bpel(MD_NVT, 2000, 5, 1, b);
    compare_means("NVT <T> (K)", a->temp, b->temp, a->n, 0.5);
    double m, s;
    block_stats(b->temp, b->n / 10, b->n, &m, &s);
    ASSERT_NEAR(m, 300.0, 4 * s + 1.0);
    free(a);
    free(b);
}

static void test_npt_statistics(void **st)
{
    (void)st;
    if (!test_have_lammps()) skip();
    series *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    run_lammps(MD_NPT, 2000, 5, a);
    run_bpel(MD_NPT, 2000, 5, 1, b);
    compare_means("NPT <V> (A^3)", a->vol, b->vol, a->n, 1.0);
    compare_means("NPT <P> (bar)", a->press, b->press, a->n, 50.0);
    compare_means("NPT <T> (K)", a->temp, b->temp, a->n, 0.5);
    free(a);
    free(b);
}

static double max_drift(const series *x)
{
    double d = 0;
    for (long k = 0; k < x->n; k++) d = fmax(d, fabs(x->cons[k] - x->cons[0]));
    return d;
}

static void test_nve_drift(void **st)
{
    (void)st;
    if (!test_have_lammps()) skip();
    series *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    run_lammps(MD_NVE, 2000, 10, a);
    run_bpel(MD_NVE, 2000, 10, 1, b);
    double da = max_drift(a) / 256, db = max_drift(b) / 256;
    print_message("NVE max |E(t)-E(0)| over 4 ps at dt = 2 fs: LAMMPS %.3g eV/atom, bpel %.3g eV/atom\n", da, db);
    assert_true(db <= 1.5 * da + 1e-6);
    assert_true(db < 1e-4);
    free(a);
    free(b);
}

static void test_velocity_create(void **st)
{
    (void)st;
    bpel_system *s;
    assert_int_equal(bpel_data_read(start_data(), &s), 0);
    s->mass[1] = 63.546;
    s->mass[2] = 91.224;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    assert_int_equal(bpel_md_velocity_create(s, 1234.5, r), 0);
    ASSERT_REL(bpel_md_temperature(s), 1234.5, 1e-12, 1.0);
    double p[3] = {0, 0, 0}, v0 = s->v[0];
    for (size_t i = 0; i < s->n; i++)
        for (int k = 0; k < 3; k++) p[k] += system_mass(s, i) * s->v[3 * i + k];
    for (int k = 0; k < 3; k++) ASSERT_NEAR(p[k], 0.0, 1e-9);
    /* kinetic energy by hand with the LAMMPS constants */
    double ke = 0;
    for (size_t i = 0; i < s->n; i++)
        for (int k = 0; k < 3; k++) ke += 0.5 * system_mass(s, i) * s->v[3 * i + k] * s->v[3 * i + k] * 1.0364269e-4;
    ASSERT_REL(bpel_md_kinetic_energy(s), ke, 1e-12, 1e-12);
    ASSERT_REL(ke, 0.5 * (3.0 * 256 - 3) * 8.617343e-5 * 1234.5, 1e-12, 1e-12);
    gsl_rng_set(r, 7);
    assert_int_equal(bpel_md_velocity_create(s, 1234.5, r), 0);
    assert_true(s->v[0] == v0);
    gsl_rng_set(r, 8);
    assert_int_equal(bpel_md_velocity_create(s, 1234.5, r), 0);
    assert_true(s->v[0] != v0);
    assert_int_equal(bpel_md_velocity_create(s, -1, r), BPEL_EINVAL);
    gsl_rng_free(r);
    bpel_system_destroy(s);
}

static void test_bad_params(void **st)
{
    (void)st;
    md_params p;
    bpel_md_defaults(&p);
    assert_int_equal(bpel_md_check_params(&p), 0);
    p.dt = 0;
    assert_int_equal(bpel_md_check_params(&p), BPEL_EINVAL);
    bpel_md_defaults(&p);
    p.ensemble = MD_NVT;
    p.t_start = -5;
    assert_int_equal(bpel_md_check_params(&p), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "positive"));
    p.t_start = 300;
    p.t_stop = 0;
    assert_int_equal(bpel_md_check_params(&p), BPEL_EINVAL);
    bpel_md_defaults(&p);
    p.ensemble = MD_NPT;
    p.pdamp = 0.001;
    assert_int_equal(bpel_md_check_params(&p), BPEL_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_velocity_create), cmocka_unit_test(test_bad_params),
        cmocka_unit_test(test_parity_nve),      cmocka_unit_test(test_parity_nvt),
        cmocka_unit_test(test_parity_npt),      cmocka_unit_test(test_parity_npt_ramp),
        cmocka_unit_test(test_nve_drift),
        cmocka_unit_test(test_nvt_statistics),  cmocka_unit_test(test_npt_statistics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
