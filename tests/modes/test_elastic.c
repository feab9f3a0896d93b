/* test_elastic.c — Born term and Ξ against finite differences of bpel's
 * virial and forces under homogeneous deformation; fcc Cu elastic constants
 * against finite strains; Debye level arithmetic. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eam.h"
#include "elastic.h"
#include "error.h"
#include "forces.h"
#include "hessian.h"
#include "minimise.h"
#include "units.h"

/* Deform by F = 1 + u with u upper triangular, entry (r,c) = h: the box stays
 * in LAMMPS form. Voigt index w selects (r,c): 0 xx 1 yy 2 zz 3 yz 4 xz 5 xy. */
static const int WR[6] = {0, 1, 2, 1, 0, 0}, WC[6] = {0, 1, 2, 2, 2, 1};

static void deform(bpel_system *s, int w, double h)
{
    double F[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    F[WR[w]][WC[w]] += h;
    double H[3][3], Hn[3][3];
    bpel_box_matrix(&s->box, H);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            Hn[i][j] = 0;
            for (int k = 0; k < 3; k++) Hn[i][j] += F[i][k] * H[k][j];
        }
    double lo[3];
    for (int i = 0; i < 3; i++) lo[i] = F[i][0] * s->box.lo[0] + F[i][1] * s->box.lo[1] + F[i][2] * s->box.lo[2];
    memcpy(s->box.lo, lo, sizeof lo);
    s->box.len[0] = Hn[0][0];
    s->box.len[1] = Hn[1][1];
    s->box.len[2] = Hn[2][2];
    s->box.xy = Hn[0][1];
    s->box.xz = Hn[0][2];
    s->box.yz = Hn[1][2];
    for (size_t a = 0; a < s->n; a++) {
        double *x = &s->x[3 * a], y[3];
        for (int i = 0; i < 3; i++) y[i] = F[i][0] * x[0] + F[i][1] * x[1] + F[i][2] * x[2];
        memcpy(x, y, sizeof y);
    }
}

/* Cauchy stress (GPa, tension positive, Voigt) from bpel's virial. */
static void stress_of(bpel_forces *ff, bpel_system *s, double sig[6])
{
    bpel_eval ev;
    assert_int_equal(bpel_forces_compute(ff, s, FORCES_VIRIAL, &ev), 0);
    double f = -ELASTIC_EV_A3_TO_GPA / bpel_box_volume(&s->box);
    sig[0] = f * ev.virial[0];
    sig[1] = f * ev.virial[1];
    sig[2] = f * ev.virial[2];
    sig[3] = f * ev.virial[5];
    sig[4] = f * ev.virial[4];
    sig[5] = f * ev.virial[3];
}

static void load(const char *pot, const char *el, bpel_system *s, bpel_eam **p, bpel_model **model)
{
    assert_int_equal(bpel_eam_read(test_potential(pot), NULL, p), 0);
    assert_int_equal(bpel_model_create(*p, s, el, model), 0);
}

/* The library's route, by conjugate gradients (what `bpel elastic` runs). */
static void elastic_of(const bpel_model *model, bpel_system *s, elastic_result *r)
{
    int rc = bpel_elastic_compute(model, s, 0, r);
    if (rc) fail_msg("bpel_elastic_compute: %s", bpel_errmsg());
}

/* fcc Cu under pressure (a below equilibrium, so the stress terms of B
 * matter): every column of B against finite differences of the stress. */
