/* test_modes_sparse.c — spectrum slicing of the sparse dynamical matrix
 * (modes_sparse.h) against the dense LAPACK route on the same glass:
 *   the same eigenvalues below ω_c (1e-8 relative), the same count, residuals
 *   at the stated tolerance, the same per-atom I_BP (1e-6 relative) and g(ω);
 *   no mode lost at slice boundaries, with many small slices, on a glass
 *   replicated 3×1×1 whose modes at q = ±2π/3a come in exactly degenerate pairs;
 *   the inertia count reported equals the modes returned; eigenvalues below the
 *   interval (an unrelaxed structure) are counted and left out. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "eam.h"
#include "error.h"
#include "hessian.h"
#include "modes_sparse.h"
#include "units.h"
#include "vdos.h"

#include <petscsys.h>

static char glass_path[1024], rep_path[1024];

/* 160-atom Cu50Zr50 glass quenched and minimised by LAMMPS, and the same glass
 * replicated 3×1×1 (still a minimum). */
static int make_glass(void **st)
{
    char after[1200];
    snprintf(rep_path, sizeof rep_path, "%s", test_tmp("sparse_glass3.data"));
    snprintf(after, sizeof after, "replicate 3 1 1\nwrite_data %s\n", rep_path);
    test_lammps_glass("sparse_glass", 2718, 8281, after, glass_path, sizeof glass_path);
    return 0;
}

typedef struct {
    bpel_system *s;
    bpel_eam *pot;
    bpel_model *model;
    hess_model *m;
} setup;

static void load(setup *u, const char *path)
{
    if (!glass_path[0]) skip();
    assert_int_equal(bpel_data_read(path, &u->s), 0);
    assert_int_equal(bpel_eam_read(test_potential("CuZr_mm.eam.fs"), NULL, &u->pot), 0);
    assert_int_equal(bpel_model_create(u->pot, u->s, "Cu,Zr", &u->model), 0);
    assert_int_equal(bpel_hess_model_create(u->model, u->s, 0, &u->m), 0);
}

static void unload(setup *u)
{
    bpel_hess_model_destroy(u->m);
    bpel_model_destroy(u->model);
    bpel_eam_destroy(u->pot);
    bpel_system_destroy(u->s);
}

/* Every mode of the glass by the dense route, the reference. */
static vib_modes *all_modes(const setup *u)
{
    vib_params p = {.solver = "dsyevr", .max_omega = 0};
    vib_modes *all;
    assert_int_equal(bpel_vib_modes_compute(u->m, u->s, &p, &all), 0);
    return all;
}

/* The atoms' masses, amu. */
static double *masses_of(const setup *u)
{
    double *mass = malloc(u->s->n * sizeof *mass);
    assert_non_null(mass);
    for (size_t i = 0; i < u->s->n; i++) mass[i] = system_mass(u->s, i);
    return mass;
}

/* An ω between two well separated modes near `near` (rad/ps), so that the
 * window bound cuts no multiplet: the middle of the widest gap among the
 * dense modes within ±20 % of it. */
static double bound_in_gap(const vib_modes *all, double near)
{
    double best = 0, w = near;
    for (size_t k = 1; k < all->nmodes; k++) {
        double a = all->omega[k - 1], b = all->omega[k];
        if (a > 0.8 * near && b < 1.2 * near && b - a > best) {
            best = b - a;
            w = 0.5 * (a + b);
        }
    }
    return w;
}

/* nev > 0: many small slices of SLEPc; basis > 0: many small shifts of the block solver
 * (block size `block`); block > 0 alone: the block solver through bpel_vib_modes_compute.
 * Returns the block solver's shifts redone (basis > 0), else 0. */
