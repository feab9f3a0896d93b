/* test_hessian.c — the analytic EAM Hessian against central finite
 * differences of bpel's forces and of LAMMPS's forces, symmetry, translation
 * invariance, small periodic boxes, dense vs sparse, Matrix Market output.
 *
 * Column check: for column (k,β), err = ‖H e_kβ − H_FD e_kβ‖ / ‖H e_kβ‖.
 * The splines are C¹, so FD columns scatter by up to ~1 % where a pair sits
 * near a knot; the tolerance COL_TOL is set above that scatter and the tests
 * show that the diagnostic variants (cross term dropped, wrong species pair,
 * the F'' term with the wrong sign) land far above it. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eam.h"
#include "error.h"
#include "forces.h"
#include "hessian.h"

#define COL_TOL 0.005 /* max relative column error accepted */

typedef struct {
    bpel_system *s;
    bpel_eam *pot;
    bpel_model *model;
} setup;

static void make(setup *u, bpel_system *s, const char *potname, const char *elements)
{
    u->s = s;
    assert_int_equal(bpel_eam_read(test_potential(potname), NULL, &u->pot), 0);
    assert_int_equal(bpel_model_create(u->pot, s, elements, &u->model), 0);
}

static void unmake(setup *u)
{
    bpel_system_destroy(u->s);
    bpel_model_destroy(u->model);
    bpel_eam_destroy(u->pot);
}

/* The glass-like test configuration: 128 random Cu/Zr atoms at the density
 * of Cu50Zr50 (box 13.0 Å, narrower than twice the 7.6 Å cutoff). */
static bpel_system *glass128(void) { return test_random(128, 13.0, 2, 2.1, 7); }

static double *dense_of(const hess_sparse *h)
{
    size_t n3 = 3 * h->n;
    double *H = calloc(n3 * n3, sizeof *H);
    for (size_t a = 0; a < h->n; a++)
        for (size_t k = h->rowptr[a]; k < h->rowptr[a + 1]; k++)
            for (int al = 0; al < 3; al++)
                for (int be = 0; be < 3; be++)
                    H[(3 * a + al) * n3 + 3 * (size_t)h->col[k] + be] = h->val[9 * k + 3 * al + be];
    return H;
}

static double *build_dense(setup *u, int flags)
{
    hess_model *m;
    assert_int_equal(bpel_hess_model_create(u->model, u->s, flags, &m), 0);
    hess_sparse *h;
    assert_int_equal(bpel_hess_build_sparse(m, &h), 0);
    double *H = dense_of(h);
    bpel_hess_sparse_destroy(h);
    bpel_hess_model_destroy(m);
    return H;
}

/* Finite-difference Hessian columns from bpel forces: fd[c*n3 + row]. */
static double *fd_columns(setup *u, const size_t *cols, size_t ncol, double step)
{
    bpel_forces *ff;
    assert_int_equal(bpel_forces_create(u->model, u->s, 1.0, &ff), 0);
    size_t n3 = 3 * u->s->n;
    double *fd = calloc(ncol * n3, sizeof *fd);
    double *fp = malloc(n3 * sizeof *fp);
    bpel_eval ev;
    for (size_t c = 0; c < ncol; c++) {
        size_t col = cols[c];
        double x0 = u->s->x[col];
        u->s->x[col] = x0 + step;
        assert_int_equal(bpel_forces_compute(ff, u->s, 0, &ev), 0);
        memcpy(fp, ev.f, n3 * sizeof *fp);
        u->s->x[col] = x0 - step;
        assert_int_equal(bpel_forces_compute(ff, u->s, 0, &ev), 0);
        u->s->x[col] = x0;
        for (size_t r = 0; r < n3; r++) fd[c * n3 + r] = -(fp[r] - ev.f[r]) / (2 * step);
    }
    free(fp);
    bpel_forces_destroy(ff);
    return fd;
}

