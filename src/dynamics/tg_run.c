/* tg_run.c — the Tg stage: cooling run, fit of a log, files (see tg_run.h). */
#include "tg_run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "figure.h"
#include "forces.h"
#include "md.h"
#include "mdrun.h"
#include "outfile.h"
#include "quality.h"
#include "table.h"

void bpel_tg_cooling_defaults(tg_cooling *c)
{
    memset(c, 0, sizeof *c);
    c->t_from = c->t_to = c->rate = NAN;
    c->equilibrate = 10;
    c->dt = 0.002;
    c->seed = 12345;
    c->log_every = 50;
}

static void on_progress(mdrun *c, double done)
{
    const tg_cooling *o = c->progress;
    o->progress(o->ctx, TG_RUN_STEP, done, 0);
}

static void on_notice(mdrun *c, const char *msg)
{
    const tg_cooling *o = c->user;
    if (o->notice) o->notice(o->ctx, msg);
}

int bpel_tg_cooling_run(const bpel_model *model, bpel_system *s, const tg_cooling *o,
                   const char *log_path)
{
    if (!(o->t_from > 0) || !(o->t_to > 0) || !(o->t_to < o->t_from) || !(o->rate > 0) || !(o->dt > 0) ||
        !(o->equilibrate >= 0) || o->log_every < 1)
        return bpel_fail(BPEL_EINVAL, "cooling run: needs 0 < --to < --from, a positive --rate and --dt");
    mdrun c;
    memset(&c, 0, sizeof c);
    c.sys = s;
    c.model = model;
    c.user = (void *)o;
    c.on_notice = on_notice;
    int rc;
    c.rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(c.rng, (unsigned long)o->seed);
    md_params p;
    bpel_md_defaults(&p);
    p.ensemble = MD_NPT;
    p.dt = o->dt;
    p.t_start = p.t_stop = o->t_from;
    double t1 = o->t_from, t2 = o->t_to, rate = o->rate, dt = o->dt;
    long neq = (long)llround(o->equilibrate / dt), ncool = (long)llround((t1 - t2) / rate * 1e12 / dt);
    if ((rc = bpel_md_velocity_create(c.sys, t1, c.rng))) goto out;
    if ((rc = bpel_forces_create(c.model, c.sys, MDRUN_SKIN, &c.forces)) || (rc = bpel_md_create(c.forces, c.sys, &p, &c.md)))
        goto out;
    if (!(c.log = fopen(log_path, "w"))) {
        rc = bpel_fail(BPEL_EIO, "%s: cannot write", log_path);
        goto out;
    }
    bpel_mdrun_log_header(c.log);
    c.log_every = o->log_every;
    if (o->progress) {
        o->progress(o->ctx, TG_RUN_BEGIN, 0, (double)(neq + ncool));
        c.progress = (void *)o;
        c.on_progress = on_progress;
    }
    c.stage = 0;
    if (neq > 0 && ((rc = bpel_md_setup(c.md, neq)) || (rc = bpel_mdrun_run(&c, neq)))) goto out;
    p.t_stop = t2;
    c.stage = 1;
    if ((rc = bpel_md_set_params(c.md, &p)) || (rc = bpel_md_setup(c.md, ncool)) || (rc = bpel_mdrun_run(&c, neq + ncool))) goto out;
    if (o->progress) o->progress(o->ctx, TG_RUN_END, (double)(neq + ncool), (double)(neq + ncool));
out:
    if (c.log) fclose(c.log);
    bpel_mdrun_free(&c);
    return rc;
}

int bpel_tg_run_fit(const char *log, long stage, const tg_params *p, tg_result *r, size_t *nsamples)
{
    memset(r, 0, sizeof *r);
    *nsamples = 0;
    tbl_table *t;
    int rc = bpel_tbl_read(log, &t);
    if (rc) return rc;
    double *tt = malloc(t->nrows * sizeof *tt), *vv = malloc(t->nrows * sizeof *vv), *ss = NULL;
    rc = bpel_tbl_column(t, "temp_K", tt);
    if (!rc) rc = bpel_tbl_column(t, "volume_A3", vv);
    if (!rc && stage >= 0 && bpel_tbl_find_column(t, "stage") >= 0) {
        ss = malloc(t->nrows * sizeof *ss);
        rc = bpel_tbl_column(t, "stage", ss);
    }
    size_t n = 0;
    for (size_t i = 0; !rc && i < t->nrows; i++)
        if (!ss || (long)ss[i] == stage) tt[n] = tt[i], vv[n] = vv[i], n++;
    if (!rc) rc = bpel_tg_fit(n, tt, vv, p, r);
    if (rc == BPEL_EINVAL) bpel_fail_context(rc, "%s", log);
    *nsamples = n;
    free(tt), free(vv), free(ss);
    bpel_tbl_destroy(t);
    return rc;
}