static int compare(setup *u, double near, int nev, int block, size_t basis)
{
    vib_modes *all = all_modes(u);
    const double wc = bound_in_gap(all, near);
    vib_params pd = {.solver = "dsyevr", .max_omega = wc}, ps = {.solver = block ? VIB_BLOCK_SOLVER : VIB_SPARSE_SOLVER, .max_omega = wc};
    vib_modes *vd, *vs;
    assert_int_equal(bpel_vib_modes_compute(u->m, u->s, &pd, &vd), 0);
    if (nev || basis) {
        /* many small slices: call the solver directly with a small nev */
        hess_sparse *h;
        assert_int_equal(bpel_hess_build_sparse(u->m, &h), 0);
        double *mass = masses_of(u);
        sparse_eig_params sp;
        bpel_sparse_eig_params_default(&sp);
        sp.lambda_c = pow(wc / BPEL_OMEGA_FACTOR, 2);
        sp.nev = nev;
        if (basis) {
            sp.method = SPARSE_BLOCK;
            sp.block = block;
            sp.basis = basis;
        }
        sparse_eig_result r;
        int rc = bpel_sparse_eig_solve(h, mass, &sp, &r);
        if (rc) print_message("  %s\n", bpel_errmsg());
        assert_int_equal(rc, 0);
        print_message("  %s %d: %zu pairs, %d factorisations (%d shifts redone), inertia count %zu, max residual "
                      "%.2g\n",
                      basis ? "block, basis" : "nev", basis ? (int)basis : nev, r.m, r.nshifts, r.retries,
                      r.count_inertia, r.max_residual);
        assert_true(r.nshifts > 3); /* really sliced */
        assert_int_equal(r.m, vd->nmodes);
        assert_int_equal(r.count_inertia, r.m);
        assert_true(r.max_residual < 1e-9);
        for (size_t k = 0; k < r.m; k++) ASSERT_REL(r.w[k], vd->lambda[k], 1e-8, 1e-3 * sp.lambda_c);
        if (basis) {
            /* per-atom weights instead of eigenvectors: the same pairs, |e_k^i|² in single precision,
             * the weight in the translation subspace; degenerate pairs are compared through their sum */
            /* ... with the Hessian given back once D is built: the shifts then factorise D − σI
             * shifted in place and the residuals are checked with it */
            sparse_eig_result rc_;
            sp.compact = 1;
            hess_sparse *h2;
            assert_int_equal(bpel_hess_build_sparse(u->m, &h2), 0);
            sp.give_hessian = &h2;
            sp.give_always = 1; /* memory does not limit these bases */
            assert_int_equal(bpel_sparse_eig_solve(h2, mass, &sp, &rc_), 0);
            assert_null(h2);
            assert_int_equal(rc_.m, r.m);
            assert_int_equal(rc_.compact, 1);
            assert_null(rc_.z);
            assert_true(rc_.max_residual < 1e-9);
            assert_true(rc_.nshifts > 3);
            const size_t N = u->s->n;
            double Mt = 0;
            for (size_t i = 0; i < N; i++) Mt += mass[i];
            /* per cluster of equal eigenvalues (a degenerate multiplet's weights summed are
             * independent of the basis chosen in it) */
            for (size_t k0 = 0, k1; k0 < r.m; k0 = k1) {
                for (k1 = k0 + 1; k1 < r.m && r.w[k1] - r.w[k1 - 1] < 1e-6 * sp.lambda_c; k1++) {}
                double tz = 0, tc = 0;
                for (size_t k = k0; k < k1; k++) {
                    /* D − σI rounded differently; the translations (λ = 0) come out within ~3e-12 λ_c
                     * of 0 from a shift far above them */
                    ASSERT_REL(rc_.w[k], r.w[k], 1e-9, 1e-2 * sp.lambda_c);
                    double t[3] = {0, 0, 0};
                    for (size_t i = 0; i < N; i++)
                        for (int d = 0; d < 3; d++) t[d] += sqrt(mass[i] / Mt) * r.z[k * 3 * N + 3 * i + d];
                    tz += t[0] * t[0] + t[1] * t[1] + t[2] * t[2];
                    tc += rc_.trans[k];
                }
                ASSERT_NEAR(tc, tz, 1e-9);
                for (size_t i = 0; i < N; i++) {
                    double wz = 0, wc = 0;
                    for (size_t k = k0; k < k1; k++) {
                        const double *e = r.z + k * 3 * N + 3 * i;
                        wz += e[0] * e[0] + e[1] * e[1] + e[2] * e[2];
                        wc += rc_.wt[k * N + i];
                    }
                    ASSERT_NEAR(wc, wz, 1e-6);
                }
            }
            bpel_sparse_eig_result_free(&rc_);
        }
        int redone = r.retries;
        bpel_sparse_eig_result_free(&r);
        free(mass);
        bpel_hess_sparse_destroy(h);
        bpel_vib_modes_destroy(vd);
        bpel_vib_modes_destroy(all);
        return redone;
    }
    assert_int_equal(bpel_vib_modes_compute(u->m, u->s, &ps, &vs), 0);
    print_message("  %zu atoms, omega_c %.3f rad/ps: dense %zu modes, sparse %zu modes, %d factorisations, "
                  "max residual %.2g eV/(A^2 amu)\n",
                  u->s->n, wc, vd->nmodes, vs->nmodes, vs->sparse_shifts, vs->sparse_residual);
    assert_string_equal(vs->solver, block ? VIB_BLOCK_SOLVER : VIB_SPARSE_SOLVER);
    assert_int_equal(vs->nmodes, vd->nmodes);
    assert_true(vs->nmodes > 50);
    assert_int_equal(vs->ntranslation, 3);
    assert_int_equal(vs->nnegative, 0);
    assert_int_equal(vs->sparse_below, 0);
    assert_true(vs->sparse_residual < 1e-9);
    const double lc = pow(wc / BPEL_OMEGA_FACTOR, 2);
    for (size_t k = 0; k < vs->nmodes; k++) {
        ASSERT_REL(vs->lambda[k], vd->lambda[k], 1e-8, 1e-3 * lc);
        /* eigenvectors unit-norm and eigenvectors of D: |<e_s|e_d>| = 1 for simple modes */
    }
    ASSERT_REL(vs->trace, vd->trace, 1e-12, 0);
    /* the same g(ω) bins and per-atom I_BP inside a window below ω_c */
    vdos_params vp = {0.5, 0.0, 2.0, wc - 0.01, 1};
    vib_vdos *gd, *gs;
    assert_int_equal(bpel_vib_vdos_compute(vd, &vp, &gd), 0);
    assert_int_equal(bpel_vib_vdos_compute(vs, &vp, &gs), 0);
    assert_int_equal(gs->nbins, gd->nbins);
    for (size_t b = 0; b < gd->nbins; b++) ASSERT_NEAR(gs->g[b], gd->g[b], 1e-12);
    double worst = 0;
    for (size_t i = 0; i < u->s->n; i++) {
        double d = fabs(gs->ibp[i] - gd->ibp[i]) / fmax(fabs(gd->ibp[i]), 1e-30);
        if (d > worst) worst = d;
        ASSERT_REL(gs->ibp[i], gd->ibp[i], 1e-6, 0);
    }
    print_message("  per-atom I_BP: largest relative difference %.2g\n", worst);
    ASSERT_REL(gs->bp_height, gd->bp_height, 1e-10, 0);
    bpel_vib_vdos_destroy(gd);
    bpel_vib_vdos_destroy(gs);
    bpel_vib_modes_destroy(vs);
    bpel_vib_modes_destroy(vd);
    bpel_vib_modes_destroy(all);
    return 0;
}