static double column_error(const double *H, size_t n3, size_t col, const double *fd)
{
    double num = 0, den = 0;
    for (size_t r = 0; r < n3; r++) {
        double h = H[r * n3 + col];
        num += (h - fd[r]) * (h - fd[r]);
        den += h * h;
    }
    return sqrt(num / den);
}

static double max_column_error(const double *H, size_t n3, const size_t *cols, size_t ncol, const double *fd)
{
    double e = 0;
    for (size_t c = 0; c < ncol; c++) e = fmax(e, column_error(H, n3, cols[c], &fd[c * n3]));
    return e;
}

static size_t *all_columns(size_t n3)
{
    size_t *c = malloc(n3 * sizeof *c);
    for (size_t k = 0; k < n3; k++) c[k] = k;
    return c;
}

static void test_rho_matches_forces(void **st)
{
    setup u;
    make(&u, glass128(), "CuZr_mm.eam.fs", "Cu,Zr");
    hess_model *m;
    assert_int_equal(bpel_hess_model_create(u.model, u.s, 0, &m), 0);
    bpel_forces *ff;
    assert_int_equal(bpel_forces_create(u.model, u.s, 1.0, &ff), 0);
    bpel_eval ev;
    assert_int_equal(bpel_forces_compute(ff, u.s, 0, &ev), 0);
    for (size_t i = 0; i < u.s->n; i++) ASSERT_REL(bpel_hess_model_rho(m)[i], ev.rho[i], 1e-12, 1e-12);
    bpel_forces_destroy(ff);
    bpel_hess_model_destroy(m);
    unmake(&u);
}

/* Every column of a 128-atom glass in a box narrower than two cutoffs, and
 * proof that wrong Hessians fail the same check. */
static void check_fd_all_columns(setup *u, double step, int expect_species_effect)
{
    size_t n3 = 3 * u->s->n;
    size_t *cols = all_columns(n3);
    double *fd = fd_columns(u, cols, n3, step);
    double *H = build_dense(u, 0);
    double e = max_column_error(H, n3, cols, n3, fd);
    print_message("  h = %g Å: max column error %.3g\n", step, e);
    ASSERT_NEAR(e, 0.0, COL_TOL);

    double *Hc = build_dense(u, HESS_OMIT_CROSS);
    double ec = max_column_error(Hc, n3, cols, n3, fd);
    print_message("  without the embedding cross term: %.3g\n", ec);
    assert_true(ec > 4 * COL_TOL);
    free(Hc);

    if (expect_species_effect) {
        double *Hs = build_dense(u, HESS_WRONG_SPECIES);
        double es = max_column_error(Hs, n3, cols, n3, fd);
        print_message("  with each neighbour's density taken for the centre's species: %.3g\n", es);
        assert_true(es > 4 * COL_TOL);
        free(Hs);
    }
    /* wrong sign of the F'' term: H − 2·(F'' part); the F'' part is H(full) − H(no F'').
     * Emulate with the cross-term difference: H + 2 (H − H_nocross) flips the cross term. */
    double *Hn = build_dense(u, HESS_OMIT_CROSS);
    for (size_t k = 0; k < n3 * n3; k++) Hn[k] = 2 * Hn[k] - H[k];
    double ew = max_column_error(Hn, n3, cols, n3, fd);
    print_message("  with the cross term's sign flipped: %.3g\n", ew);
    assert_true(ew > 4 * COL_TOL);
    free(Hn);
    free(H);
    free(fd);
    free(cols);
}

static void test_fd_glass(void **st)
{
    setup u;
    make(&u, glass128(), "CuZr_mm.eam.fs", "Cu,Zr");
    check_fd_all_columns(&u, 1e-4, 1);
    unmake(&u);
}

