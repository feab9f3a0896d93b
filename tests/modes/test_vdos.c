/* test_vdos.c — normal modes, VDOS and elastic constants of a small Cu–Zr
 * glass minimised by LAMMPS, and of fcc Cu:
 *   exactly 3 zero (translational) modes on a tight minimum; Σ_k λ_k = tr D;
 *   Σ_i g_i = g; ∫g = 1; dsyevd, dsyevr and the windowed solver agree;
 *   fcc phonon frequencies equal those of a finite-difference dynamical matrix;
 *   the non-affine term from modes equals the conjugate-gradient one, and the
 *   relaxed moduli match LAMMPS strain-and-minimise;
 *   unminimised input gives unstable modes; memory refusal before allocation;
 *   non-positive masses are an error. */
#include "testutil.h"

#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eam.h"
#include "elastic.h"
#include "error.h"
#include "forces.h"
#include "hessian.h"
#include "units.h"
#include "vdos.h"
#include "vibrations.h"

static char glass_path[1024];

/* 160-atom Cu50Zr50 glass: random, short NVT at 2000 K and quench to 300 K,
 * then CG to a tight minimum, by LAMMPS. */
static int make_glass(void **st)
{
    test_lammps_glass("vdos_glass", 4711, 1174, NULL, glass_path, sizeof glass_path);
    return 0;
}

typedef struct {
    bpel_system *s;
    bpel_eam *pot;
    bpel_model *model;
    hess_model *m;
} setup;

static void load_glass(setup *u)
{
    if (!glass_path[0]) skip();
    assert_int_equal(bpel_data_read(glass_path, &u->s), 0);
    assert_int_equal(bpel_eam_read(test_potential("CuZr_mm.eam.fs"), NULL, &u->pot), 0);
    assert_int_equal(bpel_model_create(u->pot, u->s, "Cu,Zr", &u->model), 0);
    assert_int_equal(bpel_hess_model_create(u->model, u->s, 0, &u->m), 0);
}

static void load_system(setup *u, bpel_system *s, const char *pot, const char *el)
{
    u->s = s;
    assert_int_equal(bpel_eam_read(test_potential(pot), NULL, &u->pot), 0);
    assert_int_equal(bpel_model_create(u->pot, u->s, el, &u->model), 0);
    assert_int_equal(bpel_hess_model_create(u->model, u->s, 0, &u->m), 0);
}

static void unload(setup *u)
{
    bpel_hess_model_destroy(u->m);
    bpel_model_destroy(u->model);
    bpel_eam_destroy(u->pot);
    bpel_system_destroy(u->s);
}

