/* cli_study_plan.c — what `bpel study` runs, and what it writes at the end.
 *
 * Per glass (composition × cooling rate), in folder OUT/<composition>_R<rate>:
 *   glass.data            quench → inherent structure (+ quench log)
 *   tg/                   Tg from the V–T curve of the quench
 *   modes/                VDOS, per-atom I_BP, Debye level (Fig. 1b)
 *   artn/                 per-atom ΔQ (ARTn)
 *   correlate/            [1/I_BP]_CG vs ΔQ_CG, C(r) (Figs. 2–5)
 *   trajectory/           100 K runs of the extreme-I_BP atoms (Fig. 8)
 *   pmf/                  RDF and potential of mean force (Fig. 10)
 *   gruneisen/            mode and atomic Grüneisen parameters (Fig. 11)
 *   series/               inherent structures over T and their VDOS (Fig. 9)
 *   atoms_merged.csv/.xyz every per-atom quantity, one row per atom (OVITO)
 * and at the top: fig6 / fig7 (sweeps), summary.json, report.md, report.html. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_study.h"
#include "error.h"
#include "outfile.h"
#include "structure.h"
#include "table.h"

/* Column and file names of the per-atom tables the steps write. */
#define MODES_TABLE "modes/atoms.csv"
#define MODES_IBP "I_BP_per_radps3"
#define ARTN_TABLE "artn/atoms.csv"
#define ARTN_DQ "dq_mean_eV"
#define ARTN_DQ_CONN "dq_connected_mean_eV"
#define GRUN_TABLE "gruneisen/atoms.csv"
#define GRUN_GAMMA "gamma_i"

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Fewer atoms than this with a connected saddle: no correlation over the
 * connected saddles alone (the report says "not computed"). */
#define MIN_CONNECTED_ATOMS 20

static size_t atoms_with_connected_saddle(const sample *sm)
{
    char path[800];
    snprintf(path, sizeof path, "%s/%s", sm->dir, ARTN_TABLE);
    tbl_table *t = NULL;
    if (tbl_read(path, &t)) {
        bpel_clear_error();
        return 0;
    }
    int col = tbl_find_column(t, "n_connected");
    size_t n = 0;
    for (size_t r = 0; col >= 0 && r < t->nrows; r++) n += atoi(t->cells[r * t->ncols + col]) > 0;
    tbl_destroy(t);
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
    step_arg(st, "--potential");
    step_arg(st, "%s", c->potential);
    if (c->elements[0]) {
        step_arg(st, "--elements");
        step_arg(st, "%s", c->elements);
    }
}

static const char *sample_name(const sample *sm)
{
    const char *slash = strrchr(sm->dir, '/');
    return slash ? slash + 1 : sm->dir;
}

static void record_failure(study_run *run, const sample *sm, const char *step, const char *msg)
{
    if (run->nfailed < STUDY_MAX_FAILED) {
        study_failure *f = &run->failed[run->nfailed];
        snprintf(f->sample, sizeof f->sample, "%.127s", sample_name(sm));
        snprintf(f->step, sizeof f->step, "%.63s", step);
        snprintf(f->message, sizeof f->message, "%.511s", msg);
    }
    run->nfailed++;
}

/* Runs a step; a failure is recorded (not returned) so the study goes on.
 * Returns 1 when the step's outputs are there to use. */
static int try_step(study_run *run, const sample *sm, const study_step *st)
{
    if (run->interrupted) return 0;
    int rc = study_run_step(run, st);
    if (!rc) return 1;
    if (rc == BPEL_EINTR) {
        run->interrupted = 1;
        snprintf(run->interrupt_msg, sizeof run->interrupt_msg, "%s", bpel_errmsg());
        return 0;
    }
    record_failure(run, sm, st->name, bpel_errmsg());
    fprintf(stderr, "bpel study: %s\n", bpel_errmsg());
    bpel_clear_error();
    return 0;
}

/* A step not run because a step it needs failed. */
static void skip_step(study_run *run, const sample *sm, const char *step, const char *needs)
{
    if (run->interrupted) return;
    char msg[128];
    snprintf(msg, sizeof msg, "not run: the %s step it needs failed", needs);
    run->index++;
    printf("[%2d/%2d] %-28s skipped (%s failed)\n", run->index, run->total, step, needs);
    fflush(stdout);
    record_failure(run, sm, step, msg);
}

/* The failure recorded for a step of a glass (the quench's failure counts
 * for every step), or NULL. */