/* A triclinic box (tilts xy, xz, yz) narrower than two cutoffs. */
static void test_fd_triclinic(void **st)
{
    setup u;
    bpel_system *s = glass128();
    s->box.xy = 3.1;
    s->box.xz = -1.7;
    s->box.yz = 2.2;
    bpel_system_wrap(s);
    make(&u, s, "CuZr_mm.eam.fs", "Cu,Zr");
    size_t n3 = 3 * u.s->n;
    size_t *cols = all_columns(n3);
    double *fd = fd_columns(&u, cols, n3, 1e-4);
    double *H = build_dense(&u, 0);
    double e = max_column_error(H, n3, cols, n3, fd);
    print_message("  triclinic: max column error %.3g\n", e);
    ASSERT_NEAR(e, 0.0, COL_TOL);
    free(H);
    free(fd);
    free(cols);
    unmake(&u);
}

/* A box wider than twice the cutoff (432 atoms, 19.6 Å): couplings stop at
 * 2 × 7.6 Å, and a spread of columns still matches the forces. */
static void test_fd_glass_large_box(void **st)
{
    setup u;
    make(&u, test_random(432, 19.6, 2, 2.1, 11), "CuZr_mm.eam.fs", "Cu,Zr");
    size_t n3 = 3 * u.s->n, cols[30];
    for (size_t c = 0; c < 30; c++) cols[c] = (c * 43 + c % 3) % n3;
    double *fd = fd_columns(&u, cols, 30, 1e-4);
    double *H = build_dense(&u, 0);
    double e = max_column_error(H, n3, cols, 30, fd);
    print_message("  max column error %.3g\n", e);
    ASSERT_NEAR(e, 0.0, COL_TOL);
    double *Hc = build_dense(&u, HESS_OMIT_CROSS);
    assert_true(max_column_error(Hc, n3, cols, 30, fd) > 4 * COL_TOL);
    /* range: no coupling beyond two cutoffs, some beyond one */
    size_t beyond_one = 0;
    for (size_t i = 0; i < u.s->n; i++)
        for (size_t j = 0; j < u.s->n; j++) {
            double d[3];
            for (int k = 0; k < 3; k++) d[k] = u.s->x[3 * j + k] - u.s->x[3 * i + k];
            bpel_box_minimum_image(&u.s->box, d);
            double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]), blk = 0;
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) blk = fmax(blk, fabs(H[(3 * i + a) * n3 + 3 * j + b]));
            if (r >= 2 * 7.6) assert_true(blk == 0.0);
            if (r > 7.6 && blk > 0) beyond_one++;
        }
    print_message("  %zu atom pairs beyond one cutoff are coupled\n", beyond_one);
    assert_true(beyond_one > 0);
    free(Hc);
    free(H);
    free(fd);
    unmake(&u);
}

/* fcc Cu (funcfl), 2×2×2 cells = 7.2 Å box: each pair appears through
 * several images; thermal-like displacements break the symmetry. */
static void test_fd_crystal_small_box(void **st)
{
    setup u;
    make(&u, test_fcc(2, 3.615, 1, 1.0, 0.05, 3), "Cu_u3.eam", "Cu");
    check_fd_all_columns(&u, 1e-4, 0);
    unmake(&u);
}