static void test_sparse_matches_dense(void **st)
{
    setup u;
    load(&u, glass_path);
    compare(&u, 14.0, 0, 0, 0);
    unload(&u);
}

static void test_block_matches_dense(void **st)
{
    setup u;
    load(&u, glass_path);
    compare(&u, 14.0, 0, 64, 0);
    unload(&u);
}

/* The block solver keeping per-atom weights only (single precision): the same g(ω), per-atom I_BP
 * within 1e-6 and participation ratios as the dense window. */
static void test_block_weights_only(void **st)
{
    setup u;
    load(&u, glass_path);
    vib_params pd = {.solver = "dsyevr", .max_omega = 14.0}, pb = {.solver = VIB_BLOCK_SOLVER, .max_omega = 14.0, .need_vectors = -1};
    vib_modes *vd, *vb;
    assert_int_equal(bpel_vib_modes_compute(u.m, u.s, &pd, &vd), 0);
    assert_int_equal(bpel_vib_modes_compute(u.m, u.s, &pb, &vb), 0);
    assert_null(vb->z);
    assert_non_null(vb->wt);
    assert_int_equal(vb->nmodes, vd->nmodes);
    assert_int_equal(vb->ntranslation, 3);
    for (size_t k = 0; k < vb->nmodes; k++)
        if (k > 0 && !vd->is_translation[k] && (k + 1 == vd->nmodes || vd->lambda[k + 1] - vd->lambda[k] > 1e-8) &&
            vd->lambda[k] - vd->lambda[k - 1] > 1e-8)
            ASSERT_REL(vb->pr[k], vd->pr[k], 1e-5, 0);
    vdos_params vp = {0.5, 0.0, 2.0, 13.0, 1};
    vib_vdos *gd, *gb;
    assert_int_equal(bpel_vib_vdos_compute(vd, &vp, &gd), 0);
    assert_int_equal(bpel_vib_vdos_compute(vb, &vp, &gb), 0);
    for (size_t b = 0; b < gd->nbins; b++) ASSERT_NEAR(gb->g[b], gd->g[b], 1e-12);
    for (size_t i = 0; i < u.s->n; i++) ASSERT_REL(gb->ibp[i], gd->ibp[i], 1e-6, 0);
    bpel_vib_vdos_destroy(gd);
    bpel_vib_vdos_destroy(gb);
    bpel_vib_modes_destroy(vb);
    bpel_vib_modes_destroy(vd);
    unload(&u);
}