static void test_glass_modes(void **st)
{
    setup u;
    load_glass(&u);
    /* the minimum is tight */
    bpel_forces *ff;
    assert_int_equal(bpel_forces_create(u.model, u.s, 1.0, &ff), 0);
    bpel_eval ev;
    assert_int_equal(bpel_forces_compute(ff, u.s, 0, &ev), 0);
    double fmx = 0;
    for (size_t i = 0; i < u.s->n; i++)
        fmx = fmax(fmx, sqrt(ev.f[3 * i] * ev.f[3 * i] + ev.f[3 * i + 1] * ev.f[3 * i + 1] + ev.f[3 * i + 2] * ev.f[3 * i + 2]));
    print_message("  glass: %zu atoms, max |F| = %.2g eV/Å\n", u.s->n, fmx);
    bpel_forces_destroy(ff);

    vib_params p = {.solver = "dsyevr", .max_omega = 0};
    vib_modes *v;
    assert_int_equal(bpel_vib_modes_compute(u.m, u.s, &p, &v), 0);
    assert_true(v->complete);
    /* exactly three zero modes, and they are the translations */
    size_t nzero = 0;
    for (size_t k = 0; k < v->nmodes; k++)
        if (fabs(v->lambda[k]) < 1e-9) nzero++;
    print_message("  zero modes %zu, translations %zu, unstable %zu, lowest finite lambda %.3g\n", nzero,
                  v->ntranslation, v->nnegative, v->lambda[3]);
    assert_int_equal(nzero, 3);
    assert_int_equal(v->ntranslation, 3);
    assert_int_equal(v->nnegative, 0);
    for (int k = 0; k < 3; k++) {
        assert_true(v->is_translation[k]);
        ASSERT_NEAR(v->trans[k], 1.0, 1e-8);
    }
    assert_true(v->lambda[3] > 1e-5);
    /* Σ ω² = F² tr D */
    double s = 0, s2 = 0;
    for (size_t k = 0; k < v->nmodes; k++) {
        s += v->lambda[k];
        s2 += v->omega[k] * fabs(v->omega[k]);
    }
    ASSERT_REL(s, v->trace, 1e-11, 0);
    ASSERT_REL(s2, BPEL_OMEGA_FACTOR * BPEL_OMEGA_FACTOR * v->trace, 1e-10, 0);
    /* eigenvectors orthonormal (spot check) */
    for (size_t a = 0; a < v->nmodes; a += 97)
        for (size_t b = a; b < v->nmodes; b += 131) {
            double d = 0;
            for (size_t i = 0; i < v->ndof; i++) d += v->z[a * v->ldz + i] * v->z[b * v->ldz + i];
            ASSERT_NEAR(d, a == b ? 1.0 : 0.0, 1e-10);
        }

    /* dsyevd gives the same spectrum */
    vib_params pd = {.solver = "dsyevd", .max_omega = 0};
    vib_modes *vd;
    assert_int_equal(bpel_vib_modes_compute(u.m, u.s, &pd, &vd), 0);
    for (size_t k = 0; k < v->nmodes; k++) ASSERT_NEAR(vd->lambda[k], v->lambda[k], 1e-12 * v->lambda[v->nmodes - 1]);
    /* the window returns the lowest modes, same values and vectors */
    double wmax = v->omega[40] + 1e-3;
    vib_params pw = {.solver = "dsyevr", .max_omega = wmax};
    vib_modes *vw;
    assert_int_equal(bpel_vib_modes_compute(u.m, u.s, &pw, &vw), 0);
    assert_int_equal(vw->nmodes, 41);
    assert_false(vw->complete);
    assert_int_equal(vw->ntranslation, 3);
    for (size_t k = 3; k < vw->nmodes; k++) {
        ASSERT_NEAR(vw->lambda[k], v->lambda[k], 1e-12 * v->lambda[v->nmodes - 1]);
        if (v->lambda[k + 1] - v->lambda[k] > 1e-6 && v->lambda[k] - v->lambda[k - 1] > 1e-6) {
            double d = 0;
            for (size_t i = 0; i < v->ndof; i++) d += vw->z[k * vw->ldz + i] * v->z[k * v->ldz + i];
            ASSERT_NEAR(fabs(d), 1.0, 1e-8);
        }
    }

    /* VDOS: Σ_i g_i = g, ∫ g = 1, with and without broadening */
    for (int broad = 0; broad < 2; broad++) {
        vdos_params vp = {0.5, broad ? 0.4 : 0.0, 2.0, 15.0, 1};
        vib_vdos *d;
        assert_int_equal(bpel_vib_vdos_compute(v, &vp, &d), 0);
        double integral = 0, gmax = 0;
        for (size_t b = 0; b < d->nbins; b++) {
            double sum = 0;
            for (size_t i = 0; i < u.s->n; i++) sum += d->gi[i * d->nbins + b];
            ASSERT_NEAR(sum, d->g[b], 1e-12);
            integral += d->g[b] * d->width;
            gmax = fmax(gmax, d->g[b]);
        }
        ASSERT_NEAR(integral, 1.0, 1e-9);
        /* I_BP of each atom lies inside the window and is the max of its reduced g_i there */
        for (size_t i = 0; i < u.s->n; i++) {
            assert_true(d->ibp_omega[i] >= vp.bp_lo && d->ibp_omega[i] <= vp.bp_hi);
            size_t b = (size_t)((d->ibp_omega[i] - d->omega_lo) / d->width);
            ASSERT_REL(d->ibp[i], d->gi[i * d->nbins + b] / (d->ibp_omega[i] * d->ibp_omega[i]), 1e-12, 1e-300);
        }
        print_message("  VDOS (sigma %.1f): %zu bins, boson peak %.2f rad/ps, g/w^2 = %.4g\n", vp.sigma, d->nbins,
                      d->bp_omega, d->bp_height);
        bpel_vib_vdos_destroy(d);
    }

    /* non-affine term: modes and conjugate gradients agree; relaxation softens G a lot */
    double *xi = malloc(18 * u.s->n * sizeof *xi), na1[6][6], na2[6][6], born[6][6], dU[6];
    assert_int_equal(bpel_elastic_xi(u.m, xi), 0);
    assert_int_equal(bpel_elastic_born(u.m, born, dU), 0);
    size_t skipped;
    assert_int_equal(bpel_elastic_nonaffine_modes(v, xi, na1, &skipped), 0);
    assert_int_equal(skipped, 0);
    hess_sparse *h;
    assert_int_equal(bpel_hess_build_sparse(u.m, &h), 0);
    int it;
    assert_int_equal(bpel_elastic_nonaffine_cg(h, xi, 1e-12, na2, &it), 0);
    for (int a = 0; a < 6; a++)
        for (int b = 0; b < 6; b++) ASSERT_NEAR(na1[a][b], na2[a][b], 1e-7 * fabs(na1[0][0]));
    elastic_result r;
    bpel_elastic_finish(&r, born, na1, dU, bpel_box_volume(&u.s->box));
    print_message("  K = %.1f GPa, G = %.1f GPa (affine %.1f, %.1f); CG %d iterations\n", r.K, r.G, r.K_affine,
                  r.G_affine, it);
    assert_true(r.G < 0.8 * r.G_affine);
    /* a window cannot give the non-affine term */
    assert_int_equal(bpel_elastic_nonaffine_modes(vw, xi, na1, NULL), BPEL_EINVAL);

    /* relaxed moduli against LAMMPS: strain ±h, minimise, pressure tensor */
    if (test_have_lammps()) {
        const double hs = 2e-5;
        char script[8192];
        size_t len = snprintf(script, sizeof script,
                              "units metal\natom_style atomic\nboundary p p p\nread_data %s\npair_style eam/fs\n"
                              "pair_coeff * * %s Cu Zr\nneighbor 1.0 bin\nneigh_modify every 1 delay 0 check yes\n"
                              "change_box all triclinic\nthermo_style custom step pe pxx pyy pzz pxy pxz pyz\n"
                              "thermo_modify format float %%.15g\nrun 0\n"
                              "print \"$(pxx) $(pyy) $(pzz) $(pyz) $(pxz) $(pxy)\" file vdos_p0.txt\n",
                              glass_path, test_potential("CuZr_mm.eam.fs"));
        const char *cases[4] = {"x scale %.17g", "x scale %.17g", "xy delta %.17g", "xy delta %.17g"};
        for (int c = 0; c < 4; c++) {
            double sgn = (c % 2) ? -1.0 : 1.0, arg;
            if (c < 2) arg = 1.0 + sgn * hs;
            else arg = sgn * hs * u.s->box.len[1];
            char cb[128];
            snprintf(cb, sizeof cb, cases[c], arg);
            len += snprintf(script + len, sizeof script - len,
                            "change_box all %s remap units box\nminimize 0 1e-13 100000 1000000\nrun 0\n"
                            "print \"$(pxx) $(pyy) $(pzz) $(pyz) $(pxz) $(pxy)\" file vdos_p%d.txt\n"
                            "clear\nunits metal\natom_style atomic\nboundary p p p\nread_data %s\npair_style eam/fs\n"
                            "pair_coeff * * %s Cu Zr\nneighbor 1.0 bin\nneigh_modify every 1 delay 0 check yes\n"
                            "change_box all triclinic\nthermo_style custom step pe pxx pyy pzz pxy pxz pyz\n",
                            cb, c + 1, glass_path, test_potential("CuZr_mm.eam.fs"));
        }
        assert_int_equal(test_run_lammps("vdos_strain.in", script), 0);
        double P[5][6];
        for (int c = 0; c < 5; c++) {
            char name[32];
            snprintf(name, sizeof name, "vdos_p%d.txt", c);
            FILE *fp = fopen(test_tmp(name), "r");
            assert_non_null(fp);
            for (int k = 0; k < 6; k++) {
                assert_int_equal(fscanf(fp, "%lf", &P[c][k]), 1);
                P[c][k] *= -1e-4; /* bar -> GPa, tension positive */
            }
            fclose(fp);
        }
        for (int k = 0; k < 6; k++) ASSERT_NEAR(P[0][k], r.stress[k], 1e-6);
        double b11 = (P[1][0] - P[2][0]) / (2 * hs), b21 = (P[1][1] - P[2][1]) / (2 * hs);
        /* simple shear: the rotation adds ½(σyy − σxx) to dσxy/du */
        double b66 = (P[3][5] - P[4][5]) / (2 * hs) - 0.5 * (r.stress[1] - r.stress[0]);
        print_message("  LAMMPS strain+minimise: B11 %.2f B21 %.2f B66 %.2f GPa; Born-nonaffine %.2f %.2f %.2f; "
                      "affine %.2f\n",
                      b11, b21, b66, r.B[0][0], r.B[1][0], r.B[5][5], r.born[5][5]);
        ASSERT_REL(r.B[0][0], b11, 0.003, 0);
        ASSERT_REL(r.B[1][0], b21, 0.003, 0);
        ASSERT_REL(r.B[5][5], b66, 0.003, 0);
    }
    free(xi);
    bpel_hess_sparse_destroy(h);
    bpel_vib_modes_destroy(v);
    bpel_vib_modes_destroy(vd);
    bpel_vib_modes_destroy(vw);
    unload(&u);
}

