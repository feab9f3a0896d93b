/* test_restart.c — binary checkpoints: a round trip restores every byte of
 * the system, integrator state, RNG state and settings; a flipped byte, a
 * truncated file or a foreign file are refused with a message naming it, and
 * so are impossible contents under a valid checksum. Settings sections: a
 * round trip of every field type, missing and mistyped fields, a newer
 * version, raw settings of an older bpel, and every truncation or damage of
 * the section refused with a message (never a crash); `bpel md --resume`
 * continues checkpoints with a settings section or raw settings of an older
 * bpel and refuses newer or damaged sections. */
#include "testutil.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "restart.h"

static bpel_system *make_system(void)
{
    bpel_system *s = test_fcc(2, 4.0, 2, 0.5, 0.1, 5);
    assert_int_equal(bpel_system_ensure_velocities(s), 0);
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
    bpel_md_defaults(&w.params);
    w.params.ensemble = MD_NPT;
    for (size_t k = 0; k < sizeof w.md / sizeof(double); k++) ((double *)&w.md)[k] = 1.0 / (k + 3.0);
    w.md.step = 123456;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 42);
    for (int k = 0; k < 100; k++) gsl_rng_get(g);
    assert_int_equal(bpel_restart_store_rng(&w, g), 0);
    unsigned long next = gsl_rng_get(g);
    char extra[37] = "settings block 0123456789";
    w.extra = (unsigned char *)extra;
    w.extra_size = sizeof extra;
    const char *path = test_tmp("rt.rst");
    assert_int_equal(bpel_restart_write(path, s, &w), 0);
    bpel_system *r;
    rst_info in;
    int rc = bpel_restart_read(path, &r, &in);
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
    assert_int_equal(bpel_restart_load_rng(&in, h), 0);
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
    assert_int_equal(bpel_restart_read(path, &bad, &bi), BPEL_EPARSE);
    assert_non_null(strstr(bpel_errmsg(), "corrupt"));
    assert_non_null(strstr(bpel_errmsg(), "rt.rst"));
    /* truncated */
    assert_int_equal(bpel_restart_write(path, s, &w), 0);
    assert_int_equal(truncate(path, len - 100), 0);
    assert_int_equal(bpel_restart_read(path, &bad, &bi), BPEL_EPARSE);
    /* foreign */
    const char *junk = test_write_file("junk.rst", "LAMMPS data file\n\n2 atoms\n");
    assert_int_equal(bpel_restart_read(junk, &bad, &bi), BPEL_EPARSE);
    assert_non_null(strstr(bpel_errmsg(), "not a bpel restart"));
    assert_int_equal(bpel_restart_read(test_tmp("missing.rst"), &bad, &bi), BPEL_EIO);

    gsl_rng_free(g);
    gsl_rng_free(h);
    w.extra = NULL;
    bpel_restart_free(&w);
    bpel_restart_free(&in);
    bpel_system_destroy(s);
    bpel_system_destroy(r);
}

/* The file's bytes, and the FNV-1a checksum bpel_restart_write puts at its end. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    *len = (size_t)ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *b = malloc(*len);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, *len, fp), *len);
    fclose(fp);
    return b;
}

static void write_with_checksum(const char *path, unsigned char *b, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len - 8; i++) {
        h ^= b[i];
        h *= 1099511628211ull;
    }
    memcpy(b + len - 8, &h, 8);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(b, 1, len, fp), len);
    fclose(fp);
}

/* A checkpoint whose checksum holds but whose contents are impossible (an
 * atom type outside 1..ntypes, a mass that is not positive and finite, a box
 * edge that is zero or infinite, a position that is NaN, an id twice, an
 * invalid time step) is refused with a message naming the file and what is
 * wrong, by the library and by `bpel md --resume` (no crash). */