/* Eigenvalues below λ_lo (an unrelaxed structure): the block solver assumes none, and the first
 * shift must find that wrong, count them, and still return exactly the pairs in [λ_lo, λ_c). D is
 * shifted down by c (c·m_i taken off each diagonal block of H), so the pairs expected are the
 * dense λ_k − c; c and λ_c put both ends in gaps of the dense spectrum, with 6 or more modes
 * (the translations among them) below λ_lo. */
static double widest_gap_lambda(const vib_modes *all, size_t k0, size_t k1)
{
    double best = 0, at = 0;
    for (size_t k = k0 + 1; k <= k1 && k < all->nmodes; k++)
        if (all->lambda[k] - all->lambda[k - 1] > best) {
            best = all->lambda[k] - all->lambda[k - 1];
            at = 0.5 * (all->lambda[k] + all->lambda[k - 1]);
        }
    return at;
}

static void test_block_modes_below_lo(void **st)
{
    setup u;
    load(&u, rep_path);
    vib_modes *all = all_modes(&u);
    const double glo = widest_gap_lambda(all, 6, 30), ghi = pow(bound_in_gap(all, 13.0) / BPEL_OMEGA_FACTOR, 2);
    sparse_eig_params sp;
    bpel_sparse_eig_params_default(&sp);
    sp.method = SPARSE_BLOCK;
    sp.lambda_c = (ghi - glo) / (1.0 + sp.lower_frac);
    const double c = glo + sp.lower_frac * sp.lambda_c; /* λ_lo + c = glo, λ_c + c = ghi */
    size_t nlo = 0, nwin = 0;
    for (size_t k = 0; k < all->nmodes; k++) {
        if (all->lambda[k] < glo) nlo++;
        else if (all->lambda[k] < ghi) nwin++;
    }
    assert_true(nlo >= 6);
    hess_sparse *h;
    assert_int_equal(bpel_hess_build_sparse(u.m, &h), 0);
    double *mass = masses_of(&u);
    for (size_t a = 0; a < u.s->n; a++) {
        int seen = 0;
        for (size_t q = h->rowptr[a]; q < h->rowptr[a + 1]; q++)
            if (h->col[q] == a) {
                for (int x = 0; x < 3; x++) h->val[9 * q + 4 * x] -= c * mass[a];
                seen = 1;
            }
        assert_true(seen);
    }
    sparse_eig_result r;
    int rc = bpel_sparse_eig_solve(h, mass, &sp, &r);
    if (rc) print_message("  %s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    print_message("  %zu modes below lambda_lo by inertia (%zu by dense), %zu pairs (%zu), %d factorisations, %d shifts "
                  "redone\n",
                  r.below, nlo, r.m, nwin, r.nshifts, r.retries);
    assert_int_equal(r.below, nlo);
    assert_int_equal(r.m, nwin);
    assert_int_equal(r.count_inertia, nwin);
    assert_true(r.retries >= 1); /* the first shift was redone once the count showed what it missed */
    assert_true(r.max_residual < 1e-9);
    for (size_t k = 0; k < r.m; k++) ASSERT_REL(r.w[k], all->lambda[nlo + k] - c, 1e-8, 1e-3 * sp.lambda_c);
    bpel_sparse_eig_result_free(&r);
    free(mass);
    bpel_hess_sparse_destroy(h);
    bpel_vib_modes_destroy(all);
    unload(&u);
}