/* fcc Cu: the spectrum equals that of a dynamical matrix built from central
 * finite differences of the forces. */
static void test_fcc_phonons(void **st)
{
    setup u;
    load_system(&u, test_fcc(2, 3.615, 1, 1.0, 0.0, 1), "Cu_u3.eam", "Cu");
    vib_modes *v;
    assert_int_equal(bpel_vib_modes_compute(u.m, u.s, NULL, &v), 0);
    size_t n3 = 3 * u.s->n;
    double *D = calloc(n3 * n3, sizeof *D);
    bpel_forces *ff;
    assert_int_equal(bpel_forces_create(u.model, u.s, 1.0, &ff), 0);
    bpel_eval ev;
    double *fp = malloc(n3 * sizeof *fp), h = 1e-4, m = u.s->mass[1];
    for (size_t c = 0; c < n3; c++) {
        double x0 = u.s->x[c];
        u.s->x[c] = x0 + h;
        assert_int_equal(bpel_forces_compute(ff, u.s, 0, &ev), 0);
        memcpy(fp, ev.f, n3 * sizeof *fp);
        u.s->x[c] = x0 - h;
        assert_int_equal(bpel_forces_compute(ff, u.s, 0, &ev), 0);
        u.s->x[c] = x0;
        for (size_t r = 0; r < n3; r++) D[r + c * n3] = -(fp[r] - ev.f[r]) / (2 * h) / m;
    }
    for (size_t r = 0; r < n3; r++)
        for (size_t c = 0; c < r; c++) D[r + c * n3] = D[c + r * n3] = 0.5 * (D[r + c * n3] + D[c + r * n3]);
    double *w = malloc(n3 * sizeof *w);
    assert_int_equal(LAPACKE_dsyev(LAPACK_COL_MAJOR, 'N', 'L', (lapack_int)n3, D, (lapack_int)n3, w), 0);
    double maxdiff = 0;
    for (size_t k = 3; k < n3; k++) {
        double wfd = BPEL_OMEGA_FACTOR * sqrt(fmax(w[k], 0));
        maxdiff = fmax(maxdiff, fabs(wfd - v->omega[k]));
        ASSERT_REL(v->omega[k], wfd, 1e-5, 1);
    }
    print_message("  fcc Cu: omega_max %.3f rad/ps (%.3f THz); max |omega - omega_FD| %.2g rad/ps\n",
                  v->omega[n3 - 1], v->omega[n3 - 1] / (2 * BPEL_PI), maxdiff);
    /* Cu's highest phonon is near 7.3 THz (Foiles' potential, experiment ~7.2 THz) */
    assert_true(v->omega[n3 - 1] / (2 * BPEL_PI) > 6.5 && v->omega[n3 - 1] / (2 * BPEL_PI) < 8.0);
    assert_int_equal(v->ntranslation, 3);
    assert_int_equal(v->nnegative, 0);
    free(w);
    free(fp);
    free(D);
    bpel_forces_destroy(ff);
    bpel_vib_modes_destroy(v);
    unload(&u);
}