static void test_corrupt_contents(void **st)
{
    (void)st;
    bpel_system *s = make_system();
    rst_info w;
    memset(&w, 0, sizeof w);
    strcpy(w.command, "md");
    bpel_md_defaults(&w.params);
    const char *path = test_tmp("corrupt_src.rst");
    assert_int_equal(bpel_restart_write(path, s, &w), 0);
    size_t len;
    unsigned char *orig = slurp(path, &len);
    /* the layout of bpel_restart_write, for an empty rng and extra block */
    size_t head = 8 + 3 * 8 + sizeof w.command + 8 + 8 + sizeof(md_params) + sizeof(md_state) + sizeof w.rng_name + 8 + 8;
    size_t n = s->n;
    size_t o_mass = head + 16, o_box = o_mass + sizeof s->mass + sizeof s->element, o_id = o_box + sizeof(bpel_box);
    size_t o_type = o_id + n * sizeof(int64_t), o_x = o_type + n * sizeof(int);
    size_t o_dt = 8 + 3 * 8 + sizeof w.command + 8 + 8 + offsetof(md_params, dt);
    assert_int_equal(len, o_x + 3 * n * sizeof(double) + 3 * n * sizeof(int) + 8 + 3 * n * sizeof(double) + 8);
    int bad_type = 3;
    double zero = 0.0, minus = -63.5, nan = NAN, inf = INFINITY, dt = 1.0;
    int64_t id1 = s->id[1];
    struct { size_t off; const void *val; size_t size; const char *msg; } cases[] = {
        {o_type + 5 * sizeof(int), &bad_type, sizeof bad_type, "of type 3, outside 1..2"},
        {o_mass + 2 * sizeof(double), &minus, sizeof minus, "mass -63.5 for atom type 2"},
        {o_mass + 1 * sizeof(double), &nan, sizeof nan, "mass nan for atom type 1"},
        {o_box + offsetof(bpel_box, len) + sizeof(double), &zero, sizeof zero, "box edge y from 0 of length 0"},
        {o_box + offsetof(bpel_box, lo), &inf, sizeof inf, "box edge x from inf"},
        {o_box + offsetof(bpel_box, xy), &nan, sizeof nan, "tilt factors nan"},
        {o_x + 7 * sizeof(double), &nan, sizeof nan, "non-finite position"},
        {o_id, &id1, sizeof id1, "twice"},
        {o_dt, &dt, sizeof dt, "invalid MD parameters (time step 1 ps"},
    };
    unsigned char *b = malloc(len);
    assert_non_null(b);
    const char *bad = test_tmp("corrupt.rst");
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        memcpy(b, orig, len);
        memcpy(b + cases[c].off, cases[c].val, cases[c].size);
        write_with_checksum(bad, b, len);
        bpel_system *r = NULL;
        rst_info in;
        int rc = bpel_restart_read(bad, &r, &in);
        if (rc != BPEL_EPARSE || !strstr(bpel_errmsg(), cases[c].msg))
            print_error("case %zu: rc %d, '%s'\n", c, rc, bpel_errmsg());
        assert_int_equal(rc, BPEL_EPARSE);
        assert_null(r);
        assert_non_null(strstr(bpel_errmsg(), "corrupt.rst: restart file holds"));
        assert_non_null(strstr(bpel_errmsg(), cases[c].msg));
        assert_null(strchr(bpel_errmsg(), '\n'));
    }
    /* the untouched bytes, checksum recomputed, still read */
    memcpy(b, orig, len);
    write_with_checksum(bad, b, len);
    bpel_system *r = NULL;
    rst_info in;
    assert_int_equal(bpel_restart_read(bad, &r, &in), 0);
    bpel_system_destroy(r);
    bpel_restart_free(&in);
    /* the command line: an atom type outside 1..ntypes is a clear error, exit 1 */
    memcpy(b, orig, len);
    memcpy(b + o_type, &bad_type, sizeof bad_type);
    write_with_checksum(bad, b, len);
    const char *bpel = getenv("BPEL");
    if (bpel) {
        char cmd[2048];
        const char *err = test_tmp("corrupt.err");
        snprintf(cmd, sizeof cmd, "'%s' md --resume '%s' 2> '%s' > /dev/null", bpel, bad, err);
        assert_int_equal(test_run(cmd), 1);
        FILE *fp = fopen(err, "r");
        assert_non_null(fp);
        char line[1024] = "";
        assert_non_null(fgets(line, sizeof line, fp));
        fclose(fp);
        assert_non_null(strstr(line, "corrupt.rst: restart file holds atom id"));
        assert_non_null(strstr(line, "of type 3, outside 1..2"));
    }
    free(b);
    free(orig);
    bpel_system_destroy(s);
}

