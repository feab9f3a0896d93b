/* study_report.c — what a study (study.h) writes at the end: the merged
 * per-atom table of every glass, summary.json (the step summaries of every
 * glass and the failed steps) and report.md / report.html (the key numbers
 * beside the paper's with their quality verdicts, and every figure). Every
 * number of the report is read from a step summary, found by the names the
 * modules that write them export. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "artn_columns.h"
#include "correlate_run.h"
#include "error.h"
#include "gruneisen_run.h"
#include "outfile.h"
#include "pmf.h"
#include "quality.h"
#include "structure.h"
#include "study_impl.h"
#include "table.h"
#include "tg_run.h"
#include "trajectory.h"
#include "vibrations.h"

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* ------------------------------------------------- merged per-atom table */

int bpel_study_merge_tables(const study_sample *sm)
{
    char glass[800], path[900];
    snprintf(glass, sizeof glass, "%s/glass.data", sm->dir);
    bpel_system *s = NULL;
    int rc = bpel_data_read(glass, &s);
    if (rc) return rc;
    struct { const char *file, *col, *name; } want[] = {
        {STUDY_MODES_TABLE, VIB_COL_IBP, VIB_COL_IBP}, {STUDY_MODES_TABLE, VIB_COL_OMEGA_BP, VIB_COL_OMEGA_BP},
        {STUDY_ARTN_TABLE, ARTN_COL_DQ, ARTN_COL_DQ}, {STUDY_ARTN_TABLE, ARTN_COL_DQ_STD, ARTN_COL_DQ_STD},
        {STUDY_ARTN_TABLE, ARTN_COL_DQ_CONNECTED, ARTN_COL_DQ_CONNECTED},
        {STUDY_GRUN_TABLE, GRU_COL_GAMMA, GRU_COL_GAMMA},
    };
    enum { NW = sizeof want / sizeof want[0] };
    double *vals[NW + 1];
    const char *names[NW + 1];
    int ncol = 0;
    for (int k = 0; k < NW; k++) {
        snprintf(path, sizeof path, "%s/%s", sm->dir, want[k].file);
        if (!exists(path)) continue;
        tbl_table *t = NULL;
        if (bpel_tbl_read(path, &t)) continue;
        if (bpel_tbl_find_column(t, want[k].col) < 0) { bpel_tbl_destroy(t); continue; }
        double *v = malloc(s->n * sizeof *v);
        size_t miss = 0;
        if (!v || bpel_tbl_join(t, want[k].col, s, 1, v, &miss)) {
            free(v);
            bpel_tbl_destroy(t);
            rc = BPEL_EPARSE;
            goto out;
        }
        bpel_tbl_destroy(t);
        vals[ncol] = v;
        names[ncol] = want[k].name;
        ncol++;
    }
    {
        double *type = malloc(s->n * sizeof *type);
        for (size_t i = 0; i < s->n; i++) type[i] = s->type[i];
        vals[ncol] = type;
        names[ncol] = STUDY_COL_TYPE;
        /* type first */
        const char *nm[NW + 1];
        const double *cv[NW + 1];
        nm[0] = STUDY_COL_TYPE;
        cv[0] = type;
        for (int k = 0; k < ncol; k++) { nm[k + 1] = names[k]; cv[k + 1] = vals[k]; }
        snprintf(path, sizeof path, "%s/" STUDY_MERGED_TABLE, sm->dir);
        rc = bpel_tbl_write(path, s->n, s->id, ncol + 1, nm, cv);
        if (!rc) {
            bpel_column cols[NW];
            for (int k = 0; k < ncol; k++) cols[k] = (bpel_column){names[k], vals[k], 1, 0};
            snprintf(path, sizeof path, "%s/" STUDY_MERGED_XYZ, sm->dir);
            bpel_out o;
            if (!(rc = bpel_out_open(&o, path))) {
                rc = bpel_out_finish(&o, bpel_xyz_write_frame(o.fp, s, ncol, cols, "bpel study: per-atom results"));
            }
        }
        free(type);
    }
out:
    for (int k = 0; k < ncol; k++) free(vals[k]);
    bpel_system_destroy(s);
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
    {"Boson-peak position ω_BP", "modes", VIB_KEY_BOSON_PEAK "." VIB_KEY_BP_OMEGA, "rad/ps", "≈ 5 (Fig. 1b)", 1},
    {"Boson-peak height max g/ω²", "modes", VIB_KEY_BOSON_PEAK "." VIB_KEY_BP_HEIGHT, "(rad/ps)⁻³", "—", 1},
    {"Debye level 3/ω_D³", "modes", VIB_KEY_DEBYE "." VIB_KEY_DEBYE_LEVEL, "(rad/ps)⁻³", "87.23e-6", 1},
    {"Negative modes (beyond 3 zero modes)", "modes", VIB_KEY_MODES "." VIB_KEY_NEGATIVE_MODES, "", "0", 1},
    {"Optimal coarse-graining length L", "correlate", CORR_KEY_OPTIMAL_L, "Å", "5.9", 1},
    {"Pearson r of [1/I_BP]_CG vs ΔQ_CG at optimal L", "correlate", CORR_KEY_R_OPT, "", "strong (Fig. 3)", 1},
    {"Pearson r without coarse-graining", "correlate", CORR_KEY_R_RAW, "", "weak (Fig. S1)", 1},
    {"ξ of 1/I_BP (C(r) = exp(−r/ξ))", "correlate", CORR_KEY_ACF "." CORR_KEY_X "." CORR_KEY_XI, "Å",
     "≈ 2 (C = e⁻³ at 5.9 Å)", 1},
    {"ξ of ΔQ", "correlate", CORR_KEY_ACF "." CORR_KEY_Y "." CORR_KEY_XI, "Å", "≈ 2 (C = e⁻³ at 5.9 Å)", 1},
    {"r where C(r) = e⁻³, 1/I_BP", "correlate", CORR_KEY_ACF "." CORR_KEY_X "." CORR_KEY_R_E3, "Å", "5.9", 1},
    {"r where C(r) = e⁻³, ΔQ", "correlate", CORR_KEY_ACF "." CORR_KEY_Y "." CORR_KEY_R_E3, "Å", "5.9", 1},
    {"Pearson r at optimal L, connected saddles only", "correlate_connected", CORR_KEY_R_OPT, "", "—", 1},
    {"Optimal L, connected saddles only", "correlate_connected", CORR_KEY_OPTIMAL_L, "Å", "5.9", 1},
    {"Mean activation energy ΔQ, per atom (all accepted saddles)", "artn", ARTN_KEY_DQ_ATOM_MEAN, "eV", "—", 1},
    {"Mean activation energy ΔQ, per atom (connected saddles)", "artn", ARTN_KEY_DQ_ATOM_CONNECTED_MEAN, "eV", "—",
     1},
    {"Median ΔQ of single saddles", "artn", ARTN_KEY_DQ_EVENT_MEDIAN, "eV", "—", 1},
    {"Accepted saddles connected to the initial minimum", "artn", ARTN_KEY_CONNECTED_FRACTION, "", "—", 1},
    {"ARTn searches ending at a validated saddle", "artn", ARTN_KEY_SUCCESS_RATE, "", "—", 1},
    {"γ_ave over all modes", "gruneisen", GRU_KEY_GAMMA_AVE, "", "1–2 (Fig. 11b)", 1},
    {"PMF well curvature k (total g(r), first peak)", "pmf", PMF_KEY_PARABOLA "." PMF_KEY_K, "eV/Å²", "—", 1},
    {"Mean displacement from the IS in the low-T run, high-/low-I_BP atoms", "trajectory", TRAJ_KEY_DISP_RATIO, "",
     "> 1 (Fig. 8)", 1},
    {"Glass transition Tg", "tg", TG_KEY_TG, "K", "650 at 1e9 K/s (Tg rises with the cooling rate)", 1},
};