/* A random, unminimised configuration has unstable modes, and they are counted. */
static void test_unminimised(void **st)
{
    setup u;
    load_system(&u, test_random(100, 11.2, 2, 2.1, 3), "CuZr_mm.eam.fs", "Cu,Zr");
    vib_modes *v;
    assert_int_equal(bpel_vib_modes_compute(u.m, u.s, NULL, &v), 0);
    size_t neg = 0;
    for (size_t k = 0; k < v->nmodes; k++) neg += v->lambda[k] < 0 && !v->is_translation[k];
    print_message("  unminimised: %zu unstable modes, lowest omega %.2f rad/ps\n", v->nnegative, v->omega[0]);
    assert_true(v->nnegative > 0);
    assert_true(v->nnegative <= neg);
    assert_true(v->omega[0] < 0);
    vdos_params vp = {0.5, 0.0, 2.0, 15.0, 0};
    vib_vdos *d;
    assert_int_equal(bpel_vib_vdos_compute(v, &vp, &d), 0);
    assert_true(d->omega_lo < 0); /* unstable modes sit in bins at negative omega */
    double integral = 0;
    for (size_t b = 0; b < d->nbins; b++) integral += d->g[b] * d->width;
    ASSERT_NEAR(integral, 1.0, 1e-9);
    bpel_vib_vdos_destroy(d);
    bpel_vib_modes_destroy(v);
    unload(&u);
}