static void check_fcc(const char *pot, const char *el, double a)
{
    bpel_system *s = test_fcc(3, a, 1, 1.0, 0.0, 1);
    bpel_eam *p;
    bpel_model *model = NULL;
    load(pot, el, s, &p, &model);
    elastic_result r;
    elastic_of(model, s, &r);
    bpel_forces *ff;
    assert_int_equal(bpel_forces_create(model, s, 1.0, &ff), 0);
    double sig0[6];
    stress_of(ff, s, sig0);
    for (int v = 0; v < 6; v++) ASSERT_NEAR(r.stress[v], sig0[v], 1e-9 * (1 + fabs(sig0[v])));
    const double h = 1e-5;
    double maxdiff = 0, scale = fabs(r.B[0][0]);
    for (int w = 0; w < 6; w++) {
        bpel_system *sp = bpel_system_copy(s), *sm = bpel_system_copy(s);
        deform(sp, w, h);
        deform(sm, w, -h);
        double a1[6], a2[6];
        stress_of(ff, sp, a1);
        stress_of(ff, sm, a2);
        for (int v = 0; v < 6; v++) {
            double fd = (a1[v] - a2[v]) / (2 * h);
            maxdiff = fmax(maxdiff, fabs(fd - r.B[v][w]));
            ASSERT_NEAR(r.B[v][w], fd, 2e-4 * scale);
        }
        bpel_system_destroy(sp);
        bpel_system_destroy(sm);
    }
    print_message("  %s a = %.3f: C11 %.2f C12 %.2f C44 %.2f GPa (B: %.2f %.2f %.2f), P = %.3f GPa; max |B - FD| %.2g\n",
                  pot, a, r.C[0][0], r.C[0][1], r.C[3][3], r.B[0][0], r.B[0][1], r.B[3][3],
                  -(r.stress[0] + r.stress[1] + r.stress[2]) / 3, maxdiff);
    /* cubic symmetry, and no non-affine relaxation on a Bravais lattice */
    ASSERT_REL(r.C[1][1], r.C[0][0], 1e-10, 1);
    ASSERT_REL(r.C[5][5], r.C[3][3], 1e-10, 1);
    ASSERT_NEAR(r.C[0][3], 0.0, 1e-8);
    ASSERT_NEAR(r.nonaffine[0][0], 0.0, 1e-8);
    bpel_forces_destroy(ff);
    bpel_model_destroy(model);
    bpel_eam_destroy(p);
    bpel_system_destroy(s);
}

static void test_fcc_funcfl(void **st) { check_fcc("Cu_u3.eam", "Cu", 3.58); }
static void test_fcc_fs(void **st) { check_fcc("CuZr_mm.eam.fs", "Cu", 3.60); }

/* Ξ = ∂(∂U/∂x)/∂η against forces of deformed copies of a disordered
 * configuration (the rigid rotation in a simple shear rotates the forces,
 * and that part is removed before comparing). */
static void test_xi_fd(void **st)
{
    bpel_system *s = test_random(128, 13.0, 2, 2.1, 7);
    bpel_eam *p;
    bpel_model *model = NULL;
    load("CuZr_mm.eam.fs", "Cu,Zr", s, &p, &model);
    hess_model *m;
    assert_int_equal(bpel_hess_model_create(model, s, 0, &m), 0);
    double *xi = malloc(18 * s->n * sizeof *xi);
    assert_int_equal(bpel_elastic_xi(m, xi), 0);
    bpel_forces *ff;
    assert_int_equal(bpel_forces_create(model, s, 1.0, &ff), 0);
    bpel_eval ev;
    size_t n3 = 3 * s->n;
    double *g0 = malloc(n3 * sizeof *g0), *gp = malloc(n3 * sizeof *gp);
    assert_int_equal(bpel_forces_compute(ff, s, 0, &ev), 0);
    for (size_t k = 0; k < n3; k++) g0[k] = -ev.f[k];
    const double h = 1e-6;
    for (int w = 0; w < 6; w++) {
        bpel_system *sp = bpel_system_copy(s), *sm = bpel_system_copy(s);
        deform(sp, w, h);
        deform(sm, w, -h);
        assert_int_equal(bpel_forces_compute(ff, sp, 0, &ev), 0);
        for (size_t k = 0; k < n3; k++) gp[k] = -ev.f[k];
        assert_int_equal(bpel_forces_compute(ff, sm, 0, &ev), 0);
        double num = 0, den = 0;
        for (size_t a = 0; a < s->n; a++) {
            /* atoms may have been wrapped differently: forces are per atom index, unaffected */
            double rot[3] = {0, 0, 0};
            if (WR[w] != WC[w]) {
                rot[WR[w]] = 0.5 * g0[3 * a + WC[w]];
                rot[WC[w]] = -0.5 * g0[3 * a + WR[w]];
            }
            for (int al = 0; al < 3; al++) {
                double fd = (gp[3 * a + al] - (-ev.f[3 * a + al])) / (2 * h) - rot[al];
                double an = xi[18 * a + 6 * al + w];
                num += (fd - an) * (fd - an);
                den += an * an;
            }
        }
        print_message("  Voigt %d: |Xi - FD| / |Xi| = %.3g\n", w, sqrt(num / den));
        assert_true(sqrt(num / den) < 1e-4);
        bpel_system_destroy(sp);
        bpel_system_destroy(sm);
    }
    free(g0);
    free(gp);
    free(xi);
    bpel_forces_destroy(ff);
    bpel_hess_model_destroy(m);
    bpel_model_destroy(model);
    bpel_eam_destroy(p);
    bpel_system_destroy(s);
}