static const char *part_file(const char *part)
{
    if (!strcmp(part, "tg")) return "tg/" TG_FILE_JSON;
    if (!strcmp(part, "modes")) return "modes/" VIB_FILE_SUMMARY;
    if (!strcmp(part, "artn")) return "artn/" ARTN_FILE_SUMMARY;
    if (!strcmp(part, "correlate")) return "correlate/" CORR_FILE_SUMMARY;
    if (!strcmp(part, "correlate_connected")) return "correlate_connected/" CORR_FILE_SUMMARY;
    if (!strcmp(part, "gruneisen")) return "gruneisen/" GRU_FILE_SUMMARY;
    if (!strcmp(part, "pmf")) return "pmf/" PMF_FILE_JSON;
    if (!strcmp(part, "trajectory")) return "trajectory/" TRAJ_FILE_SUMMARY;
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
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(part, BPEL_QUALITY_KEY), path);
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, BPEL_QUALITY_VERDICT));
    const char *r = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, BPEL_QUALITY_REASON));
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

static int write_report(const study_state *S, const study_sample *sm, int ns, cJSON *summary)
{
    const study_config *c = S->cfg;
    const study_result *res = S->res;
    const char *prov = S->opt->provenance ? S->opt->provenance : "";
    char path[700];
    bpel_out omd, ohtml;
    snprintf(path, sizeof path, "%s/report.md", res->out);
    int rc = bpel_out_open(&omd, path);
    if (rc) return rc;
    snprintf(path, sizeof path, "%s/report.html", res->out);
    if ((rc = bpel_out_open(&ohtml, path))) {
        bpel_out_discard(&omd);
        return rc;
    }
    FILE *md = omd.fp, *html = ohtml.fp;
    fprintf(md, "# bpel study: %s\n\n%s\n\nPotential: `%s`; %ld atoms per glass; seed %ld.\n"
                "Every number below is read from the step summaries in this folder (summary.json);\n"
                "paper values: Yang, Wang & Zaccone, arXiv:2104.13740 (Cu50Zr50, 19,652 atoms).\n\n",
            c->name, prov, c->potential, c->atoms, c->seed);
    fprintf(html, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>bpel study %s</title>"
                  "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}"
                  "td,th{border:1px solid #aaa;padding:3px 8px}.q-w{background:#fff3c4}.q-n{background:#f6d5d5}img{max-width:100%%;border:1px solid #ddd}"
                  ".fig{display:inline-block;width:48%%;margin:1%%;vertical-align:top}</style></head><body>\n"
                  "<h1>bpel study: %s</h1><p>%s</p><p>Potential <code>%s</code>; %ld atoms per glass; seed %ld. "
                  "Numbers are read from the step summaries (summary.json); paper values from Yang, Wang &amp; "
                  "Zaccone, arXiv:2104.13740.</p>\n",
            c->name, c->name, prov, c->potential, c->atoms, c->seed);
    if (res->nfailed) {
        fprintf(md, "## Steps that failed or could not run\n\n| glass | step | message |\n|---|---|---|\n");
        fprintf(html, "<h2>Steps that failed or could not run</h2>\n<table><tr><th>glass</th><th>step</th>"
                      "<th>message</th></tr>\n");
        for (int f = 0; f < res->nfailed && f < STUDY_MAX_FAILED; f++) {
            fprintf(md, "| %s | %s | %s |\n", res->failed[f].sample, res->failed[f].step, res->failed[f].message);
            fprintf(html, "<tr><td>%s</td><td>%s</td><td>", res->failed[f].sample, res->failed[f].step);
            html_escaped(html, res->failed[f].message);
            fprintf(html, "</td></tr>\n");
        }
        if (res->nfailed > STUDY_MAX_FAILED) fprintf(md, "\n(%d more)\n", res->nfailed - STUDY_MAX_FAILED);
        fprintf(md, "\n");
        fprintf(html, "</table>\n");
    }
    cJSON *samples = cJSON_GetObjectItemCaseSensitive(summary, "samples");
    for (int k = 0; k < ns; k++) {
        cJSON *so = cJSON_GetArrayItem(samples, k);
        const char *rel = sm[k].dir + strlen(res->out) + 1;
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
            const study_failure *fl = bpel_study_find_failure(S, &sm[k], kn->part);
            if (isnan(v)) snprintf(val, sizeof val, "—");
            else snprintf(val, sizeof val, "%.4g", v);
            number_quality(po, kn->path, fl, isnan(v), verdict, sizeof verdict, why, sizeof why);
            for (int q2 = 0; !po && !fl && q2 < res->nnotes; q2++)
                if (!strcmp(res->notes[q2].sample, bpel_study_sample_name(&sm[k])) && !strcmp(res->notes[q2].step, kn->part))
                    snprintf(why, sizeof why, "%s", res->notes[q2].message);
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
    nt = list_figures(res->out, 1, "fig", top, 32);
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

int bpel_study_write_summary(const study_state *S, const study_sample *sm, int ns)
{
    const study_config *c = S->cfg;
    const study_result *res = S->res;
    cJSON *sum = cJSON_CreateObject();
    cJSON_AddStringToObject(sum, "study", c->name);
    if (S->opt->provenance) cJSON_AddStringToObject(sum, "provenance", S->opt->provenance);
    cJSON_AddStringToObject(sum, "potential", c->potential);
    cJSON_AddNumberToObject(sum, "atoms", (double)c->atoms);
    cJSON *fa = cJSON_AddArrayToObject(sum, "failed_steps");
    for (int f = 0; f < res->nfailed && f < STUDY_MAX_FAILED; f++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "sample", res->failed[f].sample);
        cJSON_AddStringToObject(o, "step", res->failed[f].step);
        cJSON_AddStringToObject(o, "message", res->failed[f].message);
        cJSON_AddItemToArray(fa, o);
    }
    cJSON *arr = cJSON_AddArrayToObject(sum, "samples");
    for (int k = 0; k < ns; k++) {
        cJSON *so = cJSON_CreateObject();
        cJSON_AddStringToObject(so, "composition", sm[k].composition);
        cJSON_AddNumberToObject(so, "cooling_rate_K_per_s", sm[k].rate);
        cJSON_AddStringToObject(so, "folder", sm[k].dir);
        for (int p = 0; parts[p]; p++) {
            if (bpel_study_find_failure(S, &sm[k], parts[p])) continue; /* no stale numbers */
            char path[900];
            snprintf(path, sizeof path, "%s/%s", sm[k].dir, part_file(parts[p]));
            cJSON *o = read_json(path);
            if (o) cJSON_AddItemToObject(so, parts[p], o);
        }
        cJSON_AddItemToArray(arr, so);
    }
    char path[700];
    snprintf(path, sizeof path, "%s/summary.json", res->out);
    char *txt = cJSON_Print(sum);
    int rc = txt ? bpel_out_text(path, txt) : BPEL_ENOMEM;
    cJSON_free(txt);
    if (!rc) rc = write_report(S, sm, ns, sum);
    cJSON_Delete(sum);
    return rc;
}