static void test_refusals(void **st)
{
    setup u;
    load_system(&u, test_fcc(2, 3.615, 1, 1.0, 0.0, 1), "Cu_u3.eam", "Cu");
    /* memory: refused before allocation, saying how much is needed */
    setenv("BPEL_MEMORY_LIMIT", "100K", 1);
    vib_modes *v = NULL;
    assert_int_equal(bpel_vib_modes_compute(u.m, u.s, NULL, &v), BPEL_ENOMEM);
    assert_null(v);
    size_t need;
    vib_params p = {.solver = NULL, .max_omega = 0};
    assert_int_equal(bpel_vib_modes_plan(u.s->n, &p, &need), 0);
    char expect[64];
    snprintf(expect, sizeof expect, "(%zu bytes)", need);
    print_message("  %s\n", bpel_errmsg());
    assert_non_null(strstr(bpel_errmsg(), expect));
    assert_true(need >= 2 * 8 * (3 * u.s->n) * (3 * u.s->n));
    unsetenv("BPEL_MEMORY_LIMIT");
    /* dsyevd's 32-bit workspace limit, refused by size alone */
    vib_params pd = {.solver = "dsyevd", .max_omega = 0};
    assert_int_equal(bpel_vib_modes_plan(20000, &pd, &need), BPEL_ENOTSUP);
    assert_non_null(strstr(bpel_errmsg(), "32-bit"));
    assert_int_equal(bpel_vib_modes_plan(10000, &pd, &need), 0);
    vib_params pr = {.solver = "dsyevr", .max_omega = 0};
    assert_int_equal(bpel_vib_modes_plan(20000, &pr, &need), 0);
    /* masses */
    u.s->mass[1] = 0.0;
    assert_int_equal(bpel_vib_modes_compute(u.m, u.s, NULL, &v), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "mass"));
    u.s->mass[1] = -63.5;
    assert_int_equal(bpel_vib_modes_compute(u.m, u.s, NULL, &v), BPEL_EINVAL);
    unload(&u);
}