static void test_symmetry_translation(void **st)
{
    setup u;
    make(&u, glass128(), "CuZr_mm.eam.fs", "Cu,Zr");
    hess_model *m;
    assert_int_equal(bpel_hess_model_create(u.model, u.s, 0, &m), 0);
    hess_sparse *h;
    assert_int_equal(bpel_hess_build_sparse(m, &h), 0);
    double asym, rowsum, hmax = 0;
    bpel_hess_sparse_checks(h, &asym, &rowsum);
    for (size_t k = 0; k < 9 * h->rowptr[h->n]; k++) hmax = fmax(hmax, fabs(h->val[k]));
    print_message("  max |H| %.3g, asymmetry %.3g, row sum %.3g eV/Å²\n", hmax, asym, rowsum);
    ASSERT_NEAR(asym / hmax, 0.0, 1e-13);
    ASSERT_NEAR(rowsum / hmax, 0.0, 1e-12);
    /* The diagnostic without cross terms breaks translation invariance,
     * so the row-sum check above can fail. */
    hess_model *mc;
    assert_int_equal(bpel_hess_model_create(u.model, u.s, HESS_OMIT_CROSS, &mc), 0);
    hess_sparse *hc;
    assert_int_equal(bpel_hess_build_sparse(mc, &hc), 0);
    bpel_hess_sparse_checks(hc, &asym, &rowsum);
    assert_true(rowsum / hmax > 1e-3);
    bpel_hess_sparse_destroy(hc);
    bpel_hess_model_destroy(mc);

    /* dense (mass-weighted) equals sparse / √(m_a m_b) */
    size_t n3 = 3 * u.s->n;
    double *D = malloc(n3 * n3 * sizeof *D);
    double *mass = malloc(u.s->n * sizeof *mass);
    for (size_t i = 0; i < u.s->n; i++) mass[i] = system_mass(u.s, i);
    assert_int_equal(bpel_hess_build_dense(m, mass, D, n3), 0);
    double *H = dense_of(h);
    for (size_t i = 0; i < n3; i++)
        for (size_t j = 0; j < n3; j++)
            ASSERT_NEAR(D[i + n3 * j], H[i * n3 + j] / sqrt(mass[i / 3] * mass[j / 3]), 1e-14 * hmax);
    /* matvec agrees with the dense product */
    double *x = malloc(n3 * sizeof *x), *y = malloc(n3 * sizeof *y);
    for (size_t i = 0; i < n3; i++) x[i] = sin(0.37 * i);
    bpel_hess_sparse_matvec(h, x, y);
    for (size_t i = 0; i < n3; i++) {
        double s = 0;
        for (size_t j = 0; j < n3; j++) s += H[i * n3 + j] * x[j];
        ASSERT_NEAR(y[i], s, 1e-11 * hmax);
    }
    /* couplings reach beyond one cutoff through the embedding term */
    size_t maxrow = 0;
    for (size_t a = 0; a < h->n; a++) maxrow = h->rowptr[a + 1] - h->rowptr[a] > maxrow ? h->rowptr[a + 1] - h->rowptr[a] : maxrow;
    print_message("  largest block row: %zu atoms of %zu\n", maxrow, h->n);
    free(x);
    free(y);
    free(H);
    free(D);
    free(mass);
    bpel_hess_sparse_destroy(h);
    bpel_hess_model_destroy(m);
    unmake(&u);
}

/* The block pattern against the dense Hessian: no stored block is all zero,
 * no nonzero of the dense Hessian lies outside the pattern, and the stored
 * values are the dense ones. Returns the number of stored blocks. With
 * range > 0, also: no block is stored between atoms whose nearest images
 * are range or more apart. */
static size_t check_pattern(setup *u, double range)
{
    hess_model *m;
    assert_int_equal(bpel_hess_model_create(u->model, u->s, 0, &m), 0);
    hess_sparse *h;
    assert_int_equal(bpel_hess_build_sparse(m, &h), 0);
    size_t n = h->n, n3 = 3 * n, nb = h->rowptr[n];
    double *D = malloc(n3 * n3 * sizeof *D);
    assert_int_equal(bpel_hess_build_dense(m, NULL, D, n3), 0);
    unsigned char *stored = calloc(n * n, 1);
    for (size_t a = 0; a < n; a++)
        for (size_t k = h->rowptr[a]; k < h->rowptr[a + 1]; k++) {
            size_t b = h->col[k];
            if (k > h->rowptr[a]) assert_true(h->col[k - 1] < b); /* sorted, no repeats */
            stored[a * n + b] = 1;
            double mx = 0;
            for (int q = 0; q < 9; q++) {
                double x = h->val[9 * k + q];
                mx = fmax(mx, fabs(x));
                assert_true(x == D[(3 * a + q / 3) + n3 * (3 * b + q % 3)]);
            }
            assert_true(mx > 0); /* a stored block holds a nonzero */
            if (range > 0) {
                double d[3];
                for (int c = 0; c < 3; c++) d[c] = u->s->x[3 * b + c] - u->s->x[3 * a + c];
                bpel_box_minimum_image(&u->s->box, d);
                assert_true(sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) < range);
            }
        }
    size_t missing = 0;
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++) {
            if (stored[a * n + b]) continue;
            for (int al = 0; al < 3; al++)
                for (int be = 0; be < 3; be++) missing += D[(3 * a + al) + n3 * (3 * b + be)] != 0.0;
        }
    assert_int_equal(missing, 0);
    print_message("  %zu blocks, %.1f per row (of %zu atoms)\n", nb, (double)nb / n, n);
    free(stored);
    free(D);
    bpel_hess_sparse_destroy(h);
    bpel_hess_model_destroy(m);
    return nb;
}

