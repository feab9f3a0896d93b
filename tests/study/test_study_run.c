/* test_study_run.c — the study stage as a library call, without the command
 * line: a small study (quench, modes, PMF on 256 atoms) reports every step
 * through the callback in order, writes the summary, report and merged
 * table; a rerun reuses every step; a step that fails is reported, the steps
 * that do not need its output still run, and the return is BPEL_EIO; a signal before
 * the first step stops the study; refused options touch nothing. The steps
 * run as child processes of the bpel program ($BPEL). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>

#include "error.h"
#include "study.h"
#include "table.h"
#include "testutil.h"
#include "vibrations.h"

#define MAX_EVENTS 64

typedef struct events {
    int n;
    study_event_kind kind[MAX_EVENTS];
    int index[MAX_EVENTS], total[MAX_EVENTS];
    char step[MAX_EVENTS][64];
    char detail[MAX_EVENTS][600];
} events;

static void on_event(void *ctx, const study_event *e)
{
    events *ev = ctx;
    if (ev->n >= MAX_EVENTS) return;
    ev->kind[ev->n] = e->kind;
    ev->index[ev->n] = e->index;
    ev->total[ev->n] = e->total;
    snprintf(ev->step[ev->n], sizeof ev->step[0], "%s", e->step ? e->step : "");
    snprintf(ev->detail[ev->n], sizeof ev->detail[0], "%s", e->detail ? e->detail : "");
    ev->n++;
}

static int count(const events *ev, study_event_kind kind)
{
    int n = 0;
    for (int k = 0; k < ev->n; k++) n += ev->kind[k] == kind;
    return n;
}



/* Quench (short), modes and PMF of one Cu50Zr50 glass of 256 atoms. */
static void small_config(study_config *c)
{
    bpel_study_config_defaults(c);
    snprintf(c->name, sizeof c->name, "lib");
    snprintf(c->potential, sizeof c->potential, "%s", test_potential("CuZr_mm.eam.fs"));
    c->seed = 7;
    c->atoms = 256;
    c->rates[0] = 1e15;
    c->melt_time = 0.5;
    c->do_tg = c->do_artn = c->do_correlate = c->do_trajectory = c->do_gruneisen = 0;
    c->do_temperature_series = 0;
    c->do_modes = c->do_pmf = 1;
}

static void small_options(study_options *o, const char *out, events *ev)
{
    bpel_study_options_default(o);
    o->program = getenv("BPEL");
    o->out = out;
    o->threads = 1;
    o->provenance = "test_study_run";
    o->event = on_event;
    o->ctx = ev;
}

/* The small study in an empty temporary folder NAME. */
static void fresh_study(const char *name, char *out, size_t len, study_config *c, study_options *o, events *ev)
{
    char cmd[1200];
    snprintf(out, len, "%s", test_tmp(name));
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", out);
    test_run(cmd);
    small_config(c);
    small_options(o, out, ev);
}