/* One line fit of V(T) in tg.json: V = intercept + slope·T over range. */
static void add_fit(cJSON *j, const char *name, double slope, double intercept, const double range[2], double r2,
                    size_t bins)
{
    cJSON *g = cJSON_AddObjectToObject(j, name);
    cJSON_AddNumberToObject(g, "slope_A3_per_K", slope);
    cJSON_AddNumberToObject(g, "intercept_A3", intercept);
    cJSON_AddNumberToObject(g, "T_min_K", range[0]);
    cJSON_AddNumberToObject(g, "T_max_K", range[1]);
    cJSON_AddNumberToObject(g, "r2", r2);
    cJSON_AddNumberToObject(g, "bins", (double)bins);
}

int bpel_tg_run_write(const char *dir, const char *source, const char *provenance, const tg_params *p, const tg_result *r,
                 size_t nsamples)
{
    int det = r->quality != BPEL_Q_NOT_DETERMINED;
    char path[4096];
    /* JSON */
    cJSON *j = cJSON_CreateObject();
    if (provenance) cJSON_AddStringToObject(j, "provenance", provenance);
    cJSON_AddStringToObject(j, "source", source);
    if (det) {
        cJSON_AddNumberToObject(j, TG_KEY_TG, r->tg);
        cJSON_AddNumberToObject(j, "Tg_95_lo_K", r->tg_lo);
        cJSON_AddNumberToObject(j, "Tg_95_hi_K", r->tg_hi);
    } else {
        cJSON_AddNullToObject(j, TG_KEY_TG);
        cJSON_AddNullToObject(j, "Tg_95_lo_K");
        cJSON_AddNullToObject(j, "Tg_95_hi_K");
    }
    bpel_quality_add(j, TG_KEY_TG, r->quality, "%s", r->reason);
    cJSON_AddStringToObject(j, "method", r->method);
    cJSON_AddNumberToObject(j, "r2", r->r2);
    cJSON_AddNumberToObject(j, "bin_K", p->bin);
    cJSON_AddNumberToObject(j, "samples", (double)nsamples);
    if (det) {
        add_fit(j, "glass_fit", r->glass_slope, r->glass_intercept, r->glass_range, r->glass_r2, r->glass_bins);
        add_fit(j, "liquid_fit", r->liquid_slope, r->liquid_intercept, r->liquid_range, r->liquid_r2, r->liquid_bins);
    }
    snprintf(path, sizeof path, "%s/" TG_FILE_JSON, dir);
    int rc = bpel_out_json(path, j);
    cJSON_Delete(j);
    snprintf(path, sizeof path, "%s/tg_vt.csv", dir);
    bpel_out o;
    if (!rc && !(rc = bpel_out_open(&o, path))) {
        fprintf(o.fp, "temp_K,volume_A3\n");
        for (size_t k = 0; k < r->nbins; k++) fprintf(o.fp, "%.6g,%.10g\n", r->bin_t[k], r->bin_v[k]);
        rc = bpel_out_close(&o);
    }
    /* figure */
    if (!rc) {
        fig_figure *f = bpel_fig_create(1, 1, 0, 0);
        fig_panel *p = bpel_fig_panel_at(f, 0, 0);
        bpel_fig_labels(p, "T (K)", "V (Å³)", NULL);
        bpel_fig_points(p, r->nbins, r->bin_t, r->bin_v, &(fig_style){.label = "V(T), binned", .color = FIG_BLACK,
                                                               .marker = FIG_MARKER_OPEN_CIRCLE});
        if (det) {
            double xs[2] = {r->bin_t[0], r->bin_t[r->nbins - 1]}, yg[2], yl[2];
            for (int k = 0; k < 2; k++) {
                yg[k] = r->glass_intercept + r->glass_slope * xs[k];
                yl[k] = r->liquid_intercept + r->liquid_slope * xs[k];
            }
            bpel_fig_line(p, 2, xs, yg, &(fig_style){.label = "glass branch", .color = FIG_BLUE});
            bpel_fig_line(p, 2, xs, yl, &(fig_style){.label = "liquid branch", .color = FIG_RED});
            char lab[96];
            snprintf(lab, sizeof lab, "T#dg#u = %.0f K (95 %%: %.0f-%.0f)%s", r->tg, r->tg_lo, r->tg_hi,
                     r->quality == BPEL_Q_WEAK ? ", weak" : "");
            bpel_fig_vline(p, r->tg, lab);
        } else {
            bpel_fig_labels(p, "T (K)", "V (Å³)", "T#dg#u not determined");
        }
        bpel_fig_legend(p, FIG_LEGEND_TOP_LEFT);
        snprintf(path, sizeof path, "%s/tg_volume_temperature", dir);
        rc = bpel_fig_save(f, path);
        bpel_fig_destroy(f);
    }
    return rc;
}