static void test_pattern(void **st)
{
    setup u;
    /* a box narrower than two cutoffs: every atom pair couples through some image */
    make(&u, glass128(), "CuZr_mm.eam.fs", "Cu,Zr");
    check_pattern(&u, 0);
    unmake(&u);
    /* a wider box: CuZr_mm's densities end at 6.0 Å (pair terms at 7.6 Å), so
     * the cross terms reach 12 Å, and atoms 12.01 Å or more apart have no
     * block (the pattern of the full cutoffs reached 15.2 Å) */
    make(&u, test_random(432, 19.6, 2, 2.1, 11), "CuZr_mm.eam.fs", "Cu,Zr");
    size_t nb = check_pattern(&u, 12.01), far = 0;
    for (size_t i = 0; i < u.s->n; i++)
        for (size_t j = 0; j < u.s->n; j++) {
            double d[3];
            for (int c = 0; c < 3; c++) d[c] = u.s->x[3 * j + c] - u.s->x[3 * i + c];
            bpel_box_minimum_image(&u.s->box, d);
            double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
            far += r >= 12.01 && r < 2 * 7.6;
        }
    print_message("  %zu atom pairs 12.01-15.2 Å apart, none stored\n", far);
    assert_true(far > 0 && nb + far <= u.s->n * u.s->n);
    unmake(&u);
    /* an undisplaced fcc crystal in a 2×2×2-cell box: the images of a
     * neighbour at half the box cancel in ∂ρ_c/∂x, and the pattern still
     * matches the dense Hessian */
    make(&u, test_fcc(2, 3.615, 1, 1.0, 0.0, 3), "Cu_u3.eam", "Cu");
    check_pattern(&u, 0);
    unmake(&u);
}

/* LAMMPS forces at ±h for the columns of six atoms, one lmp run; returns the
 * FD columns (caller frees). */
