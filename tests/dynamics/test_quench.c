/* test_quench.c — glass preparation as a library call (quench.h): the
 * checks of a protocol; a small melt-quench-hold-minimise run, the order of
 * its progress reports and its outputs; a run stopped from the callback and
 * resumed from its checkpoint ends byte-identical (data file and log) to an
 * uninterrupted one, also from a checkpoint whose settings are in the raw
 * layout of an older bpel; checkpoints with settings of a newer version, a
 * damaged settings section or another command's settings are refused with a
 * message naming the file. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "quench.h"
#include "restart.h"

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) print_error("%s: cannot open\n", path);
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    *len = (size_t)ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *b = malloc(*len + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, *len, fp), *len);
    fclose(fp);
    return b;
}

static void assert_same_file(const char *a, const char *b)
{
    size_t na, nb;
    unsigned char *x = slurp(a, &na), *y = slurp(b, &nb);
    if (na != nb || memcmp(x, y, na)) print_error("%s and %s differ\n", a, b);
    assert_int_equal(na, nb);
    assert_memory_equal(x, y, na);
    free(x);
    free(y);
}

static void options(quench_options *o, const char *out)
{
    bpel_quench_defaults(o);
    snprintf(o->composition, sizeof o->composition, "Cu50Zr50");
    o->natoms = 200;
    snprintf(o->potential, sizeof o->potential, "%s", test_potential("CuZr_mm.eam.fs"));
    o->rate = 2e15;
    o->melt_time = 0.4;
    o->hold_time = 0.2;
    o->seed = 9;
    o->thermo_every = 100;
    o->log_every = 25;
    o->checkpoint_every = 300;
    snprintf(o->out, sizeof o->out, "%s", test_tmp(out));
}

static void test_check(void **st)
{
    (void)st;
    quench_options o;
    options(&o, "check.data");
    assert_int_equal(bpel_quench_check(&o), 0);
    o.rate = 0;
    assert_int_equal(bpel_quench_check(&o), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "cooling rate 0 K/s must be positive"));
    options(&o, "check.data");
    o.t_final = 2500;
    assert_int_equal(bpel_quench_check(&o), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "must be below the melt temperature"));
    options(&o, "check.data");
    o.natoms = 1;
    assert_int_equal(bpel_quench_check(&o), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "need at least 2 atoms"));
    options(&o, "check.data");
    o.rate = 1;
    assert_int_equal(bpel_quench_check(&o), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "too slow to simulate"));
    bpel_quench_defaults(&o);
    assert_int_equal(bpel_quench_check(&o), BPEL_EINVAL);
    assert_non_null(strstr(bpel_errmsg(), "no composition"));
    /* a fresh run checks too, before anything is written */
    options(&o, "check.data");
    o.hold_time = -1;
    quench_result r;
    assert_int_equal(bpel_quench_run(&o, NULL, NULL, &r), BPEL_EINVAL);
    assert_int_equal(access(o.out, F_OK), -1);
}

/* What the callback saw. */
typedef struct seen {
    int events[16];     /* count of each event */
    char order[64];     /* the first letter of each event but STEP and THERMO */
    long last_step, stop_at;
    int bad_order;
} seen;

static int record(const quench_progress *p, void *user)
{
    seen *s = user;
    s->events[p->event]++;
    if (p->event != QUENCH_STEP && p->event != QUENCH_THERMO) {
        size_t n = strlen(s->order);
        if (n + 1 < sizeof s->order) s->order[n] = "BWSGstNDM"[p->event];
    }
    if (p->event == QUENCH_STEP) {
        if (p->step != s->last_step + 1) s->bad_order = 1;
        s->last_step = p->step;
    }
    if (p->event == QUENCH_START) s->last_step = p->step;
    /* a thermo report comes before the step report of its step */
    if (p->event == QUENCH_THERMO && (p->thermo->step % 100 != 0 || p->thermo->step != s->last_step + 1)) s->bad_order = 1;
    return s->stop_at > 0 && p->event == QUENCH_STEP && p->step == s->stop_at;
}

/* The log's and summary's names beside OUT. */
static const char *beside(const char *out, const char *suffix)
{
    static char buf[4][1100];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%.*s%s", (int)(strrchr(out, '.') - out), out, suffix);
    return buf[k];
}

/* Rewrite a checkpoint with another settings section (NULL: keep) and
 * command. */
static void rewrite(const char *from, const char *to, const unsigned char *extra, size_t n, const char *command)
{
    bpel_system *s;
    rst_info in;
    assert_int_equal(bpel_restart_read(from, &s, &in), 0);
    if (extra) {
        free(in.extra);
        in.extra = malloc(n ? n : 1);
        assert_non_null(in.extra);
        memcpy(in.extra, extra, n);
        in.extra_size = n;
    }
    if (command) snprintf(in.command, sizeof in.command, "%s", command);
    assert_int_equal(bpel_restart_write(to, s, &in), 0);
    bpel_system_destroy(s);
    bpel_restart_free(&in);
}