static void test_small_study(void **state)
{
    (void)state;
    char out[1024], path[1400];
    study_config c;
    study_options o;
    events ev = {0};
    fresh_study("study_run", out, sizeof out, &c, &o, &ev);
    study_result r;
    int rc = bpel_study_run(&c, &o, &r);
    if (rc) fail_msg("study_run: %s", bpel_errmsg());
    assert_string_equal(r.out, out);
    assert_int_equal(r.nsteps, 3);
    assert_int_equal(r.nfailed, 0);
    /* BEGIN, then each step starts and ends, in the plan's order */
    const char *steps[] = {"quench", "modes", "pmf"};
    assert_int_equal(ev.n, 1 + 2 * 3);
    assert_int_equal(ev.kind[0], STUDY_BEGIN);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(ev.kind[1 + 2 * k], STUDY_STEP_START);
        assert_int_equal(ev.kind[2 + 2 * k], STUDY_STEP_DONE);
        assert_string_equal(ev.step[1 + 2 * k], steps[k]);
        assert_int_equal(ev.index[1 + 2 * k], k + 1);
        assert_int_equal(ev.total[1 + 2 * k], 3);
    }
    /* the files of the study, the steps' logs, the merged table */
    const char *files[] = {"summary.json", "report.md", "report.html", "Cu50Zr50_R1e15/glass.data",
                           "Cu50Zr50_R1e15/logs/modes.log", "Cu50Zr50_R1e15/pmf/pmf.json",
                           "Cu50Zr50_R1e15/atoms_merged.csv", "Cu50Zr50_R1e15/atoms_merged.xyz", NULL};
    for (int k = 0; files[k]; k++) {
        snprintf(path, sizeof path, "%s/%s", out, files[k]);
        if (!test_file_nonempty(path)) fail_msg("missing %s", path);
    }
    snprintf(path, sizeof path, "%s/Cu50Zr50_R1e15/atoms_merged.csv", out);
    tbl_table *t = NULL;
    assert_int_equal(bpel_tbl_read(path, &t), BPEL_OK);
    assert_true(bpel_tbl_find_column(t, VIB_COL_IBP) >= 0);
    assert_int_equal(t->nrows, 256);
    bpel_tbl_destroy(t);
    /* the summary holds the step's numbers; the report shows them */
    snprintf(path, sizeof path, "%s/summary.json", out);
    cJSON *sum = test_read_json(path);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(sum, "provenance")), "test_study_run");
    const cJSON *s0 = cJSON_GetArrayItem(cJSON_GetObjectItem(sum, "samples"), 0);
    const cJSON *bp = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(s0, "modes"), VIB_KEY_BOSON_PEAK),
                                          VIB_KEY_BP_OMEGA);
    assert_true(cJSON_IsNumber(bp));
    char want[64];
    snprintf(want, sizeof want, "| %.4g |", bp->valuedouble);
    snprintf(path, sizeof path, "%s/report.md", out);
    if (!strstr(test_slurp(path), want)) fail_msg("report.md does not show the boson peak %s", want);
    cJSON_Delete(sum);

    /* a rerun reuses every step */
    memset(&ev, 0, sizeof ev);
    rc = bpel_study_run(&c, &o, &r);
    if (rc) fail_msg("rerun: %s", bpel_errmsg());
    assert_int_equal(count(&ev, STUDY_STEP_REUSED), 3);
    assert_int_equal(count(&ev, STUDY_STEP_START), 0);

    /* another build of bpel (here the same program with one more byte at
     * its end, which does not change what it does) redoes every step: its
     * defaults or code may differ from those that made the steps */
    char other[1100];
    snprintf(other, sizeof other, "%s/bpel-other-build", out);
    FILE *in = fopen(o.program, "rb"), *to = fopen(other, "wb");
    assert_non_null(in);
    assert_non_null(to);
    char buf[65536];
    size_t nb;
    while ((nb = fread(buf, 1, sizeof buf, in)) > 0) assert_int_equal(fwrite(buf, 1, nb, to), nb);
    fputc(0, to);
    fclose(in);
    assert_int_equal(fclose(to), 0);
    assert_int_equal(chmod(other, 0755), 0);
    o.program = other;
    memset(&ev, 0, sizeof ev);
    rc = bpel_study_run(&c, &o, &r);
    if (rc) fail_msg("rerun with another build: %s", bpel_errmsg());
    assert_int_equal(count(&ev, STUDY_STEP_REUSED), 0);
    assert_int_equal(count(&ev, STUDY_STEP_DONE), 3);

    /* modes refuses its options: it fails, the quench is reused, PMF (which
     * does not need modes, but follows it) runs again, and the report is
     * written and names the failure */
    snprintf(c.modes_options, sizeof c.modes_options, "--no-such-option 1");
    memset(&ev, 0, sizeof ev);
    rc = bpel_study_run(&c, &o, &r);
    assert_int_equal(rc, BPEL_EIO);
    assert_non_null(strstr(bpel_errmsg(), "1 step failed"));
    assert_int_equal(r.nfailed, 1);
    assert_string_equal(r.failed[0].step, "modes");
    assert_string_equal(r.failed[0].sample, "Cu50Zr50_R1e15");
    assert_int_equal(count(&ev, STUDY_STEP_FAILED), 1);
    assert_int_equal(count(&ev, STUDY_ERROR), 1);
    assert_int_equal(count(&ev, STUDY_STEP_REUSED), 1);
    assert_int_equal(count(&ev, STUDY_STEP_DONE), 1);
    for (int k = 0; k < ev.n; k++)
        if (ev.kind[k] == STUDY_ERROR) assert_non_null(strstr(ev.detail[k], "step modes failed"));
    snprintf(path, sizeof path, "%s/report.md", out);
    assert_non_null(strstr(test_slurp(path), "Steps that failed"));
    snprintf(path, sizeof path, "%s/summary.json", out);
    sum = test_read_json(path);
    s0 = cJSON_GetArrayItem(cJSON_GetObjectItem(sum, "samples"), 0);
    assert_null(cJSON_GetObjectItem(s0, "modes")); /* no stale numbers */
    assert_non_null(cJSON_GetObjectItem(s0, "pmf"));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(sum, "failed_steps")), 1);
    cJSON_Delete(sum);
}

/* A signal that arrived before the first step: nothing runs, nothing is
 * written at the end. */
static void test_signalled(void **state)
{
    (void)state;
    char out[1024], path[1400];
    study_config c;
    study_options o;
    events ev = {0};
    fresh_study("study_run_signalled", out, sizeof out, &c, &o, &ev);
    static volatile sig_atomic_t sig = SIGINT;
    o.signalled = &sig;
    study_result r;
    assert_int_equal(bpel_study_run(&c, &o, &r), BPEL_EINTR);
    assert_non_null(strstr(bpel_errmsg(), "interrupted before step 1/3 (quench)"));
    assert_int_equal(count(&ev, STUDY_STEP_START), 0);
    snprintf(path, sizeof path, "%s/summary.json", out);
    assert_false(test_file_nonempty(path));
}

static void test_refused(void **state)
{
    (void)state;
    study_config c;
    small_config(&c);
    study_options o;
    events ev = {0};
    study_result r;
    /* no program to run the steps */
    small_options(&o, test_tmp("study_run_refused"), &ev);
    o.program = NULL;
    assert_int_equal(bpel_study_run(&c, &o, &r), BPEL_EINVAL);
    assert_false(test_file_nonempty(test_tmp("study_run_refused")));
    /* a folder that cannot be made: no event, no step */
    small_options(&o, "/proc/bpel_no_such_folder/study", &ev);
    assert_int_not_equal(bpel_study_run(&c, &o, &r), BPEL_OK);
    assert_int_equal(ev.n, 0);
}

int main(void)
{
    if (!getenv("BPEL")) {
        fprintf(stderr, "test_study_run: BPEL (the bpel program) is not set\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_signalled),
        cmocka_unit_test(test_small_study),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