static double *lammps_columns(setup *u, const char *tag, const char *pair_style, const char *pair_coeff,
                              const size_t *atoms, size_t natoms, size_t *cols, double step)
{
    char name[64];
    snprintf(name, sizeof name, "hess_%s.data", tag);
    const char *data = test_tmp(name);
    assert_int_equal(bpel_data_write(data, u->s, "hessian test"), 0);
    size_t ncol = 3 * natoms;
    char *script = malloc(1 << 20);
    size_t len = 0;
    len += sprintf(script + len,
                   "units metal\natom_style atomic\nboundary p p p\natom_modify map array sort 0 0\n"
                   "read_data %s\npair_style %s\npair_coeff %s\n"
                   "neighbor 1.0 bin\nneigh_modify every 1 delay 0 check yes\nthermo_style custom step pe\n",
                   data, pair_style, pair_coeff);
    static const char xyz[3] = {'x', 'y', 'z'};
    for (size_t c = 0; c < ncol; c++) {
        size_t i = atoms[c / 3], d = c % 3;
        cols[c] = 3 * i + d;
        for (int sgn = 0; sgn < 2; sgn++) {
            double v = u->s->x[3 * i + d] + (sgn ? -step : step);
            len += sprintf(script + len,
                           "set atom %lld %c %.17g\nrun 0\nwrite_dump all custom hess_%s_%zu_%d.dump id fx fy fz "
                           "modify sort id format float %%.17g\n",
                           (long long)u->s->id[i], xyz[d], v, tag, c, sgn);
        }
        len += sprintf(script + len, "set atom %lld %c %.17g\n", (long long)u->s->id[i], xyz[d], u->s->x[3 * i + d]);
    }
    snprintf(name, sizeof name, "hess_%s.in", tag);
    assert_int_equal(test_run_lammps(name, script), 0);
    free(script);
    size_t n3 = 3 * u->s->n;
    double *fd = calloc(ncol * n3, sizeof *fd);
    for (size_t c = 0; c < ncol; c++)
        for (int sgn = 0; sgn < 2; sgn++) {
            snprintf(name, sizeof name, "hess_%s_%zu_%d.dump", tag, c, sgn);
            FILE *fp = fopen(test_tmp(name), "r");
            assert_non_null(fp);
            char line[512];
            for (int k = 0; k < 9; k++) assert_non_null(fgets(line, sizeof line, fp));
            for (size_t i = 0; i < u->s->n; i++) {
                long long id;
                double f[3];
                assert_int_equal(fscanf(fp, "%lld %lf %lf %lf", &id, &f[0], &f[1], &f[2]), 4);
                assert_int_equal(id, u->s->id[i]); /* atoms are numbered 1..n in order here */
                for (int k = 0; k < 3; k++) fd[c * n3 + 3 * i + k] += (sgn ? 1 : -1) * f[k] / (2 * step);
            }
            fclose(fp);
        }
    return fd;
}

static void test_fd_lammps(void **st)
{
    if (!test_have_lammps()) skip();
    setup u;
    make(&u, glass128(), "CuZr_mm.eam.fs", "Cu,Zr");
    const size_t atoms[] = {0, 17, 63, 64, 101, 127};
    size_t cols[18], ncol = 18, n3 = 3 * u.s->n;
    char coeff[1200];
    snprintf(coeff, sizeof coeff, "* * %s Cu Zr", test_potential("CuZr_mm.eam.fs"));
    double *fd = lammps_columns(&u, "glass", "eam/fs", coeff, atoms, 6, cols, 1e-4);
    double *H = build_dense(&u, 0);
    double e = max_column_error(H, n3, cols, ncol, fd);
    print_message("  glass vs LAMMPS eam/fs forces: max column error %.3g\n", e);
    ASSERT_NEAR(e, 0.0, COL_TOL);
    double *Hc = build_dense(&u, HESS_OMIT_CROSS);
    double ec = max_column_error(Hc, n3, cols, ncol, fd);
    print_message("  without the cross term: %.3g\n", ec);
    assert_true(ec > 4 * COL_TOL);
    double *Hs = build_dense(&u, HESS_WRONG_SPECIES);
    double es = max_column_error(Hs, n3, cols, ncol, fd);
    print_message("  wrong species pair: %.3g\n", es);
    assert_true(es > 4 * COL_TOL);
    free(H);
    free(Hc);
    free(Hs);
    free(fd);
    unmake(&u);

    /* a displaced fcc Cu crystal with the funcfl potential (pair_style eam) */
    make(&u, test_fcc(3, 3.615, 1, 1.0, 0.08, 9), "Cu_u3.eam", "Cu");
    n3 = 3 * u.s->n;
    const size_t catoms[] = {0, 13, 50, 77, 90, 107};
    snprintf(coeff, sizeof coeff, "1 1 %s", test_potential("Cu_u3.eam"));
    fd = lammps_columns(&u, "fcc", "eam", coeff, catoms, 6, cols, 1e-4);
    H = build_dense(&u, 0);
    e = max_column_error(H, n3, cols, ncol, fd);
    print_message("  fcc Cu vs LAMMPS eam (funcfl) forces: max column error %.3g\n", e);
    ASSERT_NEAR(e, 0.0, COL_TOL);
    Hc = build_dense(&u, HESS_OMIT_CROSS);
    ec = max_column_error(Hc, n3, cols, ncol, fd);
    print_message("  without the cross term: %.3g\n", ec);
    assert_true(ec > 4 * COL_TOL);
    free(H);
    free(Hc);
    free(fd);
    unmake(&u);
}

