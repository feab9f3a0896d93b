/* test_forces.c — EAM energies, per-atom energies, forces and stress against
 * LAMMPS (`lmp`, run here on the same configurations), and the physics checks
 * that do not need a peer: forces = −∇E by finite differences, translation and
 * permutation invariance, reference kernel = fast kernel, thread-count
 * independence. */
#include "testutil.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eam.h"
#include "error.h"
#include "forces.h"

typedef struct {
    bpel_eam *pot;
    bpel_model *model;
    bpel_forces *ff;
} bound;

static void bind(bound *b, bpel_system *s, const char *potname, const char *elements)
{
    const char *path = test_potential(potname);
    int rc = bpel_eam_read(path, NULL, &b->pot);
    if (rc) print_error("%s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    rc = bpel_model_create(b->pot, s, elements, &b->model);
    if (rc) print_error("%s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    assert_int_equal(bpel_forces_create(b->model, s, 1.0, &b->ff), 0);
}

static void unbind(bound *b)
{
    bpel_forces_destroy(b->ff);
    bpel_model_destroy(b->model);
    bpel_eam_destroy(b->pot);
}

static const char *pair_style_of(const char *pot)
{
    if (strstr(pot, ".eam.fs")) return "eam/fs";
    if (strstr(pot, ".eam.alloy")) return "eam/alloy";
    return "eam";
}

/* Evaluate with LAMMPS; fills energy, stress[6] (bar), and per-atom f, pe
 * indexed like `s` (matched by id). */
static void lammps_eval(bpel_system *s, const char *potname, const char *elements, double *energy, double stress[6],
                        double *f, double *pe)
{
    const char *data = test_tmp("lmp_in.data");
    assert_int_equal(bpel_data_write(data, s, "test configuration"), 0);
    char script[4096], coeff[512];
    const char *style = pair_style_of(potname);
    if (!strcmp(style, "eam"))
        snprintf(coeff, sizeof coeff, "pair_coeff * * %s", test_potential(potname));
    else {
        char els[64];
        snprintf(els, sizeof els, "%s", elements);
        for (char *c = els; *c; c++)
            if (*c == ',') *c = ' ';
        snprintf(coeff, sizeof coeff, "pair_coeff * * %s %s", test_potential(potname), els);
    }
    snprintf(script, sizeof script,
             "units metal\natom_style atomic\nboundary p p p\nbox tilt large\nread_data %s\n"
             "pair_style %s\n%s\n"
             "neighbor 1.0 bin\ncompute pe all pe/atom\n"
             "dump d all custom 1 %s id fx fy fz c_pe\ndump_modify d format float %%.17g sort id\n"
             "thermo_style custom step pe press pxx pyy pzz pxy pxz pyz\nrun 0\n"
             "print \"$(pe:%%.17g) $(pxx:%%.17g) $(pyy:%%.17g) $(pzz:%%.17g) $(pxy:%%.17g) $(pxz:%%.17g) $(pyz:%%.17g)\" file %s\n",
             data, style, coeff, test_tmp("lmp_out.dump"), test_tmp("lmp_out.txt"));
    int rc = test_run_lammps("in.eval", script);
    assert_int_equal(rc, 0);
    FILE *fp = fopen(test_tmp("lmp_out.txt"), "r");
    assert_non_null(fp);
    assert_int_equal(fscanf(fp, "%lf %lf %lf %lf %lf %lf %lf", energy, &stress[0], &stress[1], &stress[2], &stress[3],
                            &stress[4], &stress[5]),
                     7);
    fclose(fp);
    fp = fopen(test_tmp("lmp_out.dump"), "r");
    assert_non_null(fp);
    char line[1024];
    for (int k = 0; k < 9; k++) assert_non_null(fgets(line, sizeof line, fp));
    size_t *order = bpel_system_id_order(s);
    for (size_t k = 0; k < s->n; k++) {
        long long id;
        double v[4];
        assert_int_equal(fscanf(fp, "%lld %lf %lf %lf %lf", &id, &v[0], &v[1], &v[2], &v[3]), 5);
        long i = bpel_system_find_id(s, order, id);
        assert_true(i >= 0);
        memcpy(&f[3 * i], v, 3 * sizeof(double));
        pe[i] = v[3];
    }
    free(order);
    fclose(fp);
}

static void compare_with_lammps(bpel_system *s, const char *potname, const char *elements)
{
    if (!test_have_lammps()) skip();
    bound b;
    bind(&b, s, potname, elements);
    bpel_eval ev;
    assert_int_equal(bpel_forces_compute(b.ff, s, FORCES_ENERGY | FORCES_VIRIAL | FORCES_PERATOM, &ev), 0);
    double stress[6];
    bpel_forces_stress(s, ev.virial, stress);
    double E, S[6], *f = calloc(3 * s->n, sizeof *f), *pe = calloc(s->n, sizeof *pe);
    lammps_eval(s, potname, elements, &E, S, f, pe);
    print_message("  %s, %zu atoms: E bpel %.15g  LAMMPS %.15g\n", potname, s->n, ev.energy, E);
    ASSERT_REL(ev.energy, E, 1e-9, 1e-9);
    double pscale = 0;
    for (int k = 0; k < 6; k++) pscale = fmax(pscale, fabs(S[k]));
    for (int k = 0; k < 6; k++) ASSERT_REL(stress[k], S[k], 1e-9, fmax(pscale, 1.0));
    double maxdf = 0, maxdpe = 0;
    for (size_t i = 0; i < s->n; i++) {
        for (int k = 0; k < 3; k++) maxdf = fmax(maxdf, fabs(ev.f[3 * i + k] - f[3 * i + k]));
        maxdpe = fmax(maxdpe, fabs(ev.pe[i] - pe[i]));
    }
    print_message("  max |dF| = %.3g eV/A, max |dpe| = %.3g eV\n", maxdf, maxdpe);
    ASSERT_NEAR(maxdf, 0.0, 1e-8);
    ASSERT_NEAR(maxdpe, 0.0, 1e-9 * fmax(1.0, fabs(E / s->n)));
    free(f);
    free(pe);
    unbind(&b);
}

/* Cu-Zr crystal with random types, small box (< 2 × cutoff). */
static void test_lammps_fs_small_crystal(void **st)
{
    (void)st;
    bpel_system *s = test_fcc(3, 3.9, 2, 0.5, 0.15, 11u);
    compare_with_lammps(s, "CuZr_mm.eam.fs", "Cu,Zr");
    bpel_system_destroy(s);
}

/* Cu64Zr36-like liquid configuration, larger box. */
static void test_lammps_fs_liquid(void **st)
{
    (void)st;
    bpel_system *s = test_random(600, 22.0, 2, 2.0, 5u);
    for (size_t i = 0; i < s->n; i++) s->type[i] = (i % 25) < 16 ? 1 : 2;
    compare_with_lammps(s, "CuZr_mm.eam.fs", "Cu,Zr");
    bpel_system_destroy(s);
}

/* Zr-rich composition with types listed in the other order (type 1 = Zr). */
static void test_lammps_fs_swapped_types(void **st)
{
    (void)st;
    bpel_system *s = test_fcc(4, 4.1, 2, 0.3, 0.2, 23u);
    compare_with_lammps(s, "CuZr_mm.eam.fs", "Zr,Cu");
    bpel_system_destroy(s);
}

/* Triclinic box. */
static void test_lammps_fs_triclinic(void **st)
{
    (void)st;
    bpel_system *s = test_fcc(4, 3.9, 2, 0.5, 0.1, 31u);
    s->box.xy = 2.1;
    s->box.xz = -1.3;
    s->box.yz = 0.9;
    bpel_system_wrap(s);
    compare_with_lammps(s, "CuZr_mm.eam.fs", "Cu,Zr");
    bpel_system_destroy(s);
}

static void test_lammps_funcfl(void **st)
{
    (void)st;
    bpel_system *s = test_fcc(3, 3.615, 1, 1.0, 0.12, 41u);
    compare_with_lammps(s, "Cu_u3.eam", "Cu");
    bpel_system_destroy(s);
}

static void test_lammps_setfl(void **st)
{
    (void)st;
    bpel_system *s = test_fcc(4, 3.58, 2, 0.6, 0.15, 43u);
    compare_with_lammps(s, "CuNi.eam.alloy", "Cu,Ni");
    bpel_system_destroy(s);
}

/* Forces are minus the gradient of the energy (central differences). */
static void test_force_is_gradient(void **st)
{
    (void)st;
    bpel_system *s = test_random(200, 15.0, 2, 2.0, 77u);
    bound b;
    bind(&b, s, "CuZr_mm.eam.fs", "Cu,Zr");
    bpel_eval ev;
    assert_int_equal(bpel_forces_compute(b.ff, s, FORCES_ENERGY, &ev), 0);
    double *f0 = malloc(3 * s->n * sizeof *f0);
    memcpy(f0, ev.f, 3 * s->n * sizeof *f0);
    const double h = 1e-5;
    double worst = 0;
    for (size_t i = 0; i < s->n; i += 17)
        for (int k = 0; k < 3; k++) {
            double x0 = s->x[3 * i + k];
            s->x[3 * i + k] = x0 + h;
            bpel_forces_compute(b.ff, s, FORCES_ENERGY, &ev);
            double ep = ev.energy;
            s->x[3 * i + k] = x0 - h;
            bpel_forces_compute(b.ff, s, FORCES_ENERGY, &ev);
            double em = ev.energy;
            s->x[3 * i + k] = x0;
            double fd = -(ep - em) / (2 * h);
            worst = fmax(worst, fabs(fd - f0[3 * i + k]) / fmax(1.0, fabs(f0[3 * i + k])));
        }
    print_message("  worst relative |F - (-dE/dx)| = %.3g\n", worst);
    assert_true(worst < 1e-5);
    free(f0);
    unbind(&b);
    bpel_system_destroy(s);
}

/* Reference kernel = fast kernel; 1 thread = 2 threads. */
static void test_kernels_agree(void **st)
{
    (void)st;
    bpel_system *s = test_fcc(5, 4.0, 2, 0.5, 0.25, 5u);
    bound b;
    bind(&b, s, "CuZr_mm.eam.fs", "Cu,Zr");
    bpel_eval ev;
    int flags = FORCES_ENERGY | FORCES_VIRIAL | FORCES_PERATOM;
    omp_set_num_threads(1);
    assert_int_equal(bpel_forces_compute(b.ff, s, flags, &ev), 0);
    double E1 = ev.energy, W1[6];
    memcpy(W1, ev.virial, sizeof W1);
    double *f1 = malloc(3 * s->n * sizeof *f1), *p1 = malloc(s->n * sizeof *p1);
    memcpy(f1, ev.f, 3 * s->n * sizeof *f1);
    memcpy(p1, ev.pe, s->n * sizeof *p1);
    omp_set_num_threads(2);
    assert_int_equal(bpel_forces_compute(b.ff, s, flags, &ev), 0);
    ASSERT_REL(ev.energy, E1, 1e-12, 1.0);
    for (size_t i = 0; i < 3 * s->n; i++) ASSERT_NEAR(ev.f[i], f1[i], 1e-10);
    /* called from inside a parallel region (the inner team is one thread) */
    int nested_rc = -1;
#pragma omp parallel num_threads(2)
    {
#pragma omp single
        nested_rc = bpel_forces_compute(b.ff, s, flags, &ev);
    }
    assert_int_equal(nested_rc, 0);
    ASSERT_REL(ev.energy, E1, 1e-12, 1.0);
    for (size_t i = 0; i < 3 * s->n; i++) ASSERT_NEAR(ev.f[i], f1[i], 1e-10);
    assert_int_equal(bpel_forces_compute(b.ff, s, flags | FORCES_REFERENCE, &ev), 0);
    ASSERT_REL(ev.energy, E1, 1e-12, 1.0);
    for (int k = 0; k < 6; k++) ASSERT_REL(ev.virial[k], W1[k], 1e-10, 1.0);
    for (size_t i = 0; i < 3 * s->n; i++) ASSERT_NEAR(ev.f[i], f1[i], 1e-10);
    for (size_t i = 0; i < s->n; i++) ASSERT_NEAR(ev.pe[i], p1[i], 1e-10);
    free(f1);
    free(p1);
    unbind(&b);
    bpel_system_destroy(s);
}

/* Translating all atoms, or relabelling them, changes nothing. */
static void test_invariance(void **st)
{
    (void)st;
    bpel_system *s = test_random(300, 17.0, 2, 2.0, 99u);
    bound b;
    bind(&b, s, "CuZr_mm.eam.fs", "Cu,Zr");
    bpel_eval ev;
    assert_int_equal(bpel_forces_compute(b.ff, s, FORCES_ENERGY | FORCES_PERATOM, &ev), 0);
    double E0 = ev.energy;
    size_t n = s->n;
    double *f0 = malloc(3 * n * sizeof *f0);
    memcpy(f0, ev.f, 3 * n * sizeof *f0);
    /* translation (wrapping included) */
    bpel_system *t = bpel_system_copy(s);
    for (size_t i = 0; i < n; i++) {
        t->x[3 * i] += 3.7;
        t->x[3 * i + 1] -= 11.2;
        t->x[3 * i + 2] += 0.31;
    }
    bound bt;
    bind(&bt, t, "CuZr_mm.eam.fs", "Cu,Zr");
    assert_int_equal(bpel_forces_compute(bt.ff, t, FORCES_ENERGY, &ev), 0);
    ASSERT_REL(ev.energy, E0, 1e-12, 1.0);
    for (size_t i = 0; i < 3 * n; i++) ASSERT_NEAR(ev.f[i], f0[i], 1e-9);
    unbind(&bt);
    bpel_system_destroy(t);
    /* permutation: reverse the atom order */
    bpel_system *p = bpel_system_copy(s);
    for (size_t i = 0; i < n; i++) {
        size_t j = n - 1 - i;
        p->id[i] = s->id[j];
        p->type[i] = s->type[j];
        memcpy(&p->x[3 * i], &s->x[3 * j], 3 * sizeof(double));
    }
    bound bp;
    bind(&bp, p, "CuZr_mm.eam.fs", "Cu,Zr");
    assert_int_equal(bpel_forces_compute(bp.ff, p, FORCES_ENERGY, &ev), 0);
    ASSERT_REL(ev.energy, E0, 1e-12, 1.0);
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 3; k++) ASSERT_NEAR(ev.f[3 * i + k], f0[3 * (n - 1 - i) + k], 1e-9);
    unbind(&bp);
    bpel_system_destroy(p);
    free(f0);
    unbind(&b);
    bpel_system_destroy(s);
}

/* A list kept across moves (skin) gives the same as a fresh one. */
static void test_neighbour_skin(void **st)
{
    (void)st;
    bpel_system *s = test_fcc(4, 4.0, 2, 0.5, 0.1, 8u);
    bound b;
    bind(&b, s, "CuZr_mm.eam.fs", "Cu,Zr");
    bpel_eval ev;
    assert_int_equal(bpel_forces_compute(b.ff, s, FORCES_ENERGY, &ev), 0);
    unsigned seed = 3;
    for (int step = 0; step < 6; step++) {
        for (size_t i = 0; i < 3 * s->n; i++) {
            seed = seed * 1103515245u + 12345u;
            s->x[i] += 0.12 * (((seed >> 8) & 0xffff) / 65535.0 - 0.5);
        }
        assert_int_equal(bpel_forces_compute(b.ff, s, FORCES_ENERGY, &ev), 0);
        double E = ev.energy;
        bpel_eval er;
        assert_int_equal(bpel_forces_compute(b.ff, s, FORCES_ENERGY | FORCES_REFERENCE, &er), 0);
        ASSERT_REL(E, er.energy, 1e-12, 1.0);
    }
    assert_true(b.ff != NULL);
    unbind(&b);
    bpel_system_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lammps_fs_small_crystal), cmocka_unit_test(test_lammps_fs_liquid),
        cmocka_unit_test(test_lammps_fs_swapped_types), cmocka_unit_test(test_lammps_fs_triclinic),
        cmocka_unit_test(test_lammps_funcfl),           cmocka_unit_test(test_lammps_setfl),
        cmocka_unit_test(test_force_is_gradient),       cmocka_unit_test(test_kernels_agree),
        cmocka_unit_test(test_invariance),              cmocka_unit_test(test_neighbour_skin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