/* A disordered Cu–Zr minimum made with minimise(): Born − non-affine (CG on
 * the sparse Hessian) against strain ±h and re-minimisation, all six columns. */
static void test_strain_relax(void **st)
{
    bpel_system *s = test_random(64, 9.6, 2, 2.1, 3);
    bpel_eam *p;
    bpel_model *model = NULL;
    load("CuZr_mm.eam.fs", "Cu,Zr", s, &p, &model);
    bpel_forces *ff;
    assert_int_equal(bpel_forces_create(model, s, 1.0, &ff), 0);
    min_params mp;
    bpel_min_defaults(&mp);
    mp.ftol = 1e-11;
    min_result mr;
    assert_int_equal(bpel_minimise(ff, s, &mp, &mr), 0);
    bpel_forces_destroy(ff);
    elastic_result r;
    elastic_of(model, s, &r);
    double B[6][6], A[6][6];
    assert_int_equal(bpel_elastic_strain_relax(model, s, 1e-5, 1e-11, 1, B), 0);
    assert_int_equal(bpel_elastic_strain_relax(model, s, 1e-5, 1e-11, 0, A), 0);
    double scale = r.B[0][0], maxd = 0, maxa = 0;
    for (int v = 0; v < 6; v++)
        for (int w = 0; w < 6; w++) {
            maxd = fmax(maxd, fabs(B[v][w] - r.B[v][w]));
            maxa = fmax(maxa, fabs(A[v][w] - B[v][w]));
        }
    print_message("  minimised in %ld CG steps (max|F| %.1g); B11 %.2f vs %.2f, B44 %.2f vs %.2f GPa; max |B - B_strain| "
                  "%.3g GPa; affine differs by up to %.1f GPa\n",
                  mr.iterations, mr.fmax, r.B[0][0], B[0][0], r.B[3][3], B[3][3], maxd, maxa);
    assert_true(maxd < 1e-3 * scale);
    assert_true(maxa > 0.1 * scale); /* relaxation matters: the check can fail */
    assert_int_equal(bpel_elastic_strain_relax(model, s, 0.5, 1e-11, 1, B), BPEL_EINVAL);
    bpel_model_destroy(model);
    bpel_eam_destroy(p);
    bpel_system_destroy(s);
}

/* The Debye level from K, G by hand for round numbers. */
static void test_debye(void **st)
{
    bpel_system *s = test_fcc(2, 4.0, 1, 1.0, 0.0, 1);
    s->mass[1] = 60.0;
    debye_result d;
    assert_int_equal(bpel_elastic_debye(100.0, 30.0, s, &d), 0);
    double rho = 32 * 60.0 / 512.0; /* amu/Å³ */
    double conv = 1.0 / ELASTIC_EV_A3_TO_GPA / 1.0364269e-4;
    double vt = sqrt(30.0 * conv / rho), vl = sqrt((100.0 + 40.0) * conv / rho);
    ASSERT_REL(d.v_T, vt, 1e-12, 0);
    ASSERT_REL(d.v_L, vl, 1e-12, 0);
    double vd = cbrt(3.0 / (1 / pow(vl, 3) + 2 / pow(vt, 3)));
    double wd = vd * cbrt(6 * M_PI * M_PI * 32 / 512.0);
    ASSERT_REL(d.level, 3 / pow(wd, 3), 1e-12, 0);
    /* 1 Å/ps = 100 m/s: G = 30 GPa at 3.75 g/cm³... sanity of magnitude: v_T of order 2-3 km/s */
    assert_true(d.v_T > 20 && d.v_T < 40);
    assert_int_equal(bpel_elastic_debye(-1.0, 30.0, s, &d), BPEL_EINVAL);
    bpel_system_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fcc_funcfl),
        cmocka_unit_test(test_fcc_fs),
        cmocka_unit_test(test_xi_fd),
        cmocka_unit_test(test_strain_relax),
        cmocka_unit_test(test_debye),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