/* Exactly degenerate pairs across many slice boundaries: none lost or doubled. */
static void test_degenerate_slices(void **st)
{
    setup u;
    load(&u, rep_path);
    vib_modes *all = all_modes(&u);
    size_t pairs = 0;
    for (size_t k = 4; k < all->nmodes && all->omega[k] < 10; k++)
        if (fabs(all->lambda[k] - all->lambda[k - 1]) < 1e-10 * all->lambda[k]) pairs++;
    print_message("  replicated glass: %zu atoms, %zu exactly degenerate pairs below 10 rad/ps\n", u.s->n, pairs);
    assert_true(pairs >= 10);
    bpel_vib_modes_destroy(all);
    compare(&u, 9.0, 12, 0, 0);
    /* the block solver with blocks of 2 (an exact pair can fill a block) and of 5, and bases of
     * 60 and 100 vectors, so that 24 and 40 pairs are meant for a shift: many shifts, boundaries
     * among exact pairs */
    int redone = compare(&u, 9.0, 0, 2, 60);
    redone += compare(&u, 9.0, 0, 5, 100);
    /* among them, shifts whose basis filled before the pairs below them converged, redone with a
     * larger basis or a lower shift: that path too is checked against dense here */
    assert_true(redone > 0);
    unload(&u);
}

/* The fill-reducing ordering: of AMF and MUMPS's automatic choice the one MUMPS estimates to need
 * less memory, unless the PETSc options name one; the pairs do not depend on it. On a glass this
 * small MUMPS's automatic choice may be AMF itself, so the choice between two different
 * estimates is shown on large glasses only (docs/vibrations.md); here the options' ordering being
 * kept (AMD, whose estimate differs) and the pairs' independence of the ordering are what can fail. */
