/* test_restart.c — binary checkpoints: a round trip restores every byte of
 * the system, integrator state, RNG state and settings; a flipped byte, a
 * truncated file or a foreign file are refused with a message naming it. */
#include "testutil.h"

#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "restart.h"

static bpel_system *make_system(void)
{
    bpel_system *s = test_fcc(2, 4.0, 2, 0.5, 0.1, 5);
    assert_int_equal(system_ensure_velocities(s), 0);
    for (size_t i = 0; i < 3 * s->n; i++) s->v[i] = 0.001 * (double)i - 0.3, s->image[i] = (int)(i % 5) - 2;
    s->mass[1] = 63.546;
    s->mass[2] = 91.224;
    strcpy(s->element[1], "Cu");
    strcpy(s->element[2], "Zr");
    s->box.xy = 0.25;
    return s;
}

static void test_round_trip(void **st)
{
    (void)st;
    bpel_system *s = make_system();
    rst_info w;
    memset(&w, 0, sizeof w);
    strcpy(w.command, "quench");
    w.stage = 2;
    w.sync_every = 100;
    md_defaults(&w.params);
    w.params.ensemble = MD_NPT;
    for (size_t k = 0; k < sizeof w.md / sizeof(double); k++) ((double *)&w.md)[k] = 1.0 / (k + 3.0);
    w.md.step = 123456;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 42);
    for (int k = 0; k < 100; k++) gsl_rng_get(g);
    assert_int_equal(restart_store_rng(&w, g), 0);
    unsigned long next = gsl_rng_get(g);
    char extra[37] = "settings block 0123456789";
    w.extra = (unsigned char *)extra;
    w.extra_size = sizeof extra;
    const char *path = test_tmp("rt.rst");
    assert_int_equal(restart_write(path, s, &w), 0);
    bpel_system *r;
    rst_info in;
    int rc = restart_read(path, &r, &in);
    if (rc) print_error("%s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    assert_string_equal(in.command, "quench");
    assert_int_equal(in.stage, 2);
    assert_int_equal(in.sync_every, 100);
    assert_memory_equal(&in.md, &w.md, sizeof w.md);
    assert_int_equal(in.params.ensemble, MD_NPT);
    assert_int_equal(in.extra_size, sizeof extra);
    assert_memory_equal(in.extra, extra, sizeof extra);
    assert_int_equal(r->n, s->n);
    assert_memory_equal(r->x, s->x, 3 * s->n * sizeof(double));
    assert_memory_equal(r->v, s->v, 3 * s->n * sizeof(double));
    assert_memory_equal(r->image, s->image, 3 * s->n * sizeof(int));
    assert_memory_equal(r->id, s->id, s->n * sizeof(int64_t));
    assert_memory_equal(r->type, s->type, s->n * sizeof(int));
    assert_memory_equal(&r->box, &s->box, sizeof s->box);
    assert_string_equal(r->element[2], "Zr");
    gsl_rng *h = gsl_rng_alloc(gsl_rng_mt19937);
    assert_int_equal(restart_load_rng(&in, h), 0);
    assert_true(gsl_rng_get(h) == next);
    /* no temporary left behind */
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *fp = fopen(tmp, "r");
    assert_null(fp);

    /* flip one byte in the middle: checksum */
    fp = fopen(path, "r+b");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, len / 2, SEEK_SET);
    int c = fgetc(fp);
    fseek(fp, len / 2, SEEK_SET);
    fputc(c ^ 0x10, fp);
    fclose(fp);
    bpel_system *bad;
    rst_info bi;
    assert_int_equal(restart_read(path, &bad, &bi), BPEL_EPARSE);
    assert_non_null(strstr(bpel_errmsg(), "corrupt"));
    assert_non_null(strstr(bpel_errmsg(), "rt.rst"));
    /* truncated */
    assert_int_equal(restart_write(path, s, &w), 0);
    assert_int_equal(truncate(path, len - 100), 0);
    assert_int_equal(restart_read(path, &bad, &bi), BPEL_EPARSE);
    /* foreign */
    const char *junk = test_write_file("junk.rst", "LAMMPS data file\n\n2 atoms\n");
    assert_int_equal(restart_read(junk, &bad, &bi), BPEL_EPARSE);
    assert_non_null(strstr(bpel_errmsg(), "not a bpel restart"));
    assert_int_equal(restart_read(test_tmp("missing.rst"), &bad, &bi), BPEL_EIO);

    gsl_rng_free(g);
    gsl_rng_free(h);
    w.extra = NULL;
    restart_free(&w);
    restart_free(&in);
    system_destroy(s);
    system_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_round_trip)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