/* Write `extra` (size n) as the settings of a checkpoint, read the file back. */
static void through_file(const unsigned char *extra, size_t n, rst_info *in)
{
    bpel_system *s = make_system();
    rst_info w;
    memset(&w, 0, sizeof w);
    strcpy(w.command, "quench");
    bpel_md_defaults(&w.params);
    w.extra = (unsigned char *)extra;
    w.extra_size = n;
    const char *path = test_tmp("settings.rst");
    assert_int_equal(bpel_restart_write(path, s, &w), 0);
    bpel_system *r;
    int rc = bpel_restart_read(path, &r, in);
    if (rc) print_error("%s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    bpel_system_destroy(r);
    bpel_system_destroy(s);
}

static void expect_refused(const rst_info *in, unsigned max_version, const char *msg)
{
    rst_fields f;
    int rc = bpel_rst_fields_open(in, "x.rst", max_version, &f);
    if (rc != BPEL_EPARSE || !strstr(bpel_errmsg(), msg)) print_error("rc %d, '%s' (want '%s')\n", rc, bpel_errmsg(), msg);
    assert_int_equal(rc, BPEL_EPARSE);
    assert_non_null(strstr(bpel_errmsg(), "x.rst: restart file"));
    assert_non_null(strstr(bpel_errmsg(), msg));
}

static void test_settings_section(void **st)
{
    (void)st;
    rst_settings w;
    bpel_rst_settings_begin(&w, 3);
    bpel_rst_settings_string(&w, "composition", "Cu64Zr36");
    bpel_rst_settings_long(&w, "natoms", 1234567890123L);
    bpel_rst_settings_double(&w, "rate", 1e-300 / 3);
    bpel_rst_settings_long(&w, "negative", -7);
    bpel_rst_settings_string(&w, "empty", "");
    bpel_rst_settings_double(&w, "minus_zero", -0.0);
    rst_info built;
    memset(&built, 0, sizeof built);
    assert_int_equal(bpel_rst_settings_finish(&w, &built), 0);
    assert_int_equal(bpel_rst_settings_raw(&built), 0);
    size_t n = built.extra_size;
    unsigned char *sec = malloc(n);
    assert_non_null(sec);
    memcpy(sec, built.extra, n);
    assert_memory_equal(sec, "BPELSET1", 8);

    /* round trip through a file */
    rst_info in;
    through_file(sec, n, &in);
    rst_fields f;
    assert_int_equal(bpel_rst_fields_open(&in, "x.rst", 3, &f), 0);
    assert_int_equal(f.version, 3);
    assert_int_equal(f.count, 6);
    char str[16];
    long l;
    double d;
    assert_int_equal(bpel_rst_fields_string(&f, "composition", str, sizeof str), 0);
    assert_string_equal(str, "Cu64Zr36");
    assert_int_equal(bpel_rst_fields_long(&f, "natoms", &l), 0);
    assert_true(l == 1234567890123L);
    assert_int_equal(bpel_rst_fields_double(&f, "rate", &d), 0);
    double want = 1e-300 / 3;
    assert_memory_equal(&d, &want, sizeof d);
    assert_int_equal(bpel_rst_fields_long(&f, "negative", &l), 0);
    assert_int_equal(l, -7);
    assert_int_equal(bpel_rst_fields_string(&f, "empty", str, sizeof str), 0);
    assert_string_equal(str, "");
    assert_int_equal(bpel_rst_fields_double(&f, "minus_zero", &d), 0);
    assert_true(d == 0 && signbit(d));
    /* missing, mistyped, too long for the buffer */
    assert_int_equal(bpel_rst_fields_long(&f, "seed", &l), BPEL_EPARSE);
    assert_non_null(strstr(bpel_errmsg(), "x.rst: restart file's settings (version 3) lack 'seed'"));
    assert_int_equal(bpel_rst_fields_double(&f, "natoms", &d), BPEL_EPARSE);
    assert_non_null(strstr(bpel_errmsg(), "'natoms' is of type 'i', not 'd'"));
    assert_int_equal(bpel_rst_fields_string(&f, "composition", str, 8), BPEL_EPARSE);
    assert_non_null(strstr(bpel_errmsg(), "'composition' is 8 bytes long, more than 7"));
    /* a newer version than the reader knows */
    expect_refused(&in, 2, "format version 3; this bpel reads versions 1 to 2");
    bpel_restart_free(&in);

    /* raw settings of an older bpel (no header) */
    unsigned char raw[1028];
    memset(raw, 0, sizeof raw);
    strcpy((char *)raw, "/usr/share/lammps/potentials/CuZr_mm.eam.fs");
    through_file(raw, sizeof raw, &in);
    assert_int_equal(bpel_rst_settings_raw(&in), 1);
    expect_refused(&in, 3, "raw layout of an older bpel");
    bpel_restart_free(&in);
    /* no settings at all */
    through_file(NULL, 0, &in);
    assert_int_equal(bpel_rst_settings_raw(&in), 0);
    expect_refused(&in, 3, "holds no settings");
    bpel_restart_free(&in);

    /* every truncation of the section (a file cut short and re-checksummed) */
    unsigned char *b = malloc(n + 8);
    assert_non_null(b);
    for (size_t len = 1; len < n; len++) {
        memcpy(b, sec, len);
        through_file(b, len, &in);
        rst_fields g;
        int rc = bpel_rst_fields_open(&in, "x.rst", 3, &g);
        if (rc != BPEL_EPARSE) print_error("a section cut at %zu of %zu bytes was accepted\n", len, n);
        assert_int_equal(rc, BPEL_EPARSE);
        if (len >= 8) assert_true(strstr(bpel_errmsg(), "truncated") || strstr(bpel_errmsg(), "broken at field"));
        bpel_restart_free(&in);
    }
    /* stray bytes after the last field */
    memcpy(b, sec, n);
    memcpy(b + n, "junkjunk", 8);
    through_file(b, n + 8, &in);
    expect_refused(&in, 3, "8 stray bytes after its 6 fields");
    bpel_restart_free(&in);
    /* an unknown type, a name length of 0, a string running past the end */
    size_t first = 16; /* the first field: type, name length, "composition", u32 length, 8 bytes */
    struct { size_t off; unsigned char val; const char *msg; } damage[] = {
        {first, 'x', "broken at field 1 of 6 (byte 16)"},
        {first + 1, 0, "broken at field 1 of 6"},
        {first + 2 + 11, 200, "broken at field 1 of 6"},
        {first + 2 + 11 + 4 + 8 + 1, 64, "broken at field 2 of 6"},
        {12, 7, "broken at field 7 of 7"},
        {12, 5, "stray bytes after its 5 fields"},
    };
    for (size_t k = 0; k < sizeof damage / sizeof damage[0]; k++) {
        memcpy(b, sec, n);
        b[damage[k].off] = damage[k].val;
        through_file(b, n, &in);
        expect_refused(&in, 3, damage[k].msg);
        bpel_restart_free(&in);
    }
    /* a name twice */
    bpel_rst_settings_begin(&w, 1);
    bpel_rst_settings_long(&w, "seed", 1);
    bpel_rst_settings_long(&w, "seed", 2);
    assert_int_equal(bpel_rst_settings_finish(&w, &built), 0);
    through_file(built.extra, built.extra_size, &in);
    expect_refused(&in, 1, "hold 'seed' twice");
    bpel_restart_free(&in);
    /* names the writer refuses */
    bpel_rst_settings_begin(&w, 1);
    bpel_rst_settings_long(&w, "", 1);
    assert_int_equal(bpel_rst_settings_finish(&w, &built), BPEL_EINVAL);
    bpel_restart_free(&built);
    free(b);
    free(sec);
}

/* An md checkpoint at step 0 of a 0-step run, with the given settings; the
 * exit status of `bpel md --resume` on it and its stderr. */
static int md_resume(const unsigned char *extra, size_t n, char *err, size_t errlen)
{
    bpel_system *s = make_system();
    rst_info w;
    memset(&w, 0, sizeof w);
    strcpy(w.command, "md");
    w.sync_every = 100;
    bpel_md_defaults(&w.params);
    w.extra = (unsigned char *)extra;
    w.extra_size = n;
    const char *path = test_tmp("md_settings.rst");
    assert_int_equal(bpel_restart_write(path, s, &w), 0);
    bpel_system_destroy(s);
    char cmd[2048];
    const char *errf = test_tmp("md_settings.err");
    snprintf(cmd, sizeof cmd, "OMP_NUM_THREADS=1 '%s' md --resume '%s' 2> '%s' > /dev/null", getenv("BPEL"), path, errf);
    int rc = test_run(cmd);
    FILE *fp = fopen(errf, "r");
    assert_non_null(fp);
    size_t k = fread(err, 1, errlen - 1, fp);
    err[k] = '\0';
    fclose(fp);
    return rc;
}

static void test_md_settings(void **st)
{
    (void)st;
    if (!getenv("BPEL")) skip();
    const char *pot = test_potential("CuZr_mm.eam.fs");
    char err[2048];
    /* a settings section */
    rst_settings w;
    bpel_rst_settings_begin(&w, 1);
    bpel_rst_settings_string(&w, "potential", pot);
    bpel_rst_settings_long(&w, "threads", 1);
    rst_info built;
    memset(&built, 0, sizeof built);
    assert_int_equal(bpel_rst_settings_finish(&w, &built), 0);
    int rc = md_resume(built.extra, built.extra_size, err, sizeof err);
    if (rc) print_error("%s", err);
    assert_int_equal(rc, 0);
    assert_null(strstr(err, "warning"));
    /* cut short, and of a newer version */
    assert_int_equal(md_resume(built.extra, built.extra_size - 3, err, sizeof err), 1);
    assert_non_null(strstr(err, "md_settings.rst: restart file's settings section is broken at field 2 of 2"));
    built.extra[8] = 2;
    assert_int_equal(md_resume(built.extra, built.extra_size, err, sizeof err), 1);
    assert_non_null(strstr(err, "settings are of format version 2; this bpel reads versions 1 to 1"));
    bpel_restart_free(&built);
    /* raw settings of an older bpel: struct { char potential[1024]; int threads; } */
    unsigned char raw[1028];
    memset(raw, 0, sizeof raw);
    snprintf((char *)raw, 1024, "%s", pot);
    int32_t threads = 1;
    memcpy(raw + 1024, &threads, 4);
    rc = md_resume(raw, sizeof raw, err, sizeof err);
    if (rc) print_error("%s", err);
    assert_int_equal(rc, 0);
    assert_null(strstr(err, "warning"));
    /* ... of another size */
    assert_int_equal(md_resume(raw, 1000, err, sizeof err), 1);
    assert_non_null(strstr(err, "settings of an unknown layout (1000 bytes"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_round_trip), cmocka_unit_test(test_corrupt_contents),
                                       cmocka_unit_test(test_settings_section), cmocka_unit_test(test_md_settings)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