static const study_failure *find_failure(const study_run *run, const sample *sm, const char *step)
{
    for (int f = 0; f < run->nfailed && f < STUDY_MAX_FAILED; f++)
        if (!strcmp(run->failed[f].sample, sample_name(sm)) &&
            (!strcmp(run->failed[f].step, step) || !strcmp(run->failed[f].step, "quench") ||
             !strcmp(run->failed[f].step, "(all later steps)")))
            return &run->failed[f];
    return NULL;
}

static int step_failed(const study_run *run, const sample *sm, const char *step)
{
    return find_failure(run, sm, step) != NULL;
}

/* Steps of one glass. Failures are recorded in run->failed; the return is
 * an error only for what stops the whole study (none today). */
static int run_sample(study_run *run, const sample *sm, long seed)
{
    const study_config *c = run->cfg;
    study_step st;
    char glass[800], p1[900], p2[900];
    snprintf(glass, sizeof glass, "%s/glass.data", sm->dir);
    int modes_ok = 1, artn_ok = 1;

    step_init(&st, "quench", sm->dir);
    step_arg(&st, "quench");
    step_arg(&st, "--composition"); step_arg(&st, "%s", sm->composition);
    step_arg(&st, "--atoms"); step_arg(&st, "%ld", c->atoms); /* older spelling of --natoms, kept so that
                                                          * finished quench steps of existing studies are reused */
    step_arg(&st, "--rate"); step_arg(&st, "%.6g", sm->rate);
    common_potential(&st, c);
    step_arg(&st, "--melt-temperature"); step_arg(&st, "%.6g", c->melt_temperature);
    step_arg(&st, "--melt-time"); step_arg(&st, "%.6g", c->melt_time);
    step_arg(&st, "--final-temperature"); step_arg(&st, "%.6g", c->final_temperature);
    step_arg(&st, "--hold-time"); step_arg(&st, "%.6g", c->hold_time);
    step_arg(&st, "--seed"); step_arg(&st, "%ld", seed);
    step_arg(&st, "--out"); step_arg(&st, "%s", glass);
    /* an interrupted quench continues from its checkpoint */
    if (strlen(glass) + 8 < STEP_ARG_LEN) {
        memcpy(st.checkpoint, glass, strlen(glass));
        memcpy(st.checkpoint + strlen(glass), ".restart", 9);
        st.rargc = 3;
        snprintf(st.rargv[0], STEP_ARG_LEN, "quench");
        snprintf(st.rargv[1], STEP_ARG_LEN, "--resume");
        memcpy(st.rargv[2], st.checkpoint, strlen(st.checkpoint) + 1);
    }
    if (!try_step(run, sm, &st)) {
        if (run->interrupted) return BPEL_OK;
        /* nothing else can run without the glass */
        int rest = plan_count_sample(c) - 1;
        for (int k = 0; k < rest; k++) run->index++;
        record_failure(run, sm, "(all later steps)", "not run: the quench step they need failed");
        printf("[%2d/%2d] %-28s skipped (quench failed)\n", run->index, run->total, "later steps");
        return BPEL_OK;
    }

    if (c->do_tg) {
        step_init(&st, "tg", sm->dir);
        step_arg(&st, "tg");
        step_arg(&st, "%s/glass.log.csv", sm->dir);
        step_arg(&st, "--out"); step_arg(&st, "%s/tg", sm->dir);
        try_step(run, sm, &st);
    }
    if (c->do_modes) {
        step_init(&st, "modes", sm->dir);
        step_arg(&st, "modes");
        step_arg(&st, "%s", glass);
        common_potential(&st, c);
        step_arg(&st, "--out"); step_arg(&st, "%s/modes", sm->dir);
        step_args_split(&st, c->modes_options);
        modes_ok = try_step(run, sm, &st);
    }
    if (c->do_artn) {
        step_init(&st, "artn", sm->dir);
        step_arg(&st, "artn");
        step_arg(&st, "%s", glass);
        common_potential(&st, c);
        step_arg(&st, "--atoms"); step_arg(&st, "%s", c->artn_atoms);
        step_arg(&st, "--searches"); step_arg(&st, "%ld", c->artn_searches);
        step_arg(&st, "--seed"); step_arg(&st, "%ld", seed);
        step_arg(&st, "--resume");
        step_arg(&st, "--threads"); step_arg(&st, "%d", run->threads);
        step_arg(&st, "--out"); step_arg(&st, "%s/artn", sm->dir);
        step_args_split(&st, c->artn_options);
        snprintf(st.checkpoint, sizeof st.checkpoint, "%s/artn/events.log", sm->dir);
        artn_ok = try_step(run, sm, &st);
    }
    /* ΔQ over every accepted saddle, and over the saddles connected to the
     * initial minimum only (correlate_connected/) */
    for (int conn = 0; conn < 2 && c->do_correlate && c->do_modes && c->do_artn; conn++) {
        if (!modes_ok || !artn_ok) {
            skip_step(run, sm, conn ? "correlate_connected" : "correlate", !modes_ok ? "modes" : "artn");
            continue;
        }
        size_t nconn = 0;
        if (run->interrupted) break;
        if (conn && (nconn = atoms_with_connected_saddle(sm)) < MIN_CONNECTED_ATOMS) {
            run->index++;
            printf("[%2d/%2d] %-28s skipped: %zu atoms have a connected saddle (need %d)\n", run->index, run->total,
                   "correlate_connected", nconn, MIN_CONNECTED_ATOMS);
            if (run->nnotes < STUDY_MAX_FAILED) {
                study_failure *nt = &run->notes[run->nnotes++];
                snprintf(nt->sample, sizeof nt->sample, "%.127s", sample_name(sm));
                snprintf(nt->step, sizeof nt->step, "correlate_connected");
                snprintf(nt->message, sizeof nt->message, "skipped: %zu atoms have a connected saddle (need %d)", nconn,
                         MIN_CONNECTED_ATOMS);
            }
            fflush(stdout);
            continue;
        }
        step_init(&st, conn ? "correlate_connected" : "correlate", sm->dir);
        step_arg(&st, "correlate");
        step_arg(&st, "%s", glass);
        snprintf(p1, sizeof p1, "%s/%s:%s:inv", sm->dir, MODES_TABLE, MODES_IBP);
        snprintf(p2, sizeof p2, "%s/%s:%s", sm->dir, ARTN_TABLE, conn ? ARTN_DQ_CONN : ARTN_DQ);
        step_arg(&st, "--x"); step_arg(&st, "%s", p1);
        step_arg(&st, "--y"); step_arg(&st, "%s", p2);
        step_arg(&st, "--lmax"); step_arg(&st, "%.6g", c->corr_lmax);
        step_arg(&st, "--dl"); step_arg(&st, "%.6g", c->corr_dl);
        step_arg(&st, "--bootstrap"); step_arg(&st, "%ld", c->corr_bootstrap);
        step_arg(&st, "--seed"); step_arg(&st, "%ld", seed);
        step_arg(&st, "--allow-missing");
        /* bins of ~100 atoms as the paper, fewer for small glasses */
        long bin = c->atoms / 20;
        step_arg(&st, "--bin-size"); step_arg(&st, "%ld", bin > 100 ? 100 : bin < 5 ? 5 : bin);
        step_arg(&st, "--elements"); step_arg(&st, "%s", c->elements[0] ? c->elements : "Cu,Zr");
        step_arg(&st, "--out"); step_arg(&st, "%s/%s", sm->dir, conn ? "correlate_connected" : "correlate");
        step_args_split(&st, c->corr_options);
        try_step(run, sm, &st);
    }
    if (c->do_trajectory && !modes_ok) skip_step(run, sm, "trajectory", "modes");
    else if (c->do_trajectory) {
        step_init(&st, "trajectory", sm->dir);
        step_arg(&st, "trajectory");
        step_arg(&st, "%s", glass);
        common_potential(&st, c);
        step_arg(&st, "--temperature"); step_arg(&st, "%.6g", c->traj_temperature);
        step_arg(&st, "--time"); step_arg(&st, "%.6g", c->traj_time);
        if (c->do_modes) {
            step_arg(&st, "--rank"); step_arg(&st, "%s/%s:%s", sm->dir, MODES_TABLE, MODES_IBP);
            step_arg(&st, "--top"); step_arg(&st, "%ld", c->traj_top);
            step_arg(&st, "--bottom"); step_arg(&st, "%ld", c->traj_bottom);
        }
        step_arg(&st, "--seed"); step_arg(&st, "%ld", seed);
        step_arg(&st, "--out"); step_arg(&st, "%s/trajectory", sm->dir);
        try_step(run, sm, &st);
    }
    if (c->do_pmf) {
        step_init(&st, "pmf", sm->dir);
        step_arg(&st, "pmf");
        step_arg(&st, "%s", glass);
        step_arg(&st, "--temperature"); step_arg(&st, "%.6g", c->pmf_temperature);
        step_arg(&st, "--out"); step_arg(&st, "%s/pmf", sm->dir);
        try_step(run, sm, &st);
    }
    if (c->do_gruneisen) {
        step_init(&st, "gruneisen", sm->dir);
        step_arg(&st, "gruneisen");
        step_arg(&st, "%s", glass);
        common_potential(&st, c);
        if (!c->gruneisen_relax) step_arg(&st, "--no-relax");
        step_arg(&st, "--out"); step_arg(&st, "%s/gruneisen", sm->dir);
        step_args_split(&st, c->gruneisen_options);
        try_step(run, sm, &st);
    }
    if (c->do_temperature_series && c->ntemperatures > 0) {
        char list[512] = "";
        for (int k = 0; k < c->ntemperatures; k++) {
            char t[32];
            snprintf(t, sizeof t, "%s%.6g", k ? "," : "", c->temperatures[k]);
            strncat(list, t, sizeof list - strlen(list) - 1);
        }
        step_init(&st, "inherent", sm->dir);
        step_arg(&st, "inherent");
        step_arg(&st, "%s", glass);
        common_potential(&st, c);
        step_arg(&st, "--temperatures"); step_arg(&st, "%s", list);
        step_arg(&st, "--time"); step_arg(&st, "%.6g", c->series_time);
        step_arg(&st, "--seed"); step_arg(&st, "%ld", seed);
        step_arg(&st, "--out"); step_arg(&st, "%s/series", sm->dir);
        if (!try_step(run, sm, &st)) {
            for (int k = 0; k < c->ntemperatures; k++) {
                char name[64];
                snprintf(name, sizeof name, "modes_T%.6g", c->temperatures[k]);
                skip_step(run, sm, name, "inherent");
            }
            skip_step(run, sm, "vdos_series", "inherent");
            return BPEL_OK;
        }
        study_step ser;
        int series_ok = 1;
        step_init(&ser, "vdos_series", sm->dir);
        step_arg(&ser, "vdos");
        common_potential(&ser, c);
        for (int k = 0; k < c->ntemperatures; k++) {
            char name[64];
            snprintf(name, sizeof name, "modes_T%.6g", c->temperatures[k]);
            step_init(&st, name, sm->dir);
            step_arg(&st, "modes");
            step_arg(&st, "%s/series/inherent_%.6gK.data", sm->dir, c->temperatures[k]);
            common_potential(&st, c);
            step_arg(&st, "--out"); step_arg(&st, "%s/series/modes_T%.6g", sm->dir, c->temperatures[k]);
            step_args_split(&st, c->modes_options);
            series_ok &= try_step(run, sm, &st);
            step_arg(&ser, "%.6gK:%s/series/modes_T%.6g", c->temperatures[k], sm->dir, c->temperatures[k]);
        }
        step_arg(&ser, "--out"); step_arg(&ser, "%s/series", sm->dir);
        if (series_ok) try_step(run, sm, &ser);
        else skip_step(run, sm, "vdos_series", "modes_T");
    }
    return BPEL_OK;
}