static void solve_with_ordering(const hess_sparse *h, const double *mass, double lc, const char *ord,
                                sparse_eig_result *r)
{
    if (ord) assert_int_equal(PetscOptionsSetValue(NULL, "-mat_mumps_icntl_7", ord), 0);
    sparse_eig_params sp;
    bpel_sparse_eig_params_default(&sp);
    sp.lambda_c = lc;
    sp.method = SPARSE_BLOCK;
    int rc = bpel_sparse_eig_solve(h, mass, &sp, r);
    if (ord) assert_int_equal(PetscOptionsClearValue(NULL, "-mat_mumps_icntl_7"), 0);
    if (rc) print_message("  %s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
}

static void test_factor_ordering(void **st)
{
    setup u;
    load(&u, rep_path);
    hess_sparse *h;
    assert_int_equal(bpel_hess_build_sparse(u.m, &h), 0);
    double *mass = masses_of(&u);
    const double lc = pow(9.0 / BPEL_OMEGA_FACTOR, 2);
    sparse_eig_result r, amf, automatic, amd;
    solve_with_ordering(h, mass, lc, NULL, &r);
    solve_with_ordering(h, mass, lc, "2", &amf);
    solve_with_ordering(h, mass, lc, "7", &automatic); /* MUMPS's automatic choice */
    solve_with_ordering(h, mass, lc, "0", &amd);
    print_message("  MUMPS's estimate: AMF %.4g MB, automatic (ordering %d) %.4g MB, AMD %.4g MB; chosen ordering "
                  "%d (%.4g MB)\n",
                  amf.factor_bytes / 1e6, automatic.factor_ordering, automatic.factor_bytes / 1e6, amd.factor_bytes / 1e6,
                  r.factor_ordering, r.factor_bytes / 1e6);
    assert_int_equal(amf.factor_ordering, 2);
    assert_int_equal(amd.factor_ordering, 0); /* an ordering named in the options is kept */
    assert_true(r.factor_ordering == amf.factor_ordering || r.factor_ordering == automatic.factor_ordering);
    assert_true(r.factor_bytes == fmin(amf.factor_bytes, automatic.factor_bytes));
    assert_int_equal(amd.m, r.m);
    assert_int_equal(amf.m, r.m);
    assert_int_equal(automatic.m, r.m);
    for (size_t k = 0; k < r.m; k++) { /* 1e-9 relative, 1e-11 λ_c near 0 (the translations) */
        ASSERT_REL(amd.w[k], r.w[k], 1e-9, 1e-2 * lc);
        ASSERT_REL(amf.w[k], r.w[k], 1e-9, 1e-2 * lc);
        ASSERT_REL(automatic.w[k], r.w[k], 1e-9, 1e-2 * lc);
    }
    bpel_sparse_eig_result_free(&r);
    bpel_sparse_eig_result_free(&amf);
    bpel_sparse_eig_result_free(&automatic);
    bpel_sparse_eig_result_free(&amd);
    free(mass);
    bpel_hess_sparse_destroy(h);
    unload(&u);
}

/* Refusals: no window, and a bound that is not positive. */
static void test_sparse_refusals(void **st)
{
    setup u;
    load(&u, glass_path);
    vib_params p = {.solver = VIB_SPARSE_SOLVER, .max_omega = 0};
    vib_modes *v = NULL;
    assert_int_equal(bpel_vib_modes_compute(u.m, u.s, &p, &v), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "--max-omega"));
    hess_sparse *h;
    assert_int_equal(bpel_hess_build_sparse(u.m, &h), 0);
    double mass[1] = {1};
    sparse_eig_params sp;
    bpel_sparse_eig_params_default(&sp);
    sparse_eig_result r;
    assert_int_equal(bpel_sparse_eig_solve(h, mass, &sp, &r), BPEL_EINVAL);
    bpel_hess_sparse_destroy(h);
    unload(&u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sparse_matches_dense),
        cmocka_unit_test(test_block_matches_dense),
        cmocka_unit_test(test_block_weights_only),
        cmocka_unit_test(test_block_modes_below_lo),
        cmocka_unit_test(test_degenerate_slices),
        cmocka_unit_test(test_factor_ordering),
        cmocka_unit_test(test_sparse_refusals),
    };
    return cmocka_run_group_tests(tests, make_glass, NULL);
}