static void put_string(unsigned char *b, size_t off, const char *s) { memcpy(b + off, s, strlen(s) + 1); }
static void put_long(unsigned char *b, size_t off, long v)
{
    int64_t x = v;
    memcpy(b + off, &x, 8);
}
static void put_double(unsigned char *b, size_t off, double v) { memcpy(b + off, &v, 8); }

/* The raw settings block of bpel before settings sections (see quench.c). */
static void raw_settings(const quench_result *r, unsigned char b[3280])
{
    const quench_options *o = &r->settings;
    memset(b, 0, 3280);
    put_string(b, 0, o->composition);
    put_string(b, 64, o->potential);
    put_string(b, 1088, o->out);
    put_string(b, 2112, o->log);
    put_long(b, 3136, o->natoms);
    put_long(b, 3144, o->seed);
    put_long(b, 3152, o->thermo_every);
    put_long(b, 3160, o->log_every);
    double d[] = {o->rate, o->t_melt, o->melt_time, o->t_final, o->hold_time, o->dt, o->tdamp, o->pdamp, o->pressure, o->ftol};
    for (int k = 0; k < 10; k++) put_double(b, 3168 + 8 * (size_t)k, d[k]);
    put_long(b, 3248, r->melt_steps);
    put_long(b, 3256, r->quench_steps);
    put_long(b, 3264, r->hold_steps);
    int32_t t = r->threads;
    memcpy(b + 3272, &t, 4);
}

static void expect_resume_refused(const char *rst, const char *out, const char *msg)
{
    quench_options o;
    bpel_quench_defaults(&o);
    snprintf(o.resume, sizeof o.resume, "%s", rst);
    quench_result r;
    int rc = bpel_quench_run(&o, NULL, NULL, &r);
    if (rc != BPEL_EPARSE || !strstr(bpel_errmsg(), msg)) print_error("rc %d, '%s' (want '%s')\n", rc, bpel_errmsg(), msg);
    assert_int_equal(rc, BPEL_EPARSE);
    assert_non_null(strstr(bpel_errmsg(), rst));
    assert_non_null(strstr(bpel_errmsg(), msg));
    assert_int_equal(access(out, F_OK), -1);
}