/* ------------------------------------------------- merged per-atom table */

static int merge_tables(const sample *sm)
{
    char glass[800], path[900];
    snprintf(glass, sizeof glass, "%s/glass.data", sm->dir);
    bpel_system *s = NULL;
    int rc = data_read(glass, &s);
    if (rc) return rc;
    struct { const char *file, *col, *name; } want[] = {
        {MODES_TABLE, MODES_IBP, MODES_IBP}, {MODES_TABLE, "omega_BP_radps", "omega_BP_radps"},
        {ARTN_TABLE, ARTN_DQ, ARTN_DQ}, {ARTN_TABLE, "dq_std_eV", "dq_std_eV"},
        {ARTN_TABLE, ARTN_DQ_CONN, ARTN_DQ_CONN},
        {GRUN_TABLE, GRUN_GAMMA, "gamma_i"},
    };
    enum { NW = sizeof want / sizeof want[0] };
    double *vals[NW + 1];
    const char *names[NW + 1];
    int ncol = 0;
    for (int k = 0; k < NW; k++) {
        snprintf(path, sizeof path, "%s/%s", sm->dir, want[k].file);
        if (!exists(path)) continue;
        tbl_table *t = NULL;
        if (tbl_read(path, &t)) continue;
        if (tbl_find_column(t, want[k].col) < 0) { tbl_destroy(t); continue; }
        double *v = malloc(s->n * sizeof *v);
        size_t miss = 0;
        if (!v || tbl_join(t, want[k].col, s, 1, v, &miss)) {
            free(v);
            tbl_destroy(t);
            rc = BPEL_EPARSE;
            goto out;
        }
        tbl_destroy(t);
        vals[ncol] = v;
        names[ncol] = want[k].name;
        ncol++;
    }
    {
        double *type = malloc(s->n * sizeof *type);
        for (size_t i = 0; i < s->n; i++) type[i] = s->type[i];
        vals[ncol] = type;
        names[ncol] = "type";
        /* type first */
        const char *nm[NW + 1];
        const double *cv[NW + 1];
        nm[0] = "type";
        cv[0] = type;
        for (int k = 0; k < ncol; k++) { nm[k + 1] = names[k]; cv[k + 1] = vals[k]; }
        snprintf(path, sizeof path, "%s/atoms_merged.csv", sm->dir);
        rc = tbl_write(path, s->n, s->id, ncol + 1, nm, cv);
        if (!rc) {
            bpel_column cols[NW];
            for (int k = 0; k < ncol; k++) cols[k] = (bpel_column){names[k], vals[k], 1, 0};
            snprintf(path, sizeof path, "%s/atoms_merged.xyz", sm->dir);
            bpel_out o;
            if (!(rc = bpel_out_open(&o, path))) {
                rc = bpel_out_finish(&o, xyz_write_frame(o.fp, s, ncol, cols, "bpel study: per-atom results"));
            }
        }
        free(type);
    }
out:
    for (int k = 0; k < ncol; k++) free(vals[k]);
    system_destroy(s);
    return rc;
}