static void test_mtx_roundtrip(void **st)
{
    setup u;
    make(&u, test_fcc(2, 3.615, 1, 1.0, 0.05, 5), "Cu_u3.eam", "Cu");
    /* ids out of order and not starting at 1: rows follow the ids */
    for (size_t i = 0; i < u.s->n; i++) u.s->id[i] = (int64_t)(u.s->n - i) + 3;
    hess_model *m;
    assert_int_equal(bpel_hess_model_create(u.model, u.s, 0, &m), 0);
    hess_sparse *h;
    assert_int_equal(bpel_hess_build_sparse(m, &h), 0);
    const char *path = test_tmp("hess_rt.mtx");
    assert_int_equal(bpel_hess_write_mtx(path, h, u.s, "test"), 0);
    double *R;
    assert_int_equal(bpel_hess_read_mtx_dense(path, u.s, &R), 0);
    double *H = dense_of(h);
    size_t n3 = 3 * u.s->n;
    for (size_t k = 0; k < n3 * n3; k++) ASSERT_NEAR(R[k], H[k], 1e-12 * (1 + fabs(H[k])));
    free(R);
    /* header: 3·max id rows */
    FILE *fp = fopen(path, "r");
    char line[256];
    long long r = 0, c = 0;
    while (fgets(line, sizeof line, fp) && line[0] == '%') {}
    assert_int_equal(sscanf(line, "%lld %lld", &r, &c), 2);
    assert_int_equal(r, 3 * ((long long)u.s->n + 3));
    fclose(fp);
    /* broken files give a one-line error naming file and line */
    const char *bad = test_write_file("hess_bad.mtx", "%%MatrixMarket matrix coordinate real symmetric\n30 30 2\n10 10 0.5\n11 x 1\n");
    assert_int_equal(bpel_hess_read_mtx_dense(bad, u.s, &R), BPEL_EPARSE);
    assert_non_null(strstr(bpel_errmsg(), "hess_bad.mtx:4"));
    /* entries outside the declared size, and non-finite values, are refused */
    bad = test_write_file("hess_out.mtx", "%%MatrixMarket matrix coordinate real symmetric\n3 3 1\n10 10 0.5\n");
    assert_int_equal(bpel_hess_read_mtx_dense(bad, u.s, &R), BPEL_EPARSE);
    assert_non_null(strstr(bpel_errmsg(), "hess_out.mtx:3: entry (10, 10) outside the 3 x 3 matrix"));
    bad = test_write_file("hess_inf.mtx", "%%MatrixMarket matrix coordinate real symmetric\n30 30 1\n10 10 -inf\n");
    assert_int_equal(bpel_hess_read_mtx_dense(bad, u.s, &R), BPEL_EPARSE);
    assert_non_null(strstr(bpel_errmsg(), "hess_inf.mtx:3: value '-inf' is not finite"));
    free(H);
    bpel_hess_sparse_destroy(h);
    bpel_hess_model_destroy(m);
    unmake(&u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rho_matches_forces),  cmocka_unit_test(test_fd_glass), cmocka_unit_test(test_fd_glass_large_box), cmocka_unit_test(test_fd_triclinic),
        cmocka_unit_test(test_fd_crystal_small_box), cmocka_unit_test(test_symmetry_translation),
        cmocka_unit_test(test_pattern),             cmocka_unit_test(test_fd_lammps),
        cmocka_unit_test(test_mtx_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
