/* study_plan.c — what a study (study.h) runs: the steps of every glass, in
 * folder OUT/<composition>_R<rate>:
 *   glass.data            quench → inherent structure (+ quench log)
 *   tg/                   Tg from the V–T curve of the quench
 *   modes/                VDOS, per-atom I_BP, Debye level (Fig. 1b)
 *   artn/                 per-atom ΔQ (ARTn)
 *   correlate/            [1/I_BP]_CG vs ΔQ_CG, C(r) (Figs. 2–5)
 *   trajectory/           100 K runs of the extreme-I_BP atoms (Fig. 8)
 *   pmf/                  RDF and potential of mean force (Fig. 10)
 *   gruneisen/            mode and atomic Grüneisen parameters (Fig. 11)
 *   series/               inherent structures over T and their VDOS (Fig. 9)
 * then the merged tables, the sweeps, summary.json and the report
 * (study_report.c, study_sweeps.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artn_columns.h"
#include "error.h"
#include "outfile.h"
#include "study_impl.h"
#include "table.h"
#include "vibrations.h"

/* Fewer atoms than this with a connected saddle: no correlation over the
 * connected saddles alone (the report says "not computed"). */
#define MIN_CONNECTED_ATOMS 20

static size_t atoms_with_connected_saddle(const study_sample *sm)
{
    char path[800];
    snprintf(path, sizeof path, "%s/%s", sm->dir, STUDY_ARTN_TABLE);
    tbl_table *t = NULL;
    if (bpel_tbl_read(path, &t)) {
        bpel_clear_error();
        return 0;
    }
    int col = bpel_tbl_find_column(t, ARTN_COL_N_CONNECTED);
    size_t n = 0;
    for (size_t r = 0; col >= 0 && r < t->nrows; r++) n += atoi(t->cells[r * t->ncols + col]) > 0;
    bpel_tbl_destroy(t);
    return n;
}

static void rate_tag(double rate, char *out, size_t n)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.3g", rate);
    /* 1e+13 -> 1e13 */
    char *plus = strstr(buf, "e+");
    if (plus) memmove(plus + 1, plus + 2, strlen(plus + 2) + 1);
    snprintf(out, n, "%s", buf);
}

static int plan_count_sample(const study_config *c)
{
    int per = 1 + c->do_tg + c->do_modes + c->do_artn + 2 * c->do_correlate + c->do_trajectory + c->do_pmf +
              c->do_gruneisen;
    if (c->do_temperature_series && c->ntemperatures > 0) per += 1 + c->ntemperatures + 1;
    return per;
}

static int plan_count(const study_config *c)
{
    return plan_count_sample(c) * c->ncompositions * c->nrates;
}

static void common_potential(study_step *st, const study_config *c)
{
    bpel_step_arg(st, "--potential");
    bpel_step_arg(st, "%s", c->potential);
    if (c->elements[0]) {
        bpel_step_arg(st, "--elements");
        bpel_step_arg(st, "%s", c->elements);
    }
}

const char *bpel_study_sample_name(const study_sample *sm)
{
    const char *slash = strrchr(sm->dir, '/');
    return slash ? slash + 1 : sm->dir;
}

void bpel_study_record_failure(study_state *S, const study_sample *sm, const char *step, const char *msg)
{
    if (S->res->nfailed < STUDY_MAX_FAILED) {
        study_failure *f = &S->res->failed[S->res->nfailed];
        snprintf(f->sample, sizeof f->sample, "%.127s", bpel_study_sample_name(sm));
        snprintf(f->step, sizeof f->step, "%.63s", step);
        snprintf(f->message, sizeof f->message, "%.511s", msg);
    }
    S->res->nfailed++;
}

/* Runs a step; a failure is recorded (not returned) so the study goes on.
 * Returns 1 when the step's outputs are there to use. */
static int try_step(study_state *S, const study_sample *sm, const study_step *st)
{
    if (S->interrupted) return 0;
    int rc = bpel_study_step_run(S, st);
    if (!rc) return 1;
    if (rc == BPEL_EINTR) {
        S->interrupted = 1;
        snprintf(S->interrupt_msg, sizeof S->interrupt_msg, "%s", bpel_errmsg());
        return 0;
    }
    bpel_study_record_failure(S, sm, st->name, bpel_errmsg());
    bpel_study_emit(S, STUDY_ERROR, st->name, sm->dir, 0, 0, bpel_errmsg());
    bpel_clear_error();
    return 0;
}