/* ------------------------------------------------- summary and report */

static cJSON *read_json(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return NULL;
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    if (len <= 0 || len > 64 * 1024 * 1024) { fclose(fp); return NULL; }
    char *buf = malloc((size_t)len + 1);
    size_t got = fread(buf, 1, (size_t)len, fp);
    fclose(fp);
    buf[got] = '\0';
    cJSON *o = cJSON_Parse(buf);
    free(buf);
    return o;
}

/* Value at a dotted path ("a.b.c") of a JSON object, or NAN. */
static double json_number(const cJSON *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *cur = o;
    for (char *t = strtok(buf, "."); t && cur; t = strtok(NULL, ".")) cur = cJSON_GetObjectItemCaseSensitive(cur, t);
    return cJSON_IsNumber(cur) ? cur->valuedouble : NAN;
}

typedef struct {
    const char *label, *part, *path, *unit, *paper;
    double scale;
} key_number;

/* The numbers the report sets next to the paper's (paper values: Yang, Wang
 * & Zaccone, arXiv:2104.13740, Cu50Zr50, 19,652 atoms, Mendelev 2009 potential). */
static const key_number key_numbers[] = {
    {"Boson-peak position ω_BP", "modes", "boson_peak.omega_radps", "rad/ps", "≈ 5 (Fig. 1b)", 1},
    {"Boson-peak height max g/ω²", "modes", "boson_peak.height_g_over_omega2_per_radps3", "(rad/ps)⁻³", "—", 1},
    {"Debye level 3/ω_D³", "modes", "debye.debye_level_per_radps3", "(rad/ps)⁻³", "87.23e-6", 1},
    {"Negative modes (beyond 3 zero modes)", "modes", "modes.negative_modes", "", "0", 1},
    {"Optimal coarse-graining length L", "correlate", "optimal_L", "Å", "5.9", 1},
    {"Pearson r of [1/I_BP]_CG vs ΔQ_CG at optimal L", "correlate", "pearson_r_at_optimum", "", "strong (Fig. 3)", 1},
    {"Pearson r without coarse-graining", "correlate", "pearson_r_raw", "", "weak (Fig. S1)", 1},
    {"ξ of 1/I_BP (C(r) = exp(−r/ξ))", "correlate", "autocorrelation.x.xi", "Å", "≈ 2 (C = e⁻³ at 5.9 Å)", 1},
    {"ξ of ΔQ", "correlate", "autocorrelation.y.xi", "Å", "≈ 2 (C = e⁻³ at 5.9 Å)", 1},
    {"r where C(r) = e⁻³, 1/I_BP", "correlate", "autocorrelation.x.r_at_e-3", "Å", "5.9", 1},
    {"r where C(r) = e⁻³, ΔQ", "correlate", "autocorrelation.y.r_at_e-3", "Å", "5.9", 1},
    {"Pearson r at optimal L, connected saddles only", "correlate_connected", "pearson_r_at_optimum", "", "—", 1},
    {"Optimal L, connected saddles only", "correlate_connected", "optimal_L", "Å", "5.9", 1},
    {"Mean activation energy ΔQ, per atom (all accepted saddles)", "artn", "dq_atom_mean_eV", "eV", "—", 1},
    {"Mean activation energy ΔQ, per atom (connected saddles)", "artn", "dq_atom_connected_mean_eV", "eV", "—", 1},
    {"Median ΔQ of single saddles", "artn", "dq_event_median_eV", "eV", "—", 1},
    {"Accepted saddles connected to the initial minimum", "artn", "connected_fraction", "", "—", 1},
    {"ARTn searches ending at a validated saddle", "artn", "success_rate", "", "—", 1},
    {"γ_ave over all modes", "gruneisen", "gamma_ave", "", "1–2 (Fig. 11b)", 1},
    {"PMF well curvature k (total g(r), first peak)", "pmf", "parabola.k", "eV/Å²", "—", 1},
    {"Glass transition Tg", "tg", "Tg_K", "K", "650 at 1e9 K/s (Tg rises with the cooling rate)", 1},
};