static void test_run_and_resume(void **st)
{
    (void)st;
    /* uninterrupted */
    quench_options o;
    options(&o, "full.data");
    seen s;
    memset(&s, 0, sizeof s);
    quench_result r;
    int rc = bpel_quench_run(&o, record, &s, &r);
    if (rc) print_error("%s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    assert_false(s.bad_order);
    /* begin, start, melt, quench, hold, MD done, minimised */
    assert_string_equal(s.order, "BSGGGDM");
    long total = r.melt_steps + r.quench_steps + r.hold_steps;
    assert_int_equal(r.melt_steps, 200);
    assert_int_equal(r.quench_steps, 500); /* 1999 K at 2e15 K/s = 0.9995 ps */
    assert_int_equal(r.hold_steps, 100);
    assert_int_equal(s.events[QUENCH_STEP], total);
    assert_int_equal(s.last_step, total);
    assert_true(s.events[QUENCH_THERMO] >= total / 100);
    assert_int_equal(r.natoms, 200);
    assert_int_equal(r.count[0] + r.count[1], 200);
    assert_true(r.converged);
    assert_true(r.min.fmax <= 1e-8);
    assert_true(r.density > 6.5 && r.density < 8);
    assert_false(r.resumed);
    char want[1100];
    snprintf(want, sizeof want, "%s.restart", o.out);
    assert_string_equal(r.checkpoint, want);
    assert_int_equal(access(r.checkpoint, F_OK), -1); /* removed when done */
    assert_int_equal(access(beside(o.out, ".json"), F_OK), 0);
    assert_string_equal(r.settings.log, beside(o.out, ".log.csv"));

    /* stopped from the callback at step 450: runs on to the sync step 500 */
    quench_options p;
    options(&p, "part.data");
    snprintf(p.checkpoint, sizeof p.checkpoint, "%s", test_tmp("part.rst"));
    memset(&s, 0, sizeof s);
    s.stop_at = 450;
    rc = bpel_quench_run(&p, record, &s, &r);
    assert_int_equal(rc, BPEL_EINTR);
    assert_non_null(strstr(bpel_errmsg(), "interrupted at step 500; state saved to"));
    assert_non_null(strstr(bpel_errmsg(), "part.rst"));
    assert_int_equal(s.last_step, 500);
    assert_int_equal(s.events[QUENCH_NOTICE], 1);
    assert_int_equal(access(p.out, F_OK), -1);
    /* the settings section of the checkpoint */
    bpel_system *sys;
    rst_info in;
    assert_int_equal(bpel_restart_read(p.checkpoint, &sys, &in), 0);
    assert_string_equal(in.command, "quench");
    assert_int_equal(in.stage, QUENCH_STAGE_QUENCH);
    assert_int_equal(bpel_rst_settings_raw(&in), 0);
    rst_fields f;
    assert_int_equal(bpel_rst_fields_open(&in, p.checkpoint, QUENCH_SETTINGS_VERSION, &f), 0);
    assert_int_equal(f.version, QUENCH_SETTINGS_VERSION);
    assert_int_equal(f.count, 22);
    double rate;
    long natoms;
    char comp[64];
    assert_int_equal(bpel_rst_fields_double(&f, "rate", &rate), 0);
    assert_true(rate == 2e15);
    assert_int_equal(bpel_rst_fields_long(&f, "natoms", &natoms), 0);
    assert_int_equal(natoms, 200);
    assert_int_equal(bpel_rst_fields_string(&f, "composition", comp, sizeof comp), 0);
    assert_string_equal(comp, "Cu50Zr50");
    size_t sec_size = in.extra_size;
    unsigned char *sec = malloc(sec_size);
    assert_non_null(sec);
    memcpy(sec, in.extra, sec_size);
    bpel_system_destroy(sys);
    bpel_restart_free(&in);
    /* keep copies for the refusals and the old layout below */
    const char *keep = test_tmp("part.keep.rst");
    rewrite(p.checkpoint, keep, NULL, 0, NULL);
    size_t log_len;
    unsigned char *log_part = slurp(beside(p.out, ".log.csv"), &log_len);

    /* resumed: the protocol comes from the checkpoint */
    quench_options q;
    bpel_quench_defaults(&q);
    snprintf(q.resume, sizeof q.resume, "%s", p.checkpoint);
    memset(&s, 0, sizeof s);
    rc = bpel_quench_run(&q, record, &s, &r);
    if (rc) print_error("%s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    assert_true(r.resumed);
    assert_false(s.bad_order);
    assert_string_equal(s.order, "SGDM"); /* start at 500, hold, done, minimised */
    assert_int_equal(s.events[QUENCH_STEP], total - 500);
    assert_same_file(o.out, p.out);
    assert_same_file(beside(o.out, ".log.csv"), beside(p.out, ".log.csv"));
    assert_int_equal(access(p.checkpoint, F_OK), -1);

    /* the same checkpoint with the settings in the raw layout of an older bpel */
    unsigned char raw[3280];
    raw_settings(&r, raw);
    rewrite(keep, p.checkpoint, raw, sizeof raw, NULL);
    FILE *fp = fopen(beside(p.out, ".log.csv"), "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(log_part, 1, log_len, fp), log_len);
    fclose(fp);
    unlink(p.out);
    rc = bpel_quench_run(&q, NULL, NULL, &r);
    if (rc) print_error("%s\n", bpel_errmsg());
    assert_int_equal(rc, 0);
    assert_same_file(o.out, p.out);
    assert_same_file(beside(o.out, ".log.csv"), beside(p.out, ".log.csv"));
    unlink(p.out);

    /* refused: a newer settings version, damaged or cut sections, raw
     * settings of another size, another command's checkpoint */
    const char *bad = test_tmp("bad.rst");
    unsigned char *b = malloc(sec_size + 8);
    assert_non_null(b);
    memcpy(b, sec, sec_size);
    b[8] = QUENCH_SETTINGS_VERSION + 1;
    rewrite(keep, bad, b, sec_size, NULL);
    expect_resume_refused(bad, p.out, "settings are of format version 2; this bpel reads versions 1 to 1");
    rewrite(keep, bad, sec, sec_size - 5, NULL);
    expect_resume_refused(bad, p.out, "settings section is broken at field 22 of 22");
    rewrite(keep, bad, sec, 12, NULL);
    expect_resume_refused(bad, p.out, "settings section is truncated (12 bytes)");
    memcpy(b, sec, sec_size);
    b[12] = 21; /* one field fewer: the last, threads, is then stray */
    rewrite(keep, bad, b, sec_size, NULL);
    expect_resume_refused(bad, p.out, "stray bytes after its 21 fields");
    rewrite(keep, bad, raw, 3000, NULL);
    expect_resume_refused(bad, p.out, "settings of an unknown layout (3000 bytes");
    memset(raw + 64, 'x', 1024); /* an unterminated potential name */
    rewrite(keep, bad, raw, sizeof raw, NULL);
    expect_resume_refused(bad, p.out, "broken settings (an unterminated name)");
    rewrite(keep, bad, NULL, 0, "md");
    expect_resume_refused(bad, p.out, "was not written by 'bpel quench'");
    /* a section without a field the reader needs */
    rst_settings w;
    bpel_rst_settings_begin(&w, 1);
    bpel_rst_settings_string(&w, "composition", "Cu50Zr50");
    rst_info built;
    memset(&built, 0, sizeof built);
    assert_int_equal(bpel_rst_settings_finish(&w, &built), 0);
    rewrite(keep, bad, built.extra, built.extra_size, NULL);
    bpel_restart_free(&built);
    expect_resume_refused(bad, p.out, "lack 'natoms'");
    free(b);
    free(sec);
    free(log_part);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_check), cmocka_unit_test(test_run_and_resume)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