/* A step not run because a step it needs failed. */
static void skip_step(study_state *S, const study_sample *sm, const char *step, const char *needs)
{
    if (S->interrupted) return;
    char msg[128];
    snprintf(msg, sizeof msg, "not run: the %s step it needs failed", needs);
    S->index++;
    bpel_study_emit(S, STUDY_STEP_SKIPPED, step, sm->dir, 0, 0, needs);
    bpel_study_record_failure(S, sm, step, msg);
}

const study_failure *bpel_study_find_failure(const study_state *S, const study_sample *sm, const char *step)
{
    for (int f = 0; f < S->res->nfailed && f < STUDY_MAX_FAILED; f++)
        if (!strcmp(S->res->failed[f].sample, bpel_study_sample_name(sm)) &&
            (!strcmp(S->res->failed[f].step, step) || !strcmp(S->res->failed[f].step, "quench") ||
             !strcmp(S->res->failed[f].step, "(all later steps)")))
            return &S->res->failed[f];
    return NULL;
}

/* Steps of one glass. Failures are recorded in S->res->failed; the return is
 * an error only for what stops the whole study (none today). */
static int run_sample(study_state *S, const study_sample *sm, long seed)
{
    const study_config *c = S->cfg;
    study_step st;
    char glass[800], p1[900], p2[900];
    snprintf(glass, sizeof glass, "%s/glass.data", sm->dir);
    int modes_ok = 1, artn_ok = 1;

    bpel_step_init(&st, "quench", sm->dir);
    bpel_step_arg(&st, "quench");
    bpel_step_arg(&st, "--composition"); bpel_step_arg(&st, "%s", sm->composition);
    bpel_step_arg(&st, "--atoms"); bpel_step_arg(&st, "%ld", c->atoms); /* older spelling of --natoms, kept so that
                                                          * finished quench steps of existing studies are reused */
    bpel_step_arg(&st, "--rate"); bpel_step_arg(&st, "%.6g", sm->rate);
    common_potential(&st, c);
    bpel_step_arg(&st, "--melt-temperature"); bpel_step_arg(&st, "%.6g", c->melt_temperature);
    bpel_step_arg(&st, "--melt-time"); bpel_step_arg(&st, "%.6g", c->melt_time);
    bpel_step_arg(&st, "--final-temperature"); bpel_step_arg(&st, "%.6g", c->final_temperature);
    bpel_step_arg(&st, "--hold-time"); bpel_step_arg(&st, "%.6g", c->hold_time);
    bpel_step_arg(&st, "--seed"); bpel_step_arg(&st, "%ld", seed);
    bpel_step_arg(&st, "--out"); bpel_step_arg(&st, "%s", glass);
    /* an interrupted quench continues from its checkpoint */
    if (strlen(glass) + 8 < STEP_ARG_LEN) {
        memcpy(st.checkpoint, glass, strlen(glass));
        memcpy(st.checkpoint + strlen(glass), ".restart", 9);
        st.rargc = 3;
        snprintf(st.rargv[0], STEP_ARG_LEN, "quench");
        snprintf(st.rargv[1], STEP_ARG_LEN, "--resume");
        memcpy(st.rargv[2], st.checkpoint, strlen(st.checkpoint) + 1);
    }
    if (!try_step(S, sm, &st)) {
        if (S->interrupted) return BPEL_OK;
        /* nothing else can run without the glass */
        int rest = plan_count_sample(c) - 1;
        for (int k = 0; k < rest; k++) S->index++;
        bpel_study_record_failure(S, sm, "(all later steps)", "not run: the quench step they need failed");
        bpel_study_emit(S, STUDY_STEP_SKIPPED, "later steps", sm->dir, 0, 0, "quench");
        return BPEL_OK;
    }

    if (c->do_tg) {
        bpel_step_init(&st, "tg", sm->dir);
        bpel_step_arg(&st, "tg");
        bpel_step_arg(&st, "%s/glass.log.csv", sm->dir);
        bpel_step_arg(&st, "--out"); bpel_step_arg(&st, "%s/tg", sm->dir);
        try_step(S, sm, &st);
    }
    if (c->do_modes) {
        bpel_step_init(&st, "modes", sm->dir);
        bpel_step_arg(&st, "modes");
        bpel_step_arg(&st, "%s", glass);
        common_potential(&st, c);
        bpel_step_arg(&st, "--out"); bpel_step_arg(&st, "%s/modes", sm->dir);
        bpel_step_args_split(&st, c->modes_options);
        modes_ok = try_step(S, sm, &st);
    }
    if (c->do_artn) {
        bpel_step_init(&st, "artn", sm->dir);
        bpel_step_arg(&st, "artn");
        bpel_step_arg(&st, "%s", glass);
        common_potential(&st, c);
        bpel_step_arg(&st, "--atoms"); bpel_step_arg(&st, "%s", c->artn_atoms);
        bpel_step_arg(&st, "--searches"); bpel_step_arg(&st, "%ld", c->artn_searches);
        bpel_step_arg(&st, "--seed"); bpel_step_arg(&st, "%ld", seed);
        bpel_step_arg(&st, "--resume");
        bpel_step_arg(&st, "--threads"); bpel_step_arg(&st, "%d", S->threads);
        bpel_step_arg(&st, "--out"); bpel_step_arg(&st, "%s/artn", sm->dir);
        bpel_step_args_split(&st, c->artn_options);
        snprintf(st.checkpoint, sizeof st.checkpoint, "%s/artn/events.log", sm->dir);
        artn_ok = try_step(S, sm, &st);
    }
    /* ΔQ over every accepted saddle, and over the saddles connected to the
     * initial minimum only (correlate_connected/) */
    for (int conn = 0; conn < 2 && c->do_correlate && c->do_modes && c->do_artn; conn++) {
        if (!modes_ok || !artn_ok) {
            skip_step(S, sm, conn ? "correlate_connected" : "correlate", !modes_ok ? "modes" : "artn");
            continue;
        }
        size_t nconn = 0;
        if (S->interrupted) break;
        if (conn && (nconn = atoms_with_connected_saddle(sm)) < MIN_CONNECTED_ATOMS) {
            char why[128];
            snprintf(why, sizeof why, "%zu atoms have a connected saddle (need %d)", nconn, MIN_CONNECTED_ATOMS);
            S->index++;
            bpel_study_emit(S, STUDY_STEP_LEFT_OUT, "correlate_connected", sm->dir, 0, 0, why);
            if (S->res->nnotes < STUDY_MAX_FAILED) {
                study_failure *nt = &S->res->notes[S->res->nnotes++];
                snprintf(nt->sample, sizeof nt->sample, "%.127s", bpel_study_sample_name(sm));
                snprintf(nt->step, sizeof nt->step, "correlate_connected");
                snprintf(nt->message, sizeof nt->message, "skipped: %s", why);
            }
            continue;
        }
        bpel_step_init(&st, conn ? "correlate_connected" : "correlate", sm->dir);
        bpel_step_arg(&st, "correlate");
        bpel_step_arg(&st, "%s", glass);
        snprintf(p1, sizeof p1, "%s/%s:%s:inv", sm->dir, STUDY_MODES_TABLE, VIB_COL_IBP);
        snprintf(p2, sizeof p2, "%s/%s:%s", sm->dir, STUDY_ARTN_TABLE, conn ? ARTN_COL_DQ_CONNECTED : ARTN_COL_DQ);
        bpel_step_arg(&st, "--x"); bpel_step_arg(&st, "%s", p1);
        bpel_step_arg(&st, "--y"); bpel_step_arg(&st, "%s", p2);
        bpel_step_arg(&st, "--lmax"); bpel_step_arg(&st, "%.6g", c->corr_lmax);
        bpel_step_arg(&st, "--dl"); bpel_step_arg(&st, "%.6g", c->corr_dl);
        bpel_step_arg(&st, "--bootstrap"); bpel_step_arg(&st, "%ld", c->corr_bootstrap);
        bpel_step_arg(&st, "--seed"); bpel_step_arg(&st, "%ld", seed);
        bpel_step_arg(&st, "--allow-missing");
        /* bins of ~100 atoms as the paper, fewer for small glasses */
        long bin = c->atoms / 20;
        bpel_step_arg(&st, "--bin-size"); bpel_step_arg(&st, "%ld", bin > 100 ? 100 : bin < 5 ? 5 : bin);
        bpel_step_arg(&st, "--elements"); bpel_step_arg(&st, "%s", c->elements[0] ? c->elements : "Cu,Zr");
        bpel_step_arg(&st, "--out"); bpel_step_arg(&st, "%s/%s", sm->dir, conn ? "correlate_connected" : "correlate");
        bpel_step_args_split(&st, c->corr_options);
        try_step(S, sm, &st);
    }
    if (c->do_trajectory && !modes_ok) skip_step(S, sm, "trajectory", "modes");
    else if (c->do_trajectory) {
        bpel_step_init(&st, "trajectory", sm->dir);
        bpel_step_arg(&st, "trajectory");
        bpel_step_arg(&st, "%s", glass);
        common_potential(&st, c);
        bpel_step_arg(&st, "--temperature"); bpel_step_arg(&st, "%.6g", c->traj_temperature);
        bpel_step_arg(&st, "--time"); bpel_step_arg(&st, "%.6g", c->traj_time);
        if (c->do_modes) {
            bpel_step_arg(&st, "--rank"); bpel_step_arg(&st, "%s/%s:%s", sm->dir, STUDY_MODES_TABLE, VIB_COL_IBP);
            bpel_step_arg(&st, "--top"); bpel_step_arg(&st, "%ld", c->traj_top);
            bpel_step_arg(&st, "--bottom"); bpel_step_arg(&st, "%ld", c->traj_bottom);
        }
        bpel_step_arg(&st, "--seed"); bpel_step_arg(&st, "%ld", seed);
        bpel_step_arg(&st, "--out"); bpel_step_arg(&st, "%s/trajectory", sm->dir);
        try_step(S, sm, &st);
    }
    if (c->do_pmf) {
        bpel_step_init(&st, "pmf", sm->dir);
        bpel_step_arg(&st, "pmf");
        bpel_step_arg(&st, "%s", glass);
        bpel_step_arg(&st, "--temperature"); bpel_step_arg(&st, "%.6g", c->pmf_temperature);
        bpel_step_arg(&st, "--out"); bpel_step_arg(&st, "%s/pmf", sm->dir);
        try_step(S, sm, &st);
    }
    if (c->do_gruneisen) {
        bpel_step_init(&st, "gruneisen", sm->dir);
        bpel_step_arg(&st, "gruneisen");
        bpel_step_arg(&st, "%s", glass);
        common_potential(&st, c);
        if (!c->gruneisen_relax) bpel_step_arg(&st, "--no-relax");
        bpel_step_arg(&st, "--out"); bpel_step_arg(&st, "%s/gruneisen", sm->dir);
        bpel_step_args_split(&st, c->gruneisen_options);
        try_step(S, sm, &st);
    }
    if (c->do_temperature_series && c->ntemperatures > 0) {
        char list[512] = "";
        for (int k = 0; k < c->ntemperatures; k++) {
            char t[32];
            snprintf(t, sizeof t, "%s%.6g", k ? "," : "", c->temperatures[k]);
            strncat(list, t, sizeof list - strlen(list) - 1);
        }
        bpel_step_init(&st, "inherent", sm->dir);
        bpel_step_arg(&st, "inherent");
        bpel_step_arg(&st, "%s", glass);
        common_potential(&st, c);
        bpel_step_arg(&st, "--temperatures"); bpel_step_arg(&st, "%s", list);
        bpel_step_arg(&st, "--time"); bpel_step_arg(&st, "%.6g", c->series_time);
        bpel_step_arg(&st, "--seed"); bpel_step_arg(&st, "%ld", seed);
        bpel_step_arg(&st, "--out"); bpel_step_arg(&st, "%s/series", sm->dir);
        if (!try_step(S, sm, &st)) {
            for (int k = 0; k < c->ntemperatures; k++) {
                char name[64];
                snprintf(name, sizeof name, "modes_T%.6g", c->temperatures[k]);
                skip_step(S, sm, name, "inherent");
            }
            skip_step(S, sm, "vdos_series", "inherent");
            return BPEL_OK;
        }
        study_step ser;
        int series_ok = 1;
        bpel_step_init(&ser, "vdos_series", sm->dir);
        bpel_step_arg(&ser, "vdos");
        common_potential(&ser, c);
        for (int k = 0; k < c->ntemperatures; k++) {
            char name[64];
            snprintf(name, sizeof name, "modes_T%.6g", c->temperatures[k]);
            bpel_step_init(&st, name, sm->dir);
            bpel_step_arg(&st, "modes");
            bpel_step_arg(&st, "%s/series/inherent_%.6gK.data", sm->dir, c->temperatures[k]);
            common_potential(&st, c);
            bpel_step_arg(&st, "--out"); bpel_step_arg(&st, "%s/series/modes_T%.6g", sm->dir, c->temperatures[k]);
            bpel_step_args_split(&st, c->modes_options);
            series_ok &= try_step(S, sm, &st);
            bpel_step_arg(&ser, "%.6gK:%s/series/modes_T%.6g", c->temperatures[k], sm->dir, c->temperatures[k]);
        }
        bpel_step_arg(&ser, "--out"); bpel_step_arg(&ser, "%s/series", sm->dir);
        if (series_ok) try_step(S, sm, &ser);
        else skip_step(S, sm, "vdos_series", "modes_T");
    }
    return BPEL_OK;
}