static const char *part_file(const char *part)
{
    if (!strcmp(part, "tg")) return "tg/tg.json";
    if (!strcmp(part, "modes")) return "modes/summary.json";
    if (!strcmp(part, "artn")) return "artn/summary.json";
    if (!strcmp(part, "correlate")) return "correlate/summary.json";
    if (!strcmp(part, "correlate_connected")) return "correlate_connected/summary.json";
    if (!strcmp(part, "gruneisen")) return "gruneisen/summary.json";
    if (!strcmp(part, "pmf")) return "pmf/pmf.json";
    if (!strcmp(part, "trajectory")) return "trajectory/summary.json";
    return NULL;
}

static const char *parts[] = {"tg", "modes", "artn", "correlate", "correlate_connected", "gruneisen", "pmf", "trajectory", NULL};

/* PNG figures under a folder, sorted by their path relative to it: up to
 * `maxdepth` levels down (1: the folder itself), only names starting with
 * `prefix` (NULL: any). */
static int cmp_names(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

static void find_png(const char *root, const char *rel, int depth, int maxdepth, const char *prefix,
                     char names[][700], int *n, int max)
{
    char dir[1500];
    snprintf(dir, sizeof dir, "%s%s%s", root, rel[0] ? "/" : "", rel);
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) && *n < max) {
        if (e->d_name[0] == '.') continue;
        char sub[700], full[2300];
        snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        snprintf(full, sizeof full, "%s/%s", root, sub);
        struct stat st;
        if (lstat(full, &st)) continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth < maxdepth) find_png(root, sub, depth + 1, maxdepth, prefix, names, n, max);
        } else if (S_ISREG(st.st_mode)) {
            size_t l = strlen(e->d_name);
            if (l > 4 && !strcmp(e->d_name + l - 4, ".png") && (!prefix || !strncmp(e->d_name, prefix, strlen(prefix))))
                snprintf(names[(*n)++], 700, "%s", sub);
        }
    }
    closedir(d);
}