/* The boson-peak window and the modes that were computed: the complete top
 * of a window, an explicit window above --max-omega refused, a default one
 * clipped, and the clipped windowed I_BP equal to that of all modes. */
static void test_window_limits(void **st)
{
    vdos_params hist = {0.5, 0.0, 0, 0, 1}, gauss = {0.5, 0.3, 0, 0, 1};
    assert_true(bpel_vib_window_top(15.0, &hist) == 14.75);
    ASSERT_NEAR(bpel_vib_window_top(15.0, &gauss), 15.0 - 0.25 - 8 * 0.3, 1e-12);
    assert_true(isinf(bpel_vib_window_top(INFINITY, &hist)));
    vib_options o;
    bpel_vib_options_default(&o);
    o.modes.max_omega = 15.0;
    assert_int_equal(bpel_vib_options_check(&o), 0); /* default window: clipped later, not refused */
    o.vdos.bp_lo = 3.0;
    o.vdos.bp_hi = 15.0;
    assert_int_equal(bpel_vib_options_check(&o), 0);
    o.vdos.bp_hi = 20.0;
    assert_int_equal(bpel_vib_options_check(&o), BPEL_EINVAL);
    print_message("  %s\n", bpel_errmsg());
    assert_non_null(strstr(bpel_errmsg(), "top 20 rad/ps lies above 15 rad/ps"));
    o.modes.max_omega = 0; /* all modes */
    assert_int_equal(bpel_vib_options_check(&o), 0);

    setup u;
    load_glass(&u);
    const double W = 18.0;
    bpel_vib_options_default(&o);
    o.modes.max_omega = W;
    vib_analysis win, full;
    assert_int_equal(bpel_vib_analyse(u.model, u.s, &o, &win), 0);
    assert_false(win.modes->complete);
    assert_true(win.modes->omega_top == W);
    print_message("  window %s: %.4g-%.4g rad/ps (default top %.4g)\n", win.window_source, win.vdos->bp_lo,
                  win.vdos->bp_hi, win.window_hi_default);
    assert_true(win.window_clipped);
    assert_true(win.window_hi_default > W);
    assert_true(win.vdos->bp_hi == bpel_vib_window_top(W, &o.vdos));
    assert_non_null(strstr(win.window_source, "clipped"));
    /* all modes, the same window given explicitly */
    bpel_vib_options_default(&o);
    o.vdos.bp_lo = win.vdos->bp_lo;
    o.vdos.bp_hi = win.vdos->bp_hi;
    assert_int_equal(bpel_vib_analyse(u.model, u.s, &o, &full), 0);
    assert_true(full.modes->complete && !full.window_clipped);
    double worst = 0;
    for (size_t i = 0; i < u.s->n; i++) worst = fmax(worst, fabs(win.vdos->ibp[i] / full.vdos->ibp[i] - 1));
    print_message("  per-atom I_BP, windowed vs all modes: max relative difference %.2g\n", worst);
    assert_true(worst <= 1e-6);
    ASSERT_NEAR(win.vdos->bp_omega, full.vdos->bp_omega, 1e-12);
    bpel_vib_analysis_free(&win);
    bpel_vib_analysis_free(&full);
    /* a window whose bottom lies above the complete bins is refused, not emptied */
    bpel_vib_options_default(&o);
    o.modes.max_omega = 2.0;
    o.vdos.bp_lo = 1.9;
    assert_int_equal(bpel_vib_options_check(&o), 0);
    assert_int_equal(bpel_vib_analyse(u.model, u.s, &o, &win), BPEL_EINVAL);
    print_message("  %s\n", bpel_errmsg());
    assert_non_null(strstr(bpel_errmsg(), "holds no bin that they fill completely"));
    unload(&u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glass_modes),
        cmocka_unit_test(test_fcc_phonons),
        cmocka_unit_test(test_unminimised),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_window_limits),
    };
    return cmocka_run_group_tests(tests, make_glass, NULL);
}