void bpel_study_options_default(study_options *o) { memset(o, 0, sizeof *o); }

int bpel_study_run(const study_config *c, const study_options *o, study_result *r)
{
    memset(r, 0, sizeof *r);
    if (!o->program || !o->program[0]) return bpel_fail(BPEL_EINVAL, "study: no bpel program to run the steps");
    snprintf(r->out, sizeof r->out, "%s", o->out ? o->out : c->output[0] ? c->output : c->name);
    int rc = bpel_out_check_dir(r->out);
    if (rc) return rc;
    study_state S;
    memset(&S, 0, sizeof S);
    S.cfg = c;
    S.opt = o;
    S.res = r;
    S.threads = o->threads > 0 ? o->threads : c->threads > 0 ? c->threads : 1;
    if ((rc = bpel_study_program_id(o->program, S.program_id))) return rc;
    int ns = c->ncompositions * c->nrates;
    study_sample *sm = bpel_calloc((size_t)ns, sizeof *sm);
    if (!sm) return BPEL_ENOMEM;
    S.total = r->nsteps = plan_count(c);
    bpel_study_emit(&S, STUDY_BEGIN, NULL, r->out, 0, 0, NULL);
    int k = 0;
    for (int a = 0; a < c->ncompositions; a++)
        for (int b = 0; b < c->nrates; b++, k++) {
            char tag[32];
            rate_tag(c->rates[b], tag, sizeof tag);
            snprintf(sm[k].composition, sizeof sm[k].composition, "%s", c->compositions[a]);
            sm[k].rate = c->rates[b];
            snprintf(sm[k].dir, sizeof sm[k].dir, "%s/%s_R%s", r->out, c->compositions[a], tag);
        }
    for (k = 0; k < ns && !rc; k++) {
        S.dirty = 0;
        S.chain = 0;
        rc = run_sample(&S, &sm[k], c->seed + 1000L * k);
    }
    if (!rc && S.interrupted) {
        free(sm);
        return bpel_fail(BPEL_EINTR, "%s", S.interrupt_msg);
    }
    for (k = 0; k < ns && !rc; k++)
        if (!bpel_study_find_failure(&S, &sm[k], "quench") && bpel_study_merge_tables(&sm[k])) {
            bpel_study_record_failure(&S, &sm[k], "atoms_merged", bpel_errmsg());
            bpel_clear_error();
        }
    if (!rc && bpel_study_sweeps(&S, sm, ns)) {
        bpel_study_record_failure(&S, &sm[0], "sweeps", bpel_errmsg());
        bpel_clear_error();
    }
    if (!rc) rc = bpel_study_write_summary(&S, sm, ns);
    free(sm);
    if (!rc && r->nfailed)
        rc = bpel_fail(BPEL_EIO, "%d step%s failed or could not run (first: %s/%s: %s); the report marks them",
                       r->nfailed, r->nfailed > 1 ? "s" : "", r->failed[0].sample, r->failed[0].step,
                       r->failed[0].message);
    return rc;
}