static int list_figures(const char *dir, int maxdepth, const char *prefix, char names[][700], int max)
{
    int n = 0;
    find_png(dir, "", 1, maxdepth, prefix, names, &n, max);
    qsort(names, (size_t)n, 700, cmp_names);
    return n;
}

static void html_escaped(FILE *fp, const char *t)
{
    for (; *t; t++) {
        if (*t == '<') fputs("&lt;", fp);
        else if (*t == '>') fputs("&gt;", fp);
        else if (*t == '&') fputs("&amp;", fp);
        else fputc(*t, fp);
    }
}

/* The verdict on a number of the report and why: its step failed or did
 * not run, or the verdict its step recorded (quality.h), or, with no
 * recorded verdict, "not determined" for a missing value. */
static void number_quality(const cJSON *part, const char *path, const study_failure *fl, int missing, char *verdict,
                           size_t nv, char *why, size_t nw)
{
    if (fl) {
        snprintf(verdict, nv, "not determined");
        snprintf(why, nw, "step %s: %s", fl->step, fl->message);
        return;
    }
    if (!part) {
        snprintf(verdict, nv, "not computed");
        snprintf(why, nw, "step not run");
        return;
    }
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(part, "quality"), path);
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, "verdict"));
    const char *r = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, "reason"));
    if (v) {
        snprintf(verdict, nv, "%s", missing && strcmp(v, "not determined") ? "not determined" : v);
        snprintf(why, nw, "%s", r ? r : "");
    } else if (missing) {
        snprintf(verdict, nv, "not determined");
        snprintf(why, nw, "no value in the step's summary");
    } else {
        snprintf(verdict, nv, "ok");
        snprintf(why, nw, "%s", "");
    }
}

static int write_report(study_run *run, const sample *sm, int ns, cJSON *summary)
{
    char path[700];
    bpel_out omd, ohtml;
    snprintf(path, sizeof path, "%s/report.md", run->out);
    int rc = bpel_out_open(&omd, path);
    if (rc) return rc;
    snprintf(path, sizeof path, "%s/report.html", run->out);
    if ((rc = bpel_out_open(&ohtml, path))) {
        bpel_out_discard(&omd);
        return rc;
    }
    FILE *md = omd.fp, *html = ohtml.fp;
    const study_config *c = run->cfg;
    fprintf(md, "# bpel study: %s\n\n%s\n\nPotential: `%s`; %ld atoms per glass; seed %ld.\n"
                "Every number below is read from the step summaries in this folder (summary.json);\n"
                "paper values: Yang, Wang & Zaccone, arXiv:2104.13740 (Cu50Zr50, 19,652 atoms).\n\n",
            c->name, cli_provenance(), c->potential, c->atoms, c->seed);
    fprintf(html, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>bpel study %s</title>"
                  "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}"
                  "td,th{border:1px solid #aaa;padding:3px 8px}.q-w{background:#fff3c4}.q-n{background:#f6d5d5}img{max-width:100%%;border:1px solid #ddd}"
                  ".fig{display:inline-block;width:48%%;margin:1%%;vertical-align:top}</style></head><body>\n"
                  "<h1>bpel study: %s</h1><p>%s</p><p>Potential <code>%s</code>; %ld atoms per glass; seed %ld. "
                  "Numbers are read from the step summaries (summary.json); paper values from Yang, Wang &amp; "
                  "Zaccone, arXiv:2104.13740.</p>\n",
            c->name, c->name, cli_provenance(), c->potential, c->atoms, c->seed);
    if (run->nfailed) {
        fprintf(md, "## Steps that failed or could not run\n\n| glass | step | message |\n|---|---|---|\n");
        fprintf(html, "<h2>Steps that failed or could not run</h2>\n<table><tr><th>glass</th><th>step</th>"
                      "<th>message</th></tr>\n");
        for (int f = 0; f < run->nfailed && f < STUDY_MAX_FAILED; f++) {
            fprintf(md, "| %s | %s | %s |\n", run->failed[f].sample, run->failed[f].step, run->failed[f].message);
            fprintf(html, "<tr><td>%s</td><td>%s</td><td>", run->failed[f].sample, run->failed[f].step);
            html_escaped(html, run->failed[f].message);
            fprintf(html, "</td></tr>\n");
        }
        if (run->nfailed > STUDY_MAX_FAILED) fprintf(md, "\n(%d more)\n", run->nfailed - STUDY_MAX_FAILED);
        fprintf(md, "\n");
        fprintf(html, "</table>\n");
    }
    cJSON *samples = cJSON_GetObjectItemCaseSensitive(summary, "samples");
    for (int k = 0; k < ns; k++) {
        cJSON *so = cJSON_GetArrayItem(samples, k);
        const char *rel = sm[k].dir + strlen(run->out) + 1;
        fprintf(md, "## %s, cooled at %.3g K/s (`%s/`)\n\n| quantity | bpel | unit | paper | quality |\n"
                    "|---|---|---|---|---|\n",
                sm[k].composition, sm[k].rate, rel);
        fprintf(html, "<h2>%s, cooled at %.3g K/s (<code>%s/</code>)</h2>\n<table><tr><th>quantity</th><th>bpel</th>"
                      "<th>unit</th><th>paper</th><th>quality</th></tr>\n",
                sm[k].composition, sm[k].rate, rel);
        for (size_t q = 0; q < sizeof key_numbers / sizeof key_numbers[0]; q++) {
            const key_number *kn = &key_numbers[q];
            const cJSON *po = cJSON_GetObjectItemCaseSensitive(so, kn->part);
            double v = json_number(po, kn->path) * kn->scale;
            char val[64], verdict[32], why[600];
            const study_failure *fl = find_failure(run, &sm[k], kn->part);
            if (isnan(v)) snprintf(val, sizeof val, "—");
            else snprintf(val, sizeof val, "%.4g", v);
            number_quality(po, kn->path, fl, isnan(v), verdict, sizeof verdict, why, sizeof why);
            for (int q2 = 0; !po && !fl && q2 < run->nnotes; q2++)
                if (!strcmp(run->notes[q2].sample, sample_name(&sm[k])) && !strcmp(run->notes[q2].step, kn->part))
                    snprintf(why, sizeof why, "%s", run->notes[q2].message);
            fprintf(md, "| %s | %s | %s | %s | %s%s%s |\n", kn->label, val, kn->unit, kn->paper, verdict,
                    why[0] ? ": " : "", why);
            fprintf(html, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td class=\"q-%c\">%s%s", kn->label, val,
                    kn->unit, kn->paper, verdict[0], verdict, why[0] ? ": " : "");
            html_escaped(html, why);
            fprintf(html, "</td></tr>\n");
        }
        fprintf(md, "\n");
        fprintf(html, "</table>\n");
        static char figs[128][700];
        int nf = list_figures(sm[k].dir, 3, NULL, figs, 128);
        for (int f = 0; f < nf; f++) {
            fprintf(md, "![%s](%s/%s)\n\n", figs[f], rel, figs[f]);
            fprintf(html, "<div class=\"fig\"><img src=\"%s/%s\" alt=\"%s\"><br><code>%s</code></div>\n", rel, figs[f],
                    figs[f], figs[f]);
        }
    }
    static char top[32][700];
    int nt = 0;
    nt = list_figures(run->out, 1, "fig", top, 32);
    if (nt) {
        fprintf(md, "## Over compositions and cooling rates\n\n");
        fprintf(html, "<h2>Over compositions and cooling rates</h2>\n");
        for (int f = 0; f < nt; f++) {
            fprintf(md, "![%s](%s)\n\n", top[f], top[f]);
            fprintf(html, "<div class=\"fig\"><img src=\"%s\"><br><code>%s</code></div>\n", top[f], top[f]);
        }
    }
    fprintf(html, "</body></html>\n");
    rc = bpel_out_close(&omd);
    if (rc) bpel_out_discard(&ohtml);
    else rc = bpel_out_close(&ohtml);
    return rc;
}

int study_execute(study_run *run)
{
    const study_config *c = run->cfg;
    int ns = c->ncompositions * c->nrates;
    sample *sm = calloc((size_t)ns, sizeof *sm);
    if (!sm) return BPEL_ENOMEM;
    run->total = plan_count(c);
    int k = 0, rc = BPEL_OK;
    for (int a = 0; a < c->ncompositions; a++)
        for (int b = 0; b < c->nrates; b++, k++) {
            char tag[32];
            rate_tag(c->rates[b], tag, sizeof tag);
            snprintf(sm[k].composition, sizeof sm[k].composition, "%s", c->compositions[a]);
            sm[k].rate = c->rates[b];
            snprintf(sm[k].dir, sizeof sm[k].dir, "%s/%s_R%s", run->out, c->compositions[a], tag);
        }
    for (k = 0; k < ns && !rc; k++) {
        run->dirty = 0;
        run->chain = 0;
        rc = run_sample(run, &sm[k], c->seed + 1000L * k);
    }
    if (!rc && run->interrupted) {
        free(sm);
        return bpel_fail(BPEL_EINTR, "%s", run->interrupt_msg);
    }
    for (k = 0; k < ns && !rc; k++)
        if (!step_failed(run, &sm[k], "quench") && merge_tables(&sm[k])) {
            record_failure(run, &sm[k], "atoms_merged", bpel_errmsg());
            bpel_clear_error();
        }
    if (!rc && study_sweeps(run, sm, ns)) {
        record_failure(run, &sm[0], "sweeps", bpel_errmsg());
        bpel_clear_error();
    }
    if (!rc) {
        cJSON *sum = cJSON_CreateObject();
        cJSON_AddStringToObject(sum, "study", c->name);
        cJSON_AddStringToObject(sum, "provenance", cli_provenance());
        cJSON_AddStringToObject(sum, "potential", c->potential);
        cJSON_AddNumberToObject(sum, "atoms", (double)c->atoms);
        cJSON *fa = cJSON_AddArrayToObject(sum, "failed_steps");
        for (int f = 0; f < run->nfailed && f < STUDY_MAX_FAILED; f++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "sample", run->failed[f].sample);
            cJSON_AddStringToObject(o, "step", run->failed[f].step);
            cJSON_AddStringToObject(o, "message", run->failed[f].message);
            cJSON_AddItemToArray(fa, o);
        }
        cJSON *arr = cJSON_AddArrayToObject(sum, "samples");
        for (k = 0; k < ns; k++) {
            cJSON *so = cJSON_CreateObject();
            cJSON_AddStringToObject(so, "composition", sm[k].composition);
            cJSON_AddNumberToObject(so, "cooling_rate_K_per_s", sm[k].rate);
            cJSON_AddStringToObject(so, "folder", sm[k].dir);
            for (int p = 0; parts[p]; p++) {
                if (step_failed(run, &sm[k], parts[p])) continue; /* no stale numbers */
                char path[900];
                snprintf(path, sizeof path, "%s/%s", sm[k].dir, part_file(parts[p]));
                cJSON *o = read_json(path);
                if (o) cJSON_AddItemToObject(so, parts[p], o);
            }
            cJSON_AddItemToArray(arr, so);
        }
        char path[700];
        snprintf(path, sizeof path, "%s/summary.json", run->out);
        char *txt = cJSON_Print(sum);
        rc = txt ? bpel_out_text(path, txt) : BPEL_ENOMEM;
        cJSON_free(txt);
        if (!rc) rc = write_report(run, sm, ns, sum);
        cJSON_Delete(sum);
    }
    free(sm);
    if (!rc && run->nfailed)
        rc = bpel_fail(BPEL_EIO, "%d step%s failed or could not run (first: %s/%s: %s); the report marks them",
                       run->nfailed, run->nfailed > 1 ? "s" : "", run->failed[0].sample, run->failed[0].step,
                       run->failed[0].message);
    return rc;
}
